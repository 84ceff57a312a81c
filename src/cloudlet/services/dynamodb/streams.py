"""DynamoDB Streams: stream records written with the item, and reading them back by position.

A stream belongs to a table (`dynamodb_streams`); each change appends one row to
`dynamodb_stream_records` in the same transaction as the item write, with a sequence number
that grows per stream. A stream has one shard (cloudlet's tables are one partition); its id is
derived from the stream. Records are kept 24 hours, as on AWS.

`read_records(store, sid, after, limit)` is the seam for consumers inside cloudlet (Lambda event
source mappings): records with a sequence number above `after`, in order; `stream_id` finds a
stream by ARN and `last_sequence` is where a LATEST reader starts.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from cloudlet.platform.store import Store
from cloudlet.services.dynamodb import storage
from cloudlet.services.dynamodb.types import Item, equal, item_size

if TYPE_CHECKING:
    from cloudlet.services.dynamodb.models import Table

RETENTION_SECONDS = 24 * 3600
SEQUENCE_BASE = 10**20
"""Added to a stored sequence number on the wire: 21 digits, like AWS's."""

_sequences: WeakKeyDictionary[Store, dict[int, int]] = WeakKeyDictionary()
"""Per store, the newest sequence number of each stream looked at since start (every record is
written through `record`, which counts it here)."""


def label_now() -> str:
    """A stream label: the creation time, as AWS forms it (`2024-01-31T12:00:00.123`)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]


def create(conn: Any, table: Table, view_type: str) -> dict[str, Any]:
    """A new stream for `table`; returns the `_stream` member of the table's description."""
    sid = storage.new_id(conn, "stream")
    label = label_now()
    arn = f"{table.arn}/stream/{label}"
    body = {
        "view": view_type,
        "label": label,
        "created": time.time(),
        "status": "ENABLED",
        "key_schema": table.description["KeySchema"],
    }
    conn.execute(
        "INSERT INTO dynamodb_streams VALUES (?, ?, ?, ?, ?, ?)",
        (sid, table.account, table.region, table.name, arn, json.dumps(body)),
    )
    return {"sid": sid, "view": view_type, "label": label, "arn": arn, "enabled": True}


def disable(store: Store, sid: int) -> None:
    row = store.query_one("SELECT body FROM dynamodb_streams WHERE sid = ?", (sid,))
    if row is None:
        return
    body = json.loads(row[0])
    body["status"] = "DISABLED"
    body["disabled"] = time.time()
    store.execute("UPDATE dynamodb_streams SET body = ? WHERE sid = ?", (json.dumps(body), sid))


def _newest(store: Store, sid: int) -> int:
    """The newest sequence number of stream `sid`, counted in memory after the first look."""
    counters = _sequences.setdefault(store, {})
    newest = counters.get(sid)
    if newest is None:
        newest = counters[sid] = last_sequence(store, sid)
    return newest


def _next_seq(store: Store, sid: int) -> int:
    seq = _newest(store, sid) + 1
    _sequences[store][sid] = seq
    return seq


def forget_sequences(store: Store) -> None:
    """Drop the store's sequence counters (after a reset wiped the records)."""
    _sequences.pop(store, None)


def record(
    store: Store,
    table: Table,
    old: Item | None,
    new: Item | None,
    identity: dict[str, str] | None = None,
) -> None:
    """Append the stream record of one change (nothing when the item did not change)."""
    assert table.stream_id is not None
    if old is not None and new is not None and _same(old, new):
        return
    event = "INSERT" if old is None else "REMOVE" if new is None else "MODIFY"
    source = new if new is not None else old
    assert source is not None
    view = table.stream_view or "KEYS_ONLY"
    body: dict[str, Any] = {
        "e": event,
        "id": uuid.uuid4().hex,
        "k": table.key_of(source),
        "v": view,
        "t": time.time(),
    }
    if view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES") and new is not None:
        body["n"] = new
    if view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES") and old is not None:
        body["o"] = old
    body["s"] = sum(
        item_size(image) for image in (body["k"], body.get("n"), body.get("o")) if image
    )
    if identity:
        body["u"] = identity
    seq = _next_seq(store, table.stream_id)
    store.execute(
        "INSERT INTO dynamodb_stream_records VALUES (?, ?, ?, ?)",
        (table.stream_id, seq, body["t"], storage.dumps(body)),
    )


def _same(old: Item, new: Item) -> bool:
    return old.keys() == new.keys() and all(equal(value, new[name]) for name, value in old.items())


def stream_id(store: Store, arn: str) -> int | None:
    """The id of the stream with this ARN (None: there is none)."""
    row = store.query_one("SELECT sid FROM dynamodb_streams WHERE arn = ?", (arn,))
    return int(row[0]) if row is not None else None


def last_sequence(store: Store, sid: int) -> int:
    """The sequence number of the stream's newest record (0: none yet)."""
    row = store.query_one("SELECT MAX(seq) FROM dynamodb_stream_records WHERE sid = ?", (sid,))
    return int(row[0]) if row is not None and row[0] is not None else 0


def read_records(
    store: Store, sid: int, after: int, limit: int
) -> list[tuple[int, dict[str, Any]]]:
    """(sequence number, record) pairs of stream `sid` after position `after`, oldest first.

    Answers at once, without a query, when the stream's newest record is at or before `after`:
    an idle consumer polling its position costs almost nothing.
    """
    if _newest(store, sid) <= after:
        return []
    rows = store.query(
        "SELECT seq, record FROM dynamodb_stream_records WHERE sid = ? AND seq > ? AND created > ?"
        " ORDER BY seq LIMIT ?",
        (sid, after, time.time() - RETENTION_SECONDS, limit),
    )
    return [(row[0], _decode(row[1])) for row in rows]


def _decode(text: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(text)
    for member in ("k", "n", "o"):
        if member in body and '"B' in text:
            body[member] = storage.loads(storage.dumps(body[member]))
    return body


def to_wire(seq: int, body: dict[str, Any], region: str) -> dict[str, Any]:
    """A GetRecords `Record` from a stored record."""
    dynamodb: dict[str, Any] = {
        "ApproximateCreationDateTime": int(body["t"]),
        "Keys": body["k"],
        "SequenceNumber": str(SEQUENCE_BASE + seq),
        "SizeBytes": body["s"],
        "StreamViewType": body["v"],
    }
    if "n" in body:
        dynamodb["NewImage"] = body["n"]
    if "o" in body:
        dynamodb["OldImage"] = body["o"]
    wire: dict[str, Any] = {
        "eventID": body["id"],
        "eventName": body["e"],
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": dynamodb,
    }
    if "u" in body:
        wire["userIdentity"] = body["u"]
    return wire
