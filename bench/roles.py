"""An IAM role for benchmark functions, created on the target itself.

moto checks that a function's role exists in its own account (123456789012 by default), so a
made-up ARN fails there; creating the role through the target's IAM API works on every target.
"""

from __future__ import annotations

import json
import uuid

import boto3

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def function_role(endpoint: str) -> str:
    """The ARN of a fresh role Lambda may assume, on the target at `endpoint`."""
    iam = boto3.client(
        "iam",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    name = f"bench-{uuid.uuid4().hex[:8]}"
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))
    arn: str = role["Role"]["Arn"]
    return arn
