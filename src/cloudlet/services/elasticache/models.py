"""Domain objects of ElastiCache, stored as JSON documents (`store.py`).

    CacheCluster ── nodes: [CacheNode]          one engine process per node
         │ replication_group_id / node_group_id
    ReplicationGroup ── node_groups: [NodeGroup] ── member cluster ids (primary first)

A replication group's members are ordinary cache clusters (`<rg>-001`, or `<rg>-0001-001` with
cluster mode enabled), each of one node, exactly as AWS lists them in `DescribeCacheClusters`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


def arn(region: str, account: str, kind: str, name: str) -> str:
    """`arn:aws:elasticache:<region>:<account>:<kind>:<name>`."""
    return f"arn:aws:elasticache:{region}:{account}:{kind}:{name}"


@dataclass
class CacheNode:
    """One node: one engine process on 127.0.0.1:`port`."""

    id: str
    """`0001`, `0002`, ..."""
    port: int
    created: float
    status: str = "creating"


@dataclass
class CacheCluster:
    """A cache cluster (a memcached cluster, a single-node Redis OSS/Valkey cluster, or one member
    of a replication group)."""

    id: str
    engine: str
    engine_version: str
    node_type: str
    created: float
    port: int
    """The port requested (or the engine's default); nodes listen on their own ports."""
    az: str
    parameter_group: str
    status: str = "creating"
    nodes: list[CacheNode] = field(default_factory=list)
    subnet_group: str | None = None
    security_group_ids: list[str] = field(default_factory=list)
    replication_group_id: str | None = None
    node_group_id: str | None = None
    role: str | None = None
    """`primary` or `replica` for members of a replication group."""
    cluster_enabled: bool = False
    auth_token: str | None = None
    auth_token_modified: float | None = None
    transit_encryption: bool = False
    at_rest_encryption: bool = False
    snapshot_retention_limit: int = 0
    snapshot_window: str = "05:00-06:00"
    maintenance_window: str = "sun:23:00-mon:01:30"
    auto_minor_version_upgrade: bool = True
    notification_topic_arn: str | None = None
    network_type: str = "ipv4"
    user_group_ids: list[str] = field(default_factory=list)
    control_secret: str = ""
    """Password of cloudlet's own ACL user on engines whose users come from a user group."""
    failure: str | None = None
    """Why the engine could not start, when status is `create-failed`."""

    def node(self, node_id: str) -> CacheNode | None:
        return next((n for n in self.nodes if n.id == node_id), None)


@dataclass
class NodeGroup:
    """A shard of a replication group."""

    id: str
    """`0001`, ..."""
    members: list[str]
    """Member cluster ids; `primary` names the primary among them."""
    primary: str
    slots: str | None = None
    """`0-5460` when cluster mode is enabled."""


@dataclass
class ReplicationGroup:
    id: str
    description: str
    engine: str
    engine_version: str
    node_type: str
    created: float
    cluster_enabled: bool
    parameter_group: str
    port: int
    status: str = "creating"
    node_groups: list[NodeGroup] = field(default_factory=list)
    automatic_failover: str = "disabled"
    multi_az: str = "disabled"
    configuration_port: int | None = None
    """Cluster mode enabled: the port of the node answering the configuration endpoint."""
    auth_token: str | None = None
    auth_token_modified: float | None = None
    transit_encryption: bool = False
    at_rest_encryption: bool = False
    snapshot_retention_limit: int = 0
    snapshot_window: str = "05:00-06:00"
    user_group_ids: list[str] = field(default_factory=list)
    subnet_group: str | None = None
    security_group_ids: list[str] = field(default_factory=list)
    kms_key_id: str | None = None
    cluster_mode: str | None = None
    network_type: str = "ipv4"
    auto_minor_version_upgrade: bool = True
    data_tiering: str = "disabled"
    failure: str | None = None

    def members(self) -> list[str]:
        return [m for group in self.node_groups for m in group.members]


def to_doc(obj: Any) -> dict[str, Any]:
    return dataclasses.asdict(obj)


def cluster_from(doc: dict[str, Any]) -> CacheCluster:
    nodes = [CacheNode(**n) for n in doc.get("nodes", [])]
    return CacheCluster(**{**doc, "nodes": nodes})


def group_from(doc: dict[str, Any]) -> ReplicationGroup:
    groups = [NodeGroup(**g) for g in doc.get("node_groups", [])]
    return ReplicationGroup(**{**doc, "node_groups": groups})
