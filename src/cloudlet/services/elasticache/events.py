"""ElastiCache events (`DescribeEvents`): what happened to which resource, newest first.

Events live in their own indexed table, per account and region, and are kept 14 days as on AWS.
Messages are AWS's wording ("Cache cluster created", "Added cache node 0001 in availability zone
us-east-1a", ...). `DescribeEvents` without a time window answers the last hour, as AWS does.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from cloudlet.errors import ServiceError
from cloudlet.platform.store import Store

RETENTION_SECONDS = 14 * 24 * 3600
SOURCE_TYPES = (
    "cache-cluster",
    "cache-parameter-group",
    "cache-security-group",
    "cache-subnet-group",
    "replication-group",
    "serverless-cache",
    "serverless-cache-snapshot",
    "user",
    "user-group",
)

_MIGRATIONS = [
    (
        "0001_events",
        """
        CREATE TABLE elasticache_events (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            account TEXT NOT NULL, region TEXT NOT NULL, date REAL NOT NULL,
            source_type TEXT NOT NULL, source_id TEXT NOT NULL, message TEXT NOT NULL
        );
        CREATE INDEX elasticache_events_by_date ON elasticache_events (account, region, date);
        """,
    )
]


class Events:
    """The event log of every account and region."""

    def __init__(self, store: Store) -> None:
        store.migrate("elasticache", _MIGRATIONS)
        self.store = store

    def record(
        self, account: str, region: str, source_type: str, source_id: str, message: str
    ) -> None:
        now = time.time()
        self.store.execute(
            "INSERT INTO elasticache_events (account, region, date, source_type, source_id,"
            " message) VALUES (?, ?, ?, ?, ?, ?)",
            (account, region, now, source_type, source_id, message),
        )
        self.store.execute(
            "DELETE FROM elasticache_events WHERE account = ? AND region = ? AND date < ?",
            (account, region, now - RETENTION_SECONDS),
        )

    def describe(self, account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
        max_records = request.get("MaxRecords", 100)
        if not 20 <= max_records <= 100:
            raise ServiceError(
                "MaxRecords must be between 20 and 100.", code="InvalidParameterValueException"
            )
        source_type = request.get("SourceType")
        if source_type is not None and source_type not in SOURCE_TYPES:
            raise ServiceError(
                f"Invalid value for SourceType: {source_type}",
                code="InvalidParameterValueException",
            )
        now = time.time()
        end = _epoch(request.get("EndTime")) or now
        start = _epoch(request.get("StartTime"))
        if start is None:
            minutes = request.get("Duration")
            start = (end - minutes * 60) if minutes is not None else end - 3600
            if request.get("EndTime") is None and minutes is None:
                start = now - 3600
        sql = (
            "SELECT seq, date, source_type, source_id, message FROM elasticache_events"
            " WHERE account = ? AND region = ? AND date >= ? AND date <= ?"
        )
        params: list[Any] = [account, region, start, end]
        if source_type:
            sql += " AND source_type = ?"
            params.append(source_type)
        if request.get("SourceIdentifier"):
            sql += " AND source_id = ?"
            params.append(request["SourceIdentifier"])
        marker = request.get("Marker")
        if marker:
            try:
                params.append(int(marker))
            except ValueError:
                raise ServiceError(
                    "Invalid marker.", code="InvalidParameterValueException"
                ) from None
            sql += " AND seq < ?"
        sql += " ORDER BY seq DESC LIMIT ?"
        params.append(max_records + 1)
        rows = self.store.query(sql, params)
        result: dict[str, Any] = {
            "Events": [
                {
                    "SourceIdentifier": row["source_id"],
                    "SourceType": row["source_type"],
                    "Message": row["message"],
                    "Date": datetime.fromtimestamp(row["date"], UTC),
                }
                for row in rows[:max_records]
            ]
        }
        if len(rows) > max_records:
            result["Marker"] = str(rows[max_records - 1]["seq"])
        return result


def _epoch(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.timestamp()
    return float(value)
