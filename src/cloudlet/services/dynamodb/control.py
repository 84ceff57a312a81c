"""The control plane: CreateTable, DescribeTable, UpdateTable, DeleteTable, ListTables, tags,
time to live and point-in-time recovery flags.

Tables are ACTIVE as soon as CreateTable returns (its answer says CREATING, as AWS's does, and the
first DescribeTable says ACTIVE). A GSI added by UpdateTable starts CREATING with `Backfilling`
and turns ACTIVE once `indexes.backfill` has filled it from the table; the provider schedules that
on the platform clock.
"""

from __future__ import annotations

import copy
import time
from typing import Any

from cloudlet.services.dynamodb import streams
from cloudlet.services.dynamodb.database import Database
from cloudlet.services.dynamodb.errors import in_use, not_found, validation
from cloudlet.services.dynamodb.models import Table
from cloudlet.services.dynamodb.tables import (
    check_key_schema,
    check_new_table,
    index_description,
    new_description,
    throughput,
)

_count_cache: dict[int, tuple[float, int, int]] = {}
COUNT_CACHE_SECONDS = 5.0


def create_table(
    db: Database, account: str, region: str, request: dict[str, Any]
) -> dict[str, Any]:
    name = request["TableName"]
    check_new_table(request)
    arn = f"arn:aws:dynamodb:{region}:{account}:table/{name}"
    with db.store.atomic() as conn:
        if db.catalog.find(account, region, name) is not None:
            raise in_use(f"Table already exists: {name}")
        description = new_description(request, conn, arn)
        description["_tags"] = {tag["Key"]: tag["Value"] for tag in request.get("Tags") or ()}
        table = db.catalog.insert(conn, account, region, description)
        spec = request.get("StreamSpecification")
        if spec and spec.get("StreamEnabled"):
            description["_stream"] = streams.create(conn, table, _view_type(spec))
    table = db.catalog.save(db.catalog.get(account, region, name))
    return describe(db, table, status="CREATING")


def _view_type(spec: dict[str, Any]) -> str:
    view = spec.get("StreamViewType")
    if not view:
        raise validation("StreamViewType is required when StreamEnabled is true")
    return str(view)


def counts(db: Database, table: Table) -> tuple[int, int]:
    """(ItemCount, TableSizeBytes), refreshed at most every few seconds (AWS's are stale too)."""
    cached = _count_cache.get(table.tid)
    now = time.monotonic()
    if cached and now - cached[0] < COUNT_CACHE_SECONDS:
        return cached[1], cached[2]
    row = db.store.query_one(
        "SELECT COUNT(*), COALESCE(SUM(LENGTH(body)), 0) FROM dynamodb_items WHERE tid = ?",
        (table.tid,),
    )
    count, size = (row[0], row[1]) if row else (0, 0)
    _count_cache[table.tid] = (now, count, size)
    return count, size


def describe(db: Database, table: Table, status: str | None = None) -> dict[str, Any]:
    """The TableDescription of `table`."""
    description = table.description
    item_count, size = counts(db, table) if status is None else (0, 0)
    creating = any(
        index.get("IndexStatus") in ("CREATING", "DELETING")
        for index in description.get("GlobalSecondaryIndexes", ())
    )
    result: dict[str, Any] = {
        key: value for key, value in description.items() if not key.startswith("_")
    }
    result["TableStatus"] = status or ("UPDATING" if creating else "ACTIVE")
    result["TableArn"] = table.arn
    result["ItemCount"] = item_count
    result["TableSizeBytes"] = size
    for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        if kind in description:
            result[kind] = [
                {k: v for k, v in index.items() if not k.startswith("_")}
                | {
                    "ItemCount": item_count if kind == "LocalSecondaryIndexes" else 0,
                    "IndexSizeBytes": 0,
                }
                for index in description[kind]
            ]
    stream = description.get("_stream")
    if stream:
        result["LatestStreamLabel"] = stream["label"]
        result["LatestStreamArn"] = stream["arn"]
        result["StreamSpecification"] = (
            {"StreamEnabled": True, "StreamViewType": stream["view"]}
            if stream.get("enabled")
            else {"StreamEnabled": False}
        )
    return result


def delete_table(
    db: Database, account: str, region: str, request: dict[str, Any]
) -> dict[str, Any]:
    table = db.catalog.require(account, region, request["TableName"])
    if table.description.get("DeletionProtectionEnabled"):
        raise validation(
            "Resource cannot be deleted as it is currently protected against deletion. Disable "
            "deletion protection first."
        )
    described = describe(db, table, status="DELETING")
    with db.store.atomic() as conn:
        db.catalog.remove(conn, table)
    if table.stream_id is not None:
        streams.disable(db.store, table.stream_id)
    _count_cache.pop(table.tid, None)
    return described


def list_tables(db: Database, account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
    limit = request.get("Limit") or 100
    names = db.catalog.names(account, region, request.get("ExclusiveStartTableName"), limit + 1)
    result: dict[str, Any] = {"TableNames": names[:limit]}
    if len(names) > limit:
        result["LastEvaluatedTableName"] = names[limit - 1]
    return result


def update_table(
    db: Database, account: str, region: str, request: dict[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """UpdateTable; returns the description and the GSIs that now need a backfill."""
    table = db.catalog.require(account, region, request["TableName"])
    description = copy.deepcopy(table.description)  # the cached one changes only on success
    definitions = {
        d["AttributeName"]: d["AttributeType"] for d in description["AttributeDefinitions"]
    }
    for definition in request.get("AttributeDefinitions") or ():
        definitions[definition["AttributeName"]] = definition["AttributeType"]
    mode = request.get("BillingMode") or description.get("BillingModeSummary", {}).get(
        "BillingMode", "PROVISIONED"
    )
    if request.get("BillingMode") or request.get("ProvisionedThroughput"):
        description["ProvisionedThroughput"] = throughput(request, mode)
        if mode == "PAY_PER_REQUEST":
            description["BillingModeSummary"] = {
                "BillingMode": mode,
                "LastUpdateToPayPerRequestDateTime": time.time(),
            }
        else:
            description.pop("BillingModeSummary", None)
    if request.get("DeletionProtectionEnabled") is not None:
        description["DeletionProtectionEnabled"] = request["DeletionProtectionEnabled"]
    if request.get("TableClass"):
        description["TableClassSummary"] = {"TableClass": request["TableClass"]}
    backfills: list[str] = []
    with db.store.atomic() as conn:
        for change in request.get("GlobalSecondaryIndexUpdates") or ():
            backfills += _index_change(conn, table, description, definitions, change, mode)
        description["AttributeDefinitions"] = [
            {"AttributeName": name, "AttributeType": kind} for name, kind in definitions.items()
        ]
        spec = request.get("StreamSpecification")
        if spec is not None:
            _stream_change(db, conn, table, description, spec)
    table.description = description
    table = db.catalog.save(table)
    return describe(db, table, status="UPDATING"), backfills


def _index_change(
    conn: Any,
    table: Table,
    description: dict[str, Any],
    definitions: dict[str, str],
    change: dict[str, Any],
    mode: str,
) -> list[str]:
    indexes: list[dict[str, Any]] = description.setdefault("GlobalSecondaryIndexes", [])
    names = {index["IndexName"] for index in indexes}
    names |= {index["IndexName"] for index in description.get("LocalSecondaryIndexes", ())}
    if change.get("Create"):
        spec = change["Create"]
        if spec["IndexName"] in names:
            raise validation(
                "One or more parameter values were invalid: Index already exists: "
                + spec["IndexName"]
            )
        check_key_schema(spec["KeySchema"], definitions, index=True)
        indexes.append(index_description(spec, conn, table.arn, mode=mode, status="CREATING"))
        return [spec["IndexName"]]
    if change.get("Delete"):
        name = change["Delete"]["IndexName"]
        found = next((index for index in indexes if index["IndexName"] == name), None)
        if found is None:
            raise not_found(f"Requested resource not found: Index: {name} not found")
        indexes.remove(found)
        conn.execute("INSERT OR IGNORE INTO dynamodb_purge VALUES (?, 'index')", (found["_iid"],))
    if change.get("Update"):
        name = change["Update"]["IndexName"]
        found = next((index for index in indexes if index["IndexName"] == name), None)
        if found is None:
            raise not_found(f"Requested resource not found: Index: {name} not found")
        found["ProvisionedThroughput"] = throughput(change["Update"], mode)
    if not indexes:
        description.pop("GlobalSecondaryIndexes")
    return []


def _stream_change(
    db: Database, conn: Any, table: Table, description: dict[str, Any], spec: dict[str, Any]
) -> None:
    current = description.get("_stream")
    if spec.get("StreamEnabled"):
        if current and current.get("enabled"):
            raise validation(f"Table already has an enabled stream: {current['arn']}")
        description["_stream"] = streams.create(conn, table, _view_type(spec))
    else:
        if not current or not current.get("enabled"):
            raise validation("Table already has no enabled stream")
        current["enabled"] = False
        streams.disable(db.store, current["sid"])


def find_by_arn(db: Database, arn: str) -> Table:
    """The table a resource ARN (table or index) names."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or not parts[5].startswith("table/"):
        raise validation(f"Invalid TableArn: Invalid ResourceArn provided as input {arn}")
    name = parts[5].split("/")[1]
    table = db.catalog.find(parts[4], parts[3], name)
    if table is None:
        raise not_found(f"Requested resource not found: ResourcArn: {arn} not found")
    return table


def tag(db: Database, request: dict[str, Any], remove: bool = False) -> None:
    table = find_by_arn(db, request["ResourceArn"])
    tags: dict[str, str] = table.description.setdefault("_tags", {})
    if remove:
        for key in request["TagKeys"]:
            tags.pop(key, None)
    else:
        for entry in request["Tags"]:
            tags[entry["Key"]] = entry["Value"]
    db.catalog.save(table)


def list_tags(db: Database, request: dict[str, Any]) -> dict[str, Any]:
    table = find_by_arn(db, request["ResourceArn"])
    tags = table.description.get("_tags", {})
    return {"Tags": [{"Key": key, "Value": value} for key, value in sorted(tags.items())]}


def update_ttl(db: Database, account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
    table = db.catalog.require(account, region, request["TableName"])
    spec = request["TimeToLiveSpecification"]
    current = table.description.get("_ttl") or {}
    if bool(current.get("enabled")) == bool(spec["Enabled"]):
        raise validation(
            "TimeToLive is already enabled" if spec["Enabled"] else "TimeToLive is already disabled"
        )
    table.description["_ttl"] = {"enabled": spec["Enabled"], "attribute": spec["AttributeName"]}
    table = db.catalog.save(table)
    if spec["Enabled"]:
        backfill_ttl(db, table)
    else:
        db.store.execute(
            "UPDATE dynamodb_items SET ttl = NULL WHERE tid = ? AND ttl IS NOT NULL", (table.tid,)
        )
    return {"TimeToLiveSpecification": spec}


def backfill_ttl(db: Database, table: Table) -> None:
    """Fill the TTL column of existing items (TTL was just enabled)."""
    from cloudlet.services.dynamodb.items import _ttl_value
    from cloudlet.services.dynamodb.storage import loads

    attribute = table.ttl_attribute
    assert attribute is not None
    rows = db.store.query("SELECT h, hk, rk, body FROM dynamodb_items WHERE tid = ?", (table.tid,))
    with db.store.atomic() as conn:
        for row in rows:
            if attribute not in row[3]:
                continue
            value = _ttl_value(loads(row[3]).get(attribute))
            if value is not None:
                conn.execute(
                    "UPDATE dynamodb_items SET ttl = ? "
                    "WHERE tid = ? AND h = ? AND hk = ? AND rk = ?",
                    (value, table.tid, row[0], row[1], row[2]),
                )


def describe_ttl(
    db: Database, account: str, region: str, request: dict[str, Any]
) -> dict[str, Any]:
    table = db.catalog.require(account, region, request["TableName"])
    ttl = table.description.get("_ttl")
    if not ttl:
        return {"TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}}
    status = "ENABLED" if ttl["enabled"] else "DISABLED"
    described: dict[str, Any] = {"TimeToLiveStatus": status}
    if ttl["enabled"]:
        described["AttributeName"] = ttl["attribute"]
    return {"TimeToLiveDescription": described}


def continuous_backups(table: Table) -> dict[str, Any]:
    enabled = table.description.get("_pitr", False)
    recovery: dict[str, Any] = {"PointInTimeRecoveryStatus": "ENABLED" if enabled else "DISABLED"}
    if enabled:
        recovery["RecoverabilityPeriodInDays"] = 35
    return {
        "ContinuousBackupsDescription": {
            "ContinuousBackupsStatus": "ENABLED",
            "PointInTimeRecoveryDescription": recovery,
        }
    }


def check_index_name(table: Table, name: str) -> None:
    if name not in table.indexes:
        raise validation(f"The table does not have the specified index: {name}")
