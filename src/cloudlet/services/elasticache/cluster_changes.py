"""Changes to cache clusters: ModifyCacheCluster and RebootCacheCluster.

Modifications apply immediately whatever `ApplyImmediately` says: cloudlet has no maintenance
windows, so nothing is ever left pending. A new node type changes `maxmemory` at once
(`CONFIG SET`); memcached clusters grow and shrink by nodes; AUTH tokens rotate live.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from cloudlet.errors import ServiceError
from cloudlet.services.elasticache import engines, node_types, resp
from cloudlet.services.elasticache.models import CacheCluster, CacheNode
from cloudlet.services.elasticache.validation import auth_token, combination, invalid

if TYPE_CHECKING:
    from cloudlet.services.elasticache.provider import ElastiCacheProvider


class ClusterChanges:
    def __init__(self, provider: ElastiCacheProvider) -> None:
        self.provider = provider
        self.store = provider.store
        self.events = provider.events
        self.fleet = provider.fleet
        self.clusters = provider.clusters

    async def modify(self, account: str, region: str, request: dict[str, Any]) -> CacheCluster:
        cluster = self.store.cluster(account, region, request["CacheClusterId"])
        if cluster.status != "available":
            raise ServiceError(
                f"Cache cluster {cluster.id} is not in available state.",
                code="InvalidCacheClusterStateFault",
            )
        changed_params: dict[str, str] = {}
        if request.get("CacheNodeType") and request["CacheNodeType"] != cluster.node_type:
            node_types.validate(request["CacheNodeType"])
            cluster.node_type = request["CacheNodeType"]
            changed_params["reserved-memory-percent"] = ""
        if request.get("EngineVersion"):
            wanted = engines.engine_version(cluster.engine, request["EngineVersion"])
            current = engines.engine_version(cluster.engine, cluster.engine_version)
            if [int(p) for p in wanted.version.split(".")[:2]] < [
                int(p) for p in current.version.split(".")[:2]
            ]:
                raise invalid(
                    f"Cannot downgrade {cluster.engine} engine version from"
                    f" {current.version} to {wanted.version}."
                )
            if wanted.family != current.family and not request.get("CacheParameterGroupName"):
                cluster.parameter_group = f"default.{wanted.family}"
            cluster.engine_version = wanted.version
        if request.get("CacheParameterGroupName"):
            cluster.parameter_group = self.clusters.parameter_group_for(
                account,
                region,
                request["CacheParameterGroupName"],
                cluster.engine,
                cluster.engine_version,
                cluster.cluster_enabled,
            )
            changed_params.update(
                self.provider.parameter_groups.effective(account, region, cluster.parameter_group)
            )
        for field, key in (
            ("snapshot_retention_limit", "SnapshotRetentionLimit"),
            ("snapshot_window", "SnapshotWindow"),
            ("maintenance_window", "PreferredMaintenanceWindow"),
            ("auto_minor_version_upgrade", "AutoMinorVersionUpgrade"),
            ("notification_topic_arn", "NotificationTopicArn"),
        ):
            if key in request:
                setattr(cluster, field, request[key])
        if "SecurityGroupIds" in request:
            cluster.security_group_ids = list(request["SecurityGroupIds"])
        await self._modify_auth(account, region, cluster, request)
        await self._modify_nodes(account, region, cluster, request)
        self.store.save_cluster(account, region, cluster)
        if changed_params:
            await self.fleet.apply_parameters(account, region, cluster, changed_params)
        return cluster

    async def _modify_auth(
        self, account: str, region: str, cluster: CacheCluster, request: dict[str, Any]
    ) -> None:
        strategy = request.get("AuthTokenUpdateStrategy")
        token = request.get("AuthToken")
        if token is None and strategy is None:
            return
        if not cluster.transit_encryption:
            raise combination("Encryption feature is not enabled")
        if strategy == "DELETE":
            cluster.auth_token = None
        else:
            if token is None:
                raise combination("AuthToken must be provided with AuthTokenUpdateStrategy")
            auth_token(token)
            current = self.fleet.auth(cluster)
            cluster.auth_token = token
            for node in cluster.nodes:
                await resp.command(
                    node.port,
                    "CONFIG",
                    "SET",
                    "requirepass",
                    token,
                    "masterauth",
                    token,
                    auth=current,
                )
        cluster.auth_token_modified = time.time()

    async def _modify_nodes(
        self, account: str, region: str, cluster: CacheCluster, request: dict[str, Any]
    ) -> None:
        wanted = request.get("NumCacheNodes")
        if wanted is None or wanted == len(cluster.nodes):
            return
        if cluster.engine != "memcached":
            raise invalid("NumCacheNodes can only be changed for memcached clusters.")
        if wanted > len(cluster.nodes):
            adding = wanted - len(cluster.nodes)
            self.clusters.check_node_quota(account, region, adding)
            ports = self.clusters.allocate_ports(adding, None)
            next_id = max(int(n.id) for n in cluster.nodes) + 1
            new = [CacheNode(f"{next_id + i:04d}", ports[i], time.time()) for i in range(adding)]
            cluster.nodes.extend(new)
            failure = await self.fleet.start_nodes(account, region, cluster, [n.id for n in new])
            for node in new:
                node.status = "available" if failure is None else "create-failed"
                self.events.record(
                    account,
                    region,
                    "cache-cluster",
                    cluster.id,
                    f"Added cache node {node.id} in availability zone {cluster.az}",
                )
            return
        remove = list(request.get("CacheNodeIdsToRemove") or [])
        if len(cluster.nodes) - len(remove) != wanted:
            raise invalid(
                "The number of cache node ids to remove must match the decrease in NumCacheNodes."
            )
        for node_id in remove:
            if cluster.node(node_id) is None:
                raise invalid(f"Cache node {node_id} does not exist in cluster {cluster.id}.")
        await self.fleet.stop_cluster(account, region, cluster.id, remove)
        cluster.nodes = [n for n in cluster.nodes if n.id not in remove]
        for node_id in remove:
            self.events.record(
                account, region, "cache-cluster", cluster.id, f"Removed cache node {node_id}"
            )

    async def reboot(self, account: str, region: str, request: dict[str, Any]) -> CacheCluster:
        cluster = self.store.cluster(account, region, request["CacheClusterId"])
        node_ids = list(request["CacheNodeIdsToReboot"])
        for node_id in node_ids:
            if cluster.node(node_id) is None:
                raise invalid(f"Cache node {node_id} does not exist in cluster {cluster.id}.")
        if cluster.status != "available":
            raise ServiceError(
                f"Cache cluster {cluster.id} is not in available state.",
                code="InvalidCacheClusterStateFault",
            )
        cluster.status = "rebooting cluster nodes"
        for node in cluster.nodes:
            if node.id in node_ids:
                node.status = "rebooting"
        self.store.save_cluster(account, region, cluster)
        self.fleet.background(self._reboot(account, region, cluster.id, node_ids))
        return cluster

    async def _reboot(
        self, account: str, region: str, cluster_id: str, node_ids: list[str]
    ) -> None:
        await self.fleet.reboot(account, region, cluster_id, node_ids)
        cluster = self.store.find_cluster(account, region, cluster_id)
        if cluster is None:
            return
        cluster.status = "available"
        for node in cluster.nodes:
            if node.id in node_ids:
                node.status = "available"
        self.store.save_cluster(account, region, cluster)
