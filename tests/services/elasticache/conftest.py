"""Fixtures of the ElastiCache tests: a client in a fresh account, bounded waits for statuses,
and factories that delete what a test created (so no engine outlives its test)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from cloudlet.testing import wait_for


@pytest.fixture
def elasticache(aws_client: Callable[..., Any], account: str) -> Any:
    return aws_client("elasticache", account=account)


@pytest.fixture
def cluster_status(elasticache: Any) -> Callable[..., dict[str, Any]]:
    """Wait until a cache cluster has `status`; returns its description (with nodes)."""

    def wait(cluster_id: str, status: str = "available") -> dict[str, Any]:
        def check() -> dict[str, Any] | None:
            cluster = elasticache.describe_cache_clusters(
                CacheClusterId=cluster_id, ShowCacheNodeInfo=True
            )["CacheClusters"][0]
            return cluster if cluster["CacheClusterStatus"] == status else None

        result: dict[str, Any] = wait_for(check, f"{cluster_id} to be {status}")
        return result

    return wait


@pytest.fixture
def group_status(elasticache: Any) -> Callable[..., dict[str, Any]]:
    def wait(group_id: str, status: str = "available") -> dict[str, Any]:
        def check() -> dict[str, Any] | None:
            group = elasticache.describe_replication_groups(ReplicationGroupId=group_id)[
                "ReplicationGroups"
            ][0]
            return group if group["Status"] == status else None

        result: dict[str, Any] = wait_for(check, f"{group_id} to be {status}")
        return result

    return wait


def _gone(call: Callable[[], Any]) -> bool:
    from botocore.exceptions import ClientError

    try:
        call()
    except ClientError:
        return True
    return False


@pytest.fixture
def create_cluster(
    elasticache: Any, name: Callable[[str], str], cluster_status: Callable[..., Any]
) -> Iterator[Callable[..., dict[str, Any]]]:
    """Create a cache cluster (valkey, cache.t3.micro, one node unless told) and wait for it."""
    created: list[str] = []

    def create(wait: bool = True, **params: Any) -> dict[str, Any]:
        params.setdefault("CacheClusterId", name("c"))
        params.setdefault("Engine", "valkey")
        params.setdefault("CacheNodeType", "cache.t3.micro")
        params.setdefault("NumCacheNodes", 1)
        elasticache.create_cache_cluster(**params)
        created.append(params["CacheClusterId"])
        if not wait:
            return params
        result: dict[str, Any] = cluster_status(params["CacheClusterId"])
        return result

    yield create
    for cluster_id in created:
        with contextlib.suppress(Exception):
            elasticache.delete_cache_cluster(CacheClusterId=cluster_id)
    for cluster_id in created:
        wait_for(
            lambda c=cluster_id: _gone(
                lambda: elasticache.describe_cache_clusters(CacheClusterId=c)
            ),
            f"{cluster_id} to be deleted",
        )


@pytest.fixture
def create_group(
    elasticache: Any, name: Callable[[str], str], group_status: Callable[..., Any]
) -> Iterator[Callable[..., dict[str, Any]]]:
    """Create a replication group (valkey, cache.t3.micro) and wait until it is available."""
    created: list[str] = []

    def create(wait: bool = True, **params: Any) -> dict[str, Any]:
        params.setdefault("ReplicationGroupId", name("rg"))
        params.setdefault("ReplicationGroupDescription", "test group")
        params.setdefault("Engine", "valkey")
        params.setdefault("CacheNodeType", "cache.t3.micro")
        elasticache.create_replication_group(**params)
        created.append(params["ReplicationGroupId"])
        if not wait:
            return params
        result: dict[str, Any] = group_status(params["ReplicationGroupId"])
        return result

    yield create
    for group_id in created:
        try:
            wait_for(lambda g=group_id: _deletable(elasticache, g), f"{group_id} to settle", 60)
            elasticache.delete_replication_group(ReplicationGroupId=group_id)
        except Exception:
            pass
    for group_id in created:
        wait_for(
            lambda g=group_id: _gone(
                lambda: elasticache.describe_replication_groups(ReplicationGroupId=g)
            ),
            f"{group_id} to be deleted",
        )


def _deletable(elasticache: Any, group_id: str) -> bool:
    try:
        group = elasticache.describe_replication_groups(ReplicationGroupId=group_id)
    except Exception:
        return True
    return group["ReplicationGroups"][0]["Status"] not in ("creating", "modifying")
