"""cloudlet's HTTP/1.1 server: asyncio + httptools, calling `Gateway.handle` directly.

Why not a general ASGI server: start-up and per-request cost are product targets (health 200 in
0.15 s, ≥ 5,000 trivial requests/s on one connection), and a small server that skips the ASGI
message round trips does both. The gateway stays a plain ASGI app for any other server.

Per connection: requests are parsed by httptools as bytes arrive and served one at a time, in
order (HTTP/1.1 pipelining); each response is written in one `transport.write` with TCP_NODELAY
set, so loopback clients never stall on delayed ACKs. Streaming responses use chunked encoding.
`Expect: 100-continue` is answered; bodies over `MAX_BODY_BYTES` get a 413 and the connection
closes; unparseable requests get a 400 and the connection closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from collections import deque
from collections.abc import Awaitable, Coroutine, Generator
from email.utils import formatdate
from typing import TYPE_CHECKING, Any

import httptools

from cloudlet.gateway.app import MAX_BODY_BYTES, RequestEntityTooLarge
from cloudlet.http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from cloudlet.gateway.app import Gateway

log = logging.getLogger("cloudlet.server")

_REASONS = {
    200: b"OK", 201: b"Created", 202: b"Accepted", 204: b"No Content", 206: b"Partial Content",
    301: b"Moved Permanently", 302: b"Found", 304: b"Not Modified", 307: b"Temporary Redirect",
    400: b"Bad Request", 401: b"Unauthorized", 403: b"Forbidden", 404: b"Not Found",
    405: b"Method Not Allowed", 409: b"Conflict", 412: b"Precondition Failed",
    413: b"Request Entity Too Large", 416: b"Requested Range Not Satisfiable",
    429: b"Too Many Requests", 500: b"Internal Server Error", 501: b"Not Implemented",
    502: b"Bad Gateway", 503: b"Service Unavailable", 504: b"Gateway Timeout",
}  # fmt: skip

_date_cache: tuple[int, str] = (0, "")


def _date_header() -> str:
    global _date_cache
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache = (now, formatdate(now, usegmt=True))
    return _date_cache[1]


_STATUS_LINES = {
    status: b"HTTP/1.1 %d %s\r\n" % (status, reason) for status, reason in _REASONS.items()
}


def _head(response: HttpResponse, keep_alive: bool, chunked: bool) -> bytes:
    """Status line and header fields, built as one string and encoded once."""
    fields = ""
    for name, value in response.headers.items():
        fields += f"{name}: {value}\r\n"
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {len(response.body)}"
    close = "" if keep_alive else "Connection: close\r\n"
    status = _STATUS_LINES.get(response.status) or b"HTTP/1.1 %d \r\n" % response.status
    text = f"{fields}{framing}\r\nDate: {_date_header()}\r\n{close}\r\n"
    return status + text.encode("latin-1", "replace")


def _failure(request: HttpRequest) -> HttpResponse:
    log.exception("gateway failed on %s %s", request.method, request.path)
    return HttpResponse(500, {"Content-Type": "text/plain"}, b"InternalFailure")


class _Resumed:
    """Awaitable continuing a coroutine that was started by hand and is waiting on `waiting_on`.

    Yielding what the coroutine yields hands its futures to the awaiting task, which waits for
    them and sends or throws into the coroutine as if it had run inside that task from the start.
    """

    def __init__(self, coroutine: Coroutine[Any, Any, HttpResponse], waiting_on: Any) -> None:
        self.coroutine = coroutine
        self.waiting_on = waiting_on

    def __await__(self) -> Generator[Any, Any, HttpResponse]:
        coroutine, yielded = self.coroutine, self.waiting_on
        while True:
            try:
                sent = yield yielded
            except BaseException as exc:
                try:
                    yielded = coroutine.throw(exc)
                except StopIteration as done:
                    return done.value
            else:
                try:
                    yielded = coroutine.send(sent)
                except StopIteration as done:
                    return done.value


_Pending = tuple[HttpRequest, bool, "HttpResponse | _Resumed | Awaitable[HttpResponse]"]
"""A request, whether to keep the connection alive, and its response or what will give it."""


class _Connection(asyncio.Protocol):
    """One client connection: parse, queue, serve in order."""

    def __init__(self, server: HttpServer) -> None:
        self.server = server
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpRequestParser(self)
        self.queue: deque[tuple[HttpRequest, bool, HttpResponse | None]] = deque()
        self.worker: asyncio.Task[None] | None = None
        self.closing = False
        self.discarding = False
        self.paused = False
        """Reading paused because too many pipelined requests are queued."""
        self._url = b""
        self._headers: dict[str, str] = {}
        self._chunks: list[bytes] = []
        self._size = 0

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's is no asyncio.Transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.server.connections.discard(self)
        self.closing = True
        if self.worker is not None and not self.worker.done():
            self.worker.cancel()

    def data_received(self, data: bytes) -> None:
        if self.closing or self.discarding:
            return
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail(400, "Protocol upgrades are not supported")
        except httptools.HttpParserError:
            self._fail(400, "Malformed HTTP request")

    # httptools callbacks

    def on_message_begin(self) -> None:
        self._url = b""
        self._headers = {}
        self._chunks = []
        self._size = 0

    def on_url(self, url: bytes) -> None:
        self._url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1")
        headers = self._headers
        headers[key] = f"{headers[key]}, {text}" if key in headers else text

    def on_headers_complete(self) -> None:
        headers = self._headers
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > MAX_BODY_BYTES:
            self._reject_now()
            return
        if headers.get("expect", "").lower() == "100-continue" and self.transport:
            self.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")

    def on_body(self, body: bytes) -> None:
        if self.discarding:
            return
        self._chunks.append(body)
        self._size += len(body)
        if self._size > MAX_BODY_BYTES:
            self._reject_now()

    def on_message_complete(self) -> None:
        if self.discarding:
            return
        path, _, query = self._url.decode("latin-1").partition("?")
        request = HttpRequest(
            self.parser.get_method().decode("latin-1"),
            path,
            query,
            self._headers,
            b"".join(self._chunks),
        )
        self._enqueue(request, self.parser.should_keep_alive(), None)

    # serving

    def _enqueue(self, request: HttpRequest, keep_alive: bool, answer: HttpResponse | None) -> None:
        self.queue.append((request, keep_alive, answer))
        if self.worker is None or self.worker.done():
            self._serve_inline()
        if len(self.queue) > 64 and self.transport is not None and not self.paused:
            self.paused = True
            self.transport.pause_reading()

    def _serve_inline(self) -> None:
        """Serve queued requests right here while their handlers finish without waiting.

        Most operations never wait (SQLite answers in microseconds), and running them inline saves
        a task and a loop iteration per request. The first handler that does wait continues in a
        worker task, exactly where it stopped, and that task serves the rest of the queue.
        """
        while self.queue and not self.closing:
            request, keep_alive, answer = self.queue.popleft()
            if answer is None:
                handling = self.server.gateway.handle(request)
                try:
                    waiting_on = handling.send(None)
                except StopIteration as done:
                    answer = done.value
                except Exception:
                    answer = _failure(request)
                else:
                    resumed = _Resumed(handling, waiting_on)
                    self.worker = asyncio.ensure_future(self._serve((request, keep_alive, resumed)))
                    return
            if answer.stream is not None:
                self.worker = asyncio.ensure_future(self._serve((request, keep_alive, answer)))
                return
            if not self._deliver(request, answer, keep_alive):
                return

    def _reject_now(self) -> None:
        """Answer 413 without reading the body, then close (the rest of the stream is unread)."""
        self.discarding = True
        self._chunks = []
        request = HttpRequest("POST", "/", "", self._headers)
        error = RequestEntityTooLarge(MAX_BODY_BYTES)
        self._enqueue(request, False, self.server.gateway.error_response(request, error))

    def _fail(self, status: int, message: str) -> None:
        if self.transport is None:
            return
        body = message.encode()
        response = HttpResponse(status, {"Content-Type": "text/plain"}, body)
        self.transport.write(_head(response, False, False) + body)
        self.closing = True
        self.transport.close()

    async def _serve(self, current: _Pending) -> None:
        """The worker: finish `current`, then serve the queue in order."""
        gateway = self.server.gateway
        while not self.closing:
            request, keep_alive, answer = current
            try:
                response = answer if isinstance(answer, HttpResponse) else await answer
            except Exception:
                response = _failure(request)
            if response.stream is not None:
                await self._stream(request, response, keep_alive and not self.server.stopping)
                if not self._after(keep_alive):
                    return
            elif not self._deliver(request, response, keep_alive):
                return
            if not self.queue:
                return
            request, keep_alive, queued = self.queue.popleft()
            current = (request, keep_alive, queued or gateway.handle(request))

    def _deliver(self, request: HttpRequest, response: HttpResponse, keep_alive: bool) -> bool:
        """Write a whole response in one write; False when the connection is done."""
        if self.paused and self.transport is not None and len(self.queue) < 16:
            self.paused = False
            self.transport.resume_reading()
        keep_alive = keep_alive and not self.server.stopping
        transport = self.transport
        if transport is not None and not transport.is_closing():
            head = _head(response, keep_alive, chunked=False)
            transport.write(head if request.method == "HEAD" else head + response.body)
        return self._after(keep_alive)

    def _after(self, keep_alive: bool) -> bool:
        if keep_alive and not self.server.stopping:
            return True
        self.closing = True
        if self.transport is not None:
            self.transport.close()
        return False

    async def _stream(self, request: HttpRequest, response: HttpResponse, keep_alive: bool) -> None:
        """Write a streaming response with chunked transfer encoding."""
        assert response.stream is not None
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        head_only = request.method == "HEAD"
        head = _head(response, keep_alive, chunked=True)
        transport.write(head)
        if head_only:
            return
        if response.body:
            transport.write(b"%x\r\n%s\r\n" % (len(response.body), response.body))
        async for chunk in response.stream:
            if chunk and not transport.is_closing():
                transport.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        transport.write(b"0\r\n\r\n")


class HttpServer:
    """Serves one `Gateway` on one host and port."""

    def __init__(self, gateway: Gateway, host: str, port: int) -> None:
        self.gateway = gateway
        self.host = host
        self.port = port
        self.connections: set[_Connection] = set()
        self.stopping = False
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: _Connection(self), self.host, self.port, reuse_address=True, backlog=1024
        )
        sockets = list(self._server.sockets or ())
        if sockets and self.port == 0:
            self.port = sockets[0].getsockname()[1]

    async def stop(self, grace: float = 3.0) -> None:
        """Stop accepting, let requests in flight finish (up to `grace` s), close the rest."""
        self.stopping = True
        if self._server is not None:
            self._server.close()
        workers = [c.worker for c in self.connections if c.worker and not c.worker.done()]
        for connection in list(self.connections):
            idle = connection.worker is None or connection.worker.done()
            if idle and connection.transport is not None:
                connection.transport.close()
        if workers:
            await asyncio.wait(workers, timeout=grace)
        for connection in list(self.connections):
            if connection.transport is not None:
                connection.transport.abort()
