"""Serverless caches: one endpoint that plain and cluster-aware clients both use."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from botocore.exceptions import ClientError
from redis.cluster import RedisCluster

from cloudlet.testing import wait_for


@pytest.fixture
def serverless(elasticache: Any, name: Callable[[str], str]) -> Iterator[Callable[..., Any]]:
    created: list[str] = []

    def create(**params: Any) -> dict[str, Any]:
        params.setdefault("ServerlessCacheName", name("sl"))
        params.setdefault("Engine", "valkey")
        elasticache.create_serverless_cache(**params)
        created.append(params["ServerlessCacheName"])

        def available() -> dict[str, Any] | None:
            cache = elasticache.describe_serverless_caches(
                ServerlessCacheName=params["ServerlessCacheName"]
            )["ServerlessCaches"][0]
            return cache if cache["Status"] == "available" else None

        result: dict[str, Any] = wait_for(available, "the serverless cache")
        return result

    yield create
    for cache_name in created:
        with contextlib.suppress(ClientError):
            elasticache.delete_serverless_cache(ServerlessCacheName=cache_name)


def test_serverless_valkey_serves_plain_and_cluster_clients(
    elasticache: Any, serverless: Callable[..., Any]
) -> None:
    cache = serverless(Description="sessions")
    assert cache["Engine"] == "valkey"
    assert cache["MajorEngineVersion"] == "8"
    port = cache["Endpoint"]["Port"]
    redis.Redis(port=port).set("plain", "1")
    cluster = RedisCluster(host="127.0.0.1", port=port)
    cluster.set("clustered", "2")
    assert cluster.get("plain") == b"1"
    clusters = elasticache.describe_cache_clusters()["CacheClusters"]
    assert all("--" not in c["CacheClusterId"] for c in clusters)


def test_serverless_delete_and_not_found(
    elasticache: Any, serverless: Callable[..., Any], aws_error: Any
) -> None:
    cache = serverless()
    answer = elasticache.delete_serverless_cache(ServerlessCacheName=cache["ServerlessCacheName"])
    assert answer["ServerlessCache"]["Status"] == "deleting"

    def gone() -> bool:
        try:
            elasticache.describe_serverless_caches(ServerlessCacheName=cache["ServerlessCacheName"])
        except ClientError:
            return True
        return False

    wait_for(gone, "the serverless cache to be deleted")
    with pytest.raises(ClientError) as raised:
        elasticache.describe_serverless_caches(ServerlessCacheName=cache["ServerlessCacheName"])
    assert aws_error(raised.value)[0] == "ServerlessCacheNotFoundFault"
