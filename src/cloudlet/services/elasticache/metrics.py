"""Node metrics from the engines' own counters, as AWS/ElastiCache publishes them.

Every `PERIOD` AWS seconds (through the clock, so `--time-scale` shortens it) each running node is
asked for `INFO` (valkey/redis) or `stats` (memcached) and turned into AWS's host-level metrics:

    CacheHits, CacheMisses, Evictions   counter deltas over the period (keyspace_hits, ...)
    CurrConnections, CurrItems          gauges (connected_clients; keys of every db)
    EngineCPUUtilization                engine main-thread CPU seconds / period, in percent
    DatabaseMemoryUsagePercentage       used_memory / maxmemory, in percent

`record` keeps the latest values per node (`latest`) and hands them to `publish`, which puts them
into CloudWatch (namespace AWS/ElastiCache, dimensions CacheClusterId and CacheNodeId) through
CloudWatch's in-process publishing API when CloudWatch is served.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cloudlet.services.elasticache import resp
from cloudlet.services.elasticache.fleet import Fleet, owner_of

if TYPE_CHECKING:
    from cloudlet.platform.runtime import Platform

log = logging.getLogger(__name__)

PERIOD = 60.0
"""AWS seconds between samples (ElastiCache's host-level metrics are per minute)."""
NAMESPACE = "AWS/ElastiCache"


@dataclass
class Counters:
    """The raw counters of one sample of one node."""

    at: float
    hits: float
    misses: float
    evictions: float
    cpu_seconds: float


def counters_from_info(info: dict[str, str], at: float) -> Counters:
    cpu = float(info.get("used_cpu_sys_main_thread", info.get("used_cpu_sys", "0"))) + float(
        info.get("used_cpu_user_main_thread", info.get("used_cpu_user", "0"))
    )
    return Counters(
        at,
        float(info.get("keyspace_hits", "0")),
        float(info.get("keyspace_misses", "0")),
        float(info.get("evicted_keys", "0")),
        cpu,
    )


def gauges_from_info(info: dict[str, str]) -> dict[str, float]:
    items = 0
    for key, value in info.items():
        if key.startswith("db") and key[2:].isdigit():
            fields = dict(part.split("=", 1) for part in value.split(","))
            items += int(fields.get("keys", "0"))
    maxmemory = float(info.get("maxmemory", "0"))
    used = float(info.get("used_memory", "0"))
    return {
        "CurrConnections": float(info.get("connected_clients", "0")),
        "CurrItems": float(items),
        "DatabaseMemoryUsagePercentage": 100.0 * used / maxmemory if maxmemory else 0.0,
    }


def memcached_info(stats: dict[str, str]) -> dict[str, str]:
    """memcached `stats` in INFO's field names."""
    return {
        "keyspace_hits": stats.get("get_hits", "0"),
        "keyspace_misses": stats.get("get_misses", "0"),
        "evicted_keys": stats.get("evictions", "0"),
        "used_cpu_user": stats.get("rusage_user", "0"),
        "used_cpu_sys": stats.get("rusage_system", "0"),
        "connected_clients": stats.get("curr_connections", "0"),
        "db0": f"keys={stats.get('curr_items', '0')}",
        "used_memory": stats.get("bytes", "0"),
        "maxmemory": stats.get("limit_maxbytes", "0"),
        "uptime_in_seconds": stats.get("uptime", "0"),
    }


def metrics(info: dict[str, str], previous: Counters | None, now: float) -> dict[str, float]:
    """AWS's metric values of one node from its INFO now and its counters one period ago."""
    current = counters_from_info(info, now)
    values = gauges_from_info(info)
    if previous is None:  # the first sample: the engine's counters started with its process
        uptime = float(info.get("uptime_in_seconds", info.get("uptime", "0")) or 0)
        previous = Counters(now - max(uptime, 1.0), 0.0, 0.0, 0.0, 0.0)
    elapsed = max(current.at - previous.at, 1e-9)
    values["CacheHits"] = max(0.0, current.hits - previous.hits)
    values["CacheMisses"] = max(0.0, current.misses - previous.misses)
    values["Evictions"] = max(0.0, current.evictions - previous.evictions)
    cpu = max(0.0, current.cpu_seconds - previous.cpu_seconds)
    values["EngineCPUUtilization"] = min(100.0, 100.0 * cpu / elapsed)
    return values


async def read_info(port: int, engine: str, auth: tuple[str, str] | None) -> dict[str, str]:
    if engine != "memcached":
        return resp.parse_info(await resp.command(port, "INFO", auth=auth))
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(b"stats\r\n")
        await writer.drain()
        stats: dict[str, str] = {}
        while (line := await asyncio.wait_for(reader.readline(), 5)) not in (b"END\r\n", b""):
            parts = line.decode().split()
            if len(parts) == 3 and parts[0] == "STAT":
                stats[parts[1]] = parts[2]
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
    return memcached_info(stats)


class Recorder:
    """Samples every running node each period and records (and publishes) its metrics."""

    def __init__(self, platform: Platform, fleet: Fleet) -> None:
        self.platform = platform
        self.fleet = fleet
        self.latest: dict[str, dict[str, float]] = {}
        """Node owner → the last recorded metric values."""
        self._previous: dict[str, Counters] = {}

    async def run(self) -> None:
        while True:
            await self.platform.clock.sleep(PERIOD)
            try:
                await self.sample()
            except Exception:
                log.exception("sampling ElastiCache metrics failed")

    async def sample(self) -> None:
        store = self.fleet.store
        for account, region, cluster_id in store.scopes("cluster"):
            cluster = store.find_cluster(account, region, cluster_id)
            if cluster is None:
                continue
            for node in cluster.nodes:
                owner = owner_of(account, region, cluster.id, node.id)
                if not self.fleet.nodes.is_running(owner):
                    continue
                try:
                    info = await read_info(node.port, cluster.engine, self.fleet.auth(cluster))
                except (OSError, resp.RespError, ConnectionError, TimeoutError):
                    continue
                now = time.time()
                values = metrics(info, self._previous.get(owner), now)
                self._previous[owner] = counters_from_info(info, now)
                await self.record(account, region, cluster.id, node.id, values)

    async def record(
        self, account: str, region: str, cluster_id: str, node_id: str, values: dict[str, float]
    ) -> None:
        """Keep the values and publish them to CloudWatch when it is served."""
        self.latest[owner_of(account, region, cluster_id, node_id)] = values
        await publish(self.platform, account, region, cluster_id, node_id, values)

    def forget(self) -> None:
        self.latest.clear()
        self._previous.clear()


async def publish(
    platform: Platform,
    account: str,
    region: str,
    cluster_id: str,
    node_id: str,
    values: dict[str, float],
) -> None:
    from cloudlet.services.registry import SERVICES

    if "cloudwatch" not in SERVICES:
        return  # recorded only, until CloudWatch is served
    dimensions = [
        {"Name": "CacheClusterId", "Value": cluster_id},
        {"Name": "CacheNodeId", "Value": node_id},
    ]
    units = {"EngineCPUUtilization": "Percent", "DatabaseMemoryUsagePercentage": "Percent"}
    data: list[dict[str, Any]] = [
        {
            "MetricName": name,
            "Dimensions": dimensions,
            "Value": value,
            "Unit": units.get(name, "Count"),
        }
        for name, value in values.items()
    ]
    try:
        from cloudlet.services.cloudwatch.metrics import put_metric_data

        # CloudWatch's in-process API: the public PutMetricData refuses `AWS/` namespaces.
        put_metric_data(platform, account, region, NAMESPACE, data)
    except Exception:
        log.warning("publishing ElastiCache metrics to CloudWatch failed", exc_info=True)
