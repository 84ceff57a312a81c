"""The measurement floor: a bare HTTP server that answers every request with a canned response.

    python bench/floor.py PORT

It does nothing a real server must (no routing, no parsing beyond Content-Length, no signing
check), so whatever the bench measures against it is the cost of everything *but* the server:
the interpreter's start, the client (`http.client` or boto3), loopback, scheduling. Its column in
the table shows how low a figure can go on this machine with this client; a target's distance
from it is what the server itself costs.

The canned body is a valid STS `GetCallerIdentity` response, so boto3 accepts it too. One
connection is served at a time, on 127.0.0.1 only; the process exits by itself after
`LIFETIME_S` in case nobody stops it.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import sys

LIFETIME_S = 1800
"""Hard limit on how long the server runs."""

BODY = (
    b'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
    b"<GetCallerIdentityResult><Arn>arn:aws:iam::000000000000:root</Arn>"
    b"<UserId>000000000000</UserId><Account>000000000000</Account></GetCallerIdentityResult>"
    b"<ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId>"
    b"</ResponseMetadata></GetCallerIdentityResponse>"
)
RESPONSE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: "
    + str(len(BODY)).encode()
    + b"\r\n\r\n"
    + BODY
)


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return 0


def serve(conn: socket.socket) -> None:
    """Answer every request on one connection until the client closes it."""
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    buf = b""
    while True:
        data = conn.recv(65536)
        if not data:
            return
        buf += data
        while b"\r\n\r\n" in buf:
            head, _, rest = buf.partition(b"\r\n\r\n")
            length = _content_length(head)
            if len(rest) < length:
                break
            buf = rest[length:]
            conn.sendall(RESPONSE)


def main(port: int) -> None:
    """Listen on 127.0.0.1:`port` and serve connections one after another."""
    signal.alarm(LIFETIME_S)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(16)
        while True:
            conn, _ = listener.accept()
            with conn, contextlib.suppress(OSError):
                serve(conn)


if __name__ == "__main__":
    main(int(sys.argv[1]))
