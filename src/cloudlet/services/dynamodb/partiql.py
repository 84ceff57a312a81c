"""PartiQL for DynamoDB: ExecuteStatement, BatchExecuteStatement and ExecuteTransaction.

Statements are parsed by `partiql_parser` into the expression trees the rest of the data path
evaluates, then run there: a SELECT is filtered by its WHERE tree and reads one partition when the
WHERE fixes the partition key by equality, else the whole table or index (a SELECT inside a batch
or a transaction reads the one item its WHERE names by key); INSERT is a put that must not
overwrite (`DuplicateItemException`); UPDATE and DELETE act on the one item their WHERE names by
key, with the whole WHERE as the write's condition (a DELETE only checks the part beyond the key,
so deleting an absent item succeeds). Parameters are checked (`partiql_values`) before the
statement is read. A write answers `Items: []` (with `RETURNING`, the item it asks for); a
transaction of writes answers `Responses: []`.
"""

from __future__ import annotations

from base64 import b64decode, b64encode
from typing import Any

from cloudlet.errors import ServiceError, ValidationError
from cloudlet.services.dynamodb import capacity, query
from cloudlet.services.dynamodb.database import Database
from cloudlet.services.dynamodb.errors import invalid, validation
from cloudlet.services.dynamodb.expressions import ast
from cloudlet.services.dynamodb.expressions.evaluate import finish_projection, project
from cloudlet.services.dynamodb.models import Table
from cloudlet.services.dynamodb.partiql_parser import (
    Delete,
    Insert,
    Select,
    Statement,
    Update,
    parse,
)
from cloudlet.services.dynamodb.partiql_values import check_parameters
from cloudlet.services.dynamodb.storage import dumps, loads
from cloudlet.services.dynamodb.transactions import Transactions, cancelled
from cloudlet.services.dynamodb.types import MAX_ITEM_BYTES, Item, item_size, sort_value
from cloudlet.services.dynamodb.writes import Write

_BATCH_CODES = {
    "ValidationException": "ValidationError",
    "ConditionalCheckFailedException": "ConditionalCheckFailed",
    "DuplicateItemException": "DuplicateItem",
    "ResourceNotFoundException": "ResourceNotFound",
    "ProvisionedThroughputExceededException": "ProvisionedThroughputExceeded",
    "TransactionConflictException": "TransactionConflict",
    "RequestLimitExceeded": "RequestLimitExceeded",
    "ItemCollectionSizeLimitExceededException": "ItemCollectionSizeLimitExceeded",
    "ThrottlingException": "ThrottlingError",
    "AccessDeniedException": "AccessDenied",
}
"""Exception codes as BatchExecuteStatement's per-statement `Error.Code` (botocore's enum)."""

_NO_KEY = "Where clause does not contain a mandatory equality on all key attributes"
_NO_KEY_SELECT = "Select statements within %s must specify the primary key in the where clause."


def _statement(entry: dict[str, Any]) -> Statement:
    return parse(entry["Statement"], check_parameters(entry.get("Parameters") or []))


# -- keys and conditions -------------------------------------------------------------------


def _key_equality(part: ast.Condition, scope: ast.Scope, table: Table) -> tuple[str, Any] | None:
    """(key attribute, value) when `part` reads `<key attribute> = <value>`."""
    found = ast.literal_equality(part, scope)
    if found is None or len(found[0]) != 1 or found[0][0] not in table.key_names:
        return None
    return str(found[0][0]), found[1]


def _key(where: ast.Condition | None, scope: ast.Scope, table: Table, message: str) -> Item:
    """The primary key the WHERE names by equality on every key attribute."""
    key: Item = {}
    for part in ast.conjuncts(where):
        found = _key_equality(part, scope, table)
        if found is not None:
            key.setdefault(*found)
    if set(key) != set(table.key_names):
        raise validation(message)
    table.check_key(key)
    return key


def _beyond_key(
    where: ast.Condition | None, scope: ast.Scope, table: Table
) -> ast.Condition | None:
    """The WHERE without its key equalities (None when nothing else is left)."""
    rest: ast.Condition | None = None
    for part in ast.conjuncts(where):
        if _key_equality(part, scope, table) is None:
            rest = part if rest is None else ast.And(rest, part)
    return rest


# -- writes --------------------------------------------------------------------------------


def _insert(table: Table, statement: Insert) -> Write:
    item = statement.item
    table.check_item_keys(item)
    if item_size(item) > MAX_ITEM_BYTES:
        raise validation("Item size has exceeded the maximum allowed size")
    hash_key = ast.Path(("#k",))
    return Write(
        "Put",
        table,
        table.row_key(item),
        table.key_of(item),
        item=item,
        condition=ast.Function("attribute_not_exists", (hash_key,)),
        scope=ast.Scope({"#k": table.hash.name}, {}),
    )


def _update(table: Table, statement: Update) -> Write:
    key = _key(statement.where, statement.scope, table, _NO_KEY)
    update = ast.Update(
        set=tuple(statement.sets),
        remove=tuple(statement.removes),
        add=tuple(statement.adds),
        delete=tuple(statement.deletes),
    )
    paths = [path.concrete(statement.scope) for path in update.paths()]
    for path in paths:
        if path[0] in table.key_names:
            raise invalid(f"Cannot update attribute {path[0]}. This attribute is part of the key")
    return Write(
        "Update",
        table,
        table.row_key(key),
        key,
        condition=statement.where,
        update=update,
        scope=statement.scope,
        paths=paths,
        return_values=statement.returning,
    )


def _delete(table: Table, statement: Delete) -> Write:
    key = _key(statement.where, statement.scope, table, _NO_KEY)
    return Write(
        "Delete",
        table,
        table.row_key(key),
        key,
        condition=_beyond_key(statement.where, statement.scope, table),
        scope=statement.scope,
        return_values=statement.returning,
    )


def _plan_write(db: Database, account: str, region: str, statement: Statement) -> Write:
    table = db.catalog.get(account, region, statement.table)
    if isinstance(statement, Insert):
        return _insert(table, statement)
    if isinstance(statement, Update):
        return _update(table, statement)
    assert isinstance(statement, Delete)
    return _delete(table, statement)


def _duplicate(write: Write, error: ServiceError) -> ServiceError:
    """An INSERT's failed not-exists condition, as AWS reports it."""
    if write.kind == "Put" and error.code == "ConditionalCheckFailedException":
        return ServiceError("Duplicate primary key exists in table", code="DuplicateItemException")
    return error


def _run_write(db: Database, write: Write) -> list[Item]:
    """Make one write; the items its RETURNING clause asks for."""
    try:
        old, new = db.run_write(write)
    except ServiceError as error:
        raised = _duplicate(write, error)
        if raised is error:
            raise
        raise raised from error
    returned = write.returned(old, new)
    return [returned] if returned else []


# -- reads ---------------------------------------------------------------------------------


def _check_index(table: Table, name: str, consistent: bool) -> None:
    """A SELECT from `"table"."index"`, in ExecuteStatement's own words (index first)."""
    index = table.indexes.get(name)
    if index is None:
        raise validation("The table does not have the specified index")
    if consistent and not index.local:
        raise validation("Strongly consistent read is not supported on Global Secondary Indexes")


def _shape(statement: Select, items: list[Item]) -> list[Item]:
    """The items in ORDER BY order, projected on the SELECT list."""
    if statement.order is not None:
        path, descending = statement.order
        present = [item for item in items if path.value(item, statement.scope) is not None]
        present.sort(
            key=lambda item: sort_value(path.value(item, statement.scope) or {}),
            reverse=descending,
        )
        items = present + [item for item in items if path.value(item, statement.scope) is None]
    if statement.projection is None:
        return items
    paths = [path.concrete(statement.scope) for path in statement.projection]
    return [finish_projection(project(item, paths)) for item in items]


def _select(
    db: Database,
    account: str,
    region: str,
    statement: Select,
    limit: int | None,
    start: dict[str, Any] | None,
    consistent: bool,
) -> dict[str, Any]:
    table = db.catalog.get(account, region, statement.table)
    if statement.index is not None:
        _check_index(table, statement.index, consistent)
    request: dict[str, Any] = {"TableName": statement.table}
    if statement.index is not None:
        request["IndexName"] = statement.index
        paths = [path.concrete(statement.scope) for path in statement.projection or ()]
        if query.unprojected(table.indexes[statement.index], paths):
            request["Select"] = "ALL_ATTRIBUTES"  # a local index reads them from the table
    if limit:
        request["Limit"] = limit
    if start:
        request["ExclusiveStartKey"] = start
    if consistent:
        request["ConsistentRead"] = True
    where = (statement.where, statement.scope) if statement.where is not None else None
    result = query.statement_read(db, account, region, request, where)
    answer: dict[str, Any] = {"Items": _shape(statement, result.get("Items", []))}
    if "LastEvaluatedKey" in result:
        answer["LastEvaluatedKey"] = result["LastEvaluatedKey"]
    return answer


def _read_key(statement: Select, table: Table, operation: str) -> Item:
    """The key a SELECT in a batch or a transaction reads: its WHERE must be the key's
    equalities and nothing else, as AWS requires."""
    message = _NO_KEY_SELECT % operation
    key = _key(statement.where, statement.scope, table, message)
    if _beyond_key(statement.where, statement.scope, table) is not None:
        raise validation(message)
    return key


def _read_one(db: Database, account: str, region: str, statement: Select, operation: str) -> Item:
    """A SELECT in a batch or a transaction: the one item its key names ({} when there is none)."""
    table = db.catalog.get(account, region, statement.table)
    item = db.items.load(table, table.row_key(_read_key(statement, table, operation)))
    return {"Item": _shape(statement, [item])[0]} if item is not None else {}


# -- operations ----------------------------------------------------------------------------


def execute(db: Database, account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
    """ExecuteStatement."""
    statement = _statement(request)
    if not isinstance(statement, Select):
        return {"Items": _run_write(db, _plan_write(db, account, region, statement))}
    token = request.get("NextToken")
    start = None
    if token:
        try:
            start = loads(b64decode(token.encode(), validate=True).decode())
        except (ValueError, AttributeError) as exc:
            raise validation("Invalid NextToken") from exc
        if not isinstance(start, dict):
            raise validation("Invalid NextToken")
    result = _select(
        db,
        account,
        region,
        statement,
        request.get("Limit"),
        start,
        bool(request.get("ConsistentRead")),
    )
    if "LastEvaluatedKey" in result:
        result["NextToken"] = b64encode(dumps(result["LastEvaluatedKey"]).encode()).decode()
    return result


def batch(db: Database, account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
    """BatchExecuteStatement: each statement answers on its own."""
    responses: list[dict[str, Any]] = []
    for entry in request["Statements"]:
        try:
            statement = _statement(entry)
            if isinstance(statement, Select):
                responses.append(_read_one(db, account, region, statement, "BatchExecuteStatement"))
            else:
                _run_write(db, _plan_write(db, account, region, statement))
                responses.append({})
        except ServiceError as error:
            code = _BATCH_CODES.get(error.code, "InternalServerError")
            responses.append({"Error": {"Code": code, "Message": error.message}})
    return {"Responses": responses}


def _plan_transaction(
    db: Database, account: str, region: str, statements: list[dict[str, Any]]
) -> list[Statement | Write]:
    """Every statement read and checked before anything runs: SELECTs stay statements, writes
    become prepared writes. A statement AWS refuses names its place in the request."""
    planned: list[Statement | Write] = []
    for index, entry in enumerate(statements):
        parameters = check_parameters(entry.get("Parameters") or [])
        try:
            statement = parse(entry["Statement"], parameters)
            if isinstance(statement, Select):
                table = db.catalog.get(account, region, statement.table)
                _read_key(statement, table, "ExecuteTransaction")
                planned.append(statement)
            else:
                planned.append(_plan_write(db, account, region, statement))
        except ValidationError as error:
            raise validation(
                f"Validation failed in TransactStatements[{index}]: {error.message}"
            ) from error
    return planned


def transaction(
    db: Database, tx: Transactions, account: str, region: str, request: dict[str, Any]
) -> dict[str, Any]:
    """ExecuteTransaction: every statement in one SQLite transaction, all or nothing."""
    planned = _plan_transaction(db, account, region, request["TransactStatements"])
    meter = capacity.Meter(request.get("ReturnConsumedCapacity"))
    responses: list[dict[str, Any]] = []
    with db.store.atomic():
        for position, action in enumerate(planned):
            try:
                responses.append(_transact_one(db, account, region, action, meter))
            except ServiceError as error:
                if error.code not in ("ConditionalCheckFailedException", "DuplicateItemException"):
                    raise
                reasons: list[dict[str, Any]] = [{"Code": "None"}] * len(planned)
                reasons[position] = {
                    "Code": error.code.removesuffix("Exception"),
                    "Message": error.message,
                }
                raise cancelled(reasons) from error
    reads = any(isinstance(action, Select) for action in planned)
    result: dict[str, Any] = {"Responses": responses if reads else []}
    if meter.mode:
        result["ConsumedCapacity"] = meter.render()
    return result


def _transact_one(
    db: Database, account: str, region: str, action: Statement | Write, meter: capacity.Meter
) -> dict[str, Any]:
    """Run one planned statement of a transaction (capacity counts double, as AWS's does)."""
    if isinstance(action, Write):
        old = db.items.load(action.table, action.key)
        try:
            action.check(old)
        except ServiceError as error:
            raise _duplicate(action, error) from error
        new = action.result(old)
        db.items.write(action.table, action.key, old, new)
        size = max(item_size(old) if old else 0, item_size(new) if new else 0)
        meter.add(action.table, 2 * capacity.write_units(size), write=True)
        return {}
    assert isinstance(action, Select)
    table = db.catalog.get(account, region, action.table)
    answer = _read_one(db, account, region, action, "ExecuteTransaction")
    size = item_size(answer["Item"]) if answer else 0
    meter.add(table, 2 * capacity.read_units(size))
    return answer
