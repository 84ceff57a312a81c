"""Background work on the platform clock: GSI backfill, TTL expiry, purging deleted tables.

All of it runs in small chunks with a yield to the event loop between them, so a large table never
stalls other requests:

- `backfill` fills a GSI created by UpdateTable from the table, then marks it ACTIVE. Writes made
  meanwhile already maintain the index (it is in the table's index list from the start).
- `sweep_ttl` deletes items whose TTL attribute is in the past (found through the partial index on
  `ttl`), each with a REMOVE stream record attributed to the DynamoDB service, as on AWS.
- `purge` deletes the rows of deleted tables and indexes, and stream records past 24 hours.
"""

from __future__ import annotations

import asyncio
import time

from cloudlet.services.dynamodb import storage, streams
from cloudlet.services.dynamodb.database import Database

CHUNK = 500
TTL_IDENTITY = {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}


async def backfill(
    db: Database, account: str, region: str, table_name: str, index_name: str
) -> None:
    table = db.catalog.find(account, region, table_name)
    if table is None or index_name not in table.indexes:
        return
    index = table.indexes[index_name]
    last: tuple[int, bytes, bytes] = (-1, b"", b"")
    while True:
        rows = db.store.query(
            "SELECT h, hk, rk, body FROM dynamodb_items WHERE tid = ? AND (h, hk, rk) > (?, ?, ?)"
            " ORDER BY h, hk, rk LIMIT ?",
            (table.tid, *last, CHUNK),
        )
        if not rows:
            break
        with db.store.atomic() as conn:
            for row in rows:
                entry = index.entry(storage.loads(row[3]), table)
                if entry is not None:
                    conn.execute(
                        "INSERT OR REPLACE INTO dynamodb_index_items VALUES (?, ?, ?, ?, ?)",
                        (index.iid, *entry[:3], storage.dumps(entry[3])),
                    )
        last = (rows[-1][0], rows[-1][1], rows[-1][2])
        await asyncio.sleep(0)
    table = db.catalog.find(account, region, table_name)
    if table is None:
        return
    for described in table.description.get("GlobalSecondaryIndexes", ()):
        if described["IndexName"] == index_name:
            described["IndexStatus"] = "ACTIVE"
            described.pop("Backfilling", None)
    db.catalog.save(table)


async def sweep_ttl(db: Database) -> bool:
    """Delete expired items of every TTL table; False when no table has TTL enabled."""
    tables = db.catalog.all_with_ttl()
    now = time.time()
    for stored in tables:
        table = db.catalog.find(stored.account, stored.region, stored.name)
        if table is None or not table.ttl_attribute:
            continue
        while True:
            rows = db.store.query(
                "SELECT h, hk, rk, body FROM dynamodb_items WHERE tid = ? AND ttl IS NOT NULL "
                "AND ttl <= ? LIMIT ?",
                (table.tid, now, CHUNK),
            )
            if not rows:
                break
            with db.store.atomic():
                for row in rows:
                    db.items.write(
                        table,
                        (row[0], row[1], row[2]),
                        storage.loads(row[3]),
                        None,
                        identity=TTL_IDENTITY,
                    )
            await asyncio.sleep(0)
    return bool(tables)


async def purge(db: Database) -> None:
    """Delete rows of deleted tables and indexes, and expired stream records."""
    for tid, kind in db.store.query("SELECT tid, kind FROM dynamodb_purge"):
        sql_table, column = (
            ("dynamodb_items", "tid") if kind == "table" else ("dynamodb_index_items", "iid")
        )
        while True:
            cursor = db.store.execute(
                f"DELETE FROM {sql_table} WHERE {column} = ? AND (h, hk) IN "
                f"(SELECT h, hk FROM {sql_table} WHERE {column} = ? LIMIT ?)",
                (tid, tid, CHUNK),
            )
            if cursor.rowcount == 0:
                break
            await asyncio.sleep(0)
        db.store.execute("DELETE FROM dynamodb_purge WHERE tid = ?", (tid,))
    db.store.execute(
        "DELETE FROM dynamodb_stream_records WHERE created < ?",
        (time.time() - streams.RETENTION_SECONDS,),
    )
