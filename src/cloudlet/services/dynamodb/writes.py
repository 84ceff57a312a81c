"""Put, Update, Delete and ConditionCheck as prepared writes.

`prepare(kind, table, request)` does everything that needs no stored data — validation, parsing,
binding placeholders — and returns a `Write`, in AWS's two steps: `draft_write` checks the request
on its own (what AWS refuses even when the table does not exist), `bind_write` adds the table's
checks (keys). `Write.check(old)` evaluates the condition against the stored item and
`Write.result(old)` computes the new item. PutItem/UpdateItem/DeleteItem run one prepared write;
BatchWriteItem and TransactWriteItems prepare all first, then check and write in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cloudlet.errors import ServiceError
from cloudlet.services.dynamodb import legacy
from cloudlet.services.dynamodb.errors import (
    conditional_failed,
    invalid,
    not_valid,
    request_error,
    validation,
)
from cloudlet.services.dynamodb.expressions import ast
from cloudlet.services.dynamodb.expressions import update as updates
from cloudlet.services.dynamodb.expressions.binding import EMPTY_SCOPE, read_expressions
from cloudlet.services.dynamodb.expressions.evaluate import finish_projection, project
from cloudlet.services.dynamodb.models import RowKey, Table
from cloudlet.services.dynamodb.types import MAX_ITEM_BYTES, Item, check_item, item_size

_RETURN_OLD_ONLY = ("NONE", "ALL_OLD")
_RETURN_UPDATE = ("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW")


@dataclass
class Write:
    """One validated write, waiting for the stored item."""

    kind: str
    """Put, Update, Delete or ConditionCheck."""
    table: Table
    key: RowKey
    item_key: Item
    item: Item | None = None
    condition: ast.Condition | None = None
    update: ast.Update | None = None
    scope: ast.Scope = EMPTY_SCOPE
    paths: Sequence[tuple[str | int, ...]] = ()
    return_values: str = "NONE"
    return_old_on_failure: bool = False

    def check(self, old: Item | None) -> None:
        """Raise ConditionalCheckFailedException when the condition does not hold on `old`."""
        if self.condition is not None and not self.condition.test(old or {}, self.scope):
            raise conditional_failed(old if self.return_old_on_failure and old else None)

    def result(self, old: Item | None) -> Item | None:
        """The item after this write (None: deleted or unchanged by a ConditionCheck)."""
        if self.kind == "Put":
            return self.item
        if self.kind == "Delete":
            return None
        if self.kind == "ConditionCheck":
            return old
        assert self.update is not None
        base = old if old is not None else dict(self.item_key)
        new = updates.apply(self.update, base, self.scope)
        for index in self.table.indexes.values():
            try:
                index.check(new)
            except ServiceError as error:
                if "empty" in error.message:
                    raise not_valid(
                        "The update expression attempted to update a secondary index key to a "
                        "value that is not supported. The AttributeValue for a key attribute "
                        "cannot contain an empty string value."
                    ) from error
                raise
        if item_size(new) > MAX_ITEM_BYTES:
            raise validation("Item size to update has exceeded the maximum allowed size")
        return new

    def returned(self, old: Item | None, new: Item | None) -> Item | None:
        """The `Attributes` of the response for ReturnValues."""
        mode = self.return_values
        if mode == "ALL_OLD":
            return old or None
        if mode == "ALL_NEW":
            return new
        if mode in ("UPDATED_OLD", "UPDATED_NEW"):
            source = old if mode == "UPDATED_OLD" else new
            if not source:
                return None
            return finish_projection(project(source, self.paths)) or None
        return None


def _condition(request: dict[str, Any], scope_parsed: list[Any]) -> ast.Condition | None:
    for kind, parsed in scope_parsed:
        if kind == "Condition":
            tree: ast.Condition = parsed.tree
            return tree
    expected = request.get("Expected")
    if not expected:
        return None
    return legacy.conditions(expected, request.get("ConditionalOperator"), expected=True)


@dataclass(slots=True)
class Draft:
    """A write as read from its request, checked as far as AWS checks before it finds the table
    (ReturnValues, expressions and their placeholders, attribute values, the item's size)."""

    kind: str
    request: dict[str, Any]
    record: Item
    """The item of a Put, the key of the others."""
    scope: ast.Scope
    condition: ast.Condition | None
    return_values: str
    update: ast.Update | None = None
    paths: Sequence[tuple[str | int, ...]] = ()


def draft_write(kind: str, request: dict[str, Any]) -> Draft:
    """Check one Put/Update/Delete/ConditionCheck request on its own, before its table is read."""
    return_values = request.get("ReturnValues") or "NONE"
    if kind == "Update":
        if return_values not in _RETURN_UPDATE:
            raise request_error(f"Invalid ReturnValues: {return_values}")
        parsed, scope = read_expressions(
            request, ("AttributeUpdates", "Expected"), ("UpdateExpression", "ConditionExpression")
        )
    else:
        if return_values not in _RETURN_OLD_ONLY:
            raise request_error("ReturnValues can only be ALL_OLD or NONE")
        parsed, scope = read_expressions(request, ("Expected",), ("ConditionExpression",))
    condition = _condition(request, parsed)
    record = check_item(request["Item"] if kind == "Put" else request["Key"])
    if kind == "Put" and item_size(record) > MAX_ITEM_BYTES:
        raise validation("Item size has exceeded the maximum allowed size")
    draft = Draft(kind, request, record, scope, condition, return_values)
    if kind == "Update":
        update = next((p.tree for k, p in parsed if k == "Update"), None)
        if update is None:
            update = legacy.update_for(request.get("AttributeUpdates") or {})
        draft.update = update
        draft.paths = [path.concrete(scope) for path in update.paths()]
        updates.check_overlaps("Update", draft.paths)
    return draft


def bind_write(draft: Draft, table: Table) -> Write:
    """The write of a checked request on its table, after the table's own checks (keys)."""
    kind, record, scope = draft.kind, draft.record, draft.scope
    on_failure = draft.request.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD"
    if kind == "Put":
        table.check_item_keys(record)
        key = table.key_of(record)
    else:
        table.check_key(record)
        key = record
    write = Write(
        kind,
        table,
        table.row_key(record),
        key,
        item=record if kind == "Put" else None,
        condition=draft.condition,
        scope=scope,
        return_values=draft.return_values,
        return_old_on_failure=on_failure,
    )
    if kind == "Update":
        for path in draft.paths:
            if path[0] in table.key_names:
                raise invalid(
                    f"Cannot update attribute {path[0]}. This attribute is part of the key"
                )
        write.update = draft.update
        write.paths = draft.paths
    return write


def prepare(kind: str, table: Table, request: dict[str, Any]) -> Write:
    """Validate one Put/Update/Delete/ConditionCheck (alone, in a batch or a transaction)."""
    return bind_write(draft_write(kind, request), table)
