"""Snapshots: the engine's own RDB files.

    CreateSnapshot   BGSAVE on the node (a replica when the group has one, as AWS prefers),
                     wait for it, copy dump.rdb to snapshots/<name>/<node group>.rdb
    restore          cluster mode disabled: the RDB is copied into the new primary's directory
                     as dump.rdb before the engine starts, so it loads it itself;
                     cluster mode enabled: once the new cluster is formed, each RDB is loaded
                     by a short-lived engine and its keys are moved with DUMP/RESTORE to the
                     node owning their slot (so any shard count can be restored)

A snapshot's metadata is a document; its files live under the data directory and are deleted
with it. Memcached has no snapshots, as on AWS.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cloudlet.errors import ServiceError
from cloudlet.services.elasticache import engines, resp, topology
from cloudlet.services.elasticache.clusters import full_version, timestamp
from cloudlet.services.elasticache.models import CacheCluster, ReplicationGroup, arn
from cloudlet.services.elasticache.nodes import NodeSpec, free_port
from cloudlet.services.elasticache.validation import combination

if TYPE_CHECKING:
    from cloudlet.services.elasticache.provider import ElastiCacheProvider

KIND = "snapshot"


@dataclass
class RestoreSource:
    """The RDB files of a snapshot, in node group order."""

    name: str
    files: list[Path]


def _not_found(name: str) -> ServiceError:
    return ServiceError(f"Snapshot {name} not found.", code="SnapshotNotFoundFault")


class Snapshots:
    def __init__(self, provider: ElastiCacheProvider) -> None:
        self.provider = provider
        self.store = provider.store
        self.fleet = provider.fleet
        self.events = provider.events

    def get(self, account: str, region: str, name: str) -> dict[str, Any]:
        doc = self.store.get(account, region, KIND, name)
        if doc is None:
            raise _not_found(name)
        return doc

    # create

    async def create(self, account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
        name = request["SnapshotName"]
        if request.get("ReplicationGroupId"):
            group = self.store.group(account, region, request["ReplicationGroupId"])
            doc = await self.create_from_group(account, region, group, name, "manual")
        elif request.get("CacheClusterId"):
            cluster = self.store.cluster(account, region, request["CacheClusterId"])
            doc = await self.create_from_cluster(account, region, cluster, name, "manual")
        else:
            raise combination("Either CacheClusterId or ReplicationGroupId must be given.")
        self.provider.tags.attach(account, region, arn(region, account, "snapshot", name), request)
        return doc

    def _start(self, account: str, region: str, name: str, doc: dict[str, Any]) -> None:
        if self.store.get(account, region, KIND, name) is not None:
            raise ServiceError(
                f"Snapshot {name} already exists.", code="SnapshotAlreadyExistsFault"
            )
        self.store.put(account, region, KIND, name, doc)

    async def create_from_cluster(
        self, account: str, region: str, cluster: CacheCluster, name: str, source: str
    ) -> dict[str, Any]:
        if cluster.engine == "memcached":
            raise ServiceError(
                f"This cache cluster ({cluster.id}) does not support snapshots.",
                code="SnapshotFeatureNotSupportedFault",
            )
        if cluster.replication_group_id:
            group = self.store.group(account, region, cluster.replication_group_id)
            if group.cluster_enabled:
                raise combination(
                    "Snapshots of cluster mode enabled groups are taken with ReplicationGroupId."
                )
        if cluster.status != "available":
            raise ServiceError(
                f"Cache cluster {cluster.id} is not in available state.",
                code="InvalidCacheClusterStateFault",
            )
        doc = self._doc(cluster, name, source, 1)
        self._start(account, region, name, doc)
        await self._save(account, region, name, [(cluster, "0001")])
        return self.get(account, region, name)

    async def create_from_group(
        self, account: str, region: str, group: ReplicationGroup, name: str, source: str
    ) -> dict[str, Any]:
        if group.status != "available":
            raise ServiceError(
                f"Replication group {group.id} is not in available state.",
                code="InvalidReplicationGroupStateFault",
            )
        nodes = []
        for node_group in group.node_groups:
            # AWS snapshots a replica when there is one, sparing the primary.
            member_id = node_group.members[-1]
            nodes.append((self.store.cluster(account, region, member_id), node_group.id))
        doc = self._doc(nodes[0][0], name, source, len(group.members()))
        doc.update(
            ReplicationGroupId=group.id,
            ReplicationGroupDescription=group.description,
            NumNodeGroups=len(group.node_groups),
            AutomaticFailover=group.automatic_failover,
            CacheClusterId=None,
        )
        self._start(account, region, name, doc)
        await self._save(account, region, name, nodes)
        return self.get(account, region, name)

    def _doc(self, cluster: CacheCluster, name: str, source: str, count: int) -> dict[str, Any]:
        return {
            "SnapshotName": name,
            "CacheClusterId": cluster.id,
            "SnapshotStatus": "creating",
            "SnapshotSource": source,
            "CacheNodeType": cluster.node_type,
            "Engine": cluster.engine,
            "EngineVersion": full_version(cluster.engine, cluster.engine_version),
            "engine_version": cluster.engine_version,
            "NumCacheNodes": count,
            "PreferredAvailabilityZone": cluster.az,
            "CacheClusterCreateTime": cluster.created,
            "PreferredMaintenanceWindow": cluster.maintenance_window,
            "Port": cluster.port,
            "CacheParameterGroupName": cluster.parameter_group,
            "CacheSubnetGroupName": cluster.subnet_group,
            "AutoMinorVersionUpgrade": cluster.auto_minor_version_upgrade,
            "SnapshotRetentionLimit": cluster.snapshot_retention_limit,
            "SnapshotWindow": cluster.snapshot_window,
            "NodeSnapshots": [],
            "DataTiering": "disabled",
        }

    async def _save(
        self, account: str, region: str, name: str, nodes: list[tuple[CacheCluster, str]]
    ) -> None:
        directory = self.store.snapshot_dir(account, region, name)
        directory.mkdir(parents=True, exist_ok=True)
        node_snapshots = []
        try:
            for cluster, node_group_id in nodes:
                node = cluster.nodes[0]
                auth = self.fleet.auth(cluster)
                before = await resp.command(node.port, "LASTSAVE", auth=auth)
                try:
                    await resp.command(node.port, "BGSAVE", auth=auth)
                except resp.RespError as exc:  # a save already running: wait for it
                    if "in progress" not in str(exc):
                        raise
                await _wait_saved(node.port, auth, before)
                rdb = self.store.cluster_dir(account, region, cluster.id) / node.id / "dump.rdb"
                target = directory / f"{node_group_id}.rdb"
                await asyncio.to_thread(shutil.copyfile, rdb, target)
                node_snapshots.append(
                    {
                        "CacheClusterId": cluster.id,
                        "NodeGroupId": node_group_id,
                        "CacheNodeId": node.id,
                        "CacheSize": f"{target.stat().st_size / 1_000_000:.3f} MB",
                        "CacheNodeCreateTime": node.created,
                        "SnapshotCreateTime": time.time(),
                    }
                )
        except (OSError, resp.RespError, topology.TopologyError) as exc:
            doc = self.get(account, region, name)
            doc["SnapshotStatus"] = "failed"
            self.store.put(account, region, KIND, name, doc)
            raise ServiceError(
                f"Snapshot {name} failed: {exc}", code="InvalidSnapshotStateFault"
            ) from exc
        doc = self.get(account, region, name)
        doc["SnapshotStatus"] = "available"
        doc["NodeSnapshots"] = node_snapshots
        self.store.put(account, region, KIND, name, doc)

    # describe, copy, delete

    def describe(self, account: str, region: str, doc: dict[str, Any]) -> dict[str, Any]:
        result = {k: v for k, v in doc.items() if k[0].isupper() and v is not None and v != ""}
        result["CacheClusterCreateTime"] = timestamp(doc["CacheClusterCreateTime"])
        result["NodeSnapshots"] = [
            {
                **n,
                "CacheNodeCreateTime": timestamp(n["CacheNodeCreateTime"]),
                "SnapshotCreateTime": timestamp(n["SnapshotCreateTime"]),
            }
            for n in doc["NodeSnapshots"]
        ]
        result["ARN"] = arn(region, account, "snapshot", doc["SnapshotName"])
        return result

    def select(self, account: str, region: str, request: dict[str, Any]) -> list[dict[str, Any]]:
        if request.get("SnapshotName"):
            return [self.get(account, region, request["SnapshotName"])]
        docs = self.store.documents_of(account, region, KIND)
        if request.get("CacheClusterId"):
            docs = [d for d in docs if d.get("CacheClusterId") == request["CacheClusterId"]]
        if request.get("ReplicationGroupId"):
            docs = [d for d in docs if d.get("ReplicationGroupId") == request["ReplicationGroupId"]]
        if request.get("SnapshotSource"):
            docs = [d for d in docs if d["SnapshotSource"] == request["SnapshotSource"]]
        return docs

    def copy(self, account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
        source = self.get(account, region, request["SourceSnapshotName"])
        name = request["TargetSnapshotName"]
        if source["SnapshotStatus"] != "available":
            raise ServiceError(
                f"Snapshot {source['SnapshotName']} is not available.",
                code="InvalidSnapshotStateFault",
            )
        doc = {**source, "SnapshotName": name, "SnapshotSource": "manual"}
        self._start(account, region, name, doc)
        shutil.copytree(
            self.store.snapshot_dir(account, region, source["SnapshotName"]),
            self.store.snapshot_dir(account, region, name),
            dirs_exist_ok=True,
        )
        return doc

    def delete(self, account: str, region: str, name: str) -> dict[str, Any]:
        doc = self.get(account, region, name)
        if doc["SnapshotStatus"] == "creating":
            raise ServiceError(
                f"Snapshot {name} is being created.", code="InvalidSnapshotStateFault"
            )
        self.store.delete(account, region, KIND, name)
        shutil.rmtree(self.store.snapshot_dir(account, region, name), ignore_errors=True)
        self.store.set_tags(account, region, arn(region, account, "snapshot", name), [])
        return {**doc, "SnapshotStatus": "deleting"}

    # restore

    def restore_source(
        self, account: str, region: str, request: dict[str, Any], engine: str
    ) -> RestoreSource | None:
        if request.get("SnapshotArns"):
            raise combination(
                "Seeding from RDB files in S3 (SnapshotArns) is not supported by cloudlet;"
                " use SnapshotName."
            )
        name = request.get("SnapshotName")
        if not name:
            return None
        doc = self.get(account, region, name)
        if doc["SnapshotStatus"] != "available":
            raise ServiceError(
                f"Snapshot {name} is not available.", code="InvalidSnapshotStateFault"
            )
        if engine == "memcached":
            raise combination("Memcached clusters cannot be restored from a snapshot.")
        directory = self.store.snapshot_dir(account, region, name)
        files = sorted(directory.glob("*.rdb"))
        return RestoreSource(name, files)

    def seed(self, account: str, region: str, cluster: CacheCluster, source: RestoreSource) -> None:
        """Put the first RDB where the new node will load it from."""
        if not source.files:
            return
        target = self.store.cluster_dir(account, region, cluster.id) / cluster.nodes[0].id
        target.mkdir(parents=True, exist_ok=True)
        if len(source.files) == 1:
            shutil.copyfile(source.files[0], target / "dump.rdb")

    async def load_into_cluster(
        self, account: str, region: str, group: ReplicationGroup, source: RestoreSource
    ) -> None:
        """Move every key of the snapshot's RDB files into a formed Redis Cluster."""
        members = [self.store.cluster(account, region, g.primary) for g in group.node_groups]
        auth = self.fleet.auth(members[0])
        owners: list[tuple[int, int, int]] = []
        for node_group, member in zip(group.node_groups, members, strict=True):
            start, _, end = (node_group.slots or "0-16383").partition("-")
            owners.append((int(start), int(end), member.nodes[0].port))
        directory = self.store.cluster_dir(account, region, group.id + "-restore")
        for index, rdb in enumerate(source.files):
            await self._load_file(group, rdb, directory / str(index), owners, auth)
        shutil.rmtree(directory, ignore_errors=True)

    async def _load_file(
        self,
        group: ReplicationGroup,
        rdb: Path,
        directory: Path,
        owners: list[tuple[int, int, int]],
        auth: tuple[str, str] | None,
    ) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(rdb, directory / "dump.rdb")
        port = free_port(set())
        config = engines.redis_config(
            [
                ("bind", "127.0.0.1"),
                ("port", str(port)),
                ("dir", str(directory)),
                ("save", ""),
                ("appendonly", "no"),
                ("logfile", ""),
            ]
        )
        owner = f"elasticache-restore/{group.id}/{rdb.stem}"
        spec = NodeSpec(
            owner, group.engine, port, directory, [engines.require_binary(group.engine)], config
        )
        await self.fleet.nodes.start(spec)
        try:
            async with resp.Connection(port) as loader:
                cursor = b"0"
                while True:
                    cursor, keys = await loader.call("SCAN", cursor, "COUNT", 500)
                    for key in keys:
                        ttl = await loader.call("PTTL", key)
                        data = await loader.call("DUMP", key)
                        if data is None:
                            continue
                        target = next(p for s, e, p in owners if s <= key_slot(key) <= e)
                        await resp.command(
                            target, "RESTORE", key, max(0, ttl), data, "REPLACE", auth=auth
                        )
                    if cursor == b"0":
                        break
        finally:
            await self.fleet.nodes.stop(owner, grace=2.0)


async def _wait_saved(port: int, auth: tuple[str, str] | None, before: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        persistence = resp.parse_info(await resp.command(port, "INFO", "persistence", auth=auth))
        if persistence.get("rdb_bgsave_in_progress") == "0" and int(
            persistence.get("rdb_last_save_time", "0")
        ) >= int(before):
            if persistence.get("rdb_last_bgsave_status") != "ok":
                raise topology.TopologyError("the engine failed to write its RDB file")
            if int(persistence.get("rdb_changes_since_last_save", "1")) == 0 or int(
                persistence.get("rdb_last_save_time", "0")
            ) > int(before):
                return
            await resp.command(port, "BGSAVE", auth=auth)
        await asyncio.sleep(0.01)
    raise topology.TopologyError("the engine did not finish its RDB file in 60 s")


def key_slot(key: bytes) -> int:
    """Redis Cluster's hash slot of a key (CRC16/XMODEM of the hash tag, mod 16384)."""
    start = key.find(b"{")
    if start >= 0:
        end = key.find(b"}", start + 1)
        if end > start + 1:
            key = key[start + 1 : end]
    crc = 0
    for byte in key:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc % 16384
