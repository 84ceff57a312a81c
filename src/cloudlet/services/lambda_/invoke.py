"""The Invoke operation: checks, concurrency, running, and the response AWS gives.

    RequestResponse  200; body = the function's response or error object; `X-Amz-Function-Error:
                     Unhandled` on a function error; `X-Amz-Log-Result` with LogType=Tail
    Event            202, empty body; the event goes to the durable async queue
    DryRun           204 after validation only

HTTP errors are reserved for failures that prevent execution: a payload that is not JSON
(`InvalidRequestContentException`), too large (`RequestTooLargeException`: 6 MB sync, 256 KB
async), a function not Active (`ResourceConflictException`) or a throttle (429).
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from typing import TYPE_CHECKING, Any

from cloudlet.services.lambda_ import logs
from cloudlet.services.lambda_.environments import Result, Spec
from cloudlet.services.lambda_.functions import Record, resolve
from cloudlet.services.lambda_.models import (
    ASYNC_PAYLOAD_LIMIT,
    SYNC_PAYLOAD_LIMIT,
    conflict,
    error,
    function_arn,
)
from cloudlet.services.lambda_.runtime_api import Invocation

if TYPE_CHECKING:
    from cloudlet.services.lambda_.provider import LambdaProvider


def check_payload(payload: bytes, limit: int) -> bytes:
    """The payload as the runtime receives it (empty → `{}`); raises the errors AWS gives."""
    if len(payload) > limit:
        raise error(
            "RequestTooLargeException",
            f"Request must be smaller than {limit} bytes for the InvokeFunction operation",
        )
    if not payload.strip():
        return b"{}"
    try:
        json.loads(payload)
    except (ValueError, UnicodeDecodeError) as exc:
        token = payload[:40].decode(errors="replace").split()[0] if payload.split() else ""
        raise error(
            "InvalidRequestContentException",
            "Could not parse request body into json: Could not parse payload into json:"
            f" Unrecognized token '{token}': was expecting (JSON String, Number, Array, Object"
            " or token 'null', 'true' or 'false')",
        ) from exc
    return payload


def check_active(config: Record) -> None:
    state = config.get("State")
    if state == "Active":
        return
    if state == "Failed":
        raise conflict(
            "Lambda is unable to invoke the function: "
            + str(config.get("StateReason", "it failed to deploy"))
        )
    raise conflict(
        "The operation cannot be performed at this time. The function is currently in the"
        f" following state: {state}"
    )


def trace_id() -> str:
    return (
        f"Root=1-{int(time.time()):08x}-{secrets.token_hex(12)};"
        f"Parent={secrets.token_hex(8)};Sampled=0"
    )


async def run(
    provider: LambdaProvider,
    account: str,
    region: str,
    record: Record,
    qualifier: str | None,
    payload: bytes,
    client_context: str | None = None,
    request_id: str | None = None,
) -> tuple[Result, str]:
    """Run one invocation within the concurrency limits: (result, executed version)."""
    config, version = resolve(record, qualifier)
    check_active(config)
    spec = provider._spec(account, region, config, version)
    name = config["FunctionName"]
    slot = provider.concurrency.acquire(
        account, region, name, record.get("reserved"), provider._total_reserved(account, region)
    )
    try:
        invocation = Invocation(
            request_id=request_id or str(uuid.uuid4()),
            payload=payload,
            invoked_arn=function_arn(region, account, name, qualifier),
            deadline_ms=int((time.time() + spec.timeout) * 1000),
            client_context=client_context,
            trace_id=trace_id(),
        )
        result = await provider.runner.run(spec, invocation)
    finally:
        provider.concurrency.release(slot)
    return result, version


async def invoke(
    provider: LambdaProvider, account: str, region: str, request: dict[str, Any], request_id: str
) -> dict[str, Any]:
    """The whole Invoke operation (the invocation's request id is the API request's, as in AWS)."""
    record, qualifier = provider._function_and_qualifier(
        account, region, request["FunctionName"], request.get("Qualifier")
    )
    invocation_type = request.get("InvocationType") or "RequestResponse"
    raw = request.get("Payload") or b""
    if isinstance(raw, str):
        raw = raw.encode()
    if invocation_type == "Event":
        payload = check_payload(raw, ASYNC_PAYLOAD_LIMIT)
        config, version = resolve(record, qualifier)
        check_active(config)
        provider.async_queue.enqueue(account, region, config["FunctionName"], qualifier, payload)
        return {"StatusCode": 202}
    payload = check_payload(raw, SYNC_PAYLOAD_LIMIT)
    if invocation_type == "DryRun":
        config, _ = resolve(record, qualifier)
        check_active(config)
        return {"StatusCode": 204}
    client_context = request.get("ClientContext")
    if client_context:
        import base64

        try:
            client_context = base64.b64decode(client_context).decode()
        except ValueError as exc:
            raise error(
                "InvalidRequestContentException",
                "Client context must be a valid Base64-encoded JSON object.",
            ) from exc
    result, version = await run(
        provider, account, region, record, qualifier, payload, client_context, request_id
    )
    response: dict[str, Any] = {
        "StatusCode": 200,
        "Payload": result.outcome.payload,
        "ExecutedVersion": version,
    }
    if result.outcome.error_type is not None:
        response["FunctionError"] = "Unhandled"
    if request.get("LogType") == "Tail":
        response["LogResult"] = logs.tail([line for _, line in result.lines])
    return response


def spec_for(
    provider: LambdaProvider, account: str, region: str, config: Record, version: str
) -> Spec:
    """The environment spec of one configuration (code and layers resolved to directories)."""
    layers = [layer["_digest"] for layer in config.get("_layers", [])]
    return Spec(
        account=account,
        region=region,
        name=config["FunctionName"],
        version=version,
        config=config,
        code_dir=provider.code.tree(config["_code"]),
        opt_dir=provider.code.opt_dir(layers),
    )
