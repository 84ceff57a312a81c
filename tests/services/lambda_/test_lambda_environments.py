"""Execution environments: warm reuse, cold starts, limits, variables, and what ends them."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from typing import Any

import psutil
import pytest

Create = Callable[..., dict[str, Any]]
Call = Callable[..., tuple[dict[str, Any], Any]]
Logs = Callable[..., list[str]]


def function_processes(name: str) -> list[psutil.Process]:
    """Processes whose environment says they run function `name`."""
    found = []
    for process in psutil.process_iter():
        try:
            if process.environ().get("AWS_LAMBDA_FUNCTION_NAME") == name:
                found.append(process)
        except psutil.Error:
            continue
    return found


def wait_gone(name: str, timeout: float = 10.0) -> list[psutil.Process]:
    deadline = time.monotonic() + timeout
    while (left := function_processes(name)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def test_warm_environment_is_reused(create_function: Create, call: Call, logs_of: Logs) -> None:
    name = create_function(handler="state.handler")["FunctionName"]
    first = call(name)[1]
    second = call(name)[1]
    assert second["pid"] == first["pid"]
    assert (first["calls"], second["calls"]) == (1, 2)
    reports = [m for m in logs_of(name, count=2) if m.startswith("REPORT")]
    assert len(reports) == 2
    assert "\tInit Duration: " in reports[0]
    assert "Init Duration" not in reports[1]


def test_code_change_starts_a_new_environment(
    lambda_client: Any, create_function: Create, call: Call, zipped: Callable[..., bytes]
) -> None:
    name = create_function(handler="state.handler")["FunctionName"]
    before = call(name)[1]
    lambda_client.update_function_code(FunctionName=name, ZipFile=zipped("state.py", "hello.py"))
    after = call(name)[1]
    assert after["pid"] != before["pid"] and after["calls"] == 1
    lambda_client.update_function_configuration(FunctionName=name, MemorySize=256)
    assert call(name)[1]["calls"] == 1


def test_reserved_variables(create_function: Create, call: Call, account: str) -> None:
    name = create_function(handler="state.environment", Environment={"Variables": {"MINE": "yes"}})[
        "FunctionName"
    ]
    env = call(name)[1]
    assert env["MINE"] == "yes"
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == name
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "128"
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == f"/aws/lambda/{name}"
    assert re.fullmatch(
        r"\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}", env["AWS_LAMBDA_LOG_STREAM_NAME"]
    )
    assert env["_HANDLER"] == "state.environment"
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.11"
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "us-east-1"
    assert env["AWS_LAMBDA_INITIALIZATION_TYPE"] == "on-demand"
    assert env["AWS_ACCESS_KEY_ID"].startswith("ASIA") and env["AWS_SESSION_TOKEN"]
    assert re.fullmatch(r"127\.0\.0\.1:\d+", env["AWS_LAMBDA_RUNTIME_API"])
    assert env["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
    assert env["TZ"] == ":UTC" and env["LAMBDA_TASK_ROOT"]


def test_log_stream_and_lines(
    create_function: Create, call: Call, aws_client: Callable[..., Any], account: str
) -> None:
    name = create_function()["FunctionName"]
    _response, body = call(name)
    logs = aws_client("logs", account=account)
    group = f"/aws/lambda/{name}"
    deadline = time.monotonic() + 10
    streams: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    while not any(e["message"].startswith("REPORT") for e in events):
        assert time.monotonic() < deadline, events
        time.sleep(0.05)
        try:
            streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
        except logs.exceptions.ResourceNotFoundException:
            continue
        if streams:
            stream = streams[0]["logStreamName"]
            events = logs.get_log_events(logGroupName=group, logStreamName=stream)["events"]
    assert re.fullmatch(r"\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}", streams[0]["logStreamName"])
    messages = [e["message"] for e in events]
    request_id = body["request_id"]
    assert messages[0] == f"START RequestId: {request_id} Version: $LATEST\n"
    assert messages[1] == f"hello from {name}\n"
    assert messages[2] == f"END RequestId: {request_id}\n"
    assert re.fullmatch(
        rf"REPORT RequestId: {request_id}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\t"
        r"Memory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms\t\n",
        messages[3],
    )


def test_other_python_versions_run_with_a_warning(
    create_function: Create, call: Call, logs_of: Logs
) -> None:
    name = create_function(runtime="python3.12")["FunctionName"]
    _response, body = call(name)
    assert body["message"] == "hello"
    messages = logs_of(name)
    if not any(m.startswith("cloudlet: no Python 3.12") for m in messages):
        pytest.skip("a Python 3.12 able to run awslambdaric is installed here")


def test_memory_limit_kills_with_out_of_memory(
    lambda_client: Any, create_function: Create, call: Call, logs_of: Logs
) -> None:
    name = create_function(handler="hungry.fill_memory", Timeout=20)["FunctionName"]
    response, body = call(name)
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.OutOfMemory"
    assert body["errorMessage"].endswith("Error: Runtime exited with error: signal: killed")
    report = next(m for m in logs_of(name) if m.startswith("REPORT"))
    assert "\tMax Memory Used: 128 MB\t" in report
    assert "\tStatus: error\tError Type: Runtime.OutOfMemory\t" in report
    lambda_client.update_function_configuration(FunctionName=name, Handler="hungry.allocate")
    assert call(name, {"mb": 20})[1] == {"allocated": 20}


def test_fork_bomb_is_contained(lambda_client: Any, create_function: Create, call: Call) -> None:
    name = create_function(handler="hungry.fork_bomb", files=["hungry.py", "hello.py"], Timeout=2)[
        "FunctionName"
    ]
    response, body = call(name)
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] in ("Sandbox.Timedout", "Runtime.OutOfMemory", "Runtime.ExitError")
    assert not wait_gone(name)
    lambda_client.update_function_configuration(FunctionName=name, Handler="hello.handler")
    assert call(name)[1]["message"] == "hello"


def test_deleting_a_running_function_ends_its_environments(
    lambda_client: Any, create_function: Create, call: Call
) -> None:
    name = create_function(handler="slow.sleep", Timeout=30)["FunctionName"]
    outcome: dict[str, Any] = {}
    worker = threading.Thread(target=lambda: outcome.update(result=call(name, {"seconds": 20})))
    worker.start()
    deadline = time.monotonic() + 10
    while not function_processes(name) and time.monotonic() < deadline:
        time.sleep(0.05)
    began = time.monotonic()
    lambda_client.delete_function(FunctionName=name)
    worker.join(timeout=15)
    assert time.monotonic() - began < 10
    _response, body = outcome["result"]
    assert body["errorType"] == "Runtime.ExitError"
    assert not wait_gone(name)
