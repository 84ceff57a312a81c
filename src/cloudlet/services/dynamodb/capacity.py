"""ConsumedCapacity and ItemCollectionMetrics, computed AWS's way.

A write costs one unit per started KB of the larger of the old and new item; a read one unit per
started 4 KB (half for eventually consistent reads, twice for transactions). `Meter` collects the
units of one request per table and index and renders the `ReturnConsumedCapacity` modes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from cloudlet.services.dynamodb.models import Table
from cloudlet.services.dynamodb.types import Item


def write_units(size: int) -> float:
    return float(max(1, math.ceil(size / 1024)))


def read_units(size: int, consistent: bool = True) -> float:
    units = float(max(1, math.ceil(size / 4096)))
    return units if consistent else units / 2


class Meter:
    """The capacity one request consumed, if the caller asked for it."""

    __slots__ = ("mode", "tables")

    def __init__(self, mode: str | None) -> None:
        self.mode = mode if mode in ("TOTAL", "INDEXES") else None
        self.tables: dict[str, dict[str, Any]] = {}

    def add(
        self, table: Table, units: float, index: str | None = None, write: bool = False
    ) -> None:
        if self.mode is None:
            return
        entry = self.tables.setdefault(
            table.name, {"table": 0.0, "gsi": {}, "lsi": {}, "write": write}
        )
        if index is None:
            entry["table"] += units
            if write and table.indexes:
                for name, definition in table.indexes.items():
                    bucket = entry["lsi" if definition.local else "gsi"]
                    bucket[name] = bucket.get(name, 0.0) + units
        else:
            bucket = entry["lsi" if table.indexes[index].local else "gsi"]
            bucket[index] = bucket.get(index, 0.0) + units

    def render(self) -> list[dict[str, Any]] | None:
        if self.mode is None:
            return None
        rendered = []
        for name, entry in self.tables.items():
            total = entry["table"] + sum(entry["gsi"].values()) + sum(entry["lsi"].values())
            kind = "WriteCapacityUnits" if entry["write"] else "ReadCapacityUnits"
            result: dict[str, Any] = {"TableName": name, "CapacityUnits": total, kind: total}
            if self.mode == "INDEXES":
                result["Table"] = {"CapacityUnits": entry["table"], kind: entry["table"]}
                for key, bucket in (
                    ("GlobalSecondaryIndexes", entry["gsi"]),
                    ("LocalSecondaryIndexes", entry["lsi"]),
                ):
                    if bucket:
                        result[key] = {
                            index: {"CapacityUnits": units, kind: units}
                            for index, units in bucket.items()
                        }
            rendered.append(result)
        return rendered

    def single(self) -> dict[str, Any] | None:
        rendered = self.render()
        return rendered[0] if rendered else None


def collection_metrics(mode: str | None, table: Table, item: Item) -> dict[str, Any] | None:
    """ItemCollectionMetrics: only for tables with local secondary indexes, when asked for."""
    if mode != "SIZE" or not any(index.local for index in table.indexes.values()):
        return None
    return {
        "ItemCollectionKey": {table.hash.name: item[table.hash.name]},
        "SizeEstimateRangeGB": [0.0, 1.0],
    }


def collection_metrics_by_table(
    mode: str | None, writes: Iterable[tuple[Table, Item]]
) -> dict[str, list[dict[str, Any]]]:
    """BatchWriteItem's and TransactWriteItems' ItemCollectionMetrics: per table name, one entry
    for each write (table, item key) to a table with local secondary indexes."""
    metrics: dict[str, list[dict[str, Any]]] = {}
    for table, key in writes:
        entry = collection_metrics(mode, table, key)
        if entry:
            metrics.setdefault(table.name, []).append(entry)
    return metrics
