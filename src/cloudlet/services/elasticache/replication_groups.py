"""Replication groups: a primary and its replicas per shard, really replicating.

    cluster mode disabled   one shard: <rg>-001 primary, <rg>-002.. replicas (REPLICAOF);
                            PrimaryEndpoint = the primary's port, ReaderEndpoint = a replica's
    cluster mode enabled    N shards of Redis Cluster nodes (cluster-enabled yes, slots split
                            evenly with ADDSLOTSRANGE, MEET, REPLICATE); members <rg>-0001-001..;
                            ConfigurationEndpoint = a node that answers CLUSTER SLOTS

Endpoints follow failover: after `TestFailover` (or `ModifyReplicationGroup PrimaryClusterId`) the
PrimaryEndpoint reports the promoted node's port, as AWS's DNS name would now resolve to it.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from typing import TYPE_CHECKING, Any

from cloudlet.errors import ServiceError
from cloudlet.services.elasticache import engines, topology
from cloudlet.services.elasticache.clusters import _endpoint, timestamp
from cloudlet.services.elasticache.models import CacheCluster, NodeGroup, ReplicationGroup, arn
from cloudlet.services.elasticache.validation import auth_token, combination, identifier, invalid

if TYPE_CHECKING:
    from cloudlet.services.elasticache.provider import ElastiCacheProvider


def _not_found(group_id: str) -> ServiceError:
    return ServiceError(
        f"ReplicationGroup not found: {group_id}", code="ReplicationGroupNotFoundFault"
    )


class ReplicationGroups:
    def __init__(self, provider: ElastiCacheProvider) -> None:
        self.provider = provider
        self.store = provider.store
        self.events = provider.events
        self.fleet = provider.fleet

    def arn(self, account: str, region: str, group_id: str) -> str:
        return arn(region, account, "replicationgroup", group_id)

    # create

    async def create(self, account: str, region: str, request: dict[str, Any]) -> ReplicationGroup:
        group_id = identifier(request["ReplicationGroupId"], "ReplicationGroupId", 40)
        if self.store.find_group(account, region, group_id) is not None:
            raise ServiceError(
                f"Replication group {group_id} already exists.",
                code="ReplicationGroupAlreadyExistsFault",
            )
        clusters = self.provider.clusters
        engine = engines.check_engine(request.get("Engine") or "redis", ("redis", "valkey"))
        version = engines.engine_version(engine, request.get("EngineVersion")).version
        group_name = request.get("CacheParameterGroupName")
        explicit_on = False
        if group_name:
            values = self.provider.parameter_groups.effective(account, region, group_name)
            explicit_on = values.get("cluster-enabled") == "yes"
        layout = request.get("NodeGroupConfiguration") or []
        cluster_on = (
            explicit_on
            or request.get("ClusterMode") in ("enabled", "compatible")
            or request.get("NumNodeGroups", 1) > 1
            or len(layout) > 1
        )
        if cluster_on and request.get("ClusterMode") == "disabled":
            raise combination("ClusterMode disabled cannot be used with more than one node group.")
        parameter_group = clusters.parameter_group_for(
            account, region, group_name, engine, version, cluster_on
        )
        shards = self._layout(request, cluster_on, layout)
        failover = request.get("AutomaticFailoverEnabled", cluster_on)
        if failover and not cluster_on and shards[0] < 2:
            raise combination(
                "Redis with cluster mode disabled with automatic failover enabled requires at"
                " least 2 cache clusters (NumCacheClusters >= 2)."
            )
        if request.get("MultiAZEnabled") and not failover:
            raise combination("Multi-AZ requires automatic failover to be enabled.")
        token = request.get("AuthToken")
        if token is not None:
            if not request.get("TransitEncryptionEnabled"):
                raise combination(
                    "Encryption feature is not enabled. AuthToken can only be specified when"
                    " TransitEncryptionEnabled is true."
                )
            auth_token(token)
        user_groups = list(request.get("UserGroupIds") or [])
        if user_groups:
            if token is not None:
                raise combination("AuthToken and UserGroupIds cannot be used together.")
            self.provider.users.check_groups(account, region, user_groups, engine)
        clusters.check_node_quota(account, region, sum(shards))
        if request.get("CacheSubnetGroupName"):
            self.provider.subnet_groups.get(account, region, request["CacheSubnetGroupName"])
        now = time.time()
        group = ReplicationGroup(
            id=group_id,
            description=request["ReplicationGroupDescription"],
            engine=engine,
            engine_version=version,
            node_type=request.get("CacheNodeType") or "",
            created=now,
            cluster_enabled=cluster_on,
            parameter_group=parameter_group,
            port=request.get("Port") or engines.DEFAULT_PORT[engine],
            automatic_failover="enabled" if failover else "disabled",
            multi_az="enabled" if request.get("MultiAZEnabled") else "disabled",
            auth_token=token,
            auth_token_modified=now if token else None,
            transit_encryption=bool(request.get("TransitEncryptionEnabled", False)),
            at_rest_encryption=bool(request.get("AtRestEncryptionEnabled", False)),
            snapshot_retention_limit=request.get("SnapshotRetentionLimit", 0),
            snapshot_window=request.get("SnapshotWindow") or "05:00-06:00",
            user_group_ids=user_groups,
            subnet_group=request.get("CacheSubnetGroupName"),
            security_group_ids=list(request.get("SecurityGroupIds") or []),
            kms_key_id=request.get("KmsKeyId"),
            cluster_mode=request.get("ClusterMode") or ("enabled" if cluster_on else "disabled"),
            network_type=request.get("NetworkType") or "ipv4",
            auto_minor_version_upgrade=request.get("AutoMinorVersionUpgrade", True),
        )
        restore = self.provider.snapshots.restore_source(account, region, request, engine)
        secret = secrets.token_hex(16)
        members: list[CacheCluster] = []
        ranges = topology.slot_ranges(len(shards))
        requested_port = request.get("Port")
        for index, size in enumerate(shards):
            shard_id = f"{index + 1:04d}"
            ids = [
                f"{group_id}-{shard_id}-{m + 1:03d}" if cluster_on else f"{group_id}-{m + 1:03d}"
                for m in range(size)
            ]
            for position, member_id in enumerate(ids):
                if self.store.find_cluster(account, region, member_id) is not None:
                    raise ServiceError(
                        f"Cache cluster {member_id} already exists.",
                        code="CacheClusterAlreadyExistsFault",
                    )
                port = requested_port if (index == 0 and position == 0) else None
                member = clusters.new_cluster(
                    account,
                    region,
                    member_id,
                    request,
                    engine=engine,
                    version=version,
                    num_nodes=1,
                    port=port,
                    parameter_group=parameter_group,
                )
                member.replication_group_id = group_id
                member.node_group_id = shard_id
                member.role = "primary" if position == 0 else "replica"
                member.cluster_enabled = cluster_on
                member.auth_token = token
                member.auth_token_modified = group.auth_token_modified
                member.transit_encryption = group.transit_encryption
                member.user_group_ids = user_groups
                member.control_secret = secret
                member.snapshot_retention_limit = group.snapshot_retention_limit
                members.append(member)
            slots = f"{ranges[index][0]}-{ranges[index][1]}" if cluster_on else None
            group.node_groups.append(NodeGroup(shard_id, ids, ids[0], slots))
        group.node_type = members[0].node_type
        if cluster_on:
            group.configuration_port = members[0].nodes[0].port
        self.store.save_group(account, region, group)
        for member in members:
            self.store.save_cluster(account, region, member)
        self.provider.users.attach(account, region, user_groups, group_id, "ReplicationGroups")
        self.provider.tags.attach(account, region, self.arn(account, region, group_id), request)
        self.fleet.background(self.provision(account, region, group_id, restore))
        return group

    def _layout(
        self, request: dict[str, Any], cluster_on: bool, layout: list[dict[str, Any]]
    ) -> list[int]:
        """Members per shard."""
        replicas = request.get("ReplicasPerNodeGroup")
        if replicas is not None and not 0 <= replicas <= 5:
            raise invalid("ReplicasPerNodeGroup must be between 0 and 5.")
        if not cluster_on:
            count = request.get("NumCacheClusters")
            if count is None:
                count = (
                    (replicas + 1)
                    if replicas is not None
                    else len(request.get("PreferredCacheClusterAZs") or []) or 1
                )
            if not 1 <= count <= 6:
                raise invalid(
                    "NumCacheClusters must be between 1 and 6 (a primary and up to 5 replicas)."
                )
            return [count]
        shards = request.get("NumNodeGroups") or len(layout) or 1
        if not 1 <= shards <= 90:
            raise ServiceError(
                "NumNodeGroups must be between 1 and 90.",
                code="NodeGroupsPerReplicationGroupQuotaExceededFault",
            )
        if layout and len(layout) != shards:
            raise combination("NodeGroupConfiguration must have NumNodeGroups entries.")
        result = []
        for index in range(shards):
            count = layout[index].get("ReplicaCount") if layout else None
            if count is None:
                count = replicas or 0
            result.append(count + 1)
        return result

    async def provision(
        self, account: str, region: str, group_id: str, restore: Any = None
    ) -> None:
        group = self.store.find_group(account, region, group_id)
        if group is None:
            return
        members = [self.store.cluster(account, region, m) for m in group.members()]
        if restore is not None and not group.cluster_enabled:
            primary = next(m for m in members if m.role == "primary")
            self.provider.snapshots.seed(account, region, primary, restore)
        failure: str | None = None
        primaries = [m for m in members if m.role == "primary"]
        replicas = [m for m in members if m.role == "replica"]
        # Primaries first, so replicas find them at once.
        for batch in (primaries, replicas):
            results = await asyncio.gather(
                *(self.fleet.start_nodes(account, region, m) for m in batch)
            )
            failure = failure or next((r for r in results if r is not None), None)
        auth = self.fleet.auth(members[0])
        if failure is None:
            try:
                if group.cluster_enabled:
                    await topology.form_cluster(self._shards(account, region, group), auth)
                    if restore is not None:
                        await self.provider.snapshots.load_into_cluster(
                            account, region, group, restore
                        )
                else:
                    for replica in replicas:
                        await topology.wait_replica_synced(replica.nodes[0].port, auth)
            except (topology.TopologyError, OSError) as exc:
                failure = str(exc)
        group = self.store.find_group(account, region, group_id)
        if group is None or group.status == "deleting":
            return
        status = "available" if failure is None else "create-failed"
        for member_id in group.members():
            member = self.store.find_cluster(account, region, member_id)
            if member is None:
                continue
            member.status = status
            for node in member.nodes:
                node.status = status
            self.store.save_cluster(account, region, member)
            if failure is None:
                self.events.record(
                    account,
                    region,
                    "cache-cluster",
                    member_id,
                    f"Added cache node 0001 in availability zone {member.az}",
                )
        group.status = status
        group.failure = failure
        self.store.save_group(account, region, group)
        message = (
            f"Replication group {group_id} created"
            if failure is None
            else f"Failed to create replication group {group_id}: {failure}"
        )
        self.events.record(account, region, "replication-group", group_id, message)

    def _shards(
        self, account: str, region: str, group: ReplicationGroup
    ) -> list[tuple[int, list[int], tuple[int, int]]]:
        shards = []
        for node_group in group.node_groups:
            primary = self.store.cluster(account, region, node_group.primary).nodes[0].port
            replicas = [
                self.store.cluster(account, region, m).nodes[0].port
                for m in node_group.members
                if m != node_group.primary
            ]
            start, _, end = (node_group.slots or "0-16383").partition("-")
            shards.append((primary, replicas, (int(start), int(end))))
        return shards

    async def add_replica_cluster(
        self, account: str, region: str, cluster_id: str, request: dict[str, Any]
    ) -> CacheCluster:
        """CreateCacheCluster with ReplicationGroupId: one more read replica."""
        group = self.store.find_group(account, region, request["ReplicationGroupId"])
        if group is None:
            raise _not_found(request["ReplicationGroupId"])
        if group.cluster_enabled:
            raise combination(
                "Cache clusters cannot be added to a cluster mode enabled replication group."
            )
        if group.status != "available":
            raise ServiceError(
                f"Replication group {group.id} is not in available state.",
                code="InvalidReplicationGroupStateFault",
            )
        if self.store.find_cluster(account, region, cluster_id) is not None:
            raise ServiceError(
                f"Cache cluster {cluster_id} already exists.",
                code="CacheClusterAlreadyExistsFault",
            )
        if len(group.members()) >= 6:
            raise ServiceError(
                "A replication group can have at most 5 replicas.",
                code="ClusterQuotaForCustomerExceededFault",
            )
        primary = self.store.cluster(account, region, group.node_groups[0].primary)
        self.provider.clusters.check_node_quota(account, region, 1)
        member = self.provider.clusters.new_cluster(
            account,
            region,
            cluster_id,
            {"CacheNodeType": primary.node_type, **request},
            engine=group.engine,
            version=group.engine_version,
            num_nodes=1,
            port=request.get("Port"),
            parameter_group=primary.parameter_group,
        )
        for name in (
            "auth_token",
            "auth_token_modified",
            "transit_encryption",
            "user_group_ids",
            "control_secret",
        ):
            setattr(member, name, getattr(primary, name))
        member.replication_group_id = group.id
        member.node_group_id = "0001"
        member.role = "replica"
        self.store.save_cluster(account, region, member)
        group.node_groups[0].members.append(cluster_id)
        self.store.save_group(account, region, group)
        self.fleet.background(self.fleet.provision(account, region, cluster_id))
        return member

    # describe

    def describe(self, account: str, region: str, group: ReplicationGroup) -> dict[str, Any]:
        node_groups = []
        for node_group in group.node_groups:
            members = [self.store.find_cluster(account, region, m) for m in node_group.members]
            entry: dict[str, Any] = {
                "NodeGroupId": node_group.id,
                "Status": group.status if group.status != "create-failed" else "create-failed",
                "NodeGroupMembers": [],
            }
            replica_ports = []
            for member in members:
                if member is None or not member.nodes:
                    continue
                item: dict[str, Any] = {
                    "CacheClusterId": member.id,
                    "CacheNodeId": member.nodes[0].id,
                    "PreferredAvailabilityZone": member.az,
                }
                if not group.cluster_enabled:
                    item["ReadEndpoint"] = _endpoint(member.nodes[0].port)
                    item["CurrentRole"] = (
                        "primary" if member.id == node_group.primary else "replica"
                    )
                    if member.id == node_group.primary:
                        entry["PrimaryEndpoint"] = _endpoint(member.nodes[0].port)
                    else:
                        replica_ports.append(member.nodes[0].port)
                entry["NodeGroupMembers"].append(item)
            if group.cluster_enabled:
                entry["Slots"] = node_group.slots
            elif "PrimaryEndpoint" in entry:
                # AWS's reader endpoint spreads over the replicas; here: the first replica,
                # or the primary while there is none.
                port = replica_ports[0] if replica_ports else entry["PrimaryEndpoint"]["Port"]
                entry["ReaderEndpoint"] = _endpoint(port)
            node_groups.append(entry)
        result: dict[str, Any] = {
            "ReplicationGroupId": group.id,
            "Description": group.description,
            "GlobalReplicationGroupInfo": {},
            "Status": group.status,
            "PendingModifiedValues": {},
            "MemberClusters": group.members(),
            "NodeGroups": node_groups,
            "AutomaticFailover": group.automatic_failover,
            "MultiAZ": group.multi_az,
            "SnapshotRetentionLimit": group.snapshot_retention_limit,
            "SnapshotWindow": group.snapshot_window,
            "ClusterEnabled": group.cluster_enabled,
            "CacheNodeType": group.node_type,
            "AuthTokenEnabled": group.auth_token is not None,
            "TransitEncryptionEnabled": group.transit_encryption,
            "AtRestEncryptionEnabled": group.at_rest_encryption,
            "ARN": self.arn(account, region, group.id),
            "UserGroupIds": group.user_group_ids,
            "LogDeliveryConfigurations": [],
            "ReplicationGroupCreateTime": timestamp(group.created),
            "DataTiering": group.data_tiering,
            "AutoMinorVersionUpgrade": group.auto_minor_version_upgrade,
            "NetworkType": group.network_type,
            "IpDiscovery": "ipv4",
            "ClusterMode": group.cluster_mode,
            "Engine": group.engine,
        }
        if group.auth_token_modified is not None:
            result["AuthTokenLastModifiedDate"] = timestamp(group.auth_token_modified)
        if group.kms_key_id:
            result["KmsKeyId"] = group.kms_key_id
        if group.cluster_enabled and group.configuration_port is not None:
            result["ConfigurationEndpoint"] = _endpoint(group.configuration_port)
        if group.snapshot_retention_limit and group.members():
            result["SnapshottingClusterId"] = group.members()[-1]
        return result

    def select(self, account: str, region: str, request: dict[str, Any]) -> list[ReplicationGroup]:
        if request.get("ReplicationGroupId"):
            return [self.store.group(account, region, request["ReplicationGroupId"])]
        return self.store.groups(account, region)
