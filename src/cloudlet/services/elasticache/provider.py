"""ElastiCache's operations (query protocol): unpack the request, call the domain, shape the answer.

    clusters.py            CacheCluster create/describe/modify/reboot/delete
    replication_groups.py  replication groups (cluster mode disabled and enabled)
    failover.py            TestFailover, PrimaryClusterId, crashed primaries
    parameter_groups.py    cache parameter groups (parameters.py: AWS's parameter catalogue)
    subnet_groups.py       cache subnet groups
    users.py               users and user groups (ACLs applied to the engines)
    snapshots.py           snapshots (the engine's RDB) and restores
    fleet.py · nodes.py    the engine processes (engines.py: binaries and configuration)
    events.py · tags.py    DescribeEvents, tags by ARN

Nodes are engine processes under the supervisor; after a restart of cloudlet they are started
again, with their data, when the provider starts (on the first ElastiCache request).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from cloudlet.context import RequestContext
from cloudlet.services.base import Provider
from cloudlet.services.elasticache import engines
from cloudlet.services.elasticache.cluster_changes import ClusterChanges
from cloudlet.services.elasticache.clusters import Clusters
from cloudlet.services.elasticache.events import Events
from cloudlet.services.elasticache.failover import Failover
from cloudlet.services.elasticache.fleet import Fleet
from cloudlet.services.elasticache.group_changes import GroupChanges
from cloudlet.services.elasticache.metrics import Recorder
from cloudlet.services.elasticache.nodes import remove_tree
from cloudlet.services.elasticache.parameter_groups import (
    ParameterGroups,
    describe_group,
    describe_parameters,
)
from cloudlet.services.elasticache.replication_groups import ReplicationGroups
from cloudlet.services.elasticache.serverless import Serverless
from cloudlet.services.elasticache.snapshots import Snapshots
from cloudlet.services.elasticache.store import EcStore
from cloudlet.services.elasticache.subnet_groups import SubnetGroups
from cloudlet.services.elasticache.tags import Tags
from cloudlet.services.elasticache.users import Users
from cloudlet.services.elasticache.validation import page

if TYPE_CHECKING:
    from cloudlet.platform.runtime import Platform

Request = dict[str, Any]
Response = dict[str, Any]


class ElastiCacheProvider(Provider):
    service = "elasticache"
    resumes = True

    def __init__(self, platform: Platform) -> None:
        super().__init__(platform)
        self.store = EcStore(platform.store, platform.config.data_dir)
        self.events = Events(platform.store)
        self.parameter_groups = ParameterGroups(self.store)
        self.subnet_groups = SubnetGroups(self.store, platform)
        self.fleet = Fleet(platform, self.store, self.events, self.parameter_groups)
        self.tags = Tags(self)
        self.snapshots = Snapshots(self)
        self.users = Users(self)
        self.clusters = Clusters(self)
        self.replication_groups = ReplicationGroups(self)
        self.cluster_changes = ClusterChanges(self)
        self.failover = Failover(self)
        self.group_changes = GroupChanges(self)
        self.serverless = Serverless(self)
        self.metrics = Recorder(platform, self.fleet)
        self._sampler: asyncio.Task[None] | None = None

    async def start(self) -> None:
        # Before the first request is served, so a cluster being created is never started twice.
        await self.fleet.revive()
        self._sampler = asyncio.ensure_future(self.metrics.run())

    async def reset(self) -> None:
        self.fleet.forget()
        self.metrics.forget()
        remove_tree(self.store.root)

    async def shutdown(self) -> None:
        if self._sampler is not None:
            self._sampler.cancel()
        await self.fleet.shutdown()

    # cache clusters

    async def create_cache_cluster(self, ctx: RequestContext, request: Request) -> Response:
        cluster = await self.clusters.create(ctx.account, ctx.region, request)
        return {"CacheCluster": self.clusters.describe(ctx.account, ctx.region, cluster, False)}

    def describe_cache_clusters(self, ctx: RequestContext, request: Request) -> Response:
        clusters = self.clusters.select(ctx.account, ctx.region, request)
        show = bool(request.get("ShowCacheNodeInfo"))
        items = [self.clusters.describe(ctx.account, ctx.region, c, show) for c in clusters]
        items, more = page(items, request, "CacheClusterId")
        return {"CacheClusters": items, **more}

    async def modify_cache_cluster(self, ctx: RequestContext, request: Request) -> Response:
        cluster = await self.cluster_changes.modify(ctx.account, ctx.region, request)
        return {"CacheCluster": self.clusters.describe(ctx.account, ctx.region, cluster, False)}

    async def reboot_cache_cluster(self, ctx: RequestContext, request: Request) -> Response:
        cluster = await self.cluster_changes.reboot(ctx.account, ctx.region, request)
        return {"CacheCluster": self.clusters.describe(ctx.account, ctx.region, cluster, False)}

    async def delete_cache_cluster(self, ctx: RequestContext, request: Request) -> Response:
        cluster = await self.clusters.delete(ctx.account, ctx.region, request)
        return {"CacheCluster": self.clusters.describe(ctx.account, ctx.region, cluster, False)}

    # replication groups

    async def create_replication_group(self, ctx: RequestContext, request: Request) -> Response:
        group = await self.replication_groups.create(ctx.account, ctx.region, request)
        return {
            "ReplicationGroup": self.replication_groups.describe(ctx.account, ctx.region, group)
        }

    def describe_replication_groups(self, ctx: RequestContext, request: Request) -> Response:
        groups = self.replication_groups.select(ctx.account, ctx.region, request)
        items = [self.replication_groups.describe(ctx.account, ctx.region, g) for g in groups]
        items, more = page(items, request, "ReplicationGroupId")
        return {"ReplicationGroups": items, **more}

    async def modify_replication_group(self, ctx: RequestContext, request: Request) -> Response:
        group = await self.group_changes.modify(ctx.account, ctx.region, request)
        return {
            "ReplicationGroup": self.replication_groups.describe(ctx.account, ctx.region, group)
        }

    async def delete_replication_group(self, ctx: RequestContext, request: Request) -> Response:
        group = await self.group_changes.delete(ctx.account, ctx.region, request)
        return {
            "ReplicationGroup": self.replication_groups.describe(ctx.account, ctx.region, group)
        }

    async def increase_replica_count(self, ctx: RequestContext, request: Request) -> Response:
        group = await self.group_changes.increase_replicas(ctx.account, ctx.region, request)
        return {
            "ReplicationGroup": self.replication_groups.describe(ctx.account, ctx.region, group)
        }

    async def decrease_replica_count(self, ctx: RequestContext, request: Request) -> Response:
        group = await self.group_changes.decrease_replicas(ctx.account, ctx.region, request)
        return {
            "ReplicationGroup": self.replication_groups.describe(ctx.account, ctx.region, group)
        }

    def test_failover(self, ctx: RequestContext, request: Request) -> Response:
        group = self.failover.test_failover(
            ctx.account, ctx.region, request["ReplicationGroupId"], request["NodeGroupId"]
        )
        return {
            "ReplicationGroup": self.replication_groups.describe(ctx.account, ctx.region, group)
        }

    # parameter groups

    def create_cache_parameter_group(self, ctx: RequestContext, request: Request) -> Response:
        doc = self.parameter_groups.create(ctx.account, ctx.region, request)
        described = describe_group(doc, ctx.account, ctx.region)
        self.tags.attach(ctx.account, ctx.region, described["ARN"], request)
        return {"CacheParameterGroup": described}

    def describe_cache_parameter_groups(self, ctx: RequestContext, request: Request) -> Response:
        if request.get("CacheParameterGroupName"):
            docs = [
                self.parameter_groups.get(
                    ctx.account, ctx.region, request["CacheParameterGroupName"]
                )
            ]
        else:
            docs = self.parameter_groups.all(ctx.account, ctx.region)
        items = [describe_group(d, ctx.account, ctx.region) for d in docs]
        items, more = page(items, request, "CacheParameterGroupName")
        return {"CacheParameterGroups": items, **more}

    def describe_cache_parameters(self, ctx: RequestContext, request: Request) -> Response:
        doc = self.parameter_groups.get(ctx.account, ctx.region, request["CacheParameterGroupName"])
        items = describe_parameters(doc, request.get("Source"))
        items, more = page(items, request, "ParameterName")
        return {"Parameters": items, "CacheNodeTypeSpecificParameters": [], **more}

    def describe_engine_default_parameters(self, ctx: RequestContext, request: Request) -> Response:
        from cloudlet.services.elasticache import parameters

        family = request["CacheParameterGroupFamily"]
        parameters.check_family(family)
        doc = {"name": "", "family": family, "values": {}, "default": True}
        items, more = page(describe_parameters(doc, None), request, "ParameterName")
        return {
            "EngineDefaults": {
                "CacheParameterGroupFamily": family,
                "Parameters": items,
                "CacheNodeTypeSpecificParameters": [],
                **more,
            }
        }

    async def modify_cache_parameter_group(self, ctx: RequestContext, request: Request) -> Response:
        doc, changed = self.parameter_groups.modify(
            ctx.account,
            ctx.region,
            request["CacheParameterGroupName"],
            request["ParameterNameValues"],
        )
        await self._apply_group(ctx, doc["name"], changed)
        return {"CacheParameterGroupName": doc["name"]}

    async def reset_cache_parameter_group(self, ctx: RequestContext, request: Request) -> Response:
        names = [p["ParameterName"] for p in request.get("ParameterNameValues") or []]
        doc, changed = self.parameter_groups.reset(
            ctx.account,
            ctx.region,
            request["CacheParameterGroupName"],
            bool(request.get("ResetAllParameters")),
            names,
        )
        await self._apply_group(ctx, doc["name"], changed)
        return {"CacheParameterGroupName": doc["name"]}

    async def _apply_group(self, ctx: RequestContext, name: str, changed: dict[str, str]) -> None:
        """Changed values reach every running engine using the group, as AWS applies them."""
        for cluster in self.store.clusters(ctx.account, ctx.region):
            if cluster.parameter_group == name and cluster.status == "available":
                await self.fleet.apply_parameters(ctx.account, ctx.region, cluster, changed)
                self.events.record(
                    ctx.account,
                    ctx.region,
                    "cache-cluster",
                    cluster.id,
                    f"Updated parameter group for the cache cluster: {name}",
                )
        self.events.record(
            ctx.account,
            ctx.region,
            "cache-parameter-group",
            name,
            f"Parameter group {name} updated",
        )

    def delete_cache_parameter_group(self, ctx: RequestContext, request: Request) -> Response:
        name = request["CacheParameterGroupName"]
        in_use = any(
            c.parameter_group == name.lower() for c in self.store.clusters(ctx.account, ctx.region)
        )
        if in_use:
            from cloudlet.errors import ServiceError

            raise ServiceError(
                f"Parameter group {name} is in use by one or more cache clusters.",
                code="InvalidCacheParameterGroupStateFault",
            )
        self.parameter_groups.delete(ctx.account, ctx.region, name)
        return {}

    # subnet groups

    def create_cache_subnet_group(self, ctx: RequestContext, request: Request) -> Response:
        doc = self.subnet_groups.create(ctx.account, ctx.region, request)
        described = self.subnet_groups.describe(ctx.account, ctx.region, doc)
        self.tags.attach(ctx.account, ctx.region, described["ARN"], request)
        return {"CacheSubnetGroup": described}

    def describe_cache_subnet_groups(self, ctx: RequestContext, request: Request) -> Response:
        if request.get("CacheSubnetGroupName"):
            docs = [
                self.subnet_groups.get(ctx.account, ctx.region, request["CacheSubnetGroupName"])
            ]
        else:
            docs = self.store.documents_of(ctx.account, ctx.region, "subnet-group")
        items = [self.subnet_groups.describe(ctx.account, ctx.region, d) for d in docs]
        items, more = page(items, request, "CacheSubnetGroupName")
        return {"CacheSubnetGroups": items, **more}

    def modify_cache_subnet_group(self, ctx: RequestContext, request: Request) -> Response:
        doc = self.subnet_groups.modify(ctx.account, ctx.region, request)
        return {"CacheSubnetGroup": self.subnet_groups.describe(ctx.account, ctx.region, doc)}

    def delete_cache_subnet_group(self, ctx: RequestContext, request: Request) -> Response:
        name = request["CacheSubnetGroupName"].lower()
        in_use = any(
            c.subnet_group and c.subnet_group.lower() == name
            for c in self.store.clusters(ctx.account, ctx.region)
        )
        self.subnet_groups.delete(ctx.account, ctx.region, name, in_use)
        return {}

    # engine versions, events, tags

    def describe_cache_engine_versions(self, ctx: RequestContext, request: Request) -> Response:
        rows = engines.VERSIONS
        if request.get("Engine"):
            rows = [r for r in rows if r.engine == request["Engine"].lower()]
        if request.get("EngineVersion"):
            rows = [r for r in rows if r.version == request["EngineVersion"]]
        if request.get("CacheParameterGroupFamily"):
            rows = [r for r in rows if r.family == request["CacheParameterGroupFamily"]]
        if request.get("DefaultOnly"):
            rows = [r for r in rows if engines.DEFAULT_VERSION[r.engine] == r.version]
        items = [
            {
                "Engine": r.engine,
                "EngineVersion": r.version,
                "CacheParameterGroupFamily": r.family,
                "CacheEngineDescription": r.description,
                "CacheEngineVersionDescription": r.version_description,
            }
            for r in rows
        ]
        for index, item in enumerate(items):
            item["_key"] = f"{index:05d}"
        items, more = page(items, request, "_key")
        for item in items:
            del item["_key"]
        return {"CacheEngineVersions": items, **more}

    def describe_events(self, ctx: RequestContext, request: Request) -> Response:
        return self.events.describe(ctx.account, ctx.region, request)

    def add_tags_to_resource(self, ctx: RequestContext, request: Request) -> Response:
        tags = self.tags.add(ctx.account, ctx.region, request["ResourceName"], request["Tags"])
        return {"TagList": tags}

    def list_tags_for_resource(self, ctx: RequestContext, request: Request) -> Response:
        return {"TagList": self.tags.get(ctx.account, ctx.region, request["ResourceName"])}

    def remove_tags_from_resource(self, ctx: RequestContext, request: Request) -> Response:
        tags = self.tags.remove(
            ctx.account, ctx.region, request["ResourceName"], request["TagKeys"]
        )
        return {"TagList": tags}

    # snapshots

    async def create_snapshot(self, ctx: RequestContext, request: Request) -> Response:
        doc = await self.snapshots.create(ctx.account, ctx.region, request)
        return {"Snapshot": self.snapshots.describe(ctx.account, ctx.region, doc)}

    def describe_snapshots(self, ctx: RequestContext, request: Request) -> Response:
        docs = self.snapshots.select(ctx.account, ctx.region, request)
        items = [self.snapshots.describe(ctx.account, ctx.region, d) for d in docs]
        items, more = page(items, request, "SnapshotName", high=50)
        return {"Snapshots": items, **more}

    def copy_snapshot(self, ctx: RequestContext, request: Request) -> Response:
        doc = self.snapshots.copy(ctx.account, ctx.region, request)
        return {"Snapshot": self.snapshots.describe(ctx.account, ctx.region, doc)}

    def delete_snapshot(self, ctx: RequestContext, request: Request) -> Response:
        doc = self.snapshots.delete(ctx.account, ctx.region, request["SnapshotName"])
        return {"Snapshot": self.snapshots.describe(ctx.account, ctx.region, doc)}

    # users and user groups

    def create_user(self, ctx: RequestContext, request: Request) -> Response:
        doc = self.users.create(ctx.account, ctx.region, request)
        return self.users.describe_user(ctx.account, ctx.region, doc)

    def describe_users(self, ctx: RequestContext, request: Request) -> Response:
        if request.get("UserId"):
            docs = [self.users.user(ctx.account, ctx.region, request["UserId"])]
        else:
            docs = self.users.users(ctx.account, ctx.region)
        if request.get("Engine"):
            docs = [d for d in docs if d["Engine"] == request["Engine"].lower()]
        items = [self.users.describe_user(ctx.account, ctx.region, d) for d in docs]
        items, more = page(items, request, "UserId")
        return {"Users": items, **more}

    async def modify_user(self, ctx: RequestContext, request: Request) -> Response:
        doc = await self.users.modify(ctx.account, ctx.region, request)
        return self.users.describe_user(ctx.account, ctx.region, doc)

    def delete_user(self, ctx: RequestContext, request: Request) -> Response:
        doc = self.users.delete(ctx.account, ctx.region, request["UserId"])
        return self.users.describe_user(ctx.account, ctx.region, doc)

    def create_user_group(self, ctx: RequestContext, request: Request) -> Response:
        doc = self.users.create_group(ctx.account, ctx.region, request)
        return self.users.describe_group(ctx.account, ctx.region, doc)

    def describe_user_groups(self, ctx: RequestContext, request: Request) -> Response:
        if request.get("UserGroupId"):
            docs = [self.users.group(ctx.account, ctx.region, request["UserGroupId"])]
        else:
            docs = self.store.documents_of(ctx.account, ctx.region, "user-group")
        items = [self.users.describe_group(ctx.account, ctx.region, d) for d in docs]
        items, more = page(items, request, "UserGroupId")
        return {"UserGroups": items, **more}

    async def modify_user_group(self, ctx: RequestContext, request: Request) -> Response:
        doc = await self.users.modify_group(ctx.account, ctx.region, request)
        return self.users.describe_group(ctx.account, ctx.region, doc)

    def delete_user_group(self, ctx: RequestContext, request: Request) -> Response:
        doc = self.users.delete_group(ctx.account, ctx.region, request["UserGroupId"])
        return self.users.describe_group(ctx.account, ctx.region, doc)

    # serverless caches

    def create_serverless_cache(self, ctx: RequestContext, request: Request) -> Response:
        doc = self.serverless.create(ctx.account, ctx.region, request)
        return {"ServerlessCache": self.serverless.describe(ctx.account, ctx.region, doc)}

    def describe_serverless_caches(self, ctx: RequestContext, request: Request) -> Response:
        if request.get("ServerlessCacheName"):
            docs = [self.serverless.get(ctx.account, ctx.region, request["ServerlessCacheName"])]
        else:
            docs = self.store.documents_of(ctx.account, ctx.region, "serverless")
        items = [self.serverless.describe(ctx.account, ctx.region, d) for d in docs]
        limit = request.get("MaxResults", 100)
        start = int(request.get("NextToken") or 0)
        result: Response = {"ServerlessCaches": items[start : start + limit]}
        if start + limit < len(items):
            result["NextToken"] = str(start + limit)
        return result

    def modify_serverless_cache(self, ctx: RequestContext, request: Request) -> Response:
        doc = self.serverless.modify(ctx.account, ctx.region, request)
        return {"ServerlessCache": self.serverless.describe(ctx.account, ctx.region, doc)}

    def delete_serverless_cache(self, ctx: RequestContext, request: Request) -> Response:
        doc = self.serverless.delete(ctx.account, ctx.region, request["ServerlessCacheName"])
        return {"ServerlessCache": self.serverless.describe(ctx.account, ctx.region, doc)}
