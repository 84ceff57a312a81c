"""The running side of every cache cluster: cluster documents in, engine processes out.

`Fleet` builds each node's `NodeSpec` from the control plane's state (engine, node type →
maxmemory, parameter group, replication role, cluster mode, AUTH token or user group ACLs),
starts and stops nodes through `Nodes`, pushes parameter changes into running engines, and turns
what happens to processes into node and cluster statuses and events:

    provision(cluster)  nodes start ──▶ all ready: available + "Cache cluster created"
                                    └─▶ one fails: create-failed + an event saying why
    crash               node rebooting + "Recovering cache nodes 0001 (<why>)"
    back up             node available + "Finished recovery for cache nodes 0001"
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from cloudlet.services.elasticache import engines, node_types, parameters, resp
from cloudlet.services.elasticache.events import Events
from cloudlet.services.elasticache.models import CacheCluster, CacheNode
from cloudlet.services.elasticache.nodes import Nodes, NodeSpec, NodeStartError
from cloudlet.services.elasticache.parameter_groups import ParameterGroups
from cloudlet.services.elasticache.store import EcStore

if TYPE_CHECKING:
    from cloudlet.platform.runtime import Platform

log = logging.getLogger(__name__)

SAVE_POINTS = "3600 1 300 100 60 10000"
"""RDB save points (the engines' defaults): data outlives a cloudlet restart, as the issue asks,
without the per-write cost of an append-only file."""
CONTROL_USER = "cloudlet-control"
"""cloudlet's own ACL user on engines whose users come from a user group (replication, CONFIG)."""

AclBuilder = Callable[[str, str, CacheCluster], list[tuple[str, str]]]


def owner_of(account: str, region: str, cluster_id: str, node_id: str) -> str:
    return f"elasticache/{account}/{region}/{cluster_id}/{node_id}"


def parse_owner(owner: str) -> tuple[str, str, str, str]:
    _, account, region, cluster_id, node_id = owner.split("/")
    return account, region, cluster_id, node_id


class Fleet:
    """Every running cache node of one cloudlet."""

    def __init__(
        self, platform: Platform, store: EcStore, events: Events, groups: ParameterGroups
    ) -> None:
        self.platform = platform
        self.store = store
        self.events = events
        self.groups = groups
        self.acl: AclBuilder | None = None
        """ACL directives of a cluster's user groups (set by the provider: `users.py`)."""
        self.on_node_crash: Callable[[str, str, CacheCluster, str], Awaitable[None]] | None = None
        """Replication groups hook in here to fail over a crashed primary."""
        self.nodes = Nodes(platform, self._crashed, self._recovered, self._respec)
        self._tasks: set[asyncio.Task[Any]] = set()

    # specs

    def auth(self, cluster: CacheCluster) -> tuple[str, str] | None:
        """Credentials of the control plane's own connections to the cluster's engines."""
        if cluster.user_group_ids:
            return (CONTROL_USER, cluster.control_secret)
        if cluster.auth_token:
            return ("default", cluster.auth_token)
        return None

    def spec(self, account: str, region: str, cluster: CacheCluster, node: CacheNode) -> NodeSpec:
        directory = self.store.cluster_dir(account, region, cluster.id) / node.id
        owner = owner_of(account, region, cluster.id, node.id)
        values = self.groups.effective(account, region, cluster.parameter_group)
        if cluster.engine == "memcached":
            argv = engines.memcached_argv(
                engines.require_binary("memcached"),
                node.port,
                node_types.memcached_megabytes(cluster.node_type),
                values,
            )
            return NodeSpec(owner, cluster.engine, node.port, directory, argv)
        family = engines.family_of(cluster.engine, cluster.engine_version)
        directives = [
            ("bind", "127.0.0.1"),
            ("port", str(node.port)),
            ("protected-mode", "no"),
            ("daemonize", "no"),
            ("dir", str(directory)),
            ("dbfilename", "dump.rdb"),
            ("save", SAVE_POINTS),
            ("appendonly", "no"),
            # Replicas sync at once (the engines wait 5 s for more replicas by default).
            ("repl-diskless-sync-delay", "0"),
            ("logfile", ""),
            ("maxmemory", str(maxmemory(cluster.node_type, values))),
        ]
        for parameter in parameters.definitions(family):
            if parameter.engine and not parameter.name.startswith("cluster-"):
                directives.append((parameter.name, values[parameter.name]))
        if cluster.cluster_enabled:
            directives += [
                ("cluster-enabled", "yes"),
                ("cluster-config-file", "nodes.conf"),
                ("cluster-node-timeout", values.get("cluster-node-timeout", "15000")),
                (
                    "cluster-require-full-coverage",
                    values.get("cluster-require-full-coverage") or "no",
                ),
                ("cluster-allow-replica-migration", "no"),
            ]
        elif cluster.role == "replica":
            primary = self.primary_port(account, region, cluster)
            if primary is not None:
                directives.append(("replicaof", f"127.0.0.1 {primary}"))
        auth = self.auth(cluster)
        if cluster.user_group_ids and self.acl is not None:
            directives += self.acl(account, region, cluster)
            directives += [("masteruser", CONTROL_USER), ("masterauth", cluster.control_secret)]
        elif cluster.auth_token:
            directives += [("requirepass", cluster.auth_token), ("masterauth", cluster.auth_token)]
        config = engines.redis_config(directives)
        argv = [engines.require_binary(cluster.engine)]
        return NodeSpec(owner, cluster.engine, node.port, directory, argv, config, auth)

    def primary_port(self, account: str, region: str, cluster: CacheCluster) -> int | None:
        """The port of the primary a replica member follows."""
        if cluster.replication_group_id is None:
            return None
        group = self.store.find_group(account, region, cluster.replication_group_id)
        if group is None:
            return None
        for node_group in group.node_groups:
            if cluster.id in node_group.members:
                primary = self.store.find_cluster(account, region, node_group.primary)
                if primary is not None and primary.nodes:
                    return primary.nodes[0].port
        return None

    # life cycle

    def background(self, coroutine: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("elasticache background task failed", exc_info=task.exception())

    async def start_nodes(
        self, account: str, region: str, cluster: CacheCluster, node_ids: list[str] | None = None
    ) -> str | None:
        """Start the cluster's nodes (or the listed ones); None when all are up, else why not."""
        targets = [n for n in cluster.nodes if node_ids is None or n.id in node_ids]
        try:
            specs = [self.spec(account, region, cluster, node) for node in targets]
        except Exception as exc:  # a missing binary, a broken parameter group
            return getattr(exc, "message", str(exc))
        results = await asyncio.gather(
            *(self.nodes.start(spec) for spec in specs), return_exceptions=True
        )
        for node, result in zip(targets, results, strict=True):
            if isinstance(result, NodeStartError):
                return f"cache node {node.id}: {result}"
            if isinstance(result, BaseException):
                raise result
        return None

    async def provision(self, account: str, region: str, cluster_id: str) -> bool:
        """Start a new cluster's nodes and make it available (or create-failed, saying why)."""
        cluster = self.store.find_cluster(account, region, cluster_id)
        if cluster is None:
            return False
        failure = await self.start_nodes(account, region, cluster)
        cluster = self.store.find_cluster(account, region, cluster_id)
        if cluster is None or cluster.status == "deleting":
            await self.stop_cluster(account, region, cluster_id, [])
            return False
        if failure is not None:
            await self.stop_cluster(account, region, cluster_id, [n.id for n in cluster.nodes])
            cluster.status = "create-failed"
            cluster.failure = failure
            for node in cluster.nodes:
                node.status = "create-failed"
            self.store.save_cluster(account, region, cluster)
            self.events.record(
                account,
                region,
                "cache-cluster",
                cluster.id,
                f"Failed to create cache cluster {cluster.id}: {failure}",
            )
            return False
        for node in cluster.nodes:
            node.status = "available"
            self.events.record(
                account,
                region,
                "cache-cluster",
                cluster.id,
                f"Added cache node {node.id} in availability zone {cluster.az}",
            )
        cluster.status = "available"
        self.store.save_cluster(account, region, cluster)
        if cluster.replication_group_id is None:
            self.events.record(
                account, region, "cache-cluster", cluster.id, "Cache cluster created"
            )
        return True

    async def stop_cluster(
        self, account: str, region: str, cluster_id: str, node_ids: list[str]
    ) -> None:
        """Stop the listed nodes of a cluster (all its running nodes when the list is empty)."""
        prefix = owner_of(account, region, cluster_id, "")
        owners = [o for o in self.nodes.owners() if o.startswith(prefix)]
        if node_ids:
            owners = [owner_of(account, region, cluster_id, n) for n in node_ids]
        await asyncio.gather(*(self.nodes.stop(owner) for owner in owners))

    async def reboot(self, account: str, region: str, cluster_id: str, node_ids: list[str]) -> None:
        """Restart the listed nodes (SIGTERM writes the RDB: data survives, as on AWS)."""
        cluster = self.store.cluster(account, region, cluster_id)
        for node_id in node_ids:
            node = cluster.node(node_id)
            if node is None:
                continue
            self.events.record(
                account, region, "cache-cluster", cluster_id, f"Cache node {node_id} shutdown"
            )
            owner = owner_of(account, region, cluster_id, node_id)
            try:
                await self.nodes.restart(owner, self.spec(account, region, cluster, node))
            except NodeStartError as exc:
                self.events.record(
                    account,
                    region,
                    "cache-cluster",
                    cluster_id,
                    f"Cache node {node_id} failed to restart: {exc}",
                )
                continue
            self.events.record(
                account, region, "cache-cluster", cluster_id, f"Cache node {node_id} restarted"
            )

    async def revive(self) -> None:
        """After a restart of cloudlet: start every node that was running, with its data."""
        jobs: list[Awaitable[object]] = []
        for account, region, cluster_id in self.store.scopes("cluster"):
            cluster = self.store.find_cluster(account, region, cluster_id)
            if cluster is None or cluster.status in ("create-failed", "deleting"):
                continue
            if cluster.status == "creating" and cluster.replication_group_id is None:
                jobs.append(self.provision(account, region, cluster_id))
                continue
            jobs.append(self.start_nodes(account, region, cluster))
        for result in await asyncio.gather(*jobs, return_exceptions=True):
            if isinstance(result, BaseException):
                log.warning("a cache cluster did not come back: %s", result)

    # live changes

    async def call(self, cluster: CacheCluster, node: CacheNode, *args: str) -> resp.Reply:
        return await resp.command(node.port, *args, auth=self.auth(cluster))

    async def apply_parameters(
        self, account: str, region: str, cluster: CacheCluster, changed: dict[str, str]
    ) -> None:
        """Push changed parameter values into the cluster's running engines (CONFIG SET)."""
        if cluster.engine == "memcached":
            return  # memcached reads its options at start: they apply at the next reboot
        family = engines.family_of(cluster.engine, cluster.engine_version)
        values = self.groups.effective(account, region, cluster.parameter_group)
        settings: list[str] = []
        for name, value in changed.items():
            parameter = parameters.definition(family, name)
            if name == "reserved-memory-percent":
                settings += ["maxmemory", str(maxmemory(cluster.node_type, values))]
            elif parameter.engine and parameter.change_type == "immediate":
                settings += [name, value]
        if not settings:
            return
        for node in cluster.nodes:
            if self.nodes.is_running(owner_of(account, region, cluster.id, node.id)):
                await self.call(cluster, node, "CONFIG", "SET", *settings)

    # process events

    def _crashed(self, owner: str, reason: str) -> None:
        account, region, cluster_id, node_id = parse_owner(owner)
        cluster = self.store.find_cluster(account, region, cluster_id)
        if cluster is None:
            return
        node = cluster.node(node_id)
        if node is not None:
            node.status = "rebooting"
        self.store.save_cluster(account, region, cluster)
        self.events.record(
            account,
            region,
            "cache-cluster",
            cluster_id,
            f"Recovering cache nodes {node_id} ({reason})",
        )
        if self.on_node_crash is not None:
            self.background(self.on_node_crash(account, region, cluster, node_id))

    def _recovered(self, owner: str) -> None:
        account, region, cluster_id, node_id = parse_owner(owner)
        cluster = self.store.find_cluster(account, region, cluster_id)
        if cluster is None:
            return
        node = cluster.node(node_id)
        if node is not None:
            node.status = "available"
        self.store.save_cluster(account, region, cluster)
        self.events.record(
            account,
            region,
            "cache-cluster",
            cluster_id,
            f"Finished recovery for cache nodes {node_id}",
        )

    async def _respec(self, owner: str) -> NodeSpec | None:
        account, region, cluster_id, node_id = parse_owner(owner)
        cluster = self.store.find_cluster(account, region, cluster_id)
        node = cluster.node(node_id) if cluster is not None else None
        if cluster is None or node is None or cluster.status == "deleting":
            return None
        return self.spec(account, region, cluster, node)

    async def shutdown(self) -> None:
        self.nodes.closing = True
        for task in list(self._tasks):
            task.cancel()

    def forget(self) -> None:
        """After a reset: every process is already gone."""
        self.nodes.forget_all()
        for task in list(self._tasks):
            task.cancel()


def maxmemory(node_type: str, values: dict[str, str]) -> int:
    """The engine's maxmemory: the node type's memory less `reserved-memory-percent`."""
    return node_types.maxmemory(node_type, float(values.get("reserved-memory-percent", "25")))


def now() -> float:
    return time.time()
