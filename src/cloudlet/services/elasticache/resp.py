"""A minimal asyncio RESP2 client: how the control plane talks to the engines it runs.

cloudlet never sits on the data path; it only sends the engine the administrative commands AWS's
own control plane would (`CONFIG SET`, `REPLICAOF`, `CLUSTER ADDSLOTS`, `ACL SETUSER`, `INFO`,
`BGSAVE`, ...). One short-lived connection per conversation keeps this free of pooling and of any
client library at run time (redis-py and valkey-py are test dependencies only).
"""

from __future__ import annotations

import asyncio
import contextlib
from types import TracebackType
from typing import Any

Reply = Any
"""bytes | int | None | list[Reply]; an error reply is raised as `RespError`."""


class RespError(Exception):
    """An error reply (`-ERR ...`) from the engine."""


class Connection:
    """One RESP connection to 127.0.0.1:`port`; use as `async with Connection(port) as conn`."""

    def __init__(
        self,
        port: int,
        host: str = "127.0.0.1",
        timeout: float = 5.0,
        auth: tuple[str, str] | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout
        self.auth = auth
        """(user, password) sent with `AUTH` on connect."""
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def __aenter__(self) -> Connection:
        self._reader, self._writer = await asyncio.wait_for(
            asyncio.open_connection(self.host, self.port), self.timeout
        )
        if self.auth is not None:
            await self.call("AUTH", *self.auth)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(OSError):
                await self._writer.wait_closed()

    async def call(self, *args: str | bytes | int) -> Reply:
        """Send one command and read its reply."""
        assert self._writer is not None and self._reader is not None
        self._writer.write(encode(args))
        await self._writer.drain()
        return await asyncio.wait_for(read_reply(self._reader), self.timeout)


def encode(args: tuple[str | bytes | int, ...]) -> bytes:
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        data = arg if isinstance(arg, bytes) else str(arg).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(parts)


async def read_reply(reader: asyncio.StreamReader) -> Reply:
    line = await reader.readline()
    if not line.endswith(b"\r\n"):
        raise ConnectionError("connection closed by the engine")
    kind, rest = line[:1], line[1:-2]
    if kind == b"+":
        return rest
    if kind == b"-":
        raise RespError(rest.decode(errors="replace"))
    if kind == b":":
        return int(rest)
    if kind == b"$":
        size = int(rest)
        if size < 0:
            return None
        data = await reader.readexactly(size + 2)
        return data[:-2]
    if kind == b"*":
        count = int(rest)
        if count < 0:
            return None
        return [await read_reply(reader) for _ in range(count)]
    raise ConnectionError(f"unexpected RESP reply {line[:40]!r}")


async def command(
    port: int,
    *args: str | bytes | int,
    timeout: float = 5.0,
    auth: tuple[str, str] | None = None,
) -> Reply:
    """One command on a fresh connection."""
    async with Connection(port, timeout=timeout, auth=auth) as conn:
        return await conn.call(*args)


def parse_info(text: bytes | str) -> dict[str, str]:
    """`INFO` output as a flat {field: value} dict (section headers dropped)."""
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    info: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line.startswith("#") and ":" in line:
            key, _, value = line.partition(":")
            info[key] = value
    return info
