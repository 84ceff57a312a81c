"""Item rows: load and write one item with its index entries, TTL column and stream record.

`ItemStore.write` is the one place an item changes. Callers run it inside a transaction whenever
the table has indexes or a stream (`needs_transaction`), so the base row, every index row and the
stream record commit together or not at all: a crash mid-write leaves nothing half-applied.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from cloudlet.platform.store import Store
from cloudlet.services.dynamodb import storage, streams
from cloudlet.services.dynamodb.models import RowKey, Table
from cloudlet.services.dynamodb.types import Item

_GET = "SELECT body FROM dynamodb_items WHERE tid = ? AND h = ? AND hk = ? AND rk = ?"
_PUT = "INSERT OR REPLACE INTO dynamodb_items VALUES (?, ?, ?, ?, ?, ?)"
_PUT_NO_TTL = "INSERT OR REPLACE INTO dynamodb_items VALUES (?, ?, ?, ?, ?, NULL)"
_DELETE = "DELETE FROM dynamodb_items WHERE tid = ? AND h = ? AND hk = ? AND rk = ?"
_INDEX_PUT = "INSERT OR REPLACE INTO dynamodb_index_items VALUES (?, ?, ?, ?, ?)"
_INDEX_DELETE = "DELETE FROM dynamodb_index_items WHERE iid = ? AND h = ? AND hk = ? AND sk = ?"


class ItemStore:
    """Rows of `dynamodb_items` and `dynamodb_index_items`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def load(self, table: Table, key: RowKey) -> Item | None:
        row = self.store.query_one(_GET, bound(table.tid, key))
        return storage.loads(row[0]) if row is not None else None

    def needs_transaction(self, table: Table) -> bool:
        return bool(table.indexes) or table.stream_id is not None

    def write(
        self,
        table: Table,
        key: RowKey,
        old: Item | None,
        new: Item | None,
        *,
        identity: dict[str, str] | None = None,
    ) -> None:
        """Replace (or, with `new` None, delete) one item, with its indexes and stream record."""
        execute = self.store.execute
        if new is None:
            if old is None:
                return
            execute(_DELETE, bound(table.tid, key))
        else:
            ttl = _ttl_value(new.get(table.ttl_attribute)) if table.ttl_attribute else None
            if ttl is None:
                execute(_PUT_NO_TTL, (*bound(table.tid, key), storage.dumps(new)))
            else:
                execute(_PUT, (*bound(table.tid, key), storage.dumps(new), ttl))
        for index in table.indexes.values():
            before = index.entry(old, table) if old is not None else None
            after = index.entry(new, table) if new is not None else None
            if before is not None and (after is None or before[:3] != after[:3]):
                execute(_INDEX_DELETE, (index.iid, *before[:3]))
            if after is not None and (before is None or before != after):
                execute(_INDEX_PUT, (index.iid, *after[:3], storage.dumps(after[3])))
        if table.stream_id is not None:
            streams.record(self.store, table, old, new, identity)


def bound(tid: int, key: RowKey) -> tuple[int, int, bytearray, bytearray]:
    """A table's row key as statement parameters. The key bytes go as bytearrays: Python 3.11's
    sqlite3 looks for an adapter for every `bytes` (and None) parameter, raising and clearing an
    AttributeError each time, which costs more than the statement's own key comparisons."""
    h, hk, rk = key
    return tid, h, bytearray(hk), bytearray(rk)


def _ttl_value(value: Any) -> float | None:
    """The epoch seconds of a TTL attribute (only N values count, as on AWS)."""
    if value is None or "N" not in value:
        return None
    try:
        return float(Decimal(value["N"]))
    except (InvalidOperation, OverflowError):
        return None
