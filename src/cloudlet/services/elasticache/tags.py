"""Tags on any ElastiCache resource, addressed by ARN (AddTagsToResource and friends)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cloudlet.errors import ServiceError
from cloudlet.services.elasticache.validation import tags as checked_tags

if TYPE_CHECKING:
    from cloudlet.services.elasticache.provider import ElastiCacheProvider

_KINDS = {
    "cluster": ("cluster", "CacheClusterNotFoundFault", "CacheCluster not found: {}"),
    "replicationgroup": (
        "replication-group",
        "ReplicationGroupNotFoundFault",
        "ReplicationGroup not found: {}",
    ),
    "parametergroup": (
        "parameter-group",
        "CacheParameterGroupNotFoundFault",
        "CacheParameterGroup {} not found.",
    ),
    "subnetgroup": (
        "subnet-group",
        "CacheSubnetGroupNotFoundFault",
        "Cache subnet group {} not found.",
    ),
    "user": ("user", "UserNotFoundFault", "User {} not found."),
    "usergroup": ("user-group", "UserGroupNotFoundFault", "User group {} not found."),
    "snapshot": ("snapshot", "SnapshotNotFoundFault", "Snapshot {} not found."),
    "serverlesscache": (
        "serverless",
        "ServerlessCacheNotFoundFault",
        "Serverless cache {} not found.",
    ),
    "serverlesscachesnapshot": (
        "serverless-snapshot",
        "ServerlessCacheSnapshotNotFoundFault",
        "Serverless cache snapshot {} not found.",
    ),
}


class Tags:
    def __init__(self, provider: ElastiCacheProvider) -> None:
        self.provider = provider
        self.store = provider.store

    def _resource(self, account: str, region: str, resource_arn: str) -> str:
        parts = resource_arn.split(":")
        if len(parts) != 7 or parts[:3] != ["arn", "aws", "elasticache"] or parts[5] not in _KINDS:
            raise ServiceError(f"The ARN {resource_arn} is not valid.", code="InvalidARNFault")
        if parts[3] != region or parts[4] != account:
            raise ServiceError(f"The ARN {resource_arn} is not valid.", code="InvalidARNFault")
        kind, code, message = _KINDS[parts[5]]
        name = parts[6]
        exists = self.store.get(account, region, kind, name) is not None
        if kind == "parameter-group" and not exists:
            exists = self.provider.parameter_groups._default(name) is not None
        if not exists:
            raise ServiceError(message.format(name), code=code)
        return resource_arn

    def get(self, account: str, region: str, resource_arn: str) -> list[dict[str, str]]:
        return self.store.tags(account, region, self._resource(account, region, resource_arn))

    def add(
        self, account: str, region: str, resource_arn: str, new: list[dict[str, str]]
    ) -> list[dict[str, str]]:
        target = self._resource(account, region, resource_arn)
        merged = {t["Key"]: t["Value"] for t in self.store.tags(account, region, target)}
        merged.update({t["Key"]: t.get("Value", "") for t in new})
        result = checked_tags([{"Key": k, "Value": v} for k, v in merged.items()])
        self.store.set_tags(account, region, target, result)
        return result

    def remove(
        self, account: str, region: str, resource_arn: str, keys: list[str]
    ) -> list[dict[str, str]]:
        target = self._resource(account, region, resource_arn)
        current = self.store.tags(account, region, target)
        known = {t["Key"] for t in current}
        for key in keys:
            if key not in known:
                raise ServiceError(f"Tag not found: {key}", code="TagNotFoundFault")
        result = [t for t in current if t["Key"] not in keys]
        self.store.set_tags(account, region, target, result)
        return result

    def attach(self, account: str, region: str, resource_arn: str, request: dict[str, Any]) -> None:
        """Tags given at creation."""
        self.store.set_tags(account, region, resource_arn, checked_tags(request.get("Tags")))
