"""Writes every event it gets into the DynamoDB table SINK_TABLE, then behaves as MODE says.

MODE ok (default): succeeds. poison: raises when a record's NewImage has a `poison` attribute.
report: returns `batchItemFailures` naming the records whose NewImage has a `fail` attribute.
bogus: returns `batchItemFailures` naming a sequence number that is not in the batch.
"""

import json
import os
import time

import boto3

_client = boto3.client("dynamodb")


def _marked(record, attribute):
    return attribute in (record.get("dynamodb", {}).get("NewImage") or {})


def handler(event, context):
    records = event.get("Records") or []
    _client.put_item(
        TableName=os.environ["SINK_TABLE"],
        Item={
            "pk": {"S": context.aws_request_id},
            "at": {"N": repr(time.time())},
            "event": {"S": json.dumps(event)},
        },
    )
    mode = os.environ.get("MODE", "ok")
    if mode == "poison" and any(_marked(record, "poison") for record in records):
        raise RuntimeError("poison record")
    if mode == "report":
        failed = [r["dynamodb"]["SequenceNumber"] for r in records if _marked(r, "fail")]
        return {"batchItemFailures": [{"itemIdentifier": number} for number in failed]}
    if mode == "bogus":
        return {"batchItemFailures": [{"itemIdentifier": "1"}]}
    return {}
