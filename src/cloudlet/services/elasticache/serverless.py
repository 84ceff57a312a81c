"""Serverless caches: one engine node behind the cache's endpoint.

A serverless Valkey/Redis OSS cache is, as on AWS, a cluster-mode endpoint: its node runs with
`cluster-enabled yes` and owns all 16384 slots, so cluster-aware clients and plain clients both
work (multi-key commands across slots answer CROSSSLOT, as on AWS). Serverless memcached is one
memcached node. There is no capacity scaling: `CacheUsageLimits` are recorded, not enforced. The
reader endpoint is the same node (AWS serves reads from replicas on port 6380).

The node is an ordinary cluster document with the id `sl--<name>` (two hyphens: no user cluster
id can look like that), hidden from DescribeCacheClusters, so supervision, crash restarts and
revival after a restart are the same as every other node's.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from cloudlet.errors import ServiceError
from cloudlet.services.elasticache import engines, topology
from cloudlet.services.elasticache.clusters import _endpoint, timestamp
from cloudlet.services.elasticache.models import arn
from cloudlet.services.elasticache.validation import identifier, invalid

if TYPE_CHECKING:
    from cloudlet.services.elasticache.provider import ElastiCacheProvider

KIND = "serverless"
PREFIX = "sl--"
MAJOR_VERSIONS = {
    "valkey": {"7": "7.2", "8": "8.1"},
    "redis": {"7": "7.1"},
    "memcached": {"1.6": "1.6.22"},
}
DEFAULT_MAJOR = {"valkey": "8", "redis": "7", "memcached": "1.6"}
NODE_TYPE = "cache.r7g.large"
"""The memory a serverless node gets (AWS scales; cloudlet gives one generous node)."""


def _not_found(name: str) -> ServiceError:
    return ServiceError(f"Serverless cache {name} not found.", code="ServerlessCacheNotFoundFault")


class Serverless:
    def __init__(self, provider: ElastiCacheProvider) -> None:
        self.provider = provider
        self.store = provider.store
        self.fleet = provider.fleet
        self.events = provider.events

    def get(self, account: str, region: str, name: str) -> dict[str, Any]:
        doc = self.store.get(account, region, KIND, name)
        if doc is None:
            raise _not_found(name)
        return doc

    def create(self, account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
        name = identifier(request["ServerlessCacheName"], "ServerlessCacheName", 40)
        engine = engines.check_engine(request["Engine"], ("valkey", "redis", "memcached"))
        major = request.get("MajorEngineVersion") or DEFAULT_MAJOR[engine]
        version = MAJOR_VERSIONS[engine].get(major)
        if version is None:
            raise invalid(f"Invalid MajorEngineVersion {major} for engine {engine}.")
        if self.store.get(account, region, KIND, name) is not None:
            raise ServiceError(
                f"Serverless cache {name} already exists.",
                code="ServerlessCacheAlreadyExistsFault",
            )
        user_group = request.get("UserGroupId")
        if user_group:
            if engine == "memcached":
                raise invalid("User groups are not supported for memcached serverless caches.")
            self.provider.users.check_groups(account, region, [user_group], engine)
        clusters = self.provider.clusters
        cluster_id = PREFIX + name
        cluster = clusters.new_cluster(
            account,
            region,
            cluster_id,
            {"CacheNodeType": NODE_TYPE},
            engine=engine,
            version=version,
            num_nodes=1,
            port=None,
            parameter_group=clusters.parameter_group_for(
                account, region, None, engine, version, engine != "memcached"
            ),
        )
        cluster.cluster_enabled = engine != "memcached"
        cluster.user_group_ids = [user_group] if user_group else []
        restore = None
        if request.get("SnapshotArnsToRestore"):
            raise invalid(
                "Restoring serverless caches from snapshots is not supported by cloudlet."
            )
        doc = {
            "ServerlessCacheName": name,
            "Description": request.get("Description", ""),
            "CreateTime": time.time(),
            "Status": "creating",
            "Engine": engine,
            "MajorEngineVersion": major,
            "FullEngineVersion": version,
            "CacheUsageLimits": request.get("CacheUsageLimits") or {},
            "SecurityGroupIds": list(request.get("SecurityGroupIds") or []),
            "SubnetIds": list(request.get("SubnetIds") or []),
            "UserGroupId": user_group,
            "SnapshotRetentionLimit": request.get("SnapshotRetentionLimit", 0),
            "DailySnapshotTime": request.get("DailySnapshotTime") or "04:00",
            "cluster_id": cluster_id,
        }
        self.store.put(account, region, KIND, name, doc)
        self.store.save_cluster(account, region, cluster)
        if user_group:
            self.provider.users.attach(account, region, [user_group], name, "ServerlessCaches")
        self.provider.tags.attach(
            account, region, arn(region, account, "serverlesscache", name), request
        )
        self.fleet.background(self._provision(account, region, name, restore))
        return doc

    async def _provision(self, account: str, region: str, name: str, restore: Any) -> None:
        doc = self.get(account, region, name)
        cluster = self.store.cluster(account, region, doc["cluster_id"])
        failure = await self.fleet.start_nodes(account, region, cluster)
        if failure is None and cluster.cluster_enabled:
            try:
                port = cluster.nodes[0].port
                await topology.form_cluster([(port, [], (0, 16383))], self.fleet.auth(cluster))
            except (topology.TopologyError, OSError) as exc:
                failure = str(exc)
        current = self.store.get(account, region, KIND, name)
        if current is None or current["Status"] == "deleting":
            return
        doc = current
        doc["Status"] = "available" if failure is None else "create-failed"
        self.store.put(account, region, KIND, name, doc)
        cluster.status = doc["Status"]
        for node in cluster.nodes:
            node.status = doc["Status"]
        self.store.save_cluster(account, region, cluster)
        self.events.record(
            account,
            region,
            "serverless-cache",
            name,
            "Serverless cache created"
            if failure is None
            else f"Failed to create serverless cache {name}: {failure}",
        )

    def delete(self, account: str, region: str, name: str) -> dict[str, Any]:
        doc = self.get(account, region, name)
        if doc["Status"] == "creating":
            raise ServiceError(
                f"Serverless cache {name} is not in available state.",
                code="InvalidServerlessCacheStateFault",
            )
        doc["Status"] = "deleting"
        self.store.put(account, region, KIND, name, doc)
        self.fleet.background(self._remove(account, region, doc))
        return doc

    async def _remove(self, account: str, region: str, doc: dict[str, Any]) -> None:
        await self.provider.clusters.remove(account, region, doc["cluster_id"], event=False)
        name = doc["ServerlessCacheName"]
        if doc.get("UserGroupId"):
            self.provider.users.detach(
                account, region, [doc["UserGroupId"]], name, "ServerlessCaches"
            )
        self.store.delete(account, region, KIND, name)
        self.store.set_tags(account, region, arn(region, account, "serverlesscache", name), [])
        self.events.record(account, region, "serverless-cache", name, "Serverless cache deleted")

    def modify(self, account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
        doc = self.get(account, region, request["ServerlessCacheName"])
        for key in (
            "Description",
            "CacheUsageLimits",
            "SnapshotRetentionLimit",
            "DailySnapshotTime",
            "SecurityGroupIds",
        ):
            if key in request:
                doc[key] = request[key]
        self.store.put(account, region, KIND, doc["ServerlessCacheName"], doc)
        return doc

    def describe(self, account: str, region: str, doc: dict[str, Any]) -> dict[str, Any]:
        cluster = self.store.find_cluster(account, region, doc["cluster_id"])
        result = {k: v for k, v in doc.items() if k[0].isupper() and v not in (None, "")}
        result["CreateTime"] = timestamp(doc["CreateTime"])
        result["ARN"] = arn(region, account, "serverlesscache", doc["ServerlessCacheName"])
        if cluster is not None and cluster.nodes:
            result["Endpoint"] = _endpoint(cluster.nodes[0].port)
            result["ReaderEndpoint"] = _endpoint(cluster.nodes[0].port)
        return result
