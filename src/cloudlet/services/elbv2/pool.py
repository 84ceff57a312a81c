"""Keep-alive connections from a load balancer to one target, and the HTTP exchange on them.

`Pool.request(data, on_response)` sends one serialized request on an idle connection (or a new
one) and calls `on_response(status, headers, body, elapsed)` or `on_response(None, ...)` on
failure (connection refused or reset, timeout, unparsable answer). Responses are parsed with
httptools and buffered whole, so the listener answers its client with one write. A connection goes
back to the pool when the target keeps it alive.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable

import httptools

ResponseCallback = Callable[[int | None, list[tuple[bytes, bytes]], bytes, float], None]

MAX_IDLE = 64


class _Upstream(asyncio.Protocol):
    def __init__(self, pool: Pool) -> None:
        self.pool = pool
        self.transport: asyncio.Transport | None = None
        self.callback: ResponseCallback | None = None
        self.parser: httptools.HttpResponseParser | None = None
        self.headers: list[tuple[bytes, bytes]] = []
        self.body: list[bytes] = []
        self.started = 0.0
        self.head_only = False
        self.timer: asyncio.TimerHandle | None = None
        self.reusable = True

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's are not subclasses
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def send(
        self, data: bytes, callback: ResponseCallback, head_only: bool, timeout: float
    ) -> None:
        assert self.transport is not None
        self.callback = callback
        self.parser = httptools.HttpResponseParser(self)
        self.headers, self.body = [], []
        self.head_only = head_only
        self.started = time.perf_counter()
        self.timer = asyncio.get_running_loop().call_later(timeout, self._timeout)
        self.transport.write(data)

    # httptools callbacks

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        if self.head_only:
            self.reusable = False
            self._finish()

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        if self.callback is not None:
            assert self.parser is not None
            self.reusable = self.reusable and self.parser.should_keep_alive()
            self._finish()

    # asyncio callbacks

    def data_received(self, data: bytes) -> None:
        if self.parser is None or self.callback is None:
            self._close()
            return
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            self._fail()

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        self.pool.forget(self)
        if self.callback is not None:
            self._fail()

    def _finish(self) -> None:
        callback, self.callback = self.callback, None
        if self.timer is not None:
            self.timer.cancel()
        assert self.parser is not None and callback is not None
        status = self.parser.get_status_code()
        elapsed = time.perf_counter() - self.started
        headers, body = self.headers, b"".join(self.body)
        self.parser = None
        if self.reusable and self.transport is not None:
            self.pool.release(self)
        else:
            self._close()
        callback(status, headers, body, elapsed)

    def _fail(self) -> None:
        callback, self.callback = self.callback, None
        if self.timer is not None:
            self.timer.cancel()
        self._close()
        if callback is not None:
            callback(None, [], b"", time.perf_counter() - self.started)

    def _timeout(self) -> None:
        self._fail()

    def _close(self) -> None:
        self.pool.forget(self)
        if self.transport is not None:
            self.transport.close()
            self.transport = None


class Pool:
    """Idle keep-alive connections to one host and port."""

    def __init__(self, host: str, port: int, timeout: float = 60.0) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout
        self._idle: list[_Upstream] = []
        self._all: set[_Upstream] = set()
        self._connecting: set[asyncio.Task[None]] = set()
        self._closed = False

    def request(self, data: bytes, callback: ResponseCallback, head_only: bool = False) -> None:
        while self._idle:
            upstream = self._idle.pop()
            if upstream.transport is not None and not upstream.transport.is_closing():
                upstream.send(data, callback, head_only, self.timeout)
                return
        task = asyncio.ensure_future(self._connect(data, callback, head_only))
        self._connecting.add(task)
        task.add_done_callback(self._connecting.discard)

    async def _connect(self, data: bytes, callback: ResponseCallback, head_only: bool) -> None:
        loop = asyncio.get_running_loop()
        started = time.perf_counter()
        try:
            _, upstream = await loop.create_connection(
                lambda: _Upstream(self), self.host, self.port
            )
        except OSError:
            callback(None, [], b"", time.perf_counter() - started)
            return
        if self._closed:
            upstream._close()
            callback(None, [], b"", time.perf_counter() - started)
            return
        self._all.add(upstream)
        upstream.send(data, callback, head_only, self.timeout)

    def release(self, upstream: _Upstream) -> None:
        if self._closed or len(self._idle) >= MAX_IDLE:
            upstream._close()
        else:
            self._idle.append(upstream)

    def forget(self, upstream: _Upstream) -> None:
        self._all.discard(upstream)
        if upstream in self._idle:
            self._idle.remove(upstream)

    def close(self) -> None:
        self._closed = True
        for upstream in list(self._all) + self._idle:
            upstream._close()
        self._idle.clear()
        self._all.clear()
