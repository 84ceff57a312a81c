"""Snapshots: the engine's own RDB file, copied out of a node (CreateSnapshot) and back into a
new node before it starts (restore). Placeholder until snapshots land: restores are refused."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cloudlet.services.elasticache.models import CacheCluster, ReplicationGroup
from cloudlet.services.elasticache.validation import combination

if TYPE_CHECKING:
    from cloudlet.services.elasticache.provider import ElastiCacheProvider


class Snapshots:
    def __init__(self, provider: ElastiCacheProvider) -> None:
        self.provider = provider

    def restore_source(
        self, account: str, region: str, request: dict[str, Any], engine: str
    ) -> Any:
        if request.get("SnapshotName") or request.get("SnapshotArns"):
            raise combination("Restoring from a snapshot is not supported yet.")
        return None

    def seed(self, account: str, region: str, cluster: CacheCluster, source: Any) -> None:
        return None

    async def load_into_cluster(
        self, account: str, region: str, group: ReplicationGroup, source: Any
    ) -> None:
        return None

    async def create_from_cluster(
        self, account: str, region: str, cluster: CacheCluster, name: str, source: str
    ) -> Any:
        raise combination("Snapshots are not supported yet.")

    async def create_from_group(
        self, account: str, region: str, group: ReplicationGroup, name: str, source: str
    ) -> Any:
        raise combination("Snapshots are not supported yet.")
