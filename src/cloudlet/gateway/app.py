"""The gateway's handler chain, in one place, and its ASGI face.

    request
      │ /_cloudlet/…  → internal endpoints (health, reset, coverage)
      ▼
    decode       gzip request bodies inflated, within the size limit (encoding.py)
    route        SigV4 scope → X-Amz-Target → Action → host/path  (routing.py)
    identity     account from the access key, region from the scope (identity.py)
    parse        protocol detected, operation found, params read from the model (protocol/)
    dispatch     provider.<operation>(ctx, params)                   (services/manager.py)
    serialize    result or ServiceError → HTTP response (protocol/)
    log          one access-log line at debug level

`Gateway.handle` is the whole chain on plain `HttpRequest`/`HttpResponse` values; cloudlet's own
HTTP server calls it directly, and `Gateway.__call__` adapts it to ASGI for any ASGI server.
"""

from __future__ import annotations

import itertools
import logging
import random
from types import ModuleType
from typing import TYPE_CHECKING, Any

from cloudlet.context import RequestContext
from cloudlet.errors import InternalFailure, ServiceError
from cloudlet.gateway.encoding import BodyTooLarge, decode_body
from cloudlet.gateway.identity import resolve_account, resolve_region
from cloudlet.gateway.internal import PREFIX, InternalEndpoints
from cloudlet.gateway.routing import read_signature, route
from cloudlet.http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from botocore.model import OperationModel, ServiceModel

    from cloudlet.platform.runtime import Platform

log = logging.getLogger("cloudlet.gateway")

MAX_BODY_BYTES = 128 * 1024 * 1024
"""Largest request body read at all; services enforce their own, smaller limits."""


def new_request_id() -> str:
    """A request id shaped as a version-4 UUID: a random prefix drawn once per process, then a
    counter in the last 12 digits. Unique and cheap; request ids need no unpredictability."""
    return f"{_ID_PREFIX}{next(_id_counter) & 0xFFFFFFFFFFFF:012x}"


_ID_PREFIX = (
    f"{random.getrandbits(32):08x}-{random.getrandbits(16):04x}-4{random.getrandbits(12):03x}-"
    f"{random.getrandbits(14) | 0x8000:04x}-"  # the RFC 4122 variant
)
_id_counter = itertools.count(random.getrandbits(40))

_protocol: ModuleType | None = None


def protocol_layer() -> ModuleType:
    """`cloudlet.protocol`, imported on the first request (it pulls in botocore: ~0.1 s)."""
    global _protocol
    if _protocol is None:
        import cloudlet.protocol

        _protocol = cloudlet.protocol
    return _protocol


class RequestEntityTooLarge(ServiceError):
    code = "RequestEntityTooLarge"
    status_code = 413

    def __init__(self, limit: int) -> None:
        super().__init__(f"Request body exceeds the maximum allowed size of {limit} bytes")


class Gateway:
    """Every service on one port."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.internal = InternalEndpoints(platform, self)

    async def handle(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(PREFIX):
            return await self.internal.handle(request)
        protocol_api = _protocol or protocol_layer()
        request_id = new_request_id()
        service: ServiceModel | None = None
        operation: OperationModel | None = None
        protocol: str | None = None
        try:
            if "content-encoding" in request.headers:
                try:
                    decode_body(request, MAX_BODY_BYTES)
                except BodyTooLarge as exc:
                    raise RequestEntityTooLarge(MAX_BODY_BYTES) from exc
            signature = read_signature(request)
            spec = route(request, signature)
            service = protocol_api.service_model(spec.name)
            protocol = protocol_api.detect_protocol(service, request)
            operation, params = protocol_api.parse_request(service, request, protocol)
            ctx = RequestContext(
                account=resolve_account(
                    signature.access_key_id, self.platform.config, self.platform.credentials
                ),
                region=""
                if spec.global_service
                else resolve_region(signature, self.platform.config),
                service=spec.name,
                operation=operation.name,
                request_id=request_id,
                access_key_id=signature.access_key_id,
                request=request,
            )
            result = await self.platform.services.dispatch(ctx, params)
            response = protocol_api.serialize_response(
                service, operation, protocol, result, request_id
            )
        except ServiceError as error:
            response = self.error_response(request, error, request_id, service, operation, protocol)
        except Exception:
            log.exception("unhandled error serving %s %s", request.method, request.path)
            response = self.error_response(
                request,
                InternalFailure("An internal error occurred in cloudlet."),
                request_id,
                service,
                operation,
                protocol,
            )
        if log.isEnabledFor(logging.DEBUG):
            log.debug(
                "%s %s → %s %s",
                request.method,
                request.path,
                response.status,
                operation.name if operation else "-",
            )
        return response

    def error_response(
        self,
        request: HttpRequest,
        error: ServiceError,
        request_id: str | None = None,
        service: ServiceModel | None = None,
        operation: OperationModel | None = None,
        protocol: str | None = None,
    ) -> HttpResponse:
        """The AWS-shaped response for `error`, in the protocol the request was (or looks) in."""
        return protocol_layer().serialize_error(
            service,
            operation,
            protocol or _guess_protocol(request),
            error,
            request_id or new_request_id(),
        )

    async def reset_state(self) -> None:
        """Wipe all state of all services and end every child process."""
        platform = self.platform
        await platform.supervisor.stop_all()
        platform.clock.cancel_all()
        platform.store.wipe()
        platform.credentials.clear_cache()
        await platform.services.reset()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """ASGI entry point (HTTP only; lifespan events are acknowledged)."""
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                kind = message["type"].rsplit(".", 1)[-1]
                await send({"type": f"lifespan.{kind}.complete"})
                if kind == "shutdown":
                    return
        body = bytearray()
        while True:
            message = await receive()
            body += message.get("body", b"")
            if len(body) > MAX_BODY_BYTES or not message.get("more_body"):
                break
        headers: dict[str, str] = {}
        for raw_name, raw_value in scope["headers"]:
            name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        request = HttpRequest(
            scope["method"],
            scope.get("raw_path", scope["path"].encode()).decode("latin-1"),
            scope.get("query_string", b"").decode("latin-1"),
            headers,
            bytes(body),
        )
        if len(body) > MAX_BODY_BYTES:
            response = self.error_response(request, RequestEntityTooLarge(MAX_BODY_BYTES))
        else:
            response = await self.handle(request)
        await send(
            {
                "type": "http.response.start",
                "status": response.status,
                "headers": [(k.encode(), v.encode()) for k, v in response.headers.items()],
            }
        )
        if response.stream is None:
            await send({"type": "http.response.body", "body": response.body})
            return
        await send({"type": "http.response.body", "body": response.body, "more_body": True})
        async for chunk in response.stream:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})


def _guess_protocol(request: HttpRequest) -> str:
    """The protocol to answer in when the request never reached a service model."""
    if request.headers.get("smithy-protocol") == "rpc-v2-cbor":
        return "smithy-rpc-v2-cbor"
    if "x-amz-target" in request.headers or request.content_type.startswith(
        "application/x-amz-json"
    ):
        return "json"
    if (
        request.content_type == "application/x-www-form-urlencoded"
        or "Action=" in request.query_string
    ):
        return "query"
    return "rest-json"
