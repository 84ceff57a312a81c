"""The server with a stand-in gateway: handlers that finish at once, wait, fail or stream."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from cloudlet.gateway.server import HttpServer
from cloudlet.http import HttpRequest, HttpResponse


class StandInGateway:
    """Answers by path: /now, /wait/<ms>, /fail, /fail-after-wait, /stream."""

    async def handle(self, request: HttpRequest) -> HttpResponse:
        kind, _, arg = request.path.strip("/").partition("/")
        if kind == "wait":
            await asyncio.sleep(int(arg) / 1000)
        elif kind == "fail":
            raise RuntimeError("boom")
        elif kind == "fail-after-wait":
            await asyncio.sleep(0.01)
            raise RuntimeError("boom")
        elif kind == "stream":
            return HttpResponse(200, {}, b"", _chunks())
        return HttpResponse(200, {"Content-Type": "text/plain"}, request.path.encode())

    def error_response(self, request: HttpRequest, error: Exception) -> HttpResponse:
        return HttpResponse(413, {}, b"too large")


async def _chunks() -> AsyncIterator[bytes]:
    for part in (b"one,", b"two,", b"three"):
        await asyncio.sleep(0)
        yield part


async def exchange(paths: list[str]) -> list[tuple[int, bytes]]:
    server = HttpServer(StandInGateway(), "127.0.0.1", 0)  # type: ignore[arg-type]  # stand-in
    await server.start()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"".join(f"GET {p} HTTP/1.1\r\nHost: x\r\n\r\n".encode() for p in paths))
        await writer.drain()
        answers = []
        for _ in paths:
            status_line = await reader.readline()
            headers = {}
            while (line := await reader.readline()) != b"\r\n":
                name, _, value = line.decode().partition(":")
                headers[name.lower()] = value.strip()
            if headers.get("transfer-encoding") == "chunked":
                body = b""
                while (size := int((await reader.readline()).strip(), 16)) != 0:
                    body += await reader.readexactly(size)
                    await reader.readline()
                await reader.readline()
            else:
                body = await reader.readexactly(int(headers["content-length"]))
            answers.append((int(status_line.split()[1]), body))
        writer.close()
        return answers
    finally:
        await server.stop()


@pytest.mark.parametrize(
    "paths",
    [
        ["/now", "/now", "/now"],
        ["/wait/30", "/now", "/wait/1", "/now"],
        ["/now", "/wait/20", "/wait/5"],
        ["/stream", "/now", "/wait/5", "/stream"],
    ],
)
def test_pipelined_answers_keep_request_order(paths: list[str]) -> None:
    answers = asyncio.run(exchange(paths))
    expected = [b"one,two,three" if p == "/stream" else p.encode() for p in paths]
    assert answers == [(200, body) for body in expected]


@pytest.mark.parametrize("failing", ["/fail", "/fail-after-wait"])
def test_a_failing_handler_is_a_500_and_the_connection_goes_on(failing: str) -> None:
    answers = asyncio.run(exchange(["/now", failing, "/wait/1"]))
    assert [status for status, _ in answers] == [200, 500, 200]
