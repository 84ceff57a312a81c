"""Lambda as a Task resource: `arn:aws:states:::lambda:invoke` (AWS's output shape with
`Payload`, `StatusCode`, `SdkHttpMetadata`, ...) and plain function ARNs (the function's result
only, with `LambdaFunction*` history events). A function error fails the Task with the error's
`errorType` and the error payload as the cause; an Invoke API error is `Lambda.<Exception>`.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import TYPE_CHECKING, Any

from cloudlet.errors import ServiceError
from cloudlet.services.stepfunctions.asl.engine import Visit
from cloudlet.services.stepfunctions.asl.errors import TIMEOUT, StatesError
from cloudlet.services.stepfunctions.asl.payload import dumps
from cloudlet.services.stepfunctions.asl.task import DEFAULT_TIMEOUT

if TYPE_CHECKING:
    from cloudlet.services.stepfunctions.host import ExecutionHost


def http_metadata(request_id: str, status: int = 200) -> dict[str, Any]:
    headers = {
        "Content-Type": "application/x-amz-json-1.0",
        "Date": time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime()),
        "x-amzn-RequestId": request_id,
    }
    return {
        "SdkHttpMetadata": {
            "AllHttpHeaders": {key: [value] for key, value in headers.items()},
            "HttpHeaders": headers,
            "HttpStatusCode": status,
        },
        "SdkResponseMetadata": {"RequestId": request_id},
    }


async def _lambda_call(
    platform: Any, params: dict[str, Any], account: str, region: str
) -> dict[str, Any]:
    payload = params.get("Payload")
    request: dict[str, Any] = {"FunctionName": params.get("FunctionName")}
    if payload is not None:
        request["Payload"] = (payload if isinstance(payload, str) else dumps(payload)).encode()
    for key in ("InvocationType", "Qualifier", "ClientContext", "LogType"):
        if params.get(key) is not None:
            request[key] = params[key]
    request_id = str(uuid.uuid4())
    try:
        response = await platform.services.call(
            "lambda", "Invoke", request, account=account, region=region
        )
    except ServiceError as error:
        raise StatesError(
            f"Lambda.{error.code}",
            f"{error.message} (Service: AWSLambda; Status Code: {error.status_code or 400};"
            f" Error Code: {error.code}; Request ID: {request_id}; Proxy: null)",
        ) from None
    body = response.get("Payload") or b""
    text = body.decode() if isinstance(body, bytes | bytearray) else str(body)
    if response.get("FunctionError"):
        try:
            error_type = json.loads(text).get("errorType") if text else None
        except (ValueError, AttributeError):
            error_type = None
        raise StatesError(error_type or "Lambda.Unknown", text)
    try:
        parsed = json.loads(text) if text else None
    except ValueError:
        parsed = text
    response = dict(response)
    response["Payload"] = parsed
    response["_request_id"] = request_id
    return response


async def lambda_invoke(platform: Any, params: Any, account: str, region: str) -> Any:
    response = await _lambda_call(platform, params or {}, account, region)
    request_id = response.pop("_request_id")
    out: dict[str, Any] = {}
    if response.get("ExecutedVersion"):
        out["ExecutedVersion"] = response["ExecutedVersion"]
    out["Payload"] = response.get("Payload")
    out.update(http_metadata(request_id, response.get("StatusCode", 200)))
    out["StatusCode"] = response.get("StatusCode", 200)
    return out


async def plain_lambda(host: ExecutionHost, visit: Visit, parameters: Any, timeout: float) -> Any:
    run, frame = visit.run, visit.frame
    resource = visit.state.resource
    details: dict[str, Any] = {
        "resource": resource,
        "input": dumps(parameters),
        "inputDetails": {"truncated": False},
    }
    if timeout != DEFAULT_TIMEOUT:
        details["timeoutInSeconds"] = int(timeout)
    run.emit(frame, "LambdaFunctionScheduled", {"lambdaFunctionScheduledEventDetails": details})
    run.emit(frame, "LambdaFunctionStarted")
    run.flush()
    try:
        response = await asyncio.wait_for(
            _lambda_call(
                host.platform,
                {"FunctionName": resource, "Payload": parameters},
                host.account,
                host.region,
            ),
            host.real_seconds(timeout),
        )
    except TimeoutError:
        run.emit(
            frame,
            "LambdaFunctionTimedOut",
            {"lambdaFunctionTimedOutEventDetails": {"error": TIMEOUT}},
        )
        raise StatesError(TIMEOUT, None) from None
    except StatesError as error:
        out = {"error": error.error}
        if error.cause is not None:
            out["cause"] = error.cause
        run.emit(frame, "LambdaFunctionFailed", {"lambdaFunctionFailedEventDetails": out})
        raise
    result = response.get("Payload")
    run.emit(
        frame,
        "LambdaFunctionSucceeded",
        {
            "lambdaFunctionSucceededEventDetails": {
                "output": dumps(result),
                "outputDetails": {"truncated": False},
            }
        },
    )
    return result
