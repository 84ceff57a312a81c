"""detect_protocol: which of a service's protocols a request speaks."""

from __future__ import annotations

import pytest

from cloudlet.http import HttpRequest
from cloudlet.protocol import detect_protocol, service_model

FORM = {"content-type": "application/x-www-form-urlencoded; charset=utf-8"}
CBOR = {"smithy-protocol": "rpc-v2-cbor", "content-type": "application/cbor"}
JSON = {"content-type": "application/x-amz-json-1.0", "x-amz-target": "X.Y"}


@pytest.mark.parametrize(
    ("service", "headers", "query", "expected"),
    [
        ("cloudwatch", CBOR, "", "smithy-rpc-v2-cbor"),
        ("cloudwatch", JSON, "", "json"),
        ("cloudwatch", FORM, "", "query"),
        ("cloudwatch", {}, "Action=ListMetrics&Version=2010-08-01", "query"),
        ("cloudwatch", {}, "", "smithy-rpc-v2-cbor"),
        ("sqs", JSON, "", "json"),
        ("sqs", {"x-amz-target": "AmazonSQS.ListQueues"}, "", "json"),
        ("sqs", FORM, "", "query"),
        ("sqs", {}, "", "json"),
        ("ec2", FORM, "", "ec2"),
        ("iam", FORM, "", "query"),
        ("dynamodb", FORM, "", "json"),
        ("s3", JSON, "", "rest-xml"),
        ("lambda", {}, "", "rest-json"),
    ],
)
def test_detect_protocol(service: str, headers: dict[str, str], query: str, expected: str) -> None:
    request = HttpRequest("POST", "/", query, dict(headers), b"")

    assert detect_protocol(service_model(service), request) == expected
