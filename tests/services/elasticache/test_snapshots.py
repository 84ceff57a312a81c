"""Snapshots are the engine's RDB file; restores load it back into new nodes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import redis
from botocore.exceptions import ClientError
from cache_nodes import node_port
from redis.cluster import RedisCluster


def test_snapshot_of_a_cluster_restores_into_a_new_cluster(
    elasticache: Any, create_cluster: Callable[..., Any], name: Callable[[str], str]
) -> None:
    source = create_cluster()
    client = redis.Redis(port=node_port(source))
    client.mset({f"k{i}": i for i in range(100)})
    snapshot_name = name("snap")
    answer = elasticache.create_snapshot(
        SnapshotName=snapshot_name, CacheClusterId=source["CacheClusterId"]
    )["Snapshot"]
    assert answer["SnapshotStatus"] == "available"
    assert answer["SnapshotSource"] == "manual"
    assert answer["NodeSnapshots"][0]["CacheNodeId"] == "0001"
    described = elasticache.describe_snapshots(SnapshotName=snapshot_name)["Snapshots"]
    assert described[0]["CacheClusterId"] == source["CacheClusterId"]
    restored = create_cluster(SnapshotName=snapshot_name)
    copy = redis.Redis(port=node_port(restored))
    assert copy.dbsize() == 100
    assert copy.get("k42") == b"42"
    elasticache.delete_snapshot(SnapshotName=snapshot_name)
    with pytest.raises(ClientError) as raised:
        elasticache.describe_snapshots(SnapshotName=snapshot_name)
    assert raised.value.response["Error"]["Code"] == "SnapshotNotFoundFault"


def test_final_snapshot_on_delete(
    elasticache: Any, create_cluster: Callable[..., Any], name: Callable[[str], str]
) -> None:
    cluster = create_cluster()
    redis.Redis(port=node_port(cluster)).set("last", "words")
    final = name("final")
    elasticache.delete_cache_cluster(
        CacheClusterId=cluster["CacheClusterId"], FinalSnapshotIdentifier=final
    )
    restored = create_cluster(SnapshotName=final)
    assert redis.Redis(port=node_port(restored)).get("last") == b"words"
    elasticache.delete_snapshot(SnapshotName=final)


def test_cluster_mode_snapshot_restores_into_another_shard_count(
    elasticache: Any, create_group: Callable[..., Any], name: Callable[[str], str]
) -> None:
    group = create_group(NumNodeGroups=2, ReplicasPerNodeGroup=0)
    client = RedisCluster(host="127.0.0.1", port=group["ConfigurationEndpoint"]["Port"])
    for i in range(60):
        client.set(f"key{i}", i, px=3_600_000 if i % 2 else None)
    snapshot_name = name("cs")
    snapshot = elasticache.create_snapshot(
        SnapshotName=snapshot_name, ReplicationGroupId=group["ReplicationGroupId"]
    )["Snapshot"]
    assert snapshot["NumNodeGroups"] == 2
    assert len(snapshot["NodeSnapshots"]) == 2
    restored = create_group(NumNodeGroups=3, ReplicasPerNodeGroup=0, SnapshotName=snapshot_name)
    copy = RedisCluster(host="127.0.0.1", port=restored["ConfigurationEndpoint"]["Port"])
    assert [copy.get(f"key{i}") for i in (0, 1, 59)] == [b"0", b"1", b"59"]
    assert copy.pttl("key1") > 0
    assert copy.ttl("key0") == -1
    elasticache.delete_snapshot(SnapshotName=snapshot_name)


def test_memcached_has_no_snapshots(elasticache: Any, create_cluster: Callable[..., Any]) -> None:
    import shutil

    if shutil.which("memcached") is None:
        pytest.skip("memcached is not installed (Debian: apt-get install memcached)")
    cluster = create_cluster(Engine="memcached")
    with pytest.raises(ClientError) as raised:
        elasticache.create_snapshot(SnapshotName="x", CacheClusterId=cluster["CacheClusterId"])
    assert raised.value.response["Error"]["Code"] == "SnapshotFeatureNotSupportedFault"


def test_unknown_snapshot_cannot_seed_a_cluster(
    elasticache: Any, name: Callable[[str], str]
) -> None:
    with pytest.raises(ClientError) as raised:
        elasticache.create_cache_cluster(
            CacheClusterId=name("c"),
            Engine="valkey",
            CacheNodeType="cache.t3.micro",
            NumCacheNodes=1,
            SnapshotName="missing",
        )
    assert raised.value.response["Error"]["Code"] == "SnapshotNotFoundFault"
