"""Metrics from the engines' own counters; the redis and memcached engines; restarts."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
import redis
from cache_nodes import node_port

from cloudlet.services.elasticache.metrics import counters_from_info, metrics, read_info
from cloudlet.testing import CloudletProcess, wait_for


def test_metrics_come_from_the_engine_counters(create_cluster: Callable[..., Any]) -> None:
    cluster = create_cluster()
    port = node_port(cluster)
    before = asyncio.run(read_info(port, "valkey", None))
    client = redis.Redis(port=port)
    client.set("a", 1)
    client.set("b", 2)
    for key in ("a", "b", "x", "y", "z"):
        client.get(key)
    after = asyncio.run(read_info(port, "valkey", None))
    values = metrics(after, counters_from_info(before, 0.0), 60.0)
    assert values["CacheHits"] == 2
    assert values["CacheMisses"] == 3
    assert values["CurrItems"] == 2
    assert values["CurrConnections"] >= 1
    assert values["Evictions"] == 0
    assert 0 < values["DatabaseMemoryUsagePercentage"] < 100
    assert 0 <= values["EngineCPUUtilization"] <= 100


def test_memcached_metrics(create_cluster: Callable[..., Any]) -> None:
    if shutil.which("memcached") is None:
        pytest.skip("memcached is not installed (Debian: apt-get install memcached)")
    cluster = create_cluster(Engine="memcached")
    info = asyncio.run(read_info(node_port(cluster), "memcached", None))
    values = metrics(info, None, 60.0)
    assert values["CurrItems"] == 0
    assert values["CurrConnections"] >= 1


def test_redis_engine_runs_redis_server_when_installed(create_cluster: Callable[..., Any]) -> None:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (Debian: apt-get install redis-server)")
    cluster = create_cluster(Engine="redis", EngineVersion="7.0")
    assert cluster["EngineVersion"] == "7.0.7"
    server = redis.Redis(port=node_port(cluster)).info("server")
    assert "redis_version" in server
    assert server.get("server_name") != "valkey"


def test_clusters_come_back_with_their_data_after_a_restart(tmp_path: Path) -> None:
    server = CloudletProcess(data_dir=tmp_path / "data")
    server.start()
    try:
        client = boto3.client(
            "elasticache",
            endpoint_url=server.endpoint,
            region_name="us-east-1",
            aws_access_key_id="000000000000",
            aws_secret_access_key="test",
        )
        client.create_cache_cluster(
            CacheClusterId="durable",
            Engine="valkey",
            CacheNodeType="cache.t3.micro",
            NumCacheNodes=1,
        )
        client.create_replication_group(
            ReplicationGroupId="durable-rg",
            ReplicationGroupDescription="d",
            Engine="valkey",
            CacheNodeType="cache.t3.micro",
            NumCacheClusters=2,
        )

        def describe() -> tuple[dict[str, Any], dict[str, Any]] | None:
            cluster = client.describe_cache_clusters(
                CacheClusterId="durable", ShowCacheNodeInfo=True
            )["CacheClusters"][0]
            group = client.describe_replication_groups(ReplicationGroupId="durable-rg")[
                "ReplicationGroups"
            ][0]
            if cluster["CacheClusterStatus"] == group["Status"] == "available":
                return cluster, group
            return None

        cluster, group = wait_for(describe, "the cluster and the group")
        port = node_port(cluster)
        primary = group["NodeGroups"][0]["PrimaryEndpoint"]["Port"]
        redis.Redis(port=port).set("survives", "restart")
        redis.Redis(port=primary).set("group", "too")
        server.stop()
        with pytest.raises(redis.exceptions.ConnectionError):
            redis.Redis(port=port).ping()
        server.start()
        # Before any ElastiCache request: the provider resumes at boot and restarts the engines.
        wait_for(lambda: _answers(port), "the engine to come back without a request")
        cluster, group = wait_for(describe, "the cluster and the group after the restart")
        assert node_port(cluster) == port
        assert redis.Redis(port=port).get("survives") == b"restart"
        assert redis.Redis(port=primary).get("group") == b"too"
        replica = redis.Redis(port=group["NodeGroups"][0]["ReaderEndpoint"]["Port"])
        wait_for(lambda: replica.get("group") == b"too", "the replica to resync")
    finally:
        server.stop()


def test_reset_ends_every_engine_and_creation_works_again(tmp_path: Path) -> None:
    import socket

    with CloudletProcess(data_dir=tmp_path / "data") as server:
        client = boto3.client(
            "elasticache",
            endpoint_url=server.endpoint,
            region_name="us-east-1",
            aws_access_key_id="000000000000",
            aws_secret_access_key="test",
        )

        def create(cluster_id: str) -> int:
            client.create_cache_cluster(
                CacheClusterId=cluster_id,
                Engine="valkey",
                CacheNodeType="cache.t3.micro",
                NumCacheNodes=1,
            )

            def available() -> dict[str, Any] | None:
                cluster = client.describe_cache_clusters(
                    CacheClusterId=cluster_id, ShowCacheNodeInfo=True
                )["CacheClusters"][0]
                return cluster if cluster["CacheClusterStatus"] == "available" else None

            return node_port(wait_for(available, cluster_id))

        port = create("before-reset")
        server.reset()
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", port)) != 0
        assert client.describe_cache_clusters()["CacheClusters"] == []
        assert redis.Redis(port=create("after-reset")).ping()


def test_metrics_are_published_to_cloudwatch_each_period(tmp_path: Path) -> None:
    import datetime

    from cloudlet.services.registry import SERVICES

    if "cloudwatch" not in SERVICES:
        pytest.skip("CloudWatch is not served by cloudlet yet")
    # 60 AWS seconds per sample pass in one real second at this time scale.
    with CloudletProcess(data_dir=tmp_path / "data", time_scale=60) as server:
        options = {
            "endpoint_url": server.endpoint,
            "region_name": "us-east-1",
            "aws_access_key_id": "000000000000",
            "aws_secret_access_key": "test",
        }
        elasticache = boto3.client("elasticache", **options)
        cloudwatch = boto3.client("cloudwatch", **options)
        elasticache.create_cache_cluster(
            CacheClusterId="metered",
            Engine="valkey",
            CacheNodeType="cache.t3.micro",
            NumCacheNodes=1,
        )

        def available() -> dict[str, Any] | None:
            cluster = elasticache.describe_cache_clusters(
                CacheClusterId="metered", ShowCacheNodeInfo=True
            )["CacheClusters"][0]
            return cluster if cluster["CacheClusterStatus"] == "available" else None

        client = redis.Redis(port=node_port(wait_for(available, "the cluster")))
        client.set("a", 1)
        client.get("a")
        client.get("missing")
        dimensions = [
            {"Name": "CacheClusterId", "Value": "metered"},
            {"Name": "CacheNodeId", "Value": "0001"},
        ]
        now = datetime.datetime.now(datetime.UTC)

        def total(metric: str) -> float:
            points = cloudwatch.get_metric_statistics(
                Namespace="AWS/ElastiCache",
                MetricName=metric,
                Dimensions=dimensions,
                StartTime=now - datetime.timedelta(minutes=5),
                EndTime=now + datetime.timedelta(minutes=5),
                Period=60,
                Statistics=["Sum"],
            )["Datapoints"]
            return float(sum(p["Sum"] for p in points))

        wait_for(lambda: total("CacheHits") == 1 and total("CacheMisses") == 1, "the metrics")
        names = {
            m["MetricName"] for m in cloudwatch.list_metrics(Namespace="AWS/ElastiCache")["Metrics"]
        }
        assert names == {
            "CacheHits",
            "CacheMisses",
            "CurrConnections",
            "CurrItems",
            "Evictions",
            "EngineCPUUtilization",
            "DatabaseMemoryUsagePercentage",
        }


def _answers(port: int) -> bool:
    try:
        return bool(redis.Redis(port=port, socket_timeout=1).ping())
    except redis.exceptions.ConnectionError:
        return False
