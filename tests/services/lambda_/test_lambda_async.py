"""Event invocations: 202, retries on AWS's schedule (time-scaled), invoke config, destinations."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from cloudlet.testing import CloudletProcess

Error = Callable[[Any], tuple[str, str, int]]
Create = Callable[..., dict[str, Any]]
ROLE = "arn:aws:iam::000000000000:role/r"


@pytest.fixture(scope="module")
def fast_server() -> Iterator[CloudletProcess]:
    """A server whose AWS waits run 600 times faster: retry delays of 1 and 2 minutes take 0.1
    and 0.2 s."""
    with CloudletProcess(time_scale=600) as server:
        yield server


def _clients(endpoint: str) -> tuple[Any, Any]:
    account = str(uuid.uuid4().int)[:12]
    kwargs = {
        "endpoint_url": endpoint,
        "region_name": "us-east-1",
        "aws_access_key_id": account,
        "aws_secret_access_key": "test",
    }
    return boto3.client("lambda", **kwargs), boto3.client("logs", **kwargs)


def _create(client: Any, handler: str, zip_bytes: bytes, **settings: Any) -> str:
    name = f"async-{uuid.uuid4().hex[:10]}"
    client.create_function(
        FunctionName=name, Runtime="python3.11", Role=ROLE, Handler=handler,
        Code={"ZipFile": zip_bytes}, **settings,
    )  # fmt: skip
    client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
    return name


def _messages(logs: Any, name: str, needle: str, count: int, timeout: float = 20.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while True:
        try:
            events = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]
        except logs.exceptions.ResourceNotFoundException:
            events = []
        found = [e["message"] for e in events if needle in e["message"]]
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_event_returns_202_and_runs(
    lambda_client: Any, create_function: Create, logs_of: Callable[..., list[str]]
) -> None:
    name = create_function(handler="recorder.handler")["FunctionName"]
    response = lambda_client.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"n": 1}')
    assert response["StatusCode"] == 202
    assert response["Payload"].read() == b""
    assert any('EVENT {"n": 1}' in m for m in logs_of(name, until="EVENT"))


def test_failures_are_retried_twice_then_sent_to_on_failure(
    fast_server: CloudletProcess, zipped: Callable[..., bytes]
) -> None:
    client, logs = _clients(fast_server.endpoint)
    recorder = _create(client, "recorder.handler", zipped("recorder.py"))
    failing = _create(client, "errors.raises", zipped("errors.py"))
    recorder_arn = client.get_function(FunctionName=recorder)["Configuration"]["FunctionArn"]
    config = client.put_function_event_invoke_config(
        FunctionName=failing,
        DestinationConfig={"OnFailure": {"Destination": recorder_arn}},
    )
    assert config["FunctionArn"].endswith(f":{failing}:$LATEST")
    began = time.monotonic()
    client.invoke(FunctionName=failing, InvocationType="Event", Payload=b'{"order": 7}')
    records = _messages(logs, recorder, "EVENT ", 1)
    assert len(_messages(logs, failing, "START RequestId", 3)) == 3
    assert time.monotonic() - began < 15  # 3 minutes of AWS time, scaled
    record = json.loads(records[0].split("EVENT ", 1)[1])
    assert record["version"] == "1.0"
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3
    assert record["requestContext"]["functionArn"].endswith(f":{failing}:$LATEST")
    assert record["requestPayload"] == {"order": 7}
    assert record["responseContext"] == {
        "statusCode": 200,
        "executedVersion": "$LATEST",
        "functionError": "Unhandled",
    }
    assert record["responsePayload"]["errorType"] == "CustomError"


def test_no_retries_and_on_success(
    fast_server: CloudletProcess, zipped: Callable[..., bytes]
) -> None:
    client, logs = _clients(fast_server.endpoint)
    recorder = _create(client, "recorder.handler", zipped("recorder.py"))
    failing = _create(client, "errors.raises", zipped("errors.py", "hello.py"))
    recorder_arn = client.get_function(FunctionName=recorder)["Configuration"]["FunctionArn"]
    client.put_function_event_invoke_config(
        FunctionName=failing,
        MaximumRetryAttempts=0,
        DestinationConfig={
            "OnSuccess": {"Destination": recorder_arn},
            "OnFailure": {"Destination": recorder_arn},
        },
    )
    client.invoke(FunctionName=failing, InvocationType="Event", Payload=b"{}")
    first = json.loads(_messages(logs, recorder, "EVENT ", 1)[0].split("EVENT ", 1)[1])
    assert first["requestContext"]["approximateInvokeCount"] == 1
    client.update_function_configuration(FunctionName=failing, Handler="hello.handler")
    client.invoke(FunctionName=failing, InvocationType="Event", Payload=b'{"ok": 1}')
    records = [json.loads(m.split("EVENT ", 1)[1]) for m in _messages(logs, recorder, "EVENT ", 2)]
    success = [r for r in records if r["requestContext"]["condition"] == "Success"]
    assert len(success) == 1 and success[0]["responsePayload"]["message"] == "hello"


def test_event_invoke_config_api(
    lambda_client: Any, create_function: Create, aws_error: Error
) -> None:
    name = create_function()["FunctionName"]
    with pytest.raises(ClientError) as caught:
        lambda_client.get_function_event_invoke_config(FunctionName=name)
    assert aws_error(caught.value)[0::2] == ("ResourceNotFoundException", 404)
    lambda_client.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1)
    updated = lambda_client.update_function_event_invoke_config(
        FunctionName=name, MaximumEventAgeInSeconds=120
    )
    assert (updated["MaximumRetryAttempts"], updated["MaximumEventAgeInSeconds"]) == (1, 120)
    replaced = lambda_client.put_function_event_invoke_config(
        FunctionName=name, MaximumEventAgeInSeconds=60
    )
    assert "MaximumRetryAttempts" not in replaced
    listed = lambda_client.list_function_event_invoke_configs(FunctionName=name)
    assert len(listed["FunctionEventInvokeConfigs"]) == 1
    lambda_client.delete_function_event_invoke_config(FunctionName=name)
    with pytest.raises(ClientError):
        lambda_client.get_function_event_invoke_config(FunctionName=name)
