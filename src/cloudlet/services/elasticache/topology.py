"""Wiring engines together: replication (REPLICAOF), Redis Cluster (ADDSLOTS, MEET, REPLICATE)
and promotions (FAILOVER, CLUSTER FAILOVER). Every wait here is bounded and in real time: these
are the engines' own hand-shakes, not AWS-defined periods.
"""

from __future__ import annotations

import asyncio
import time

from cloudlet.services.elasticache import resp

Auth = tuple[str, str] | None
SLOTS = 16384
WIRING_TIMEOUT = 30.0


class TopologyError(Exception):
    """The engines did not reach the wanted shape in time."""


def slot_ranges(shards: int) -> list[tuple[int, int]]:
    """AWS's even split of the 16384 slots over `shards` shards."""
    ranges = []
    for index in range(shards):
        start = index * SLOTS // shards
        end = (index + 1) * SLOTS // shards - 1
        ranges.append((start, end))
    return ranges


async def info(port: int, auth: Auth, section: str = "") -> dict[str, str]:
    args = ("INFO", section) if section else ("INFO",)
    return resp.parse_info(await resp.command(port, *args, auth=auth))


async def _until(check: object, what: str, timeout: float = WIRING_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if await check():  # type: ignore[operator]
                return
        except (OSError, resp.RespError, ConnectionError, TimeoutError):
            pass
        await asyncio.sleep(0.02)
    raise TopologyError(f"timed out waiting for {what}")


async def wait_replica_synced(port: int, auth: Auth, timeout: float = WIRING_TIMEOUT) -> None:
    async def synced() -> bool:
        replication = await info(port, auth, "replication")
        return replication.get("master_link_status") == "up"

    await _until(synced, f"the replica on port {port} to sync", timeout)


async def node_id(port: int, auth: Auth) -> str:
    return (await resp.command(port, "CLUSTER", "MYID", auth=auth)).decode()


async def form_cluster(shards: list[tuple[int, list[int], tuple[int, int]]], auth: Auth) -> None:
    """Make one Redis Cluster of fresh nodes: (primary port, replica ports, slot range) each."""
    ports = [p for primary, replicas, _ in shards for p in (primary, *replicas)]
    for primary, _, (start, end) in shards:
        await resp.command(primary, "CLUSTER", "ADDSLOTSRANGE", start, end, auth=auth)
    first = ports[0]
    for port in ports[1:]:
        await resp.command(port, "CLUSTER", "MEET", "127.0.0.1", first, auth=auth)

    async def all_known() -> bool:
        for port in ports:
            nodes = (await resp.command(port, "CLUSTER", "NODES", auth=auth)).decode()
            if len(nodes.strip().splitlines()) < len(ports):
                return False
        return True

    await _until(all_known, "cluster nodes to meet")
    for primary, replicas, _ in shards:
        primary_id = await node_id(primary, auth)
        for replica in replicas:
            await _until(
                lambda r=replica, p=primary_id: _replicate(r, p, auth), "CLUSTER REPLICATE"
            )
    await wait_cluster_ok(ports, auth)
    for _, replicas, _ in shards:
        for replica in replicas:
            await wait_replica_synced(replica, auth)


async def _replicate(port: int, primary_id: str, auth: Auth) -> bool:
    await resp.command(port, "CLUSTER", "REPLICATE", primary_id, auth=auth)
    return True


async def wait_cluster_ok(ports: list[int], auth: Auth) -> None:
    async def ok() -> bool:
        for port in ports:
            state = resp.parse_info(await resp.command(port, "CLUSTER", "INFO", auth=auth))
            if state.get("cluster_state") != "ok":
                return False
        return True

    await _until(ok, "cluster_state:ok")


async def promote(primary: int, replica: int, others: list[int], auth: Auth) -> None:
    """Cluster mode disabled: make `replica` the primary without losing acknowledged writes.

    `FAILOVER TO` pauses writes on the primary, waits for the replica to catch up and swaps the
    roles; the other replicas are then pointed at the new primary.
    """
    try:
        await resp.command(
            primary, "FAILOVER", "TO", "127.0.0.1", replica, "TIMEOUT", 5000, auth=auth
        )
    except (OSError, resp.RespError, ConnectionError, TimeoutError):
        # The primary is gone (a crash): the replica takes over with what it has.
        await resp.command(replica, "REPLICAOF", "NO", "ONE", auth=auth)

    async def promoted() -> bool:
        return (await info(replica, auth, "replication")).get("role") == "master"

    await _until(promoted, f"the replica on port {replica} to become primary")
    for port in others:
        try:
            await resp.command(port, "REPLICAOF", "127.0.0.1", replica, auth=auth)
        except (OSError, resp.RespError, ConnectionError, TimeoutError):
            continue


async def cluster_promote(replica: int, auth: Auth, force: bool = False) -> None:
    """Cluster mode enabled: `CLUSTER FAILOVER` on the replica, then wait for it to lead."""
    args = ("CLUSTER", "FAILOVER", "FORCE") if force else ("CLUSTER", "FAILOVER")
    await resp.command(replica, *args, auth=auth)

    async def promoted() -> bool:
        return (await info(replica, auth, "replication")).get("role") == "master"

    await _until(promoted, f"the replica on port {replica} to become primary")
