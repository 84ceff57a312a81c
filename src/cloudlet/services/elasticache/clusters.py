"""Cache clusters: CreateCacheCluster, DescribeCacheClusters and DeleteCacheCluster.

A standalone cluster is memcached (1-60 nodes) or a single Valkey/Redis OSS node; members of
replication groups are created by `replication_groups.py` through `new_cluster` and listed here
too, as AWS lists them. Creation answers at once with status `creating`; the nodes start in the
background (`Fleet.provision`) and the cluster turns `available` once every engine accepts
connections.

Modify and Reboot live in `cluster_changes.py`.
"""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cloudlet.errors import ServiceError
from cloudlet.services.elasticache import engines, node_types
from cloudlet.services.elasticache.fleet import Fleet
from cloudlet.services.elasticache.models import CacheCluster, CacheNode, arn
from cloudlet.services.elasticache.nodes import free_port, port_is_free
from cloudlet.services.elasticache.validation import (
    auth_token,
    combination,
    identifier,
    invalid,
    tags,
)
from cloudlet.services.servicequotas.quotas import applied_value

if TYPE_CHECKING:
    from cloudlet.services.elasticache.provider import ElastiCacheProvider

DOWNLOAD_PAGE = "https://console.aws.amazon.com/elasticache/home#client-download:"


def timestamp(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


class Clusters:
    """CacheCluster operations of one cloudlet."""

    def __init__(self, provider: ElastiCacheProvider) -> None:
        self.provider = provider
        self.platform = provider.platform
        self.store = provider.store
        self.events = provider.events
        self.fleet: Fleet = provider.fleet

    # ports and quotas

    def ports_in_use(self) -> set[int]:
        """Ports of every node cloudlet knows, running or not (so none is handed out twice)."""
        taken: set[int] = set()
        for account, region, cluster_id in self.store.scopes("cluster"):
            cluster = self.store.find_cluster(account, region, cluster_id)
            if cluster is not None:
                taken.update(node.port for node in cluster.nodes)
        return taken

    def allocate_ports(self, count: int, requested: int | None) -> list[int]:
        """Ports for `count` new nodes: the requested port for the first one, when asked."""
        taken = self.ports_in_use()
        ports: list[int] = []
        if requested is not None:
            if requested in taken or not port_is_free(requested):
                raise invalid(f"Port {requested} is already in use on 127.0.0.1.")
            ports.append(requested)
            taken.add(requested)
        while len(ports) < count:
            port = free_port(taken)
            taken.add(port)
            ports.append(port)
        return ports

    def check_node_quota(self, account: str, region: str, adding: int) -> None:
        limit = applied_value(self.platform, account, region, "elasticache", "L-DFE45DF3")
        used = sum(len(c.nodes) for c in self.store.clusters(account, region))
        if used + adding > limit:
            raise ServiceError(
                "Cluster node quota exceeded for customer",
                code="NodeQuotaForCustomerExceededFault",
            )

    # create

    def new_cluster(
        self,
        account: str,
        region: str,
        cluster_id: str,
        request: dict[str, Any],
        *,
        engine: str,
        version: str,
        num_nodes: int,
        port: int | None,
        parameter_group: str,
    ) -> CacheCluster:
        """A cluster document with its nodes and ports (not saved, not started)."""
        node_type = request.get("CacheNodeType")
        if not node_type:
            raise invalid("The parameter CacheNodeType must be provided and must not be blank.")
        node_types.validate(node_type)
        now = time.time()
        ports = self.allocate_ports(num_nodes, port)
        nodes = [CacheNode(f"{i + 1:04d}", ports[i], now) for i in range(num_nodes)]
        az = request.get("PreferredAvailabilityZone") or (
            (request.get("PreferredAvailabilityZones") or [None])[0] or f"{region}a"
        )
        return CacheCluster(
            id=cluster_id,
            engine=engine,
            engine_version=version,
            node_type=node_type,
            created=now,
            port=port or engines.DEFAULT_PORT[engine],
            az=az,
            parameter_group=parameter_group,
            nodes=nodes,
            subnet_group=request.get("CacheSubnetGroupName"),
            security_group_ids=list(request.get("SecurityGroupIds") or []),
            snapshot_retention_limit=request.get("SnapshotRetentionLimit", 0),
            snapshot_window=request.get("SnapshotWindow") or "05:00-06:00",
            maintenance_window=request.get("PreferredMaintenanceWindow") or "sun:23:00-mon:01:30",
            auto_minor_version_upgrade=request.get("AutoMinorVersionUpgrade", True),
            notification_topic_arn=request.get("NotificationTopicArn"),
            network_type=request.get("NetworkType") or "ipv4",
            transit_encryption=bool(request.get("TransitEncryptionEnabled", False)),
            control_secret=secrets.token_hex(16),
        )

    def parameter_group_for(
        self,
        account: str,
        region: str,
        name: str | None,
        engine: str,
        version: str,
        cluster_on: bool,
    ) -> str:
        """The parameter group to use, checked against the engine's family."""
        family = engines.family_of(engine, version)
        if not name:
            return f"default.{family}" + (".cluster.on" if cluster_on else "")
        group = self.provider.parameter_groups.get(account, region, name)
        if group["family"] != family:
            raise combination(
                f"The parameter group family {group['family']} does not match the engine family"
                f" {family}."
            )
        values = self.provider.parameter_groups.effective(account, region, name)
        if engine != "memcached" and (values.get("cluster-enabled") == "yes") != cluster_on:
            raise combination(
                "Cluster mode enabled parameter group can only be used with a cluster mode"
                " enabled replication group."
                if not cluster_on
                else f"Parameter group {name} does not have cluster-enabled set to yes."
            )
        return str(group["name"])

    async def create(self, account: str, region: str, request: dict[str, Any]) -> CacheCluster:
        cluster_id = identifier(request["CacheClusterId"], "CacheClusterId", 50)
        if request.get("ReplicationGroupId"):
            return await self.provider.replication_groups.add_replica_cluster(
                account, region, cluster_id, request
            )
        if self.store.find_cluster(account, region, cluster_id) is not None:
            raise ServiceError(
                f"Cache cluster {cluster_id} already exists.",
                code="CacheClusterAlreadyExistsFault",
            )
        engine = engines.check_engine(request.get("Engine") or "", ("memcached", "redis", "valkey"))
        version = engines.engine_version(engine, request.get("EngineVersion")).version
        num_nodes = request.get("NumCacheNodes", 1)
        if num_nodes < 1:
            raise invalid("The parameter NumCacheNodes must be a positive integer.")
        if engine == "memcached":
            limit = applied_value(self.platform, account, region, "elasticache", "L-8C334AD1")
            if num_nodes > limit:
                raise ServiceError(
                    f"Cluster node quota exceeded. The maximum number of nodes per Memcached"
                    f" cluster is {int(limit)}.",
                    code="NodeQuotaForClusterExceededFault",
                )
        elif num_nodes != 1:
            raise invalid(
                f"Cluster mode disabled {engine} clusters support exactly one node: use a"
                " replication group for replicas."
            )
        token = request.get("AuthToken")
        if token is not None:
            if engine == "memcached":
                raise combination("AuthToken is not supported for memcached clusters.")
            if not request.get("TransitEncryptionEnabled"):
                raise combination(
                    "Encryption feature is not enabled. AuthToken can only be specified when"
                    " TransitEncryptionEnabled is true."
                )
            auth_token(token)
        self.check_node_quota(account, region, num_nodes)
        group = self.parameter_group_for(
            account, region, request.get("CacheParameterGroupName"), engine, version, False
        )
        if request.get("CacheSubnetGroupName"):
            self.provider.subnet_groups.get(account, region, request["CacheSubnetGroupName"])
        cluster = self.new_cluster(
            account,
            region,
            cluster_id,
            request,
            engine=engine,
            version=version,
            num_nodes=num_nodes,
            port=request.get("Port"),
            parameter_group=group,
        )
        cluster.auth_token = token
        cluster.auth_token_modified = time.time() if token else None
        restore = self.provider.snapshots.restore_source(account, region, request, engine)
        cluster_tags = tags(request.get("Tags"))
        if not self.store.insert(account, region, "cluster", cluster_id, _doc(cluster)):
            raise ServiceError(
                f"Cache cluster {cluster_id} already exists.",
                code="CacheClusterAlreadyExistsFault",
            )
        self.store.set_tags(account, region, self.arn(account, region, cluster_id), cluster_tags)
        if restore is not None:
            self.provider.snapshots.seed(account, region, cluster, restore)
        self.fleet.background(self.fleet.provision(account, region, cluster_id))
        return cluster

    # describe

    def arn(self, account: str, region: str, cluster_id: str) -> str:
        return arn(region, account, "cluster", cluster_id)

    def describe(
        self, account: str, region: str, cluster: CacheCluster, show_nodes: bool
    ) -> dict[str, Any]:
        result: dict[str, Any] = {
            "CacheClusterId": cluster.id,
            "ClientDownloadLandingPage": DOWNLOAD_PAGE,
            "CacheNodeType": cluster.node_type,
            "Engine": cluster.engine,
            "EngineVersion": full_version(cluster.engine, cluster.engine_version),
            "CacheClusterStatus": cluster.status,
            "NumCacheNodes": len(cluster.nodes),
            "PreferredAvailabilityZone": cluster.az,
            "CacheClusterCreateTime": timestamp(cluster.created),
            "PreferredMaintenanceWindow": cluster.maintenance_window,
            "PendingModifiedValues": {},
            "CacheSecurityGroups": [],
            "CacheParameterGroup": {
                "CacheParameterGroupName": cluster.parameter_group,
                "ParameterApplyStatus": "in-sync",
                "CacheNodeIdsToReboot": [],
            },
            "AutoMinorVersionUpgrade": cluster.auto_minor_version_upgrade,
            "SecurityGroups": [
                {"SecurityGroupId": sg, "Status": "active"} for sg in cluster.security_group_ids
            ],
            "SnapshotRetentionLimit": cluster.snapshot_retention_limit,
            "SnapshotWindow": cluster.snapshot_window,
            "AuthTokenEnabled": cluster.auth_token is not None,
            "TransitEncryptionEnabled": cluster.transit_encryption,
            "AtRestEncryptionEnabled": cluster.at_rest_encryption,
            "ARN": self.arn(account, region, cluster.id),
            "ReplicationGroupLogDeliveryEnabled": False,
            "LogDeliveryConfigurations": [],
            "NetworkType": cluster.network_type,
            "IpDiscovery": "ipv4",
        }
        if cluster.engine == "memcached":
            result.pop("SnapshotRetentionLimit")
            result.pop("SnapshotWindow")
            if cluster.nodes:
                result["ConfigurationEndpoint"] = _endpoint(cluster.nodes[0].port)
        if cluster.subnet_group:
            result["CacheSubnetGroupName"] = cluster.subnet_group
        if cluster.auth_token_modified is not None:
            result["AuthTokenLastModifiedDate"] = timestamp(cluster.auth_token_modified)
        if cluster.replication_group_id:
            result["ReplicationGroupId"] = cluster.replication_group_id
        if cluster.notification_topic_arn:
            result["NotificationConfiguration"] = {
                "TopicArn": cluster.notification_topic_arn,
                "TopicStatus": "active",
            }
        if show_nodes:
            result["CacheNodes"] = [
                self.describe_node(account, region, cluster, n) for n in cluster.nodes
            ]
        return result

    def describe_node(
        self, account: str, region: str, cluster: CacheCluster, node: CacheNode
    ) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "CacheNodeId": node.id,
            "CacheNodeStatus": node.status,
            "CacheNodeCreateTime": timestamp(node.created),
            "Endpoint": _endpoint(node.port),
            "ParameterGroupStatus": "in-sync",
            "CustomerAvailabilityZone": cluster.az,
        }
        if cluster.role == "replica" and not cluster.cluster_enabled:
            entry["SourceCacheNodeId"] = "0001"
        return entry

    def select(self, account: str, region: str, request: dict[str, Any]) -> list[CacheCluster]:
        if request.get("CacheClusterId"):
            if "--" in request["CacheClusterId"]:  # serverless caches' hidden nodes
                self.store.cluster(account, region, "--")
            return [self.store.cluster(account, region, request["CacheClusterId"])]
        clusters = [c for c in self.store.clusters(account, region) if "--" not in c.id]
        if request.get("ShowCacheClustersNotInReplicationGroups"):
            clusters = [c for c in clusters if c.replication_group_id is None]
        return clusters

    async def delete(self, account: str, region: str, request: dict[str, Any]) -> CacheCluster:
        cluster = self.store.cluster(account, region, request["CacheClusterId"])
        if cluster.replication_group_id:
            self.provider.group_changes.check_member_delete(account, region, cluster)
        if cluster.status in ("creating", "modifying", "snapshotting", "rebooting cluster nodes"):
            raise ServiceError(
                f"Cache cluster {cluster.id} is not in available state.",
                code="InvalidCacheClusterStateFault",
            )
        final = request.get("FinalSnapshotIdentifier")
        if final:
            await self.provider.snapshots.create_from_cluster(
                account, region, cluster, final, "manual"
            )
        cluster.status = "deleting"
        self.store.save_cluster(account, region, cluster)
        self.fleet.background(self.remove(account, region, cluster.id))
        return cluster

    async def remove(self, account: str, region: str, cluster_id: str, event: bool = True) -> None:
        """Stop the nodes, delete the files and the document."""
        await self.fleet.stop_cluster(account, region, cluster_id, [])
        from cloudlet.services.elasticache.nodes import remove_tree

        cluster = self.store.find_cluster(account, region, cluster_id)
        if cluster is not None and cluster.replication_group_id:
            self.provider.group_changes.forget_member(account, region, cluster)

        remove_tree(self.store.cluster_dir(account, region, cluster_id))
        self.store.delete(account, region, "cluster", cluster_id)
        self.store.set_tags(account, region, self.arn(account, region, cluster_id), [])
        if event:
            self.events.record(
                account, region, "cache-cluster", cluster_id, "Cache cluster deleted"
            )


def full_version(engine: str, version: str) -> str:
    """`7.1.0` for redis 7.1: clusters report the patch level, the catalogue the minor one."""
    return engines.engine_version(engine, version).version_description.rsplit(" ", 1)[-1]


def _endpoint(port: int) -> dict[str, Any]:
    return {"Address": "127.0.0.1", "Port": port}


def _doc(cluster: CacheCluster) -> dict[str, Any]:
    from cloudlet.services.elasticache.models import to_doc

    return to_doc(cluster)
