"""Cache-aside (lazy loading) with write-through and invalidation, as a Lambda function.

Reads go to the cache first; on a miss (absent or expired) the item is read from DynamoDB and, if
found, written to the cache with a TTL. Writes either go through to the cache (`write-through`)
or invalidate its entry (`update`), so the next read loads the new value.

Event: {"op": "get" | "put" | "update", "id": "...", "item": {...}}
Environment: TABLE_NAME, CACHE_HOST, CACHE_PORT, TTL_SECONDS (default 300).

The cache is spoken to with a few lines of RESP over a socket so the function needs nothing but
boto3, which every Python Lambda runtime has; redis-py or valkey-py work just as well.
"""

from __future__ import annotations

import json
import os
import socket
from typing import Any

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
TTL_SECONDS = int(os.environ.get("TTL_SECONDS", "300"))


def _cache(*args: str) -> bytes | None:
    """One command to the cache node; returns a bulk or simple reply (None for a miss)."""
    payload = f"*{len(args)}\r\n" + "".join(f"${len(a.encode())}\r\n{a}\r\n" for a in args)
    with socket.create_connection(
        (os.environ["CACHE_HOST"], int(os.environ["CACHE_PORT"])), timeout=5
    ) as sock:
        sock.sendall(payload.encode())
        reader = sock.makefile("rb")
        line = reader.readline()
        if line.startswith(b"$"):
            size = int(line[1:])
            return None if size < 0 else reader.read(size + 2)[:-2]
        if line.startswith(b"-"):
            raise RuntimeError(line[1:].decode().strip())
        return line[1:].strip()


def _key(item_id: str) -> str:
    return f"item:{item_id}"


def get(item_id: str) -> dict[str, Any]:
    cached = _cache("GET", _key(item_id))
    if cached is not None:
        return {"source": "cache", "item": json.loads(cached)}
    item = TABLE.get_item(Key={"id": item_id}).get("Item")
    if item is None:
        return {"source": "none", "item": None}
    _cache("SET", _key(item_id), json.dumps(item, default=str), "EX", str(TTL_SECONDS))
    return {"source": "database", "item": item}


def put(item: dict[str, Any]) -> dict[str, Any]:
    """Write-through: the database and the cache are written together."""
    TABLE.put_item(Item=item)
    _cache("SET", _key(item["id"]), json.dumps(item, default=str), "EX", str(TTL_SECONDS))
    return {"written": item["id"]}


def update(item: dict[str, Any]) -> dict[str, Any]:
    """Write, then invalidate: the next read loads the new value into the cache."""
    TABLE.put_item(Item=item)
    _cache("DEL", _key(item["id"]))
    return {"invalidated": item["id"]}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    op = event.get("op", "get")
    if op == "get":
        return get(event["id"])
    if op == "put":
        return put(event["item"])
    if op == "update":
        return update(event["item"])
    raise ValueError(f"unknown op {op}")
