"""The Lambda Runtime API (2018-06-01) of one execution environment, served by cloudlet.

Each environment gets its own loopback listener (`AWS_LAMBDA_RUNTIME_API=127.0.0.1:<port>`), so
every request on it is that environment's: no routing, no identification. The listener is
cloudlet's own HTTP server (httptools, TCP_NODELAY, one write per response); this module is the
endpoint logic:

    GET  /2018-06-01/runtime/invocation/next            parked until an invocation is delivered
    POST /2018-06-01/runtime/invocation/{id}/response   202; the invocation's result
    POST /2018-06-01/runtime/invocation/{id}/error      202; a function error
    POST /2018-06-01/runtime/init/error                 202; Init failed

The first `next` marks the end of Init (`ready`). `deliver` hands an invocation to the parked
`next` (or keeps it until `next` arrives); its `outcome` future resolves with the response or
error the runtime posts. Anything else the environment does (time-outs, crashes) is settled by
`environments.py`, which may resolve the outcome itself.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from cloudlet.http import HttpRequest, HttpResponse
from cloudlet.services.lambda_.models import SYNC_PAYLOAD_LIMIT

if TYPE_CHECKING:
    from cloudlet.errors import ServiceError
    from cloudlet.gateway.app import Gateway
    from cloudlet.gateway.server import HttpServer

_PREFIX = "/2018-06-01/runtime/"
_ACCEPTED = HttpResponse(202, {"Content-Type": "application/json"}, b'{"status":"OK"}\n')
TRACE_ID = "Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=0"


@dataclass
class Outcome:
    """What one invocation produced."""

    payload: bytes
    error_type: str | None = None
    """None on success; the error type for `X-Amz-Function-Error` reporting and logs."""
    status: str | None = None
    """REPORT's `Status:` (`timeout`, `error`) when Lambda itself ended the invocation."""


@dataclass
class Invocation:
    """One event on its way through an environment."""

    request_id: str
    payload: bytes
    invoked_arn: str
    deadline_ms: int
    client_context: str | None = None
    trace_id: str = TRACE_ID
    outcome: asyncio.Future[Outcome] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )

    def settle(self, outcome: Outcome) -> bool:
        """Resolve the invocation unless it already is; True when this call did."""
        if self.outcome.done():
            return False
        self.outcome.set_result(outcome)
        return True


def error_payload(message: str, error_type: str) -> bytes:
    return json.dumps({"errorMessage": message, "errorType": error_type}).encode()


def _json(status: int, body: dict[str, Any]) -> HttpResponse:
    return HttpResponse(status, {"Content-Type": "application/json"}, json.dumps(body).encode())


class RuntimeApi:
    """The endpoint of one environment."""

    def __init__(self) -> None:
        loop = asyncio.get_running_loop()
        self.ready: asyncio.Future[Outcome | None] = loop.create_future()
        """Resolves with None once Init is done, or with the init error's outcome."""
        self.current: Invocation | None = None
        self._pending: Invocation | None = None
        self._waiter: asyncio.Future[Invocation] | None = None
        self._server: HttpServer | None = None
        self.port = 0

    async def start(self) -> str:
        """Listen on a free loopback port; returns `host:port` for AWS_LAMBDA_RUNTIME_API."""
        from cloudlet.gateway.server import HttpServer

        # HttpServer calls only `handle` and `error_response`: this endpoint is its gateway.
        self._server = HttpServer(cast("Gateway", self), "127.0.0.1", 0)
        await self._server.start()
        self.port = self._server.port
        return f"127.0.0.1:{self.port}"

    async def close(self) -> None:
        if self._server is not None:
            server, self._server = self._server, None
            await server.stop(grace=0)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.cancel()

    def deliver(self, invocation: Invocation) -> None:
        """Hand `invocation` to the runtime (now, or at its next `next`)."""
        self.current = invocation
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(invocation)
        else:
            self._pending = invocation

    # the gateway interface HttpServer uses

    def error_response(self, request: HttpRequest, error: ServiceError, *args: Any) -> HttpResponse:
        return _json(413, {"errorMessage": error.message, "errorType": "RequestEntityTooLarge"})

    async def handle(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        if not path.startswith(_PREFIX):
            return _json(404, {"errorMessage": "Not found", "errorType": "InvalidRequest"})
        route = path[len(_PREFIX) :]
        if route == "invocation/next" and request.method == "GET":
            return await self._next()
        if route == "init/error" and request.method == "POST":
            return self._init_error(request)
        if route.startswith("invocation/") and request.method == "POST":
            request_id, _, kind = route[len("invocation/") :].partition("/")
            if kind in ("response", "error"):
                return self._result(request, request_id, kind)
        return _json(404, {"errorMessage": "Not found", "errorType": "InvalidRequest"})

    async def _next(self) -> HttpResponse:
        if not self.ready.done():
            self.ready.set_result(None)
        invocation, self._pending = self._pending, None
        if invocation is None or invocation.outcome.done():
            self._waiter = asyncio.get_running_loop().create_future()
            invocation = await self._waiter
            self._waiter = None
        headers = {
            "Content-Type": "application/json",
            "Lambda-Runtime-Aws-Request-Id": invocation.request_id,
            "Lambda-Runtime-Deadline-Ms": str(invocation.deadline_ms),
            "Lambda-Runtime-Invoked-Function-Arn": invocation.invoked_arn,
            "Lambda-Runtime-Trace-Id": invocation.trace_id,
        }
        if invocation.client_context:
            headers["Lambda-Runtime-Client-Context"] = invocation.client_context
        return HttpResponse(200, headers, invocation.payload)

    def _result(self, request: HttpRequest, request_id: str, kind: str) -> HttpResponse:
        invocation = self.current
        if invocation is None or invocation.request_id != request_id or invocation.outcome.done():
            return _json(
                400 if invocation is None or invocation.request_id != request_id else 403,
                {"errorMessage": "Invalid request ID", "errorType": "InvalidRequestID"},
            )
        if kind == "response":
            if len(request.body) > SYNC_PAYLOAD_LIMIT:
                invocation.settle(
                    Outcome(
                        error_payload(
                            "Response payload size exceeded maximum allowed payload size"
                            f" ({SYNC_PAYLOAD_LIMIT} bytes).",
                            "Function.ResponseSizeTooLarge",
                        ),
                        "Function.ResponseSizeTooLarge",
                    )
                )
                return _json(
                    413,
                    {
                        "errorMessage": "Exceeded maximum allowed payload size"
                        f" ({SYNC_PAYLOAD_LIMIT} bytes).",
                        "errorType": "RequestEntityTooLarge",
                    },
                )
            invocation.settle(Outcome(request.body))
        else:
            error_type = request.headers.get("lambda-runtime-function-error-type") or "Unhandled"
            invocation.settle(Outcome(request.body or error_payload("", error_type), error_type))
        return _ACCEPTED

    def _init_error(self, request: HttpRequest) -> HttpResponse:
        error_type = request.headers.get("lambda-runtime-function-error-type") or "Runtime.Unknown"
        outcome = Outcome(request.body or error_payload("", error_type), error_type, "error")
        if not self.ready.done():
            self.ready.set_result(outcome)
        elif self.current is not None:
            self.current.settle(outcome)
        return _ACCEPTED
