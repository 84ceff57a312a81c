"""Task integrations against real cloudlet services: Lambda (optimized and plain ARNs),
DynamoDB, the AWS SDK integration and nested executions."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sfn_support import Machines, output, render


def test_lambda_invoke_and_plain_arn(machines: Machines, function: Callable[[str], str]) -> None:
    echo = function("echo")
    arn = machines.create(render("task_lambda", FUNCTION_ARN=echo))
    execution = machines.start(arn, {"fn": echo, "n": 3})
    result = output(machines.wait(execution))
    assert result["optimized"] == {"payload": {"echo": {"n": 3}, "seen": True}, "status": 200}
    assert result["plain"] == {"echo": {"n": 3}, "seen": True}
    events = machines.history(execution)
    assert [e["type"] for e in events] == [
        "ExecutionStarted",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSucceeded",
        "TaskStateExited",
        "TaskStateEntered",
        "LambdaFunctionScheduled",
        "LambdaFunctionStarted",
        "LambdaFunctionSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    scheduled = events[2]["taskScheduledEventDetails"]
    assert (scheduled["resourceType"], scheduled["resource"], scheduled["region"]) == (
        "lambda",
        "invoke",
        "us-east-1",
    )
    assert json.loads(scheduled["parameters"]) == {"FunctionName": echo, "Payload": {"n": 3}}
    succeeded = json.loads(events[4]["taskSucceededEventDetails"]["output"])
    assert set(succeeded) == {
        "ExecutedVersion",
        "Payload",
        "SdkHttpMetadata",
        "SdkResponseMetadata",
        "StatusCode",
    }
    assert events[7]["lambdaFunctionScheduledEventDetails"]["resource"] == echo


def test_lambda_function_error_is_caught_by_its_type(
    machines: Machines, function: Callable[[str], str]
) -> None:
    failing = function("fail")
    execution = machines.start(machines.create("task_lambda_catch"), {"fn": failing, "why": "x"})
    result = output(machines.wait(execution))
    assert result["error"]["Error"] == "CustomError"
    cause = json.loads(result["error"]["Cause"])
    assert (cause["errorType"], cause["errorMessage"]) == ("CustomError", "bad input: x")
    failed = [e for e in machines.history(execution) if e["type"] == "TaskFailed"]
    assert failed[0]["taskFailedEventDetails"]["error"] == "CustomError"


def test_lambda_api_error_is_named_lambda_dot(machines: Machines, account: str) -> None:
    missing = f"arn:aws:lambda:us-east-1:{account}:function:does-not-exist"
    result = output(machines.run("task_lambda_catch", {"fn": missing}))
    assert result["missing"]["Error"] == "Lambda.ResourceNotFoundException"


def test_dynamodb_items_and_sdk(machines: Machines, aws_client: Any, account: str) -> None:
    dynamodb = aws_client("dynamodb", account=account)
    dynamodb.create_table(
        TableName="items",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    result = output(machines.run("dynamodb", {"table": "items", "id": "a"}))
    assert result["updated"] == {"attributes": {"count": {"N": "2"}}}
    assert result["got"] == {"item": {"pk": {"S": "a"}, "count": {"N": "2"}}, "status": 200}
    assert result["conflict"]["Error"] == "DynamoDB.ConditionalCheckFailedException"
    assert result["sdk"] == {"status": "ACTIVE", "name": "items"}
    assert result["sdkError"]["Error"] == "DynamoDb.ResourceNotFoundException"
    assert "Item" not in dynamodb.get_item(TableName="items", Key={"pk": {"S": "a"}})


def test_start_execution_sync(machines: Machines) -> None:
    child = machines.create("child")
    result = output(machines.run("parent_sync", {"child": child, "n": 4}))
    assert result["child_result"] == {"output": {"doubled": 8}, "status": "SUCCEEDED"}
    assert result["string_result"] == {"output": '{"doubled":2}'}
