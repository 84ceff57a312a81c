"""Promotions: TestFailover, ModifyReplicationGroup PrimaryClusterId, and a crashed primary.

TestFailover promotes a replica for real and then "recovers" the old primary as AWS does: its
process is restarted and comes back as a replica of the new primary. Events follow AWS's wording:

    Test Failover API called for node group 0001
    Failover from primary node <old>-0001 to replica node <new>-0001 completed
    Recovering cache nodes 0001           (old primary's cluster)
    Finished recovery for cache nodes 0001

With cluster mode disabled the promotion is `FAILOVER TO` on the primary (no acknowledged write
is lost); with cluster mode enabled it is `CLUSTER FAILOVER` on the replica. When a primary's
process dies and the group has automatic failover, a replica is promoted (`REPLICAOF NO ONE`)
before the dead node is restarted, so it comes back as a replica and resyncs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cloudlet.errors import ServiceError
from cloudlet.services.elasticache import topology
from cloudlet.services.elasticache.fleet import owner_of
from cloudlet.services.elasticache.models import CacheCluster, NodeGroup, ReplicationGroup
from cloudlet.services.elasticache.nodes import NodeStartError

if TYPE_CHECKING:
    from cloudlet.services.elasticache.provider import ElastiCacheProvider


class Failover:
    def __init__(self, provider: ElastiCacheProvider) -> None:
        self.provider = provider
        self.store = provider.store
        self.events = provider.events
        self.fleet = provider.fleet
        self.fleet.on_node_crash = self.node_crashed

    def _node_group(self, group: ReplicationGroup, node_group_id: str) -> NodeGroup:
        for node_group in group.node_groups:
            if node_group.id == node_group_id:
                return node_group
        raise ServiceError(
            f"NodeGroup {node_group_id} not found in replication group {group.id}.",
            code="NodeGroupNotFoundFault",
        )

    def test_failover(
        self, account: str, region: str, group_id: str, node_group_id: str
    ) -> ReplicationGroup:
        group = self.store.group(account, region, group_id)
        node_group = self._node_group(group, node_group_id)
        if group.status != "available":
            raise ServiceError(
                f"Replication group {group.id} is not in available state.",
                code="InvalidReplicationGroupStateFault",
            )
        if group.automatic_failover != "enabled":
            raise ServiceError(
                f"Automatic failover is not enabled for replication group {group.id}.",
                code="InvalidReplicationGroupStateFault",
            )
        replicas = [m for m in node_group.members if m != node_group.primary]
        if not replicas:
            raise ServiceError(
                f"Node group {node_group_id} of replication group {group.id} has no replica"
                " to fail over to.",
                code="TestFailoverNotAvailableFault",
            )
        self.events.record(
            account,
            region,
            "replication-group",
            group.id,
            f"Test Failover API called for node group {node_group_id}",
        )
        group.status = "modifying"
        self.store.save_group(account, region, group)
        self.fleet.background(
            self._run(account, region, group.id, node_group_id, replicas[0], recover=True)
        )
        return group

    async def promote_member(
        self, account: str, region: str, group: ReplicationGroup, cluster_id: str
    ) -> None:
        """ModifyReplicationGroup PrimaryClusterId: make that member the primary, now."""
        for node_group in group.node_groups:
            if cluster_id in node_group.members:
                if node_group.primary == cluster_id:
                    return
                await self._run(account, region, group.id, node_group.id, cluster_id, recover=False)
                return
        raise ServiceError(
            f"Cache cluster {cluster_id} is not a member of replication group {group.id}.",
            code="InvalidParameterValueException",
        )

    async def _run(
        self,
        account: str,
        region: str,
        group_id: str,
        node_group_id: str,
        new_primary: str,
        recover: bool,
    ) -> None:
        group = self.store.group(account, region, group_id)
        node_group = self._node_group(group, node_group_id)
        old = self.store.cluster(account, region, node_group.primary)
        new = self.store.cluster(account, region, new_primary)
        auth = self.fleet.auth(old)
        others = [
            self.store.cluster(account, region, m).nodes[0].port
            for m in node_group.members
            if m not in (old.id, new.id)
        ]
        try:
            if group.cluster_enabled:
                await topology.cluster_promote(new.nodes[0].port, auth)
            else:
                await topology.promote(old.nodes[0].port, new.nodes[0].port, others, auth)
        except (topology.TopologyError, OSError) as exc:
            self.events.record(
                account,
                region,
                "replication-group",
                group_id,
                f"Failover to replica node {new.id}-0001 failed: {exc}",
            )
            self._settle(account, region, group_id)
            return
        self._switch_roles(account, region, group_id, node_group_id, old.id, new.id)
        self.events.record(
            account,
            region,
            "replication-group",
            group_id,
            f"Failover from primary node {old.id}-0001 to replica node {new.id}-0001 completed",
        )
        if recover:
            await self._recover(account, region, old.id)
        self._settle(account, region, group_id)

    def _switch_roles(
        self, account: str, region: str, group_id: str, node_group_id: str, old: str, new: str
    ) -> None:
        group = self.store.group(account, region, group_id)
        node_group = self._node_group(group, node_group_id)
        node_group.primary = new
        node_group.members = [new] + [m for m in node_group.members if m != new]
        self.store.save_group(account, region, group)
        for member_id in node_group.members:
            member = self.store.cluster(account, region, member_id)
            member.role = "primary" if member_id == new else "replica"
            self.store.save_cluster(account, region, member)

    async def _recover(self, account: str, region: str, cluster_id: str) -> None:
        cluster = self.store.cluster(account, region, cluster_id)
        node = cluster.nodes[0]
        self.events.record(
            account, region, "cache-cluster", cluster_id, f"Recovering cache nodes {node.id}"
        )
        try:
            await self.fleet.nodes.restart(
                owner_of(account, region, cluster_id, node.id),
                self.fleet.spec(account, region, cluster, node),
            )
            await topology.wait_replica_synced(node.port, self.fleet.auth(cluster))
        except (NodeStartError, topology.TopologyError, OSError) as exc:
            self.events.record(
                account,
                region,
                "cache-cluster",
                cluster_id,
                f"Recovery of cache node {node.id} failed: {exc}",
            )
            return
        self.events.record(
            account,
            region,
            "cache-cluster",
            cluster_id,
            f"Finished recovery for cache nodes {node.id}",
        )

    def _settle(self, account: str, region: str, group_id: str) -> None:
        group = self.store.find_group(account, region, group_id)
        if group is not None and group.status == "modifying":
            group.status = "available"
            self.store.save_group(account, region, group)

    async def node_crashed(
        self, account: str, region: str, cluster: CacheCluster, node_id: str
    ) -> None:
        """A primary died: promote a replica when the group has automatic failover.

        Runs right after the crash is reported; the node's restart waits for it (`Nodes`
        rebuilds the spec after its back-off, by which time the roles have been switched).
        """
        if cluster.role != "primary" or cluster.cluster_enabled or not cluster.replication_group_id:
            return
        group = self.store.find_group(account, region, cluster.replication_group_id)
        if group is None or group.automatic_failover != "enabled":
            return
        node_group = group.node_groups[0]
        replicas = [m for m in node_group.members if m != cluster.id]
        if not replicas:
            return
        new = self.store.cluster(account, region, replicas[0])
        # Switch the roles first: the dead node is restarted from the new roles.
        self._switch_roles(account, region, group.id, node_group.id, cluster.id, new.id)
        auth = self.fleet.auth(cluster)
        others = [
            self.store.cluster(account, region, m).nodes[0].port
            for m in node_group.members
            if m not in (cluster.id, new.id)
        ]
        try:
            await topology.promote(cluster.nodes[0].port, new.nodes[0].port, others, auth)
        except (topology.TopologyError, OSError) as exc:
            self.events.record(
                account,
                region,
                "replication-group",
                group.id,
                f"Failover to replica node {new.id}-0001 failed: {exc}",
            )
            return
        self.events.record(
            account,
            region,
            "replication-group",
            group.id,
            f"Failover from primary node {cluster.id}-0001 to replica node {new.id}-0001 completed",
        )
