"""cloudlet's built-in web app image: a small HTTP/1.1 server for load tests and load balancers.

    GET /            "Hello from <instance id> (<private ip>)"
    GET /health      "ok" (what a target group's health check asks)
    GET /headers     the request's headers, as JSON (what a load balancer added)
    GET /burn?ms=N   burns N milliseconds of CPU time, then answers JSON: drives CPUUtilization
    GET /crash       exits at once (the instance shuts down: its main process is gone)

It listens on `$PORT` at `$CLOUDLET_PRIVATE_IP` (set at boot), keeps connections alive and answers
each request with one write; one thread, like one busy vCPU. The instance id comes from the
instance metadata service (IMDSv2), asked once.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import time
from urllib.parse import parse_qs, urlsplit

_instance_id = ""


def instance_id() -> str:
    """This instance's id, from the metadata service at `AWS_EC2_METADATA_SERVICE_ENDPOINT`."""
    global _instance_id
    if not _instance_id:
        import urllib.request  # imported when first needed: start-up stays short

        base = os.environ.get("AWS_EC2_METADATA_SERVICE_ENDPOINT", "").rstrip("/")
        try:
            put = urllib.request.Request(
                f"{base}/latest/api/token",
                method="PUT",
                headers={"X-aws-ec2-metadata-token-ttl-seconds": "60"},
            )
            with urllib.request.urlopen(put, timeout=2) as response:
                token = response.read().decode()
            get = urllib.request.Request(
                f"{base}/latest/meta-data/instance-id",
                headers={"X-aws-ec2-metadata-token": token},
            )
            with urllib.request.urlopen(get, timeout=2) as response:
                _instance_id = response.read().decode()
        except OSError:
            return "unknown"
    return _instance_id


def burn(milliseconds: float) -> float:
    """Spin until `milliseconds` of this process's CPU time are used; returns the wall time."""
    began, wall = time.process_time(), time.perf_counter()
    goal = began + milliseconds / 1000
    while time.process_time() < goal:
        sum(range(2000))
    return (time.perf_counter() - wall) * 1000


def answer(method: str, target: str, headers: dict[str, str]) -> tuple[int, str, bytes]:
    """(status, content type, body) for one request."""
    url = urlsplit(target)
    if url.path == "/health":
        return 200, "text/plain", b"ok"
    if url.path == "/headers":
        return 200, "application/json", json.dumps(headers, sort_keys=True).encode()
    if url.path == "/burn":
        query = parse_qs(url.query)
        try:
            ms = min(10_000.0, max(0.0, float(query.get("ms", ["100"])[0])))
        except ValueError:
            return 400, "text/plain", b"ms must be a number"
        wall = burn(ms)
        body = {"instance": instance_id(), "cpu_ms": ms, "wall_ms": round(wall, 3)}
        return 200, "application/json", json.dumps(body).encode()
    if url.path == "/crash":
        os._exit(3)
    if url.path == "/":
        ip = os.environ.get("CLOUDLET_PRIVATE_IP", "")
        return 200, "text/plain", f"Hello from {instance_id()} ({ip})\n".encode()
    return 404, "text/plain", b"not found"


_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 411: "Length Required"}


class Http(asyncio.Protocol):
    """HTTP/1.1 with keep-alive; requests on one connection are answered in order."""

    def __init__(self) -> None:
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's are not subclasses
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while self.transport is not None:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            lines = self.buffer[:end].decode("latin-1").split("\r\n")
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            if "chunked" in headers.get("transfer-encoding", "").lower():
                self.respond(411, "text/plain", b"chunked bodies are not supported", True)
                return
            length = int(headers.get("content-length") or 0)
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length :]
            parts = lines[0].split(" ")
            if len(parts) != 3:
                self.respond(400, "text/plain", b"bad request line", True)
                return
            method, target, version = parts
            connection = headers.get("connection", "").lower()
            close = connection == "close" or (version == "HTTP/1.0" and connection != "keep-alive")
            status, kind, body = answer(method, target, headers)
            self.respond(status, kind, body if method != "HEAD" else b"", close)

    def respond(self, status: int, kind: str, body: bytes, close: bool) -> None:
        assert self.transport is not None
        head = (
            f"HTTP/1.1 {status} {_REASONS.get(status, 'OK')}\r\n"
            f"Content-Type: {kind}\r\nContent-Length: {len(body)}\r\n"
            f"Connection: {'close' if close else 'keep-alive'}\r\n\r\n"
        )
        self.transport.write(head.encode() + body)
        if close:
            self.transport.close()
            self.transport = None


async def main() -> None:
    host = os.environ.get("CLOUDLET_PRIVATE_IP", "127.0.0.1")
    port = int(os.environ.get("PORT", "80"))
    server = await asyncio.get_running_loop().create_server(Http, host, port, backlog=1024)
    print(f"web app listening on {host}:{port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        import uvloop
    except ImportError:
        asyncio.run(main())
    else:
        uvloop.run(main())
