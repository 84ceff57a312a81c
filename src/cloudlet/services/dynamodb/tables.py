"""The table catalog: CreateTable's validation, persisted descriptions, and the in-memory cache.

Each table's description is one JSON row in `dynamodb_tables`; `Catalog.get` serves the request
path from a dict of built `Table` objects (per account, region and name), so a data-plane call
costs one dict lookup here. Anything that changes a table goes through `Catalog.save`, which
writes the row and rebuilds the cached `Table`.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from typing import Any

from cloudlet.errors import NotImplementedFeature, ValidationError
from cloudlet.platform.store import Store
from cloudlet.protocol.faults import Issue, coral_message
from cloudlet.services.dynamodb import storage
from cloudlet.services.dynamodb.errors import (
    in_use,
    invalid,
    not_found,
    table_not_found,
    validation,
)
from cloudlet.services.dynamodb.models import MAX_RANGE_KEY_BYTES, Index, KeyDef, Table

TableKey = tuple[str, str, str]

TABLE_NAME_PATTERN = "[a-zA-Z0-9_.-]+"
_TABLE_NAME = re.compile(TABLE_NAME_PATTERN)


class Catalog:
    """Every table of one cloudlet."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._tables: dict[TableKey, Table] = {}

    def clear(self) -> None:
        self._tables.clear()

    def find(self, account: str, region: str, name: str) -> Table | None:
        """The table `name` (a table name or ARN) names, if it exists; a malformed name is AWS's
        ValidationException. Tables found are cached; misses are not (any name can miss)."""
        key = (account, region, name)
        table = self._tables.get(key)
        if table is not None:
            return table
        if name.startswith("arn:"):
            named = _name_in_arn(account, region, name)
            return None if named is None else self.find(account, region, named)
        check_table_name(name)
        row = self.store.query_one(
            "SELECT tid, body FROM dynamodb_tables WHERE account = ? AND region = ? AND name = ?",
            key,
        )
        if row is None:
            return None
        table = self._tables[key] = build(account, region, row[0], json.loads(row[1]))
        return table

    def get(self, account: str, region: str, name: str) -> Table:
        """The table, or AWS's ResourceNotFoundException for data-plane calls."""
        table = self.find(account, region, name)
        if table is None:
            raise not_found()
        return table

    def require(self, account: str, region: str, name: str) -> Table:
        """The table, or the control plane's `Table: <name> not found` error."""
        table = self.find(account, region, name)
        if table is None:
            raise table_not_found(name)
        return table

    def insert(self, conn: Any, account: str, region: str, description: dict[str, Any]) -> Table:
        name = description["TableName"]
        if self.find(account, region, name) is not None:
            raise in_use(f"Table already exists: {name}")
        tid = storage.new_id(conn, "table")
        conn.execute(
            "INSERT INTO dynamodb_tables VALUES (?, ?, ?, ?, ?)",
            (account, region, name, tid, storage.dumps(description)),
        )
        table = build(account, region, tid, description)
        self._tables[(account, region, name)] = table
        return table

    def save(self, table: Table) -> Table:
        """Persist a changed description and rebuild the cached table."""
        self.store.execute(
            "UPDATE dynamodb_tables SET body = ? WHERE tid = ?",
            (storage.dumps(table.description), table.tid),
        )
        rebuilt = build(table.account, table.region, table.tid, table.description)
        self._tables[(table.account, table.region, table.name)] = rebuilt
        return rebuilt

    def remove(self, conn: Any, table: Table) -> None:
        conn.execute("DELETE FROM dynamodb_tables WHERE tid = ?", (table.tid,))
        conn.execute("INSERT OR IGNORE INTO dynamodb_purge VALUES (?, 'table')", (table.tid,))
        for index in table.indexes.values():
            conn.execute("INSERT OR IGNORE INTO dynamodb_purge VALUES (?, 'index')", (index.iid,))
        self._tables.pop((table.account, table.region, table.name), None)

    def names(self, account: str, region: str, after: str | None, limit: int) -> list[str]:
        rows = self.store.query(
            "SELECT name FROM dynamodb_tables WHERE account = ? AND region = ? AND name > ? "
            "ORDER BY name LIMIT ?",
            (account, region, after or "", limit),
        )
        return [row[0] for row in rows]

    def all_with_ttl(self) -> list[Table]:
        rows = self.store.query("SELECT account, region, tid, body FROM dynamodb_tables")
        tables = [build(row[0], row[1], row[2], json.loads(row[3])) for row in rows]
        return [table for table in tables if table.ttl_attribute]


def build(account: str, region: str, tid: int, description: dict[str, Any]) -> Table:
    """The request path's `Table` from a stored description."""
    types = {d["AttributeName"]: d["AttributeType"] for d in description["AttributeDefinitions"]}
    hash_name, range_name = _key_names(description["KeySchema"])
    table = Table(
        account=account,
        region=region,
        name=description["TableName"],
        tid=tid,
        hash=KeyDef(hash_name, types[hash_name]),
        range=(KeyDef(range_name, types[range_name], MAX_RANGE_KEY_BYTES) if range_name else None),
        description=description,
    )
    for kind, local in (("GlobalSecondaryIndexes", False), ("LocalSecondaryIndexes", True)):
        for index in description.get(kind, ()):
            if index.get("IndexStatus") == "DELETING":
                continue
            index_hash, index_range = _key_names(index["KeySchema"])
            projection = index["Projection"]
            key_names = {index_hash, *table.key_names}
            if index_range:
                key_names.add(index_range)
            table.indexes[index["IndexName"]] = Index(
                name=index["IndexName"],
                iid=index["_iid"],
                local=local,
                hash=KeyDef(index_hash, types[index_hash]),
                range=KeyDef(index_range, types[index_range]) if index_range else None,
                projection=projection["ProjectionType"],
                non_key=tuple(projection.get("NonKeyAttributes", ())),
                key_names=frozenset(key_names),
            )
    stream = description.get("_stream")
    if stream and stream.get("enabled"):
        table.stream_id = stream["sid"]
        table.stream_view = stream["view"]
    ttl = description.get("_ttl")
    if ttl and ttl.get("enabled"):
        table.ttl_attribute = ttl["attribute"]
    return table


def _key_names(schema: list[dict[str, str]]) -> tuple[str, str | None]:
    hash_name = next(e["AttributeName"] for e in schema if e["KeyType"] == "HASH")
    range_name = next((e["AttributeName"] for e in schema if e["KeyType"] == "RANGE"), None)
    return hash_name, range_name


def check_key_schema(
    schema: list[dict[str, str]], definitions: dict[str, str], *, index: bool = False
) -> None:
    """AWS's checks of one KeySchema (table or index) against the AttributeDefinitions."""
    if index and (len(schema) > 2 or [e["KeyType"] for e in schema] == ["HASH", "HASH"]):
        raise NotImplementedFeature("An index key of several HASH or RANGE attributes")
    if schema[0]["KeyType"] != "HASH":
        raise validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
    if len(schema) == 2:
        if schema[1]["KeyType"] != "RANGE":
            raise validation(
                "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type"
            )
        if schema[0]["AttributeName"] == schema[1]["AttributeName"]:
            raise validation("Invalid KeySchema: Some index key attribute have no definition")
    for element in schema:
        if element["AttributeName"] not in definitions:
            raise invalid(
                "Some index key attributes are not defined in AttributeDefinitions. Keys: "
                f"[{', '.join(e['AttributeName'] for e in schema)}], AttributeDefinitions: "
                f"[{', '.join(definitions)}]"
            )


def throughput(request: dict[str, Any], mode: str, what: str = "") -> dict[str, int]:
    """The ProvisionedThroughput description for a billing mode (zeros on demand)."""
    given = request.get("ProvisionedThroughput")
    if mode == "PAY_PER_REQUEST":
        if given is not None:
            raise invalid(
                "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when "
                f"BillingMode is PAY_PER_REQUEST{what}"
            )
        return {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
    if given is None:
        raise invalid(
            "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is "
            "PROVISIONED"
        )
    return {
        "NumberOfDecreasesToday": 0,
        "ReadCapacityUnits": given["ReadCapacityUnits"],
        "WriteCapacityUnits": given["WriteCapacityUnits"],
    }


def new_description(request: dict[str, Any], conn: Any, table_arn: str) -> dict[str, Any]:
    """The stored description of a table CreateTable is about to create (validated)."""
    definitions = {d["AttributeName"]: d["AttributeType"] for d in request["AttributeDefinitions"]}
    schema = request["KeySchema"]
    check_key_schema(schema, definitions)
    mode = request.get("BillingMode") or "PROVISIONED"
    used = {e["AttributeName"] for e in schema}
    gsis = request.get("GlobalSecondaryIndexes") or []
    lsis = request.get("LocalSecondaryIndexes") or []
    names: set[str] = set()
    for index in [*gsis, *lsis]:
        if index["IndexName"] in names:
            raise invalid(f"Duplicate index name: {index['IndexName']}")
        names.add(index["IndexName"])
    if lsis and len(schema) < 2:
        raise invalid(
            "Table KeySchema does not have a range key, which is required when specifying a "
            "LocalSecondaryIndex"
        )
    now = time.time()
    description: dict[str, Any] = {
        "TableName": request["TableName"],
        "AttributeDefinitions": request["AttributeDefinitions"],
        "KeySchema": schema,
        "CreationDateTime": now,
        "ProvisionedThroughput": throughput(request, mode),
        "TableId": str(uuid.uuid4()),
        "DeletionProtectionEnabled": bool(request.get("DeletionProtectionEnabled", False)),
        "TableClassSummary": {"TableClass": request.get("TableClass") or "STANDARD"},
    }
    if mode == "PAY_PER_REQUEST":
        description["BillingModeSummary"] = {
            "BillingMode": mode,
            "LastUpdateToPayPerRequestDateTime": now,
        }
    for index in lsis:
        index_schema = index["KeySchema"]
        check_key_schema(index_schema, definitions, index=True)
        if index_schema[0]["AttributeName"] != schema[0]["AttributeName"]:
            raise invalid(
                "Index KeySchema does not have the same leading hash key as table KeySchema for "
                f"index: {index['IndexName']}. index hash key: {index_schema[0]['AttributeName']}"
                f", table hash key: {schema[0]['AttributeName']}"
            )
        used.update(e["AttributeName"] for e in index_schema)
    for index in gsis:
        check_key_schema(index["KeySchema"], definitions, index=True)
        used.update(e["AttributeName"] for e in index["KeySchema"])
    unused = [name for name in definitions if name not in used]
    if unused:
        raise invalid(
            "Number of attributes in KeySchema does not exactly match number of attributes "
            "defined in AttributeDefinitions"
        )
    if lsis:
        description["LocalSecondaryIndexes"] = [
            index_description(index, conn, table_arn, local=True) for index in lsis
        ]
    if gsis:
        description["GlobalSecondaryIndexes"] = [
            index_description(index, conn, table_arn, mode=mode) for index in gsis
        ]
    return description


def index_description(
    index: dict[str, Any],
    conn: Any,
    table_arn: str,
    *,
    local: bool = False,
    mode: str = "",
    status: str = "ACTIVE",
) -> dict[str, Any]:
    projection = dict(index["Projection"])
    projection.setdefault("ProjectionType", "ALL")
    if projection["ProjectionType"] == "INCLUDE" and not projection.get("NonKeyAttributes"):
        raise invalid("ProjectionType is INCLUDE, but NonKeyAttributes is not specified")
    if projection["ProjectionType"] != "INCLUDE" and projection.get("NonKeyAttributes"):
        raise invalid(
            f"ProjectionType is {projection['ProjectionType']}, but NonKeyAttributes is specified"
        )
    described: dict[str, Any] = {
        "IndexName": index["IndexName"],
        "KeySchema": index["KeySchema"],
        "Projection": projection,
        "IndexArn": f"{table_arn}/index/{index['IndexName']}",
        "_iid": storage.new_id(conn, "index"),
    }
    if not local:
        described["IndexStatus"] = status
        described["ProvisionedThroughput"] = throughput(index, mode, "")
        if status == "CREATING":
            described["Backfilling"] = True
    return described


def check_table_name(name: str) -> None:
    """AWS's constraints on a table name (3 to 255 of `[a-zA-Z0-9_.-]`), in its own words."""
    issues = _name_issues(name)
    if issues:
        raise ValidationError(coral_message(issues))


def check_new_table(request: dict[str, Any]) -> None:
    """CreateTable's constraints beyond the model: the table name's, and a table KeySchema of at
    most two elements (the model allows more, for multi-attribute index keys). AWS echoes the
    schema as a Java list and lists keySchema first."""
    issues = []
    schema = request["KeySchema"]
    if len(schema) > 2:
        shown = ", ".join(
            f"KeySchemaElement(attributeName={e['AttributeName']}, keyType={e['KeyType']})"
            for e in schema
        )
        issues.append(Issue(("KeySchema",), "max_length", 2, f"[{shown}]"))
    issues += _name_issues(request["TableName"])
    if issues:
        raise ValidationError(coral_message(issues))


def check_request_items(request_items: dict[str, Any]) -> None:
    """BatchGetItem's and BatchWriteItem's table names, the keys of RequestItems: AWS reports a
    malformed one as a constraint on the map's keys, echoing the whole map."""
    if not any(_name_issues(name) for name in request_items if not name.startswith("arn:")):
        return
    raise ValidationError(
        f"1 validation error detected: Value '{storage.dumps(request_items)}' at 'requestItems' "
        "failed to satisfy constraint: Map keys must satisfy constraint: [Member must have "
        "length less than or equal to 255, Member must have length greater than or equal to 3, "
        f"Member must satisfy regular expression pattern: {TABLE_NAME_PATTERN}]"
    )


def check_transaction_table_names(items: list[dict[str, Any]]) -> None:
    """The table names of TransactWriteItems' or TransactGetItems' actions, each named by its
    place (`transactItems.2.member.put.tableName`), as AWS reports them before anything else."""
    issues = [
        issue
        for position, entry in enumerate(items)
        for kind, action in entry.items()
        if isinstance(action, dict)
        and isinstance(action.get("TableName"), str)
        and not action["TableName"].startswith("arn:")
        for issue in _name_issues(action["TableName"], ("TransactItems", position, kind))
    ]
    if issues:
        raise ValidationError(coral_message(issues))


def _name_issues(name: str, at: tuple[str | int, ...] = ()) -> list[Issue]:
    path = (*at, "TableName")
    issues = []
    if len(name) < 3:
        issues.append(Issue(path, "min_length", 3, name))
    elif len(name) > 255:
        issues.append(Issue(path, "max_length", 255, name))
    if not _TABLE_NAME.fullmatch(name):
        issues.append(Issue(path, "pattern", TABLE_NAME_PATTERN, name))
    return issues


def _name_in_arn(account: str, region: str, arn: str) -> str | None:
    """The table name of a table ARN in this account and region (None: no such table here)."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[2] != "dynamodb" or (parts[3], parts[4]) != (region, account):
        return None
    kind, _, name = parts[5].partition("/")
    return name if kind == "table" and name and "/" not in name else None
