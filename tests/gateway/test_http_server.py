"""The HTTP server at the byte level: keep-alive, pipelining, limits, malformed requests."""

from __future__ import annotations

import gzip
import json
import socket
from collections.abc import Callable, Iterator
from urllib.parse import urlparse

import pytest


@pytest.fixture
def conn(cloudlet_endpoint: str) -> Iterator[socket.socket]:
    url = urlparse(cloudlet_endpoint)
    sock = socket.create_connection((url.hostname, url.port), timeout=10)
    yield sock
    _buffers.pop(id(sock), None)
    sock.close()


_buffers: dict[int, bytearray] = {}


def _read_until(sock: socket.socket, done: Callable[[bytearray], bool]) -> bytearray:
    buffer = _buffers.setdefault(id(sock), bytearray())
    while not done(buffer):
        chunk = sock.recv(65536)
        if not chunk:
            break
        buffer += chunk
    return buffer


def read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """One response off the socket; bytes of the next ones stay buffered for the next call."""
    buffer = _read_until(sock, lambda b: b"\r\n\r\n" in b)
    head_end = buffer.index(b"\r\n\r\n")
    lines = buffer[:head_end].decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    end = head_end + 4 + length
    _read_until(sock, lambda b: len(b) >= end)
    body = bytes(buffer[head_end + 4 : end])
    del buffer[:end]
    return status, headers, body


HEALTH = b"GET /_cloudlet/health HTTP/1.1\r\nHost: x\r\n\r\n"


def test_keep_alive_serves_many_requests_on_one_connection(conn: socket.socket) -> None:
    for _ in range(3):
        conn.sendall(HEALTH)
        status, headers, body = read_response(conn)
        assert status == 200
        assert json.loads(body)["status"] == "running"
        assert "connection" not in headers


def test_pipelined_requests_are_answered_in_order(conn: socket.socket) -> None:
    conn.sendall(HEALTH + b"GET /_cloudlet/nope HTTP/1.1\r\nHost: x\r\n\r\n" + HEALTH)
    assert read_response(conn)[0] == 200
    assert read_response(conn)[0] == 404
    assert read_response(conn)[0] == 200


def test_malformed_request_line_gets_400_and_close(conn: socket.socket) -> None:
    conn.sendall(b"\x00\x01\x02 garbage\r\n\r\n")
    status, headers, _ = read_response(conn)
    assert status == 400
    assert headers["connection"] == "close"


def test_oversized_body_gets_413(conn: socket.socket) -> None:
    conn.sendall(
        b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: Logs_20140328.PutLogEvents\r\n"
        b"Content-Type: application/x-amz-json-1.1\r\nContent-Length: 999999999999\r\n\r\n"
    )
    status, headers, body = read_response(conn)
    assert status == 413
    assert headers["connection"] == "close"
    assert b"RequestEntityTooLarge" in body


def test_expect_100_continue_is_answered(conn: socket.socket) -> None:
    conn.sendall(
        b"POST /_cloudlet/reset HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
        b"Content-Length: 2\r\n\r\n"
    )
    interim = _read_until(conn, lambda b: b"\r\n\r\n" in b)
    assert interim.startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
    del interim[:25]
    conn.sendall(b"{}")
    status, _, _ = read_response(conn)
    assert status == 200


def test_server_survives_abrupt_disconnects(cloudlet_endpoint: str, conn: socket.socket) -> None:
    url = urlparse(cloudlet_endpoint)
    for _ in range(5):
        with socket.create_connection((url.hostname, url.port), timeout=5) as rude:
            rude.sendall(b"POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\nhalf")
    conn.sendall(HEALTH)
    assert read_response(conn)[0] == 200


def test_internal_endpoint_wrong_method_is_405(conn: socket.socket) -> None:
    conn.sendall(b"GET /_cloudlet/reset HTTP/1.1\r\nHost: x\r\n\r\n")
    assert read_response(conn)[0] == 405


def gzip_request(body: bytes, length: int | None = None) -> bytes:
    head = (
        "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: Logs_20140328.DescribeLogGroups\r\n"
        "Content-Type: application/x-amz-json-1.1\r\nContent-Encoding: gzip\r\n"
        f"Content-Length: {len(body) if length is None else length}\r\n\r\n"
    )
    return head.encode() + body


def test_gzip_bodies_are_inflated(conn: socket.socket) -> None:
    conn.sendall(gzip_request(gzip.compress(b'{"limit": 1}')))
    status, _, body = read_response(conn)
    assert status == 200, body
    assert b"logGroups" in body


def test_gzip_bomb_is_refused_as_too_large(conn: socket.socket) -> None:
    conn.sendall(gzip_request(gzip.compress(b" " * (200 * 1024 * 1024), compresslevel=9)))
    status, _, body = read_response(conn)
    assert status == 413
    assert b"RequestEntityTooLarge" in body


def test_broken_gzip_is_a_serialization_error(conn: socket.socket) -> None:
    conn.sendall(gzip_request(b"\x1f\x8b not really gzip"))
    status, _, body = read_response(conn)
    assert status == 400
    assert b"SerializationException" in body
