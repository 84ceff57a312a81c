"""SQLite layout of DynamoDB data, and compact item bodies.

    dynamodb_tables         (account, region, name) → tid, JSON description
    dynamodb_items          (tid, h, hk, rk) → body, ttl        WITHOUT ROWID, key-ordered
    dynamodb_index_items    (iid, h, hk, sk) → body              one row per item per index
    dynamodb_streams        sid → table, ARN, view type, status
    dynamodb_stream_records (sid, seq) → record
    dynamodb_purge          tids whose rows are still being deleted (resumed on start)

`hk`/`rk` are `keys.encode` bytes and `h` the partition's 32-bit hash, so GetItem is one primary
key lookup and Query one range scan inside a partition, whatever the table's size. An index row's
`sk` is the index sort key's encoding followed by the table key's (unique and ordered). Bodies are
the item's attribute values as compact JSON (binary as base64), decoded back to `bytes` only when
the text has a binary member. `ttl` holds the TTL attribute's epoch seconds when the table has TTL.
"""

from __future__ import annotations

from base64 import b64decode, b64encode
from typing import Any

import orjson

from cloudlet.platform.store import Migration
from cloudlet.services.dynamodb.types import Item

MIGRATIONS: list[Migration] = [
    (
        "0001_tables_items",
        """
        CREATE TABLE dynamodb_tables (
            account TEXT NOT NULL,
            region TEXT NOT NULL,
            name TEXT NOT NULL,
            tid INTEGER NOT NULL UNIQUE,
            body TEXT NOT NULL,
            PRIMARY KEY (account, region, name)
        ) WITHOUT ROWID;
        CREATE TABLE dynamodb_ids (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT);
        CREATE TABLE dynamodb_items (
            tid INTEGER NOT NULL,
            h INTEGER NOT NULL,
            hk BLOB NOT NULL,
            rk BLOB NOT NULL,
            body TEXT NOT NULL,
            ttl REAL,
            PRIMARY KEY (tid, h, hk, rk)
        ) WITHOUT ROWID;
        CREATE INDEX dynamodb_items_ttl ON dynamodb_items (tid, ttl) WHERE ttl IS NOT NULL;
        CREATE TABLE dynamodb_index_items (
            iid INTEGER NOT NULL,
            h INTEGER NOT NULL,
            hk BLOB NOT NULL,
            sk BLOB NOT NULL,
            body TEXT NOT NULL,
            PRIMARY KEY (iid, h, hk, sk)
        ) WITHOUT ROWID;
        CREATE TABLE dynamodb_purge (tid INTEGER PRIMARY KEY, kind TEXT NOT NULL);
        """,
    ),
    (
        "0002_streams",
        """
        CREATE TABLE dynamodb_streams (
            sid INTEGER PRIMARY KEY,
            account TEXT NOT NULL,
            region TEXT NOT NULL,
            table_name TEXT NOT NULL,
            arn TEXT NOT NULL UNIQUE,
            body TEXT NOT NULL
        );
        CREATE INDEX dynamodb_streams_table ON dynamodb_streams (account, region, table_name);
        CREATE TABLE dynamodb_stream_records (
            sid INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            created REAL NOT NULL,
            record TEXT NOT NULL,
            PRIMARY KEY (sid, seq)
        ) WITHOUT ROWID;
        """,
    ),
]


def _default(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return b64encode(value).decode()
    raise TypeError(f"cannot store {type(value).__name__}")


def dumps(item: Any) -> str:
    """Compact JSON of an item (or any attribute-value structure); bytes become base64."""
    return orjson.dumps(item, default=_default, option=orjson.OPT_PASSTHROUGH_DATETIME).decode()


def loads(text: str) -> Item:
    """The item `dumps` wrote, with binary values back as bytes."""
    item: Item = orjson.loads(text)
    if '"B' in text:
        for value in item.values():
            _decode_binary(value)
    return item


def _decode_binary(value: dict[str, Any]) -> None:
    for kind, inner in value.items():
        if kind == "B":
            value["B"] = b64decode(inner)
        elif kind == "BS":
            value["BS"] = [b64decode(member) for member in inner]
        elif kind == "M":
            for member in inner.values():
                _decode_binary(member)
        elif kind == "L":
            for member in inner:
                _decode_binary(member)


def new_id(conn: Any, kind: str) -> int:
    """A fresh id for a table, index or stream (never reused, so stale rows stay invisible)."""
    cursor = conn.execute("INSERT INTO dynamodb_ids (kind) VALUES (?)", (kind,))
    return int(cursor.lastrowid)
