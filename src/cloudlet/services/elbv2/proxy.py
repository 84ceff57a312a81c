"""A listener's data path: HTTP/1.1 in, the listener's rules, a target, HTTP/1.1 back.

    client ──keep-alive──▶ _Client (httptools request parser; requests on a connection are
        answered in order) ──Router.route()──▶ forward: Group.pick() → Pool.request()
                                               fixed-response / redirect: answered here
        ◀── one write per response (head and body together), TCP_NODELAY

Forwarded requests carry ALB's headers: `X-Forwarded-For` (appended), `X-Forwarded-Proto`,
`X-Forwarded-Port` and `X-Amzn-Trace-Id`; hop-by-hop headers are dropped and bodies are sent with
a Content-Length. Errors are ALB's own pages: 502 when the target fails to answer, 503 when no
target is registered, 504 when it does not answer within the idle timeout.
"""

from __future__ import annotations

import asyncio
import secrets
import socket
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import httptools

from cloudlet.services.elbv2.targets import Group

_HOP = {
    b"connection",
    b"keep-alive",
    b"proxy-connection",
    b"te",
    b"trailer",
    b"transfer-encoding",
    b"upgrade",
    b"content-length",
}
_ELB_REASONS = {503: "Service Temporarily Unavailable", 504: "Gateway Time-out"}
"""ALB's own wording where it differs from the standard reason phrases."""
_ELB_PAGE = (
    "<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n<center><h1>{code}"
    " {reason}</h1></center>\r\n</body>\r\n</html>\r\n"
)


@dataclass
class Request:
    method: str
    url: str
    version: str
    headers: list[tuple[bytes, bytes]]
    body: bytes
    keep_alive: bool

    def header(self, name: bytes) -> str | None:
        for key, value in self.headers:
            if key.lower() == name:
                return value.decode("latin-1")
        return None


Decision = tuple[str, Any]
"""("forward", Group) | ("fixed", (status, content type, body)) | ("redirect", (status, url))"""


class Router:
    """Where a listener sends each request (rebuilt whenever its rules change)."""

    def __init__(self, route: Callable[[Request, str], Decision | None], port: int) -> None:
        self.route = route
        self.port = port


class _Client(asyncio.Protocol):
    def __init__(self, listener: ListenerServer) -> None:
        self.listener = listener
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpRequestParser(self)
        self.queue: deque[Request] = deque()
        self.busy = False
        self.peer = ""
        self._url = b""
        self._headers: list[tuple[bytes, bytes]] = []
        self._body: list[bytes] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's are not subclasses
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        peer = transport.get_extra_info("peername")
        self.peer = peer[0] if peer else ""
        self.listener.clients.add(self)

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._error(400)
        except httptools.HttpParserError:
            self._error(400)

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        self.listener.clients.discard(self)

    # httptools callbacks

    def on_message_begin(self) -> None:
        self._url, self._headers, self._body = b"", [], []

    def on_url(self, url: bytes) -> None:
        self._url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers.append((name, value))

    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        method = self.parser.get_method().decode()
        self.queue.append(
            Request(
                method,
                self._url.decode("latin-1"),
                self.parser.get_http_version(),
                self._headers,
                b"".join(self._body),
                self.parser.should_keep_alive(),
            )
        )
        if not self.busy:
            self._next()

    # serving

    def _next(self) -> None:
        if not self.queue or self.transport is None:
            self.busy = False
            return
        self.busy = True
        request = self.queue[0]
        decision = self.listener.router.route(request, self.peer)
        if decision is None:
            self._answer_elb(503)
            return
        kind, detail = decision
        if kind == "fixed":
            status, content_type, body = detail
            self._answer(status, [(b"Content-Type", content_type.encode())], body.encode())
        elif kind == "redirect":
            status, location = detail
            self._answer(status, [(b"Location", location.encode("latin-1"))], b"")
        else:
            self._forward(request, detail)

    def _forward(self, request: Request, group: Group) -> None:
        group.counters.requests += 1
        self.listener.requests += 1
        target = group.pick()
        if target is None or target.pool is None:
            self._answer_elb(503)
            return
        head = [f"{request.method} {request.url} HTTP/1.1\r\n".encode("latin-1")]
        forwarded_for = self.peer
        for name, value in request.headers:
            lower = name.lower()
            if lower in _HOP:
                continue
            if lower == b"x-forwarded-for":
                forwarded_for = value.decode("latin-1") + ", " + self.peer
                continue
            if lower in (b"x-forwarded-proto", b"x-forwarded-port"):
                continue
            head.append(name + b": " + value + b"\r\n")
        trace = request.header(b"x-amzn-trace-id") or (
            f"Root=1-{int(time.time()):08x}-{secrets.token_hex(12)}"
        )
        if request.header(b"x-amzn-trace-id") is None:
            head.append(f"X-Amzn-Trace-Id: {trace}\r\n".encode())
        head.append(
            f"X-Forwarded-For: {forwarded_for}\r\nX-Forwarded-Proto: http\r\n"
            f"X-Forwarded-Port: {self.listener.router.port}\r\n"
            f"Content-Length: {len(request.body)}\r\nConnection: keep-alive\r\n\r\n".encode(
                "latin-1"
            )
        )
        data = b"".join(head) + request.body

        def answered(
            status: int | None, headers: list[tuple[bytes, bytes]], body: bytes, elapsed: float
        ) -> None:
            if status is None:
                group.counters.connection_errors += 1
                self._answer_elb(504 if elapsed >= target.pool.timeout * 0.99 else 502)  # type: ignore[union-attr]
                return
            group.counters.observe(elapsed, status)
            kept = [(n, v) for n, v in headers if n.lower() not in _HOP]
            self._answer(status, kept, body, head_only=request.method == "HEAD")

        target.pool.request(data, answered, head_only=request.method == "HEAD")

    def _answer_elb(self, status: int) -> None:
        self.listener.elb_errors[status // 100] = self.listener.elb_errors.get(status // 100, 0) + 1
        reason = _ELB_REASONS.get(status) or HTTPStatus(status).phrase
        body = _ELB_PAGE.format(code=status, reason=reason).encode()
        self._answer(status, [(b"Server", b"awselb/2.0"), (b"Content-Type", b"text/html")], body)

    def _answer(
        self,
        status: int,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
        head_only: bool = False,
        reason: str | None = None,
    ) -> None:
        request = self.queue.popleft() if self.queue else None
        if self.transport is None:
            self.busy = False
            return
        keep = request.keep_alive if request is not None else False
        if reason is None:
            try:
                reason = HTTPStatus(status).phrase
            except ValueError:
                reason = "Unknown"
        lines = [f"HTTP/1.1 {status} {reason}\r\n".encode()]
        lines += [name + b": " + value + b"\r\n" for name, value in headers]
        length = len(body)
        lines.append(
            f"Content-Length: {length}\r\nConnection: {'keep-alive' if keep else 'close'}"
            "\r\n\r\n".encode()
        )
        self.transport.write(b"".join(lines) + (b"" if head_only else body))
        if not keep:
            self.transport.close()
            self.transport = None
            self.busy = False
            return
        self._next()

    def _error(self, status: int) -> None:
        self.queue.clear()
        self.queue.append(Request("GET", "/", "1.1", [], b"", False))
        self._answer_elb(status)


class ListenerServer:
    """One listener's socket and its router."""

    def __init__(self, router: Router) -> None:
        self.router = router
        self.server: asyncio.Server | None = None
        self.requests = 0
        self.elb_errors: dict[int, int] = {}
        self.clients: set[_Client] = set()

    async def start(self, host: str, port: int) -> None:
        loop = asyncio.get_running_loop()
        self.server = await loop.create_server(
            lambda: _Client(self), host, port, backlog=1024, reuse_address=True
        )

    def close(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        for client in list(self.clients):
            if client.transport is not None:
                client.transport.close()
        self.clients.clear()
