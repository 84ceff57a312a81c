"""Calls cloudlet from inside a function with plain boto3 (boto3 is not in the zip)."""

import boto3


def handler(event, context):
    identity = boto3.client("sts").get_caller_identity()
    return {"Account": identity["Account"], "Arn": identity["Arn"]}
