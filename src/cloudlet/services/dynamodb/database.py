"""The data plane of single items and batches: GetItem, PutItem, UpdateItem, DeleteItem,
BatchGetItem, BatchWriteItem.

`Database` owns the catalog and the item store; the providers (DynamoDB and DynamoDB Streams)
share one instance per platform store. Each write loads the stored item only when something
needs it (a condition, ReturnValues, indexes or a stream), so a plain PutItem is one statement.
"""

from __future__ import annotations

from typing import Any

from cloudlet.platform.store import Store
from cloudlet.services.dynamodb import capacity, legacy, storage
from cloudlet.services.dynamodb.errors import (
    SCHEMA_MISMATCH,
    KeySchemaMismatch,
    key_mismatch,
    validation,
)
from cloudlet.services.dynamodb.expressions.ast import Scope
from cloudlet.services.dynamodb.expressions.binding import check_mixing, read_expressions
from cloudlet.services.dynamodb.expressions.evaluate import finish_projection, project
from cloudlet.services.dynamodb.expressions.parser import Parsed
from cloudlet.services.dynamodb.items import ItemStore
from cloudlet.services.dynamodb.models import Table
from cloudlet.services.dynamodb.tables import Catalog, check_request_items
from cloudlet.services.dynamodb.types import Item, check_item, item_size
from cloudlet.services.dynamodb.writes import Write, bind_write, draft_write, prepare

MAX_BATCH_GET = 100
MAX_BATCH_WRITE = 25


class Database:
    """Tables and items of one cloudlet."""

    def __init__(self, store: Store) -> None:
        store.migrate("dynamodb", storage.MIGRATIONS)
        self.store = store
        self.catalog = Catalog(store)
        self.items = ItemStore(store)

    # -- single items ----------------------------------------------------------------------

    def get_item(self, account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
        table = self.catalog.get(account, region, request["TableName"])
        parsed, scope = read_expressions(request, ("AttributesToGet",), ("ProjectionExpression",))
        key = check_item(request["Key"])
        table.check_key(key)
        item = self.items.load(table, table.row_key(key))
        result: dict[str, Any] = {}
        if item is not None:
            paths = _projection(parsed, scope, request.get("AttributesToGet"))
            result["Item"] = finish_projection(project(item, paths)) if paths else item
        if request.get("ReturnConsumedCapacity"):
            meter = capacity.Meter(request["ReturnConsumedCapacity"])
            if meter.mode:
                size = item_size(item) if item else 0
                meter.add(table, capacity.read_units(size, bool(request.get("ConsistentRead"))))
                result["ConsumedCapacity"] = meter.single()
        return result

    def write_one(
        self, kind: str, account: str, region: str, request: dict[str, Any]
    ) -> dict[str, Any]:
        """PutItem, UpdateItem or DeleteItem."""
        draft = draft_write(kind, request)  # AWS checks the request before it finds the table
        write = bind_write(draft, self.catalog.get(account, region, request["TableName"]))
        old, new = self.run_write(write)
        return self._write_result(write, request, old, new)

    def run_write(self, write: Write) -> tuple[Item | None, Item | None]:
        """Check and make one prepared write: (old item, new item)."""
        if self.items.needs_transaction(write.table):
            with self.store.atomic():
                return self._apply(write, True)
        needs_old = (
            write.condition is not None or write.return_values != "NONE" or write.kind == "Update"
        )
        return self._apply(write, needs_old)

    def _apply(self, write: Write, needs_old: bool) -> tuple[Item | None, Item | None]:
        """Check and make one write: (old item, new item)."""
        table = write.table
        old = self.items.load(table, write.key) if needs_old else None
        write.check(old)
        new = write.result(old)
        if needs_old or new is not None:
            self.items.write(table, write.key, old, new)
        elif write.kind == "Delete":
            self.store.execute(
                "DELETE FROM dynamodb_items WHERE tid = ? AND h = ? AND hk = ? AND rk = ?",
                (table.tid, *write.key),
            )
        return old, new

    def _write_result(
        self, write: Write, request: dict[str, Any], old: Item | None, new: Item | None
    ) -> dict[str, Any]:
        if write.return_values == "NONE" and not (
            request.get("ReturnConsumedCapacity") or request.get("ReturnItemCollectionMetrics")
        ):
            return {}
        result: dict[str, Any] = {}
        attributes = write.returned(old, new)
        if attributes:
            result["Attributes"] = attributes
        meter = capacity.Meter(request.get("ReturnConsumedCapacity"))
        if meter.mode:
            size = max(item_size(old) if old else 0, item_size(new) if new else 0)
            meter.add(write.table, capacity.write_units(size), write=True)
            result["ConsumedCapacity"] = meter.single()
        metrics = capacity.collection_metrics(
            request.get("ReturnItemCollectionMetrics"), write.table, write.item_key
        )
        if metrics:
            result["ItemCollectionMetrics"] = metrics
        return result

    # -- batches ---------------------------------------------------------------------------

    def batch_get(self, account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
        requested = request["RequestItems"]
        check_request_items(requested)
        total = sum(len(spec.get("Keys") or ()) for spec in requested.values())
        if total > MAX_BATCH_GET:
            raise validation("Too many items requested for the BatchGetItem call")
        every_table = {key: value for spec in requested.values() for key, value in spec.items()}
        check_mixing(every_table, ("AttributesToGet",), ("ProjectionExpression",))
        meter = capacity.Meter(request.get("ReturnConsumedCapacity"))
        responses: dict[str, list[Item]] = {}
        for name, spec in requested.items():
            table = self.catalog.get(account, region, name)
            parsed, scope = read_expressions(spec, ("AttributesToGet",), ("ProjectionExpression",))
            paths = _projection(parsed, scope, spec.get("AttributesToGet"))
            seen: set[tuple[int, bytes, bytes]] = set()
            found: list[Item] = []
            for raw in spec["Keys"]:
                key = check_item(raw)
                table.check_key(key)
                row_key = table.row_key(key)
                if row_key in seen:
                    raise validation("Provided list of item keys contains duplicates")
                seen.add(row_key)
                item = self.items.load(table, row_key)
                if item is None:
                    continue
                meter.add(
                    table, capacity.read_units(item_size(item), bool(spec.get("ConsistentRead")))
                )
                found.append(finish_projection(project(item, paths)) if paths else item)
            responses[name] = found
        result: dict[str, Any] = {"Responses": responses, "UnprocessedKeys": {}}
        if meter.mode:
            result["ConsumedCapacity"] = meter.render()
        return result

    def batch_write(self, account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
        requested = request["RequestItems"]
        check_request_items(requested)
        total = sum(len(entries) for entries in requested.values())
        if total > MAX_BATCH_WRITE:
            raise validation("Too many items requested for the BatchWriteItem call")
        prepared: list[Write] = []
        for name, entries in requested.items():
            table = self.catalog.get(account, region, name)
            seen: set[tuple[int, bytes, bytes]] = set()
            for entry in entries:
                try:
                    write = _prepare_batch_entry(table, entry)
                except KeySchemaMismatch as error:
                    raise key_mismatch() from error
                if write.key in seen:
                    raise validation("Provided list of item keys contains duplicates")
                seen.add(write.key)
                prepared.append(write)
        meter = capacity.Meter(request.get("ReturnConsumedCapacity"))
        with self.store.atomic():
            for write in prepared:
                old = self.items.load(write.table, write.key)
                new = write.result(old)
                self.items.write(write.table, write.key, old, new)
                size = max(item_size(old) if old else 0, item_size(new) if new else 0)
                meter.add(write.table, capacity.write_units(size), write=True)
        result: dict[str, Any] = {"UnprocessedItems": {}}
        if meter.mode:
            result["ConsumedCapacity"] = meter.render()
        metrics = capacity.collection_metrics_by_table(
            request.get("ReturnItemCollectionMetrics"),
            ((write.table, write.item_key) for write in prepared),
        )
        if metrics:
            result["ItemCollectionMetrics"] = metrics
        return result

    def table(self, account: str, region: str, name: str) -> Table:
        return self.catalog.get(account, region, name)


def _prepare_batch_entry(table: Table, entry: dict[str, Any]) -> Write:
    if entry.get("PutRequest") is not None:
        item = entry["PutRequest"]["Item"]
        if any(name not in item for name in table.key_names):
            raise KeySchemaMismatch(SCHEMA_MISMATCH)  # PutItem would say "Missing the key"
        return prepare("Put", table, {"Item": item})
    if entry.get("DeleteRequest") is not None:
        return prepare("Delete", table, {"Key": entry["DeleteRequest"]["Key"]})
    raise validation(
        "Supplied AttributeValue has more than one datatypes set, must contain exactly one of "
        "the supported datatypes"
    )


def _projection(
    parsed: list[tuple[str, Parsed]], scope: Scope, attributes: list[str] | None
) -> list[tuple[Any, ...]] | None:
    """The paths a ProjectionExpression (or legacy AttributesToGet) keeps; None: everything."""
    if parsed:
        return [path.concrete(scope) for path in parsed[0][1].tree]
    if attributes:
        return [path.elements for path in legacy.projection_for(attributes) or ()]
    return None
