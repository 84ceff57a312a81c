"""Metric storage, PutMetricData's rules, and the in-process publishing API for other services.

Storage (one shared SQLite store):

    cw_metrics      one row per (account, region, namespace, metric name, dimensions): the
                    metric's id, when it was first and last published (ListMetrics, RecentlyActive)
    cw_datapoints   one row per published datum: (metric id, timestamp) indexed; unit, storage
                    resolution, SampleCount/Sum/Minimum/Maximum, and the raw values with their
                    counts when they were published as Values/Counts (percentiles need them; a
                    single Value or a StatisticSet with Minimum == Maximum carries its own)

Timestamps are kept as published (epoch seconds). Standard-resolution data (StorageResolution 60)
counts as published at the start of its minute when read at a finer period, as AWS stores it at
one-minute granularity (`statistics` applies that when aggregating).

Other services publish in-process, with datum dicts shaped as in PutMetricData (`Timestamp` a
datetime or epoch seconds, default now), and may use AWS's reserved `AWS/` namespaces:

    from cloudlet.services.cloudwatch.metrics import put_metric_data

    put_metric_data(platform, account, region, "AWS/EC2", [
        {"MetricName": "CPUUtilization", "Value": 42.0, "Unit": "Percent",
         "Dimensions": [{"Name": "InstanceId", "Value": "i-0123456789abcdef0"}]},
    ])

It validates as PutMetricData does (`metric_input`) and raises the same `ServiceError`s.
"""

from __future__ import annotations

import json
import time
import weakref
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from cloudlet.platform.store import Migration, Store
from cloudlet.services.cloudwatch.metric_input import parse_metric_data
from cloudlet.services.cloudwatch.models import (
    Datum,
    MetricKey,
    Sample,
    dims_from_key,
    dims_key,
)

__all__ = ["MetricStore", "Sample", "metric_store", "parse_metric_data", "put_metric_data"]

if TYPE_CHECKING:
    from cloudlet.platform.runtime import Platform

RETENTION_SECONDS = 455 * 86400.0
"""AWS keeps datapoints for 15 months (rolled up to coarser periods; cloudlet keeps them raw)."""

MIGRATIONS: list[Migration] = [
    (
        "0001_metrics",
        """
        CREATE TABLE cw_metrics (
            id INTEGER PRIMARY KEY,
            account TEXT NOT NULL,
            region TEXT NOT NULL,
            namespace TEXT NOT NULL,
            name TEXT NOT NULL,
            dims TEXT NOT NULL,
            first_put REAL NOT NULL,
            last_put REAL NOT NULL,
            UNIQUE (account, region, namespace, name, dims)
        );
        CREATE TABLE cw_datapoints (
            metric_id INTEGER NOT NULL,
            ts REAL NOT NULL,
            unit TEXT NOT NULL,
            resolution INTEGER NOT NULL,
            count REAL NOT NULL,
            sum REAL NOT NULL,
            min REAL NOT NULL,
            max REAL NOT NULL,
            vals TEXT
        );
        CREATE INDEX cw_datapoints_metric_ts ON cw_datapoints (metric_id, ts);
        """,
    )
]


class MetricStore:
    """The metrics and datapoints of one cloudlet."""

    def __init__(self, store: Store) -> None:
        store.migrate("cloudwatch", MIGRATIONS)
        self.store = store

    def put(self, account: str, region: str, data: list[Datum]) -> None:
        """Store validated data (all or nothing)."""
        now = time.time()
        ids: dict[MetricKey, int] = {}
        rows = []
        with self.store.atomic() as conn:
            for datum in data:
                metric_id = ids.get(datum.key)
                if metric_id is None:
                    row = conn.execute(
                        "INSERT INTO cw_metrics (account, region, namespace, name, dims,"
                        " first_put, last_put) VALUES (?, ?, ?, ?, ?, ?, ?)"
                        " ON CONFLICT (account, region, namespace, name, dims)"
                        " DO UPDATE SET last_put = excluded.last_put RETURNING id",
                        (
                            account,
                            region,
                            datum.key.namespace,
                            datum.key.name,
                            dims_key(datum.key.dims),
                            now,
                            now,
                        ),
                    ).fetchone()
                    metric_id = ids[datum.key] = int(row[0])
                vals = json.dumps(datum.values, separators=(",", ":")) if datum.values else None
                rows.append(
                    (
                        metric_id,
                        datum.ts,
                        datum.unit,
                        datum.resolution,
                        datum.count,
                        datum.sum,
                        datum.min,
                        datum.max,
                        vals,
                    )
                )
            conn.executemany("INSERT INTO cw_datapoints VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def expire(self, now: float | None = None) -> None:
        """Forget datapoints, and metrics not published, for longer than AWS keeps them."""
        before = (time.time() if now is None else now) - RETENTION_SECONDS
        with self.store.atomic() as conn:
            conn.execute("DELETE FROM cw_datapoints WHERE ts < ?", (before,))
            conn.execute("DELETE FROM cw_metrics WHERE last_put < ?", (before,))

    def metric_id(self, account: str, region: str, key: MetricKey) -> int | None:
        row = self.store.query_one(
            "SELECT id FROM cw_metrics WHERE account = ? AND region = ? AND namespace = ?"
            " AND name = ? AND dims = ?",
            (account, region, key.namespace, key.name, dims_key(key.dims)),
        )
        return int(row[0]) if row else None

    def samples(
        self,
        account: str,
        region: str,
        key: MetricKey,
        start: float,
        end: float,
        unit: str | None = None,
    ) -> list[Sample]:
        """The data of one metric published in [start, end), oldest first."""
        metric_id = self.metric_id(account, region, key)
        if metric_id is None:
            return []
        sql = (
            "SELECT ts, unit, resolution, count, sum, min, max, vals FROM cw_datapoints"
            " WHERE metric_id = ? AND ts >= ? AND ts < ?"
        )
        params: list[Any] = [metric_id, start, end]
        if unit is not None:
            sql += " AND unit = ?"
            params.append(unit)
        sql += " ORDER BY ts"
        return [
            Sample(
                row[0],
                row[1],
                row[2],
                row[3],
                row[4],
                row[5],
                row[6],
                _values(row[7], row[3], row[5], row[6]),
            )
            for row in self.store.query(sql, params)
        ]

    def sums(
        self,
        account: str,
        region: str,
        key: MetricKey,
        start: float,
        end: float,
        period: float,
        minute: float,
        unit: str | None = None,
    ) -> list[tuple[int, str, float, float, float, float]]:
        """(bucket index, unit, SampleCount, Sum, Minimum, Maximum) of the periods in
        [start, end), summed by SQLite: buckets are `start + index * period`, and
        standard-resolution data counts from the start of its `minute` when `period` is shorter.
        """
        metric_id = self.metric_id(account, region, key)
        if metric_id is None:
            return []
        params: dict[str, Any] = {
            "metric": metric_id,
            "start": start,
            "end": end,
            "period": period,
            "minute": minute,
            "unit": unit,
        }
        floor_minute = "resolution = 60 AND :period < :minute"
        sql = (
            "SELECT CAST((t - :start) / :period AS INTEGER) AS k, unit, SUM(count), SUM(sum),"
            " MIN(min), MAX(max) FROM ("
            f" SELECT CASE WHEN {floor_minute} THEN CAST(ts / :minute AS INTEGER) * :minute"
            " ELSE ts END AS t, unit, count, sum, min, max FROM cw_datapoints"
            " WHERE metric_id = :metric AND ts >= :start - :minute AND ts < :end"
            + (" AND unit = :unit" if unit is not None else "")
            + ") WHERE t >= :start AND t < :end GROUP BY k, unit"
        )
        return [
            (int(row[0]), row[1], row[2], row[3], row[4], row[5])
            for row in self.store.query(sql, params)
        ]

    def metrics(
        self,
        account: str,
        region: str,
        *,
        namespace: str | None = None,
        name: str | None = None,
        active_since: float | None = None,
        after: tuple[str, str, str] | None = None,
    ) -> Iterator[tuple[MetricKey, tuple[str, str, str]]]:
        """Metrics in (namespace, name, dimensions) order, with the position of each."""
        sql = "SELECT namespace, name, dims FROM cw_metrics WHERE account = ? AND region = ?"
        params: list[Any] = [account, region]
        if namespace is not None:
            sql += " AND namespace = ?"
            params.append(namespace)
        if name is not None:
            sql += " AND name = ?"
            params.append(name)
        if active_since is not None:
            sql += " AND last_put >= ?"
            params.append(active_since)
        if after is not None:
            sql += " AND (namespace, name, dims) > (?, ?, ?)"
            params.extend(after)
        sql += " ORDER BY namespace, name, dims"
        for row in self.store.query(sql, params):
            yield MetricKey(row[0], row[1], dims_from_key(row[2])), (row[0], row[1], row[2])


def _values(
    raw: str | None, count: float, low: float, high: float
) -> list[tuple[float, float]] | None:
    if raw:
        return [(float(v), float(c)) for v, c in json.loads(raw)]
    if low == high:
        return [(low, count)]
    return None


_STORES: weakref.WeakKeyDictionary[Store, MetricStore] = weakref.WeakKeyDictionary()


def metric_store(store: Store) -> MetricStore:
    """The `MetricStore` of `store` (migrated once)."""
    metrics = _STORES.get(store)
    if metrics is None:
        metrics = _STORES[store] = MetricStore(store)
    return metrics


def put_metric_data(
    platform: Platform, account: str, region: str, namespace: str, data: list[dict[str, Any]]
) -> None:
    """Publish datapoints in-process (see the module docstring); `AWS/` namespaces allowed."""
    metric_store(platform.store).put(
        account, region, parse_metric_data(namespace, data, reserved_ok=True)
    )
