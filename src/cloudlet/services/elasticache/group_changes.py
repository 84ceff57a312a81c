"""Changes to replication groups: ModifyReplicationGroup, DeleteReplicationGroup, and AWS's rules
for deleting one member cluster (the member's document leaves its group when it is removed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cloudlet.errors import ServiceError
from cloudlet.services.elasticache.models import CacheCluster, ReplicationGroup, arn
from cloudlet.services.elasticache.validation import combination

if TYPE_CHECKING:
    from cloudlet.services.elasticache.provider import ElastiCacheProvider


class GroupChanges:
    def __init__(self, provider: ElastiCacheProvider) -> None:
        self.provider = provider
        self.store = provider.store
        self.events = provider.events
        self.fleet = provider.fleet

    def arn(self, account: str, region: str, group_id: str) -> str:
        return arn(region, account, "replicationgroup", group_id)

    def check_member_delete(self, account: str, region: str, cluster: CacheCluster) -> None:
        """AWS's refusals to delete one member cluster of a replication group."""
        group = self.store.find_group(account, region, cluster.replication_group_id or "")
        if group is None:
            return
        if len(group.members()) == 1:
            raise ServiceError(
                "Cannot delete the cache cluster since it is the only member of a replication"
                " group. Delete the replication group instead.",
                code="InvalidCacheClusterStateFault",
            )
        if group.cluster_enabled:
            raise ServiceError(
                "Cannot delete a cache cluster of a cluster mode enabled replication group."
                " Use ModifyReplicationGroupShardConfiguration or DecreaseReplicaCount instead.",
                code="InvalidCacheClusterStateFault",
            )
        if cluster.role == "primary":
            raise ServiceError(
                f"Cannot delete the primary cluster of replication group {group.id}. Promote a"
                " replica first (ModifyReplicationGroup PrimaryClusterId) or delete the"
                " replication group with DeleteReplicationGroup.",
                code="InvalidCacheClusterStateFault",
            )
        if group.automatic_failover == "enabled" and len(group.members()) == 2:
            raise ServiceError(
                "Cannot delete the cache cluster because it is the only read replica for"
                f" replication group {group.id} which has autofailover enabled or pending. You"
                " can disable autofailover and then delete this cache cluster. Alternatively,"
                " to delete the entire replication group, use DeleteReplicationGroup.",
                code="InvalidCacheClusterStateFault",
            )

    def forget_member(self, account: str, region: str, cluster: CacheCluster) -> None:
        group = self.store.find_group(account, region, cluster.replication_group_id or "")
        if group is None:
            return
        for node_group in group.node_groups:
            if cluster.id in node_group.members:
                node_group.members.remove(cluster.id)
        self.store.save_group(account, region, group)

    async def delete(self, account: str, region: str, request: dict[str, Any]) -> ReplicationGroup:
        group = self.store.group(account, region, request["ReplicationGroupId"])
        if group.status in ("creating", "modifying", "snapshotting", "deleting"):
            raise ServiceError(
                f"Replication group {group.id} has status {group.status} which is not valid for"
                " deletion.",
                code="InvalidReplicationGroupStateFault",
            )
        retain = bool(request.get("RetainPrimaryCluster"))
        if retain and group.cluster_enabled:
            raise combination("RetainPrimaryCluster is not supported for cluster mode enabled.")
        final = request.get("FinalSnapshotIdentifier")
        if final:
            await self.provider.snapshots.create_from_group(account, region, group, final, "manual")
        group.status = "deleting"
        self.store.save_group(account, region, group)
        for member_id in group.members():
            member = self.store.find_cluster(account, region, member_id)
            if member is not None:
                member.status = "deleting"
                self.store.save_cluster(account, region, member)
        self.fleet.background(self._remove(account, region, group, retain))
        return group

    async def _remove(
        self, account: str, region: str, group: ReplicationGroup, retain: bool
    ) -> None:
        keep = group.node_groups[0].primary if retain else None
        for member_id in group.members():
            if member_id == keep:
                continue
            await self.provider.clusters.remove(account, region, member_id, event=False)
        if keep is not None:
            member = self.store.find_cluster(account, region, keep)
            if member is not None:
                member.replication_group_id = None
                member.node_group_id = None
                member.role = None
                member.status = "available"
                self.store.save_cluster(account, region, member)
        self.store.delete(account, region, "replication-group", group.id)
        self.provider.users.detach(
            account, region, group.user_group_ids, group.id, "ReplicationGroups"
        )
        self.store.set_tags(account, region, self.arn(account, region, group.id), [])
        self.events.record(
            account, region, "replication-group", group.id, f"Replication group {group.id} deleted"
        )

    async def modify(self, account: str, region: str, request: dict[str, Any]) -> ReplicationGroup:
        group = self.store.group(account, region, request["ReplicationGroupId"])
        if group.status != "available":
            raise ServiceError(
                f"Replication group {group.id} is not in available state.",
                code="InvalidReplicationGroupStateFault",
            )
        if "ReplicationGroupDescription" in request:
            group.description = request["ReplicationGroupDescription"]
        if "AutomaticFailoverEnabled" in request:
            enabled = request["AutomaticFailoverEnabled"]
            if enabled and not group.cluster_enabled and len(group.members()) < 2:
                raise combination(
                    "Automatic failover requires at least one read replica in the replication"
                    " group."
                )
            if not enabled and group.cluster_enabled:
                raise combination(
                    "Automatic failover cannot be disabled for cluster mode enabled replication"
                    " groups."
                )
            group.automatic_failover = "enabled" if enabled else "disabled"
        if "MultiAZEnabled" in request:
            if request["MultiAZEnabled"] and group.automatic_failover != "enabled":
                raise combination("Multi-AZ requires automatic failover to be enabled.")
            group.multi_az = "enabled" if request["MultiAZEnabled"] else "disabled"
        for field, key in (
            ("snapshot_retention_limit", "SnapshotRetentionLimit"),
            ("snapshot_window", "SnapshotWindow"),
        ):
            if key in request:
                setattr(group, field, request[key])
        self.store.save_group(account, region, group)
        users = self.provider.users
        if request.get("UserGroupIdsToAdd") or request.get("UserGroupIdsToRemove"):
            await users.change_group_user_groups(account, region, group, request)
        if request.get("CacheParameterGroupName"):
            name = self.provider.clusters.parameter_group_for(
                account,
                region,
                request["CacheParameterGroupName"],
                group.engine,
                group.engine_version,
                group.cluster_enabled,
            )
            group.parameter_group = name
            self.store.save_group(account, region, group)
            values = self.provider.parameter_groups.effective(account, region, name)
            for member_id in group.members():
                member = self.store.cluster(account, region, member_id)
                member.parameter_group = name
                self.store.save_cluster(account, region, member)
                await self.fleet.apply_parameters(account, region, member, values)
        if request.get("PrimaryClusterId"):
            await self.provider.failover.promote_member(
                account, region, group, request["PrimaryClusterId"]
            )
        return self.store.group(account, region, group.id)

    # replica counts (cluster mode disabled)

    async def increase_replicas(
        self, account: str, region: str, request: dict[str, Any]
    ) -> ReplicationGroup:
        group = self.store.group(account, region, request["ReplicationGroupId"])
        if group.cluster_enabled:
            raise combination(
                "Changing the replica count of cluster mode enabled groups is not supported by"
                " cloudlet yet."
            )
        wanted = request.get("NewReplicaCount")
        if wanted is None:
            raise combination("NewReplicaCount must be given.")
        current = len(group.members()) - 1
        if not current < wanted <= 5:
            raise ServiceError(
                f"NewReplicaCount must be greater than the current replica count ({current})"
                " and at most 5.",
                code="InvalidParameterValueException",
            )
        used = {int(m.rsplit("-", 1)[1]) for m in group.members()}
        number = 1
        for _ in range(wanted - current):
            while number in used:
                number += 1
            used.add(number)
            await self.provider.replication_groups.add_replica_cluster(
                account, region, f"{group.id}-{number:03d}", {"ReplicationGroupId": group.id}
            )
        return self.store.group(account, region, group.id)

    async def decrease_replicas(
        self, account: str, region: str, request: dict[str, Any]
    ) -> ReplicationGroup:
        group = self.store.group(account, region, request["ReplicationGroupId"])
        if group.cluster_enabled:
            raise combination(
                "Changing the replica count of cluster mode enabled groups is not supported by"
                " cloudlet yet."
            )
        node_group = group.node_groups[0]
        replicas = [m for m in node_group.members if m != node_group.primary]
        remove = list(request.get("ReplicasToRemove") or [])
        if not remove:
            wanted = request.get("NewReplicaCount")
            if wanted is None or not 0 <= wanted < len(replicas):
                raise ServiceError(
                    f"NewReplicaCount must be less than the current replica count"
                    f" ({len(replicas)}).",
                    code="InvalidParameterValueException",
                )
            remove = replicas[wanted:]
        for member_id in remove:
            if member_id not in replicas:
                raise ServiceError(
                    f"{member_id} is not a replica of replication group {group.id}.",
                    code="InvalidParameterValueException",
                )
        if group.automatic_failover == "enabled" and len(replicas) == len(remove):
            raise combination(
                "Automatic failover needs at least one replica: disable it before removing"
                " every replica."
            )
        for member_id in remove:
            member = self.store.cluster(account, region, member_id)
            member.status = "deleting"
            self.store.save_cluster(account, region, member)
            self.fleet.background(self.provider.clusters.remove(account, region, member_id))
        return self.store.group(account, region, group.id)
