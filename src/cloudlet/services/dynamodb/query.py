"""Query and Scan over a table or an index, as range scans of key-ordered SQLite rows.

A Query becomes `WHERE id = ? AND h = ? AND hk = ? AND <range bounds> ORDER BY range`, where the
sort-key condition is turned into byte bounds on the encoded range column (`keys`); a Scan walks
`(h, hk, range)` order, and a parallel-scan segment is a range of `h`. Rows are read lazily and
reading stops at Limit or once 1 MB of items was read, with LastEvaluatedKey pointing at the
last row read. Filters run after the read (they change Count, not ScannedCount), as on AWS.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cloudlet.errors import ServiceError
from cloudlet.services.dynamodb import capacity, keys, legacy, storage
from cloudlet.services.dynamodb.database import Database
from cloudlet.services.dynamodb.errors import invalid, validation
from cloudlet.services.dynamodb.expressions import ast
from cloudlet.services.dynamodb.expressions.binding import MAX_EXPRESSION_BYTES, read_expressions
from cloudlet.services.dynamodb.expressions.evaluate import finish_projection, project
from cloudlet.services.dynamodb.expressions.parser import parse_condition
from cloudlet.services.dynamodb.keyconditions import (
    RangeBounds,
    analyse,
    bounds_for_legacy,
    check_operand_types,
)
from cloudlet.services.dynamodb.models import Index, KeyDef, Table
from cloudlet.services.dynamodb.types import Item, check_item

PAGE_BYTES = 1024 * 1024


@dataclass
class Source:
    """A table or one of its indexes, as rows to scan."""

    table: Table
    index: Index | None

    @property
    def hash(self) -> KeyDef:
        return self.index.hash if self.index else self.table.hash

    @property
    def range(self) -> KeyDef | None:
        return self.index.range if self.index else self.table.range

    @property
    def sql(self) -> tuple[str, str, int]:
        """(table, range column, id) in SQLite."""
        if self.index is None:
            return "dynamodb_items", "rk", self.table.tid
        return "dynamodb_index_items", "sk", self.index.iid

    def key_names(self) -> set[str]:
        names = set(self.table.key_names)
        if self.index is not None:
            names.add(self.index.hash.name)
            if self.index.range is not None:
                names.add(self.index.range.name)
        return names

    def position(self, item: Item) -> bytes:
        """The encoded range column of `item`'s row."""
        _, thk, trk = self.table.row_key(item)
        if self.index is None:
            return trk
        prefix = keys.encode(item[self.index.range.name]) if self.index.range else b""
        return prefix + thk + trk

    def last_key(self, item: Item) -> Item:
        return {name: item[name] for name in self.key_names() if name in item}

    def start(self, raw: Item) -> tuple[int, bytes, bytes]:
        """(h, hk, position) of an ExclusiveStartKey."""
        key = check_item(raw)
        names = self.key_names()
        if set(key) != names or any(
            next(iter(key[d.name])) != d.type
            for d in (self.table.hash, self.table.range, self.hash, self.range)
            if d is not None
        ):
            raise validation(
                "The provided starting key is invalid: The provided key element does not match "
                "the schema"
            )
        hk = keys.encode(key[self.hash.name])
        return keys.partition_hash(hk), hk, self.position(key)


def source_for(db: Database, account: str, region: str, request: dict[str, Any]) -> Source:
    table = db.catalog.get(account, region, request["TableName"])
    name = request.get("IndexName")
    if name is None:
        return Source(table, None)
    index = table.indexes.get(name)
    if index is None:
        raise validation(f"The table does not have the specified index: {name}")
    if request.get("ConsistentRead") and not index.local:
        raise validation("Consistent reads are not supported on global secondary indexes")
    return Source(table, index)


def query(db: Database, account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
    _check_key_operands(request)
    parsed, scope = read_expressions(  # the request is checked before the table is read
        request,
        ("KeyConditions", "QueryFilter", "AttributesToGet", "ConditionalOperator"),
        ("KeyConditionExpression", "FilterExpression", "ProjectionExpression"),
    )
    filter_tree = legacy.conditions(request.get("QueryFilter"), request.get("ConditionalOperator"))
    source = source_for(db, account, region, request)
    trees = {kind: p.tree for kind, p in parsed}
    if "KeyCondition" in trees:
        hash_value, bounds = analyse(trees["KeyCondition"], scope, source.hash, source.range)
    elif request.get("KeyConditions"):
        hash_value, bounds = bounds_for_legacy(request["KeyConditions"], source.hash, source.range)
    else:
        raise validation(
            "Either the KeyConditions or KeyConditionExpression parameter must be specified in "
            "the request."
        )
    filter_tree = trees.get("Filter") or filter_tree
    if filter_tree is not None and "Filter" in trees:
        _check_filter_keys(parsed, scope, source)
    return _partition(db, source, request, hash_value, bounds, filter_tree, scope, trees)


def _check_key_operands(request: dict[str, Any]) -> None:
    """Operand types of a readable KeyConditionExpression, before anything else is checked
    (any other fault in the expression is reported where `read_expressions` finds it)."""
    source = request.get("KeyConditionExpression")
    if not source or len(source.encode()) > MAX_EXPRESSION_BYTES:
        return
    try:
        tree = parse_condition(source, "KeyCondition").tree
    except ServiceError:
        return
    check_operand_types(tree, request.get("ExpressionAttributeValues") or {})


def statement_read(
    db: Database,
    account: str,
    region: str,
    request: dict[str, Any],
    where: tuple[ast.Condition, ast.Scope] | None,
) -> dict[str, Any]:
    """A PartiQL SELECT's page: a Query of one partition when `where` fixes the partition key by
    equality (in its top-level ANDs), as AWS plans it, else a Scan; `where` filters either."""
    if where is not None:
        source = source_for(db, account, region, request)
        hash_value = _fixed_partition(where[0], where[1], source.hash)
        if hash_value is not None:
            return _partition(
                db, source, request, hash_value, RangeBounds(), where[0], where[1], {}
            )
    return scan(db, account, region, request, where)


def _fixed_partition(
    condition: ast.Condition, scope: ast.Scope, hash_key: KeyDef
) -> dict[str, Any] | None:
    """The partition key value `condition` requires (`key = value` among its ANDs), if any."""
    for part in ast.conjuncts(condition):
        found = ast.literal_equality(part, scope)
        if found is not None and found[0] == (hash_key.name,) and hash_key.type in found[1]:
            return dict(found[1])
    return None


def _partition(
    db: Database,
    source: Source,
    request: dict[str, Any],
    hash_value: dict[str, Any],
    bounds: RangeBounds,
    filter_tree: ast.Condition | None,
    scope: ast.Scope,
    trees: dict[str, Any],
) -> dict[str, Any]:
    """One page of the rows of one partition within `bounds`, in range order."""
    hk = keys.encode(hash_value)
    sql_table, column, ident = source.sql
    id_column = "iid" if source.index else "tid"
    sql = f"SELECT {column}, body FROM {sql_table} WHERE {id_column} = ? AND h = ? AND hk = ?"
    params: list[Any] = [ident, keys.partition_hash(hk), hk]
    forward = request.get("ScanIndexForward", True)
    sql, params = _bounds(sql, params, column, bounds)
    start = request.get("ExclusiveStartKey")
    if start:
        _, start_hk, position = source.start(start)
        if start_hk != hk:
            raise validation(
                "The provided starting key is invalid: The provided key element does not match "
                "the schema"
            )
        sql += f" AND {column} {'>' if forward else '<'} ?"
        params.append(position)
    sql += f" ORDER BY {column} {'ASC' if forward else 'DESC'}"
    return _page(db, source, request, sql, params, filter_tree, scope, trees)


def scan(
    db: Database,
    account: str,
    region: str,
    request: dict[str, Any],
    where: tuple[ast.Condition, ast.Scope] | None = None,
) -> dict[str, Any]:
    """Scan; `where` is a filter already parsed (PartiQL's WHERE) in place of the request's."""
    parsed, scope = read_expressions(  # the request is checked before the table is read
        request,
        ("ScanFilter", "AttributesToGet", "ConditionalOperator"),
        ("FilterExpression", "ProjectionExpression"),
    )
    trees = {kind: p.tree for kind, p in parsed}
    filter_tree = trees.get("Filter") or legacy.conditions(
        request.get("ScanFilter"), request.get("ConditionalOperator")
    )
    source = source_for(db, account, region, request)
    if where is not None:
        filter_tree, scope = where
    sql_table, column, ident = source.sql
    sql = f"SELECT {column}, body FROM {sql_table} WHERE {'iid' if source.index else 'tid'} = ?"
    params: list[Any] = [ident]
    segment, total = request.get("Segment"), request.get("TotalSegments")
    if (segment is None) != (total is None):
        missing = "TotalSegments" if total is None else "Segment"
        present = "Segment" if total is None else "TotalSegments"
        raise validation(
            f"The {missing} parameter is required but was not present in the request when "
            f"parameter {present} is present"
        )
    if segment is not None and total is not None:
        if segment >= total:
            raise validation(
                "The Segment parameter is zero-based and must be less than parameter "
                f"TotalSegments: Segment: {segment} is not less than TotalSegments: {total}"
            )
        low, high = keys.segment_bounds(segment, total)
        sql += " AND h >= ? AND h < ?"
        params += [low, high]
    start = request.get("ExclusiveStartKey")
    if start:
        h, hk, position = source.start(start)
        sql += f" AND (h, hk, {column}) > (?, ?, ?)"
        params += [h, hk, position]
    sql += f" ORDER BY h, hk, {column}"
    return _page(db, source, request, sql, params, filter_tree, scope, trees)


def _bounds(sql: str, params: list[Any], column: str, bounds: RangeBounds) -> tuple[str, list[Any]]:
    if bounds.low is not None:
        sql += f" AND {column} >= ?"
        params.append(bounds.low)
    if bounds.high is not None:
        sql += f" AND {column} < ?"
        params.append(bounds.high)
    return sql, params


def _check_filter_keys(parsed: list[Any], scope: ast.Scope, source: Source) -> None:
    key_names = {source.hash.name} | ({source.range.name} if source.range else set())
    for kind, expression in parsed:
        if kind != "Filter":
            continue
        for name in _names_in(expression.tree, scope):
            if name in key_names:
                raise invalid(
                    "Filter Expression can only contain non-primary key attributes: Primary key "
                    f"attribute: {name}"
                )


def _names_in(node: Any, scope: ast.Scope) -> list[str]:
    if isinstance(node, ast.Path):
        first = node.concrete(scope)[0]
        return [first] if isinstance(first, str) else []
    found: list[str] = []
    for slot in getattr(node, "__slots__", ()):
        value = getattr(node, slot, None)
        children = value if isinstance(value, tuple) else (value,)
        for child in children:
            if isinstance(child, ast.Operand | ast.Condition):
                found += _names_in(child, scope)
    return found


def _page(
    db: Database,
    source: Source,
    request: dict[str, Any],
    sql: str,
    params: list[Any],
    filter_tree: ast.Condition | None,
    scope: ast.Scope,
    trees: dict[str, Any],
) -> dict[str, Any]:
    limit = request.get("Limit")
    select = request.get("Select")
    projection = trees.get("Projection")
    paths = (
        [p.concrete(scope) for p in projection]
        if projection
        else [p.elements for p in legacy.projection_for(request.get("AttributesToGet")) or ()]
    )
    if select is None:
        select = (
            "SPECIFIC_ATTRIBUTES"
            if paths
            else ("ALL_PROJECTED_ATTRIBUTES" if source.index else "ALL_ATTRIBUTES")
        )
    _check_select(select, source, bool(paths))
    fetch_base = source.index is not None and (
        select == "ALL_ATTRIBUTES"
        or (select == "SPECIFIC_ATTRIBUTES" and bool(unprojected(source.index, paths)))
    )
    if limit is not None:
        sql += " LIMIT ?"
        params = [*params, limit]
    cursor = db.store.execute(sql, params)
    items: list[Item] = []
    scanned = count = read_bytes = 0
    last: Item | None = None
    more = False
    while True:
        rows = cursor.fetchmany(256)
        if not rows:
            break
        for _, body in rows:
            item = storage.loads(body)
            scanned += 1
            read_bytes += len(body)
            last = item
            if fetch_base:
                item = db.items.load(source.table, source.table.row_key(item)) or item
            if filter_tree is None or filter_tree.test(item, scope):
                count += 1
                if select != "COUNT":
                    items.append(finish_projection(project(item, paths)) if paths else item)
            if read_bytes >= PAGE_BYTES or (limit is not None and scanned >= limit):
                more = True
                break
        if more:
            break
    cursor.close()
    result: dict[str, Any] = {"Count": count, "ScannedCount": scanned}
    if select != "COUNT":
        result["Items"] = items
    if more and last is not None:
        result["LastEvaluatedKey"] = source.last_key(last)
    meter = capacity.Meter(request.get("ReturnConsumedCapacity"))
    if meter.mode:
        units = capacity.read_units(read_bytes, bool(request.get("ConsistentRead")))
        meter.add(source.table, units, source.index.name if source.index else None)
        result["ConsumedCapacity"] = meter.single()
    return result


def unprojected(index: Index, paths: Sequence[Sequence[str | int]]) -> list[str]:
    """The attributes `paths` start with that `index` does not project, in their order: a local
    index fetches them from the table, as AWS does; for a global one AWS's error is raised."""
    if index.projection == "ALL":
        return []
    names = (
        index.key_names if index.projection == "KEYS_ONLY" else index.key_names | set(index.non_key)
    )
    missing: list[str] = []
    for path in paths:
        name = str(path[0])
        if name not in names and name not in missing:
            missing.append(name)
    if missing and not index.local:
        raise invalid(
            f"Global secondary index {index.name} does not project [{', '.join(missing)}]"
        )
    return missing


def _check_select(select: str, source: Source, projected: bool) -> None:
    if select == "SPECIFIC_ATTRIBUTES" and not projected:
        raise validation(
            "One or more parameter values were invalid: Select type SPECIFIC_ATTRIBUTES requires "
            "AttributesToGet or ProjectionExpression"
        )
    if select != "SPECIFIC_ATTRIBUTES" and projected:
        raise validation(
            f"Cannot specify the ProjectionExpression when choosing to get {select}"
            if select != "COUNT"
            else "Cannot specify the ProjectionExpression when choosing to get COUNT"
        )
    if select == "ALL_PROJECTED_ATTRIBUTES" and source.index is None:
        raise validation(
            "One or more parameter values were invalid: Select type ALL_PROJECTED_ATTRIBUTES is "
            "not supported for table"
        )
    index = source.index
    if (
        select == "ALL_ATTRIBUTES"
        and index is not None
        and not index.local
        and index.projection != "ALL"
    ):
        raise validation(
            "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not "
            f"supported for global secondary index {index.name} because its projection type is "
            "not ALL"
        )
