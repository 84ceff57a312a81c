"""Task resources: what a Task calls, and the history events it writes doing so.

    arn:aws:lambda:<r>:<a>:function:<name>        LambdaFunctionScheduled/Started/Succeeded|...
    arn:aws:states:::lambda:invoke[.waitForTaskToken]
    arn:aws:states:::dynamodb:getItem|putItem|updateItem|deleteItem
    arn:aws:states:::states:startExecution[.sync|.sync:2|.waitForTaskToken]
    arn:aws:states:::aws-sdk:<service>:<action>[.waitForTaskToken]
    arn:aws:states:::sqs:sendMessage, sns:publish, events:putEvents  (when served)
    arn:aws:states:<r>:<a>:activity:<name>        ActivityScheduled/Started/Succeeded|...

Optimized integrations write TaskScheduled → TaskStarted → [TaskSubmitted] → TaskSucceeded |
TaskFailed | TaskTimedOut. Every call goes through the internal client (`platform.services`),
so a Task behaves exactly like a user's call. The Task's TimeoutSeconds and HeartbeatSeconds
are enforced on the platform clock.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from cloudlet.errors import ServiceError
from cloudlet.services.stepfunctions import sdk
from cloudlet.services.stepfunctions.asl.engine import Visit
from cloudlet.services.stepfunctions.asl.errors import TASK_FAILED, TIMEOUT, StatesError
from cloudlet.services.stepfunctions.asl.payload import dumps
from cloudlet.services.stepfunctions.asl.task import DEFAULT_TIMEOUT
from cloudlet.services.stepfunctions.callbacks import TaskFailure
from cloudlet.services.stepfunctions.lambda_tasks import http_metadata, lambda_invoke, plain_lambda

if TYPE_CHECKING:
    from cloudlet.services.stepfunctions.executions import ExecutionHost

OPTIMIZED = {"lambda", "dynamodb", "states", "sqs", "sns", "events"}


async def invoke(
    host: ExecutionHost,
    visit: Visit,
    parameters: Any,
    token: str | None,
    timeout: float,
    heartbeat: float | None,
) -> Any:
    resource = visit.state.resource
    if ":activity:" in resource:
        return await _activity(host, visit, parameters, token, timeout, heartbeat)
    if resource.startswith("arn:aws:lambda:") or ":lambda:" in resource.split(":::")[0]:
        return await plain_lambda(host, visit, parameters, timeout)
    parts = resource.split(":", 5)
    if len(parts) < 6 or parts[2] != "states":
        raise _unknown(resource)
    rest = parts[5]
    if rest.startswith("aws-sdk:"):
        _, service, action = rest.split(":", 2)
        resource_type = f"aws-sdk:{service}"
    else:
        service, _, action = rest.partition(":")
        resource_type = service
    pattern = ""
    for suffix in (".sync:2", ".sync", ".waitForTaskToken"):
        if action.endswith(suffix):
            action, pattern = action[: -len(suffix)], suffix
            break
    call = _calls(host, resource_type, service, action, pattern, visit)
    return await _task(
        host,
        visit,
        resource_type,
        action + pattern,
        parameters,
        call,
        token,
        timeout,
        heartbeat,
        pattern,
    )


def _unknown(resource: str) -> StatesError:
    return StatesError("States.Runtime", f"The resource provided {resource} is not recognized.")


def _calls(
    host: ExecutionHost, resource_type: str, service: str, action: str, pattern: str, visit: Visit
) -> Callable[[Any], Awaitable[Any]]:
    account, region = host.account, host.region
    platform = host.platform
    if resource_type == "lambda" and action == "invoke":
        return lambda params: lambda_invoke(platform, params, account, region)
    if resource_type == "states" and action == "startExecution":
        return lambda params: _start_execution(host, params)
    if resource_type == "dynamodb" and action in ("getItem", "putItem", "updateItem", "deleteItem"):

        async def dynamodb(params: Any) -> Any:
            request_id = str(uuid.uuid4())
            try:
                result = await platform.services.call(
                    "dynamodb",
                    sdk.operation_name(action),
                    params or {},
                    account=account,
                    region=region,
                )
            except ServiceError as error:
                raise StatesError(
                    f"DynamoDB.{error.code}",
                    f"{error.message} (Service: AmazonDynamoDBv2; Status Code:"
                    f" {error.status_code or 400}; Error Code: {error.code}; Request ID:"
                    f" {request_id}; Proxy: null)",
                ) from None
            return {**sdk.plain(result), **http_metadata(request_id)}

        return dynamodb
    if resource_type.startswith("aws-sdk:"):

        async def generic(params: Any) -> Any:
            result = await sdk.call(platform, service, action, params, account, region)
            return sdk.from_api(result)

        return generic
    if resource_type in ("sqs", "sns", "events"):
        prefix = {"sqs": "SQS", "sns": "SNS", "events": "EventBridge"}[resource_type]

        async def optimized(params: Any) -> Any:
            result = await sdk.call(platform, service, action, params, account, region, prefix)
            return {**sdk.plain(result), **http_metadata(str(uuid.uuid4()))}

        return optimized

    async def unknown(params: Any) -> Any:
        raise _unknown(visit.state.resource)

    return unknown


async def _task(
    host: ExecutionHost,
    visit: Visit,
    resource_type: str,
    resource: str,
    parameters: Any,
    call: Callable[[Any], Awaitable[Any]],
    token: str | None,
    timeout: float,
    heartbeat: float | None,
    pattern: str,
) -> Any:
    run, frame = visit.run, visit.frame
    resumed = visit.resume is not None and visit.resume.token is not None and token is not None
    details: dict[str, Any] = {
        "resourceType": resource_type,
        "resource": resource,
        "region": host.region,
        "parameters": dumps(parameters),
    }
    if timeout != DEFAULT_TIMEOUT:
        details["timeoutInSeconds"] = int(timeout)
    if heartbeat is not None:
        details["heartbeatInSeconds"] = int(heartbeat)
    base = {"resourceType": resource_type, "resource": resource}
    if not resumed:
        run.emit(frame, "TaskScheduled", {"taskScheduledEventDetails": details})
        run.emit(frame, "TaskStarted", {"taskStartedEventDetails": dict(base)})
    if token is not None:
        host.callbacks.open(token, run.info.arn)
    run.flush()
    deadline = time.time() + host.real_seconds(timeout)
    try:
        if not resumed:
            result = await asyncio.wait_for(call(parameters), host.real_seconds(timeout))
            if pattern:
                run.emit(
                    frame,
                    "TaskSubmitted",
                    {
                        "taskSubmittedEventDetails": {
                            **base,
                            "output": dumps(result),
                            "outputDetails": {"truncated": False},
                        }
                    },
                )
                run.flush()
            if pattern == ".waitForTaskToken":
                assert token is not None
                left = max(0.0, deadline - time.time())
                result = await host.callbacks.wait(token, left / _scale(host), heartbeat)
            elif pattern.startswith(".sync"):
                result = await asyncio.wait_for(
                    _sync(host, resource_type, result, pattern),
                    max(0.0, deadline - time.time()),
                )
        else:
            assert token is not None
            left = max(0.0, deadline - time.time())
            result = await host.callbacks.wait(token, left / _scale(host), heartbeat)
    except TimeoutError:
        run.emit(frame, "TaskTimedOut", {"taskTimedOutEventDetails": {**base, "error": TIMEOUT}})
        raise StatesError(TIMEOUT, None) from None
    except TaskFailure as failure:
        out = {**base}
        if failure.error is not None:
            out["error"] = failure.error
        if failure.cause is not None:
            out["cause"] = failure.cause
        run.emit(frame, "TaskFailed", {"taskFailedEventDetails": out})
        raise StatesError(failure.error or "", failure.cause) from None
    except StatesError as error:
        kind = (
            "TaskTimedOut" if error.error in (TIMEOUT, "States.HeartbeatTimeout") else "TaskFailed"
        )
        key = "taskTimedOutEventDetails" if kind == "TaskTimedOut" else "taskFailedEventDetails"
        out = {**base, "error": error.error}
        if error.cause is not None:
            out["cause"] = error.cause
        run.emit(frame, kind, {key: out})
        raise
    finally:
        if token is not None:
            host.callbacks.close(token)
    run.emit(
        frame,
        "TaskSucceeded",
        {
            "taskSucceededEventDetails": {
                **base,
                "output": dumps(result),
                "outputDetails": {"truncated": False},
            }
        },
    )
    return result


def _scale(host: ExecutionHost) -> float:
    """`callbacks.wait` takes AWS seconds: turn a real remainder back into AWS seconds."""
    return host.real_seconds(1.0) or 1.0


# -- Step Functions ---------------------------------------------------------------------------


def _execution_input(params: dict[str, Any]) -> str | None:
    value = params.get("Input")
    if value is None:
        return None
    return value if isinstance(value, str) else dumps(value)


async def _start_execution(host: ExecutionHost, params: Any) -> Any:
    params = params or {}
    request: dict[str, Any] = {"stateMachineArn": params.get("StateMachineArn")}
    text = _execution_input(params)
    if text is not None:
        request["input"] = text
    for key, target in (("Name", "name"), ("TraceHeader", "traceHeader")):
        if params.get(key) is not None:
            request[target] = params[key]
    request_id = str(uuid.uuid4())
    try:
        response = await host.platform.services.call(
            "stepfunctions", "StartExecution", request, account=host.account, region=host.region
        )
    except ServiceError as error:
        raise StatesError(
            f"StepFunctions.{error.code}Exception"
            if not error.code.endswith("Exception")
            else f"StepFunctions.{error.code}",
            f"{error.message} (Service: AWSStepFunctions; Status Code: {error.status_code or 400};"
            f" Error Code: {error.code}; Request ID: {request_id}; Proxy: null)",
        ) from None
    return {
        "ExecutionArn": response["executionArn"],
        "StartDate": int(response["startDate"].timestamp() * 1000),
        **http_metadata(request_id),
    }


async def _sync(host: ExecutionHost, resource_type: str, submitted: Any, pattern: str) -> Any:
    if resource_type != "states":
        return submitted
    arn = submitted["ExecutionArn"]
    description = await host.executions.wait_done(arn)
    out: dict[str, Any] = {
        "ExecutionArn": arn,
        "Input": description.get("input"),
        "InputDetails": {"Included": True},
        "Name": description.get("name"),
        "RedriveCount": description.get("redriveCount", 0),
        "StartDate": int(description["startDate"].timestamp() * 1000),
        "StateMachineArn": description["stateMachineArn"],
        "Status": description["status"],
        "StopDate": int(description["stopDate"].timestamp() * 1000)
        if description.get("stopDate")
        else None,
    }
    if "output" in description:
        output = description["output"]
        out["Output"] = (
            json.loads(output) if pattern == ".sync:2" and output is not None else output
        )
        out["OutputDetails"] = {"Included": True}
    if description.get("error") is not None:
        out["Error"] = description["error"]
    if description.get("cause") is not None:
        out["Cause"] = description["cause"]
    if description["status"] != "SUCCEEDED":
        raise StatesError(TASK_FAILED, dumps(out))
    return out


# -- activities -------------------------------------------------------------------------------


async def _activity(
    host: ExecutionHost,
    visit: Visit,
    parameters: Any,
    token: str | None,
    timeout: float,
    heartbeat: float | None,
) -> Any:
    run, frame = visit.run, visit.frame
    resource = visit.state.resource
    assert token is not None
    resumed = visit.resume is not None and visit.resume.token == token
    text = dumps(parameters)
    if not host.activities.exists(resource):
        raise StatesError("States.Runtime", f"The activity {resource} does not exist.")
    if not resumed:
        details: dict[str, Any] = {
            "resource": resource,
            "input": text,
            "inputDetails": {"truncated": False},
        }
        if timeout != DEFAULT_TIMEOUT:
            details["timeoutInSeconds"] = int(timeout)
        if heartbeat is not None:
            details["heartbeatInSeconds"] = int(heartbeat)
        run.emit(frame, "ActivityScheduled", {"activityScheduledEventDetails": details})
    host.callbacks.open(token, run.info.arn)

    def started(worker: str | None) -> None:
        if run.closed:
            return
        out = {"workerName": worker} if worker else {}
        run.emit(frame, "ActivityStarted", {"activityStartedEventDetails": out})
        run.flush()

    host.activities.enqueue(resource, token, text, started)
    run.flush()
    try:
        result = await host.callbacks.wait(token, timeout, heartbeat)
    except TaskFailure as failure:
        out = {}
        if failure.error is not None:
            out["error"] = failure.error
        if failure.cause is not None:
            out["cause"] = failure.cause
        run.emit(frame, "ActivityFailed", {"activityFailedEventDetails": out})
        raise StatesError(failure.error or "", failure.cause) from None
    except StatesError as error:
        run.emit(
            frame, "ActivityTimedOut", {"activityTimedOutEventDetails": {"error": error.error}}
        )
        raise
    finally:
        host.activities.withdraw(token)
    run.emit(
        frame,
        "ActivitySucceeded",
        {
            "activitySucceededEventDetails": {
                "output": dumps(result),
                "outputDetails": {"truncated": False},
            }
        },
    )
    return result
