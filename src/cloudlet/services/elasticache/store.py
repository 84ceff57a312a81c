"""ElastiCache's state: JSON documents per account and region (`Documents`, service
"elasticache"), one kind per resource type, plus tags keyed by ARN and the events table
(`events.py`). Engine files live under `<data dir>/elasticache/<account>/<region>/`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cloudlet.errors import ServiceError
from cloudlet.platform.store import Documents, Store
from cloudlet.services.elasticache.models import (
    CacheCluster,
    ReplicationGroup,
    cluster_from,
    group_from,
    to_doc,
)

SERVICE = "elasticache"
CLUSTER = "cluster"
GROUP = "replication-group"


class EcStore:
    """Typed access to ElastiCache's documents."""

    def __init__(self, store: Store, data_dir: Path) -> None:
        self.store = store
        self.documents = Documents(store, SERVICE)
        self.root = Path(data_dir) / "elasticache"

    # generic documents

    def get(self, account: str, region: str, kind: str, id: str) -> dict[str, Any] | None:
        return self.documents.get(account, region, kind, id)

    def put(self, account: str, region: str, kind: str, id: str, body: dict[str, Any]) -> None:
        self.documents.put(account, region, kind, id, body)

    def insert(self, account: str, region: str, kind: str, id: str, body: dict[str, Any]) -> bool:
        return self.documents.insert(account, region, kind, id, body)

    def delete(self, account: str, region: str, kind: str, id: str) -> bool:
        return self.documents.delete(account, region, kind, id)

    def documents_of(self, account: str, region: str, kind: str) -> list[dict[str, Any]]:
        return [body for _, body in self.documents.list(account, region, kind)]

    def scopes(self, kind: str) -> list[tuple[str, str, str]]:
        """(account, region, id) of every document of `kind`, in every account and region."""
        rows = self.store.query(
            "SELECT account, region, id FROM documents WHERE service = ? AND kind = ?",
            (SERVICE, kind),
        )
        return [(row[0], row[1], row[2]) for row in rows]

    # clusters

    def cluster(self, account: str, region: str, cluster_id: str) -> CacheCluster:
        doc = self.get(account, region, CLUSTER, cluster_id.lower())
        if doc is None:
            raise ServiceError(
                f"CacheCluster not found: {cluster_id}", code="CacheClusterNotFoundFault"
            )
        return cluster_from(doc)

    def find_cluster(self, account: str, region: str, cluster_id: str) -> CacheCluster | None:
        doc = self.get(account, region, CLUSTER, cluster_id.lower())
        return cluster_from(doc) if doc is not None else None

    def save_cluster(self, account: str, region: str, cluster: CacheCluster) -> None:
        self.put(account, region, CLUSTER, cluster.id, to_doc(cluster))

    def clusters(self, account: str, region: str) -> list[CacheCluster]:
        return [cluster_from(doc) for doc in self.documents_of(account, region, CLUSTER)]

    # replication groups

    def group(self, account: str, region: str, group_id: str) -> ReplicationGroup:
        doc = self.get(account, region, GROUP, group_id.lower())
        if doc is None:
            raise ServiceError(
                f"ReplicationGroup not found: {group_id}", code="ReplicationGroupNotFoundFault"
            )
        return group_from(doc)

    def find_group(self, account: str, region: str, group_id: str) -> ReplicationGroup | None:
        doc = self.get(account, region, GROUP, group_id.lower())
        return group_from(doc) if doc is not None else None

    def save_group(self, account: str, region: str, group: ReplicationGroup) -> None:
        self.put(account, region, GROUP, group.id, to_doc(group))

    def groups(self, account: str, region: str) -> list[ReplicationGroup]:
        return [group_from(doc) for doc in self.documents_of(account, region, GROUP)]

    # tags, by ARN

    def tags(self, account: str, region: str, arn: str) -> list[dict[str, str]]:
        doc = self.get(account, region, "tags", arn)
        return list(doc["Tags"]) if doc else []

    def set_tags(self, account: str, region: str, arn: str, tags: list[dict[str, str]]) -> None:
        if tags:
            self.put(account, region, "tags", arn, {"Tags": tags})
        else:
            self.delete(account, region, "tags", arn)

    # files

    def cluster_dir(self, account: str, region: str, cluster_id: str) -> Path:
        return self.root / account / region / "clusters" / cluster_id

    def snapshot_dir(self, account: str, region: str, name: str) -> Path:
        return self.root / account / region / "snapshots" / name
