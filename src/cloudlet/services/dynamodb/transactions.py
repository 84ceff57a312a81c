"""TransactGetItems and TransactWriteItems: all or nothing, in one SQLite transaction.

Every action is validated first (a malformed one fails the whole request before anything is
read). Then, inside one `store.atomic()`, every condition is checked against the stored items;
if any fails, `TransactionCanceledException` lists one reason per action (`None` for the ones
that would have succeeded) and nothing is written. Otherwise every write is applied before the
transaction commits, so a crash leaves either all of it or none of it.

A ClientRequestToken makes the call idempotent for 10 minutes: the same token with the same
request answers the first result again, with a different request
`IdempotentParameterMismatchException`.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

from cloudlet.errors import ServiceError
from cloudlet.services.dynamodb import capacity
from cloudlet.services.dynamodb.database import Database
from cloudlet.services.dynamodb.errors import KeySchemaMismatch, validation
from cloudlet.services.dynamodb.expressions.binding import read_expressions
from cloudlet.services.dynamodb.expressions.evaluate import finish_projection, project
from cloudlet.services.dynamodb.tables import check_transaction_table_names
from cloudlet.services.dynamodb.types import Item, check_item, item_size
from cloudlet.services.dynamodb.writes import Write, bind_write, draft_write

TOKEN_SECONDS = 600
_KINDS = ("ConditionCheck", "Put", "Delete", "Update")


class Transactions:
    """Transactions over one Database, with the idempotency tokens seen recently."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._tokens: dict[tuple[str, str], tuple[float, str, dict[str, Any]]] = {}

    def clear(self) -> None:
        self._tokens.clear()

    def write(self, account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
        token = request.get("ClientRequestToken")
        fingerprint = ""
        if token:
            fingerprint = hashlib.sha256(
                json.dumps(request["TransactItems"], sort_keys=True, default=str).encode()
            ).hexdigest()
            now = time.time()
            self._tokens = {k: v for k, v in self._tokens.items() if now - v[0] < TOKEN_SECONDS}
            seen = self._tokens.get((account, token))
            if seen is not None:
                if seen[1] != fingerprint:
                    raise ServiceError(
                        "Request parameters do not match the original request for the same "
                        "client request token",
                        code="IdempotentParameterMismatchException",
                    )
                return seen[2]
        result = self._write(account, region, request)
        if token:
            self._tokens[(account, token)] = (time.time(), fingerprint, result)
        return result

    def _write(self, account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
        actions: list[Write | KeySchemaMismatch] = []
        seen: set[tuple[int, int, bytes, bytes]] = set()
        check_transaction_table_names(request["TransactItems"])
        drafts = []  # every action's request is checked before any table is read, as on AWS
        for entry in request["TransactItems"]:
            kinds = [kind for kind in _KINDS if entry.get(kind) is not None]
            if not kinds:
                raise validation(
                    "1 validation error detected: Value '' at 'transactItems' failed to satisfy "
                    "constraint: TransactWriteRequest should contain Delete or Put or Update or "
                    "ConditionCheck"
                )
            if len(kinds) != 1:
                raise validation(
                    "TransactItems can only contain one of Check, Put, Update or Delete"
                )
            drafts.append(draft_write(kinds[0], entry[kinds[0]]))
        for draft in drafts:
            table = self.db.catalog.get(account, region, draft.request["TableName"])
            try:
                write = bind_write(draft, table)
            except KeySchemaMismatch as error:
                actions.append(error)  # AWS meets it while running: a cancellation reason
                continue
            identity = (table.tid, *write.key)
            if identity in seen:
                raise validation(
                    "Transaction request cannot include multiple operations on one item"
                )
            seen.add(identity)
            actions.append(write)
        meter = capacity.Meter(request.get("ReturnConsumedCapacity"))
        items = self.db.items
        with self.db.store.atomic():
            olds = [
                items.load(action.table, action.key) if isinstance(action, Write) else None
                for action in actions
            ]
            reasons: list[dict[str, Any]] = []
            news: list[Item | None] = []
            failed = False
            for action, old in zip(actions, olds, strict=True):
                try:
                    if not isinstance(action, Write):
                        raise action
                    action.check(old)
                    news.append(action.result(old))
                    reasons.append({"Code": "None"})
                except ServiceError as error:
                    failed = True
                    news.append(None)
                    reasons.append(_reason(error))
            if failed:
                raise cancelled(reasons)
            writes = [action for action in actions if isinstance(action, Write)]
            for write, old, new in zip(writes, olds, news, strict=True):
                if write.kind != "ConditionCheck":
                    items.write(write.table, write.key, old, new)
                size = max(item_size(old) if old else 0, item_size(new) if new else 0)
                meter.add(write.table, 2 * capacity.write_units(size), write=True)
        result: dict[str, Any] = {}
        if meter.mode:
            result["ConsumedCapacity"] = meter.render()
        metrics = capacity.collection_metrics_by_table(
            request.get("ReturnItemCollectionMetrics"),
            ((w.table, w.item_key) for w in writes if w.kind != "ConditionCheck"),
        )
        if metrics:
            result["ItemCollectionMetrics"] = metrics
        return result

    def get(self, account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
        meter = capacity.Meter(request.get("ReturnConsumedCapacity"))
        lookups = []
        failures: dict[int, KeySchemaMismatch] = {}
        check_transaction_table_names(request["TransactItems"])
        checked = []  # every Get is checked before any table is read, as on AWS
        for entry in request["TransactItems"]:
            spec = entry["Get"]
            parsed, scope = read_expressions(spec, (), ("ProjectionExpression",))
            paths = [p.concrete(scope) for p in parsed[0][1].tree] if parsed else []
            checked.append((spec["TableName"], check_item(spec["Key"]), paths))
        for position, (name, key, paths) in enumerate(checked):
            table = self.db.catalog.get(account, region, name)
            try:
                table.check_key(key)
            except KeySchemaMismatch as error:
                failures[position] = error  # AWS meets it while running: a cancellation reason
                continue
            lookups.append((table, table.row_key(key), paths))
        if failures:
            reasons = [
                _reason(failures[n]) if n in failures else {"Code": "None"}
                for n in range(len(request["TransactItems"]))
            ]
            raise cancelled(reasons)
        responses: list[dict[str, Any]] = []
        with self.db.store.atomic():
            for table, row_key, paths in lookups:
                item = self.db.items.load(table, row_key)
                meter.add(table, 2 * capacity.read_units(item_size(item) if item else 0))
                if item is None:
                    responses.append({})
                else:
                    responses.append(
                        {"Item": finish_projection(project(item, paths)) if paths else item}
                    )
        result: dict[str, Any] = {"Responses": responses}
        if meter.mode:
            result["ConsumedCapacity"] = meter.render()
        return result


def cancelled(reasons: list[dict[str, Any]]) -> ServiceError:
    """TransactionCanceledException with one reason per action, in order."""
    codes = ", ".join(reason["Code"] for reason in reasons)
    return ServiceError(
        f"Transaction cancelled, please refer cancellation reasons for specific reasons [{codes}]",
        code="TransactionCanceledException",
        fields={"CancellationReasons": reasons},
    )


def _reason(error: ServiceError) -> dict[str, Any]:
    if error.code == "ConditionalCheckFailedException":
        reason: dict[str, Any] = {"Code": "ConditionalCheckFailed", "Message": error.message}
        if "Item" in error.fields:
            reason["Item"] = error.fields["Item"]
        return reason
    return {"Code": "ValidationError", "Message": error.message}
