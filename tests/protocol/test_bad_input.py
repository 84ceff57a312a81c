"""Requests AWS rejects: malformed bodies, unknown operations, wrong types, missing or out-of-range
parameters. Each must raise the ServiceError the service sends, and serialize to a 4xx."""

from __future__ import annotations

import json

import cbor2
import pytest

from cloudlet.errors import ServiceError
from cloudlet.http import HttpRequest
from cloudlet.protocol import detect_protocol, parse_request, serialize_error, service_model

FORM = "application/x-www-form-urlencoded; charset=utf-8"


def _json(target: str, body: bytes, version: str = "1.0") -> HttpRequest:
    headers = {"content-type": f"application/x-amz-json-{version}", "x-amz-target": target}
    return HttpRequest("POST", "/", "", headers, body)


def _form(body: str) -> HttpRequest:
    return HttpRequest("POST", "/", "", {"content-type": FORM}, body.encode())


def _cbor(operation: str, body: bytes) -> HttpRequest:
    headers = {"content-type": "application/cbor", "smithy-protocol": "rpc-v2-cbor"}
    path = f"/service/GraniteServiceVersion20100801/operation/{operation}"
    return HttpRequest("POST", path, "", headers, body)


def _rest(
    method: str, path: str, query: str = "", body: bytes = b"", **headers: str
) -> HttpRequest:
    return HttpRequest(
        method, path, query, {k.replace("_", "-"): v for k, v in headers.items()}, body
    )


CASES = [
    # service, request, expected code, expected message (None: not checked)
    pytest.param(
        "dynamodb",
        _json("DynamoDB_20120810.GetItem", b'{"TableName": '),
        "SerializationException",
        None,
        id="json-malformed",
    ),
    pytest.param(
        "dynamodb",
        _json("DynamoDB_20120810.GetItem", b"[1, 2]"),
        "SerializationException",
        "Start of list found where not expected",
        id="json-not-an-object",
    ),
    pytest.param(
        "dynamodb",
        _json("DynamoDB_20120810.GetItem", b'{"TableName": 5, "Key": {}}'),
        "SerializationException",
        "NUMBER_VALUE can not be converted to a String",
        id="json-wrong-type",
    ),
    pytest.param(
        "dynamodb",
        _json("DynamoDB_20120810.GetItem", b"{}"),
        "ValidationException",
        "2 validation errors detected: Value null at 'key' failed to satisfy constraint: Member "
        "must not be null; Value null at 'tableName' failed to satisfy constraint: Member must "
        "not be null",
        id="json-missing-required",
    ),
    pytest.param(
        "dynamodb",
        _json("DynamoDB_20120810.Scan", b'{"TableName": "t", "Limit": 0}'),
        "ValidationException",
        "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member "
        "must have value greater than or equal to 1",
        id="json-out-of-range",
    ),
    pytest.param(
        "dynamodb",
        _json("DynamoDB_20120810.NoSuchThing", b"{}"),
        "UnknownOperationException",
        None,
        id="json-unknown-operation",
    ),
    pytest.param(
        "dynamodb",
        HttpRequest("POST", "/", "", {"content-type": FORM}, b"Action=GetItem"),
        "UnknownOperationException",
        None,
        id="json-service-sent-a-form",
    ),
    pytest.param(
        "logs",
        _json("Logs_20140328.CreateLogGroup", b'{"logGroupName": ""}', "1.1"),
        "ValidationException",
        "1 validation error detected: Value '' at 'logGroupName' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1",
        id="json-too-short",
    ),
    pytest.param(
        "cloudwatch",
        _cbor("ListMetrics", b"\xff\x00garbage"),
        "SerializationException",
        None,
        id="cbor-malformed",
    ),
    pytest.param(
        "cloudwatch",
        _cbor("ListMetrics", cbor2.dumps({"Namespace": 12})),
        "SerializationException",
        None,
        id="cbor-wrong-type",
    ),
    pytest.param(
        "cloudwatch",
        _cbor("PutMetricData", cbor2.dumps({})),
        "MissingParameter",
        None,
        id="cbor-missing-required",
    ),
    pytest.param(
        "cloudwatch",
        _cbor("NoSuchThing", b""),
        "UnknownOperationException",
        None,
        id="cbor-unknown-operation",
    ),
    pytest.param(
        "sts", _form("Version=2011-06-15"), "MissingAction", None, id="query-missing-action"
    ),
    pytest.param(
        "sts",
        _form("Action=Frobnicate&Version=2011-06-15"),
        "InvalidAction",
        "The action Frobnicate is not valid for this web service.",
        id="query-unknown-action",
    ),
    pytest.param(
        "iam",
        _form("Action=GetRole&Version=2010-05-08"),
        "ValidationError",
        "1 validation error detected: Value null at 'roleName' failed to satisfy constraint: "
        "Member must not be null",
        id="query-iam-missing-required",
    ),
    pytest.param(
        "iam",
        _form("Action=GetRole&Version=2010-05-08&RoleName=" + "r" * 65),
        "ValidationError",
        None,
        id="query-iam-too-long",
    ),
    pytest.param(
        "iam",
        _form("Action=ListRoles&Version=2010-05-08&MaxItems=many"),
        "ValidationError",
        None,
        id="query-iam-wrong-type",
    ),
    pytest.param(
        "ec2",
        _form("Action=CreateSecurityGroup&Version=2016-11-15&GroupName=g"),
        "MissingParameter",
        "The request must contain the parameter GroupDescription",
        id="ec2-missing-required",
    ),
    pytest.param(
        "ec2",
        _form("Action=DescribeInstances&Version=2016-11-15&MaxResults=lots"),
        "InvalidParameterValue",
        None,
        id="ec2-wrong-type",
    ),
    pytest.param(
        "cloudwatch",
        _form("Action=PutMetricData&Version=2010-08-01"),
        "MissingParameter",
        "The parameter Namespace is required.",
        id="query-cloudwatch-missing-required",
    ),
    pytest.param(
        "elasticache",
        _form("Action=CreateCacheCluster&Version=2015-02-02"),
        "InvalidParameterValue",
        "The parameter CacheClusterId must be provided and must not be null.",
        id="query-elasticache-missing-required",
    ),
    pytest.param(
        "sqs",
        _form("Action=GetQueueUrl&Version=2012-11-05"),
        "MissingParameter",
        "The request must contain the parameter QueueName",
        id="query-sqs-missing-required",
    ),
    pytest.param(
        "sts",
        HttpRequest("POST", "/", "", {"content-type": FORM}, b"Action=GetCallerIdentity&x=\xff"),
        "MalformedQueryString",
        None,
        id="query-malformed",
    ),
    pytest.param(
        "lambda",
        _rest("POST", "/2015-03-31/functions", body=b"{nope", content_type="application/json"),
        "SerializationException",
        None,
        id="rest-json-malformed",
    ),
    pytest.param(
        "lambda",
        _rest("GET", "/no/such/path"),
        "UnknownOperationException",
        None,
        id="rest-json-no-route",
    ),
    pytest.param(
        "lambda",
        _rest("POST", "/2015-03-31/functions", body=b"{}", content_type="application/json"),
        "ValidationException",
        None,
        id="rest-json-missing-required",
    ),
    pytest.param(
        "lambda",
        _rest("GET", "/2015-03-31/functions", "MaxItems=lots"),
        "SerializationException",
        None,
        id="rest-json-wrong-type",
    ),
    pytest.param(
        "lambda",
        _rest("GET", "/2015-03-31/functions", "MaxItems=0"),
        "ValidationException",
        "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1",
        id="rest-json-out-of-range",
    ),
    pytest.param(
        "s3",
        _rest("PUT", "/bucket", "tagging", b"<Tagging><TagSet><Tag>", content_type="text/xml"),
        "MalformedXML",
        None,
        id="rest-xml-malformed",
    ),
    pytest.param(
        "s3",
        _rest(
            "PUT",
            "/bucket",
            "tagging",
            b'<!DOCTYPE t [<!ENTITY x "xx">]><Tagging><TagSet/></Tagging>',
        ),
        "MalformedXML",
        None,
        id="rest-xml-dtd",
    ),
    pytest.param(
        "s3",
        _rest("PUT", "/bucket", "tagging"),
        "InvalidRequest",
        None,
        id="rest-xml-missing-required",
    ),
    pytest.param(
        "s3",
        _rest("PUT", "/bucket/key", x_amz_object_lock_retain_until_date="someday"),
        "InvalidArgument",
        None,
        id="rest-xml-wrong-type",
    ),
    pytest.param("s3", _rest("PATCH", "/bucket"), "MethodNotAllowed", None, id="rest-xml-no-route"),
]


@pytest.mark.parametrize(("service_name", "request_", "code", "message"), CASES)
def test_rejected(service_name: str, request_: HttpRequest, code: str, message: str | None) -> None:
    service = service_model(service_name)
    protocol = detect_protocol(service, request_)

    with pytest.raises(ServiceError) as raised:
        parse_request(service, request_, protocol)

    assert raised.value.code == code
    if message is not None:
        assert raised.value.message == message
    response = serialize_error(service, None, protocol, raised.value, "req-1")
    assert 400 <= response.status < 500


LONG_NAME = "a" * 65536
"""One character over DynamoDB's AttributeName limit."""


@pytest.mark.parametrize(
    ("target", "body", "at"),
    [
        pytest.param(
            "PutItem",
            {
                "TableName": "t",
                "Item": {"a": {"S": "x"}, "m": {"M": {LONG_NAME: {"S": "v"}}}, "z": {"N": "1"}},
            },
            f"item.m.member.m.{LONG_NAME}",
            id="map-key-inside-a-map-value",
        ),
        pytest.param(
            "PutItem",
            {"TableName": "t", "Item": {"l": {"L": [{"S": "x"}, {"M": {LONG_NAME: {"S": "v"}}}]}}},
            f"item.l.member.l.2.member.m.{LONG_NAME}",
            id="map-key-inside-a-list-value",
        ),
        pytest.param(
            "BatchGetItem",
            {
                "RequestItems": {
                    "t": {"Keys": [{"a": {"S": "x"}}], "AttributesToGet": ["a", LONG_NAME]}
                }
            },
            "requestItems.t.member.attributesToGet.2.member",
            id="string-inside-a-list",
        ),
    ],
)
def test_constraints_deep_inside_values_are_checked(
    target: str, body: dict[str, object], at: str
) -> None:
    request = _json(f"DynamoDB_20120810.{target}", json.dumps(body).encode())

    with pytest.raises(ServiceError) as raised:
        parse_request(service_model("dynamodb"), request, "json")

    assert raised.value.code == "ValidationException"
    assert raised.value.message.startswith("1 validation error detected: Value '")
    assert raised.value.message.endswith(
        f"' at '{at}' failed to satisfy constraint: "
        "Member must have length less than or equal to 65535"
    )


def test_query_compatible_json_error_carries_the_query_code() -> None:
    service = service_model("cloudwatch")
    request = _json("GraniteServiceVersion20100801.PutMetricData", b"{}")

    with pytest.raises(ServiceError) as raised:
        parse_request(service, request, "json")
    response = serialize_error(service, None, "json", raised.value, "req-1")

    assert response.headers["x-amzn-query-error"] == "MissingParameter;Sender"


def test_event_streams_are_not_implemented() -> None:
    service = service_model("lambda")
    request = _rest("POST", "/2021-11-15/functions/f/response-streaming-invocations")

    with pytest.raises(ServiceError) as raised:
        parse_request(service, request, "rest-json")

    assert raised.value.status_code == 501
