"""Invoke (RequestResponse, DryRun): results, context, function errors, payload checks."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

Error = Callable[[Any], tuple[str, str, int]]
Create = Callable[..., dict[str, Any]]
Call = Callable[..., tuple[dict[str, Any], Any]]


def test_invoke_returns_the_handlers_result(
    lambda_client: Any, call: Call, create_function: Create, account: str
) -> None:
    name = create_function()["FunctionName"]
    response, body = call(name, {"a": 1})
    assert response["StatusCode"] == 200
    assert response["ExecutedVersion"] == "$LATEST"
    assert "FunctionError" not in response
    assert body["message"] == "hello" and body["event"] == {"a": 1}
    assert body["function_arn"] == f"arn:aws:lambda:us-east-1:{account}:function:{name}"
    assert body["memory"] == "128" and body["version"] == "$LATEST"
    assert 0 < body["remaining_ms"] <= 3000
    assert body["request_id"] == response["ResponseMetadata"]["HTTPHeaders"].get(
        "x-amzn-requestid", body["request_id"]
    )


def test_empty_payload_is_an_empty_object(lambda_client: Any, create_function: Create) -> None:
    name = create_function()["FunctionName"]
    body = json.loads(lambda_client.invoke(FunctionName=name)["Payload"].read())
    assert body["event"] == {}


def test_dry_run(lambda_client: Any, create_function: Create) -> None:
    name = create_function()["FunctionName"]
    response = lambda_client.invoke(FunctionName=name, InvocationType="DryRun")
    assert response["StatusCode"] == 204
    assert response["Payload"].read() == b""


@pytest.mark.parametrize(
    ("handler", "error_type", "message"),
    [
        ("errors.raises", "CustomError", "something went wrong"),
        ("errors.key_error", "KeyError", "'missing'"),
        ("errors.nope", "Runtime.HandlerNotFound", "Handler 'nope' missing on module 'errors'"),
        (
            "nothere.handler",
            "Runtime.ImportModuleError",
            "Unable to import module 'nothere': No module named 'nothere'",
        ),
        (
            "broken_import.handler",
            "Runtime.ImportModuleError",
            "Unable to import module 'broken_import': No module named 'module_that_does_not_exist'",
        ),
    ],
)
def test_function_errors_are_payloads_not_http_errors(
    lambda_client: Any,
    call: Call,
    create_function: Create,
    handler: str,
    error_type: str,
    message: str,
) -> None:
    name = create_function(handler=handler, files=["errors.py", "broken_import.py"])["FunctionName"]
    response, body = call(name)
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == error_type
    assert body["errorMessage"] == message
    assert isinstance(body["stackTrace"], list)


def test_the_environment_survives_a_handled_exception(
    lambda_client: Any, call: Call, create_function: Create
) -> None:
    name = create_function(handler="errors.raises", files=["errors.py"])["FunctionName"]
    call(name)
    lambda_client.update_function_configuration(FunctionName=name, Handler="errors.fine")
    response, body = call(name)
    assert body == {"ok": True} and "FunctionError" not in response


def test_timeout_kills_and_reports(
    lambda_client: Any, call: Call, create_function: Create, logs_of: Callable[..., list[str]]
) -> None:
    name = create_function(handler="slow.forever", Timeout=1)["FunctionName"]
    response, body = call(name)
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Sandbox.Timedout"
    assert body["errorMessage"].endswith("Error: Task timed out after 1.00 seconds")
    assert body["errorMessage"].startswith("RequestId: ")
    messages = logs_of(name)
    assert any("Task timed out after 1.00 seconds" in m for m in messages)
    assert any(m.startswith("REPORT") and "\tStatus: timeout" in m for m in messages)
    lambda_client.update_function_configuration(FunctionName=name, Handler="slow.sleep")
    assert call(name, {"seconds": 0})[1] == {"slept": 0}


def test_crash_reports_process_exited(
    lambda_client: Any, call: Call, create_function: Create
) -> None:
    name = create_function(handler="errors.crash", files=["errors.py"])["FunctionName"]
    response, body = call(name)
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.ExitError"
    assert body["errorMessage"].endswith("Process exited before completing request")
    lambda_client.update_function_configuration(FunctionName=name, Handler="errors.fine")
    assert call(name)[1] == {"ok": True}


def test_closing_stdout_is_contained(
    lambda_client: Any, call: Call, create_function: Create
) -> None:
    name = create_function(handler="errors.close_stdout", files=["errors.py"])["FunctionName"]
    first = lambda_client.invoke(FunctionName=name)
    assert first["StatusCode"] == 200
    first["Payload"].read()
    second, _ = call(name)
    assert second["StatusCode"] == 200


@pytest.mark.parametrize("payload", [b"not json", b"{'single': 'quotes'}", b'{"a": '])
def test_payload_must_be_json(
    lambda_client: Any, create_function: Create, aws_error: Error, payload: bytes
) -> None:
    name = create_function()["FunctionName"]
    with pytest.raises(ClientError) as caught:
        lambda_client.invoke(FunctionName=name, Payload=payload)
    code, message, status = aws_error(caught.value)
    assert (code, status) == ("InvalidRequestContentException", 400)
    assert message.startswith("Could not parse request body into json")


@pytest.mark.parametrize(
    ("invocation_type", "limit"), [("RequestResponse", 6291456), ("Event", 262144)]
)
def test_payload_limits(
    lambda_client: Any, create_function: Create, aws_error: Error, invocation_type: str, limit: int
) -> None:
    name = create_function()["FunctionName"]
    payload = json.dumps({"x": "a" * limit}).encode()
    with pytest.raises(ClientError) as caught:
        lambda_client.invoke(FunctionName=name, Payload=payload, InvocationType=invocation_type)
    assert aws_error(caught.value) == (
        "RequestTooLargeException",
        f"Request must be smaller than {limit} bytes for the InvokeFunction operation",
        413,
    )


def test_unknown_function(lambda_client: Any, account: str, aws_error: Error) -> None:
    with pytest.raises(ClientError) as caught:
        lambda_client.invoke(FunctionName="does-not-exist")
    assert aws_error(caught.value) == (
        "ResourceNotFoundException",
        f"Function not found: arn:aws:lambda:us-east-1:{account}:function:does-not-exist",
        404,
    )


def test_log_tail(lambda_client: Any, create_function: Create) -> None:
    name = create_function()["FunctionName"]
    response = lambda_client.invoke(FunctionName=name, LogType="Tail")
    request_id = json.loads(response["Payload"].read())["request_id"]
    tail = base64.b64decode(response["LogResult"]).decode()
    lines = tail.splitlines()
    assert lines[0] == f"START RequestId: {request_id} Version: $LATEST"
    assert f"hello from {name}" in lines
    assert lines[-2] == f"END RequestId: {request_id}"
    assert lines[-1].startswith(f"REPORT RequestId: {request_id}\tDuration: ")


def test_boto3_inside_a_function_talks_to_cloudlet(
    lambda_client: Any, call: Call, create_function: Create, account: str
) -> None:
    name = create_function(handler="uses_boto3.handler", Timeout=30)["FunctionName"]
    response, body = call(name)
    assert "FunctionError" not in response, body
    assert body["Account"] == account
    assert body["Arn"] == f"arn:aws:sts::{account}:assumed-role/lambda-role/{name}"
