#!/bin/sh
# An SDK on the instance finds the role's credentials through the metadata service.
python3 - <<'PY'
import boto3
print("caller=" + boto3.client("sts").get_caller_identity()["Arn"])
PY
echo "done"
