"""Wire details the round trip cannot see: exact bodies and headers, streams, chunked uploads,
host labels, legacy SQS query names, and the generic error shapes used when no service is known."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest

from cloudlet.errors import InternalFailure, ServiceError
from cloudlet.http import HttpRequest
from cloudlet.protocol import parse_request, serialize_error, serialize_response, service_model

FORM = {"content-type": "application/x-www-form-urlencoded; charset=utf-8"}


def test_sts_get_caller_identity() -> None:
    sts = service_model("sts")
    request = HttpRequest("POST", "/", "", FORM, b"Action=GetCallerIdentity&Version=2011-06-15")

    operation, params = parse_request(sts, request, "query")
    response = serialize_response(
        sts, operation, "query", {"UserId": "AIDA", "Account": "123456789012", "Arn": "a&b"}, "r1"
    )

    assert (operation.name, params) == ("GetCallerIdentity", {})
    assert response.headers == {"Content-Type": "text/xml", "x-amzn-RequestId": "r1"}
    assert response.body == (
        b'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
        b"<GetCallerIdentityResult><UserId>AIDA</UserId><Account>123456789012</Account>"
        b"<Arn>a&amp;b</Arn></GetCallerIdentityResult>"
        b"<ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata>"
        b"</GetCallerIdentityResponse>"
    )


def test_ec2_response_has_request_id_and_no_result_wrapper() -> None:
    ec2 = service_model("ec2")
    operation = ec2.operation_model("CreateSecurityGroup")

    body = serialize_response(ec2, operation, "ec2", {"GroupId": "sg-1"}, "r1").body

    assert body == (
        b'<?xml version="1.0" encoding="UTF-8"?><CreateSecurityGroupResponse '
        b'xmlns="http://ec2.amazonaws.com/doc/2016-11-15"><requestId>r1</requestId>'
        b"<groupId>sg-1</groupId></CreateSecurityGroupResponse>"
    )


def test_sqs_query_speaks_the_legacy_names() -> None:
    sqs = service_model("sqs")
    body = (
        "Action=ReceiveMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2Fq"
        "&AttributeName.1=All&MessageAttributeName.1=color"
    )

    operation, params = parse_request(
        sqs, HttpRequest("POST", "/", "", FORM, body.encode()), "query"
    )
    response = serialize_response(
        sqs,
        operation,
        "query",
        {"Messages": [{"MessageId": "m1", "Attributes": {"SenderId": "s"}}]},
        "r1",
    )

    assert params == {
        "QueueUrl": "http://q",
        "AttributeNames": ["All"],
        "MessageAttributeNames": ["color"],
    }
    assert b"<ReceiveMessageResult><Message><MessageId>m1</MessageId><Attribute><Name>SenderId" in (
        response.body
    )


def test_lambda_invoke_status_headers_and_payload() -> None:
    lam = service_model("lambda")
    request = HttpRequest(
        "POST",
        "/2015-03-31/functions/f/invocations",
        "Qualifier=live",
        {"x-amz-invocation-type": "RequestResponse"},
        b'{"in": 1}',
    )

    operation, params = parse_request(lam, request, "rest-json")
    response = serialize_response(
        lam,
        operation,
        "rest-json",
        {"StatusCode": 200, "FunctionError": "Unhandled", "Payload": b'{"out": 2}'},
        "r1",
    )

    assert params == {
        "FunctionName": "f",
        "Qualifier": "live",
        "InvocationType": "RequestResponse",
        "Payload": b'{"in": 1}',
    }
    assert (response.status, response.body) == (200, b'{"out": 2}')
    assert response.headers["X-Amz-Function-Error"] == "Unhandled"


def test_streamed_payload() -> None:
    s3 = service_model("s3")

    async def chunks() -> AsyncIterator[bytes]:
        yield b"hello "
        yield b"world"

    response = serialize_response(
        s3,
        s3.operation_model("GetObject"),
        "rest-xml",
        {"Body": chunks(), "ContentType": "text/plain", "ContentLength": 11},
        "r1",
    )

    async def read() -> bytes:
        assert response.stream is not None
        return b"".join([chunk async for chunk in response.stream])

    assert asyncio.run(read()) == b"hello world"
    assert response.headers["Content-Type"] == "text/plain"
    assert response.headers["Content-Length"] == "11"
    assert response.headers["x-amz-request-id"] == "r1"


def test_aws_chunked_upload() -> None:
    body = (
        b"5;chunk-signature=abc\r\nhello\r\n6;chunk-signature=def\r\n world\r\n"
        b"0;chunk-signature=ghi\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n"
    )
    headers = {
        "content-encoding": "aws-chunked",
        "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
        "x-amz-decoded-content-length": "11",
    }

    _, params = parse_request(
        service_model("s3"), HttpRequest("PUT", "/b/k", "", headers, body), "rest-xml"
    )

    assert params["Body"] == b"hello world"


def test_host_label() -> None:
    request = HttpRequest(
        "POST",
        "/WriteGetObjectResponse",
        "",
        {"host": "route-1.s3-object-lambda.us-east-1.amazonaws.com", "x-amz-request-token": "t"},
    )

    _, params = parse_request(service_model("s3"), request, "rest-xml")

    assert params["RequestRoute"] == "route-1"


def test_header_lists_keep_quoted_commas() -> None:
    s3 = service_model("s3")
    request = HttpRequest(
        "GET", "/b/k", "attributes", {"x-amz-object-attributes": 'ETag,"odd,one", Checksum'}
    )

    _, params = parse_request(s3, request, "rest-xml")

    assert params["ObjectAttributes"] == ["ETag", "odd,one", "Checksum"]


def test_xml_attributes_and_namespaces() -> None:
    s3 = service_model("s3")
    grant = {"Grantee": {"Type": "CanonicalUser", "ID": "abc"}, "Permission": "READ"}

    response = serialize_response(
        s3, s3.operation_model("GetBucketAcl"), "rest-xml", {"Grants": [grant]}, "r1"
    )
    request = HttpRequest(
        "PUT", "/b", "acl", {}, response.body.replace(b"GetBucketAclResult", b"A")
    )
    _, params = parse_request(s3, request, "rest-xml")

    assert (
        b'<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser">'
        in response.body
    )
    assert params["AccessControlPolicy"]["Grants"] == [grant]


@pytest.mark.parametrize("code", ["NoSuchEntityException", "NoSuchEntity"])
def test_errors_by_shape_name_or_wire_code(code: str) -> None:
    response = serialize_error(
        service_model("iam"), None, "query", ServiceError("x", code=code), "r"
    )

    assert response.status == 404
    assert b"<Code>NoSuchEntity</Code>" in response.body


def test_error_status_and_fault_given_override_the_model() -> None:
    error = ServiceError("slow", code="NoSuchEntityException", status_code=409, sender_fault=False)

    response = serialize_error(service_model("iam"), None, "query", error, "r")

    assert response.status == 409
    assert b"<Type>Receiver</Type>" in response.body


def test_error_fields_are_written_in_their_shapes_types() -> None:
    error = ServiceError(
        "throttled",
        code="TooManyRequestsException",
        fields={"retryAfterSeconds": "5", "Reason": "CallerRateLimitExceeded"},
    )

    response = serialize_error(service_model("lambda"), None, "rest-json", error, "r")

    assert response.status == 429
    assert response.headers["Retry-After"] == "5"
    assert json.loads(response.body) == {
        "__type": "TooManyRequestsException",
        "message": "throttled",
        "Reason": "CallerRateLimitExceeded",
    }


@pytest.mark.parametrize(
    ("protocol", "expected"),
    [
        ("json", b'{"__type":"InternalFailure","message":"boom"}'),
        ("rest-json", b'{"__type":"InternalFailure","message":"boom"}'),
        (
            "query",
            b"<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code>"
            b"<Message>boom</Message></Error><RequestId>r</RequestId></ErrorResponse>",
        ),
        (
            "ec2",
            b'<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error>'
            b"<Code>InternalFailure</Code><Message>boom</Message></Error></Errors>"
            b"<RequestID>r</RequestID></Response>",
        ),
        (
            "rest-xml",
            b'<?xml version="1.0" encoding="UTF-8"?><ErrorResponse><Error><Type>Receiver</Type>'
            b"<Code>InternalFailure</Code><Message>boom</Message></Error>"
            b"<RequestId>r</RequestId></ErrorResponse>",
        ),
    ],
)
def test_errors_without_a_service(protocol: str, expected: bytes) -> None:
    response = serialize_error(None, None, protocol, InternalFailure("boom"), "r")

    assert (response.status, response.body) == (500, expected)
