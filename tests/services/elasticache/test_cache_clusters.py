"""CreateCacheCluster and friends against real Valkey nodes."""

from __future__ import annotations

import os
import signal
import socket
from collections.abc import Callable
from typing import Any

import pytest
import redis
import valkey
from botocore.exceptions import ClientError
from cache_nodes import node_port

from cloudlet.testing import wait_for


def accepts(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_create_answers_creating_then_available_with_a_real_node(
    elasticache: Any, create_cluster: Callable[..., Any], cluster_status: Callable[..., Any]
) -> None:
    params = create_cluster(wait=False)
    first = elasticache.describe_cache_clusters(CacheClusterId=params["CacheClusterId"])
    assert first["CacheClusters"][0]["CacheClusterStatus"] in ("creating", "available")
    cluster = cluster_status(params["CacheClusterId"])
    assert cluster["Engine"] == "valkey"
    assert cluster["NumCacheNodes"] == 1
    assert cluster["CacheParameterGroup"]["CacheParameterGroupName"] == "default.valkey8"
    assert cluster["ARN"].endswith(f":cluster:{params['CacheClusterId']}")
    node = cluster["CacheNodes"][0]
    assert node["CacheNodeId"] == "0001"
    assert node["CacheNodeStatus"] == "available"
    assert node["Endpoint"]["Address"] == "127.0.0.1"
    client = redis.Redis(port=node["Endpoint"]["Port"])
    assert client.set("greeting", "hello")
    assert client.get("greeting") == b"hello"


def test_valkey_py_works_against_the_node(create_cluster: Callable[..., Any]) -> None:
    cluster = create_cluster()
    client = valkey.Valkey(port=node_port(cluster))
    client.rpush("list", "a", "b")
    assert client.lrange("list", 0, -1) == [b"a", b"b"]


def test_node_type_sets_maxmemory_less_reserved_memory(create_cluster: Callable[..., Any]) -> None:
    cluster = create_cluster(CacheNodeType="cache.t3.micro")
    info = redis.Redis(port=node_port(cluster)).info("memory")
    assert info["maxmemory"] == 402653184  # 0.5 GiB less 25 %, as AWS's INFO shows
    assert info["maxmemory_policy"] == "volatile-lru"


def test_describe_hides_nodes_unless_asked(
    elasticache: Any, create_cluster: Callable[..., Any]
) -> None:
    cluster = create_cluster()
    described = elasticache.describe_cache_clusters(CacheClusterId=cluster["CacheClusterId"])
    assert "CacheNodes" not in described["CacheClusters"][0]


def test_duplicate_id_is_refused(elasticache: Any, create_cluster: Callable[..., Any]) -> None:
    cluster = create_cluster()
    with pytest.raises(ClientError) as raised:
        elasticache.create_cache_cluster(
            CacheClusterId=cluster["CacheClusterId"],
            Engine="valkey",
            CacheNodeType="cache.t3.micro",
            NumCacheNodes=1,
        )
    error = raised.value.response
    assert error["Error"]["Code"] == "CacheClusterAlreadyExists"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_unknown_cluster_is_not_found(elasticache: Any, aws_error: Any) -> None:
    with pytest.raises(ClientError) as raised:
        elasticache.describe_cache_clusters(CacheClusterId="nope")
    assert aws_error(raised.value) == ("CacheClusterNotFound", "CacheCluster not found: nope", 404)


@pytest.mark.parametrize(
    ("override", "code"),
    [
        ({"Engine": "mysql"}, "InvalidParameterValue"),
        ({"CacheNodeType": "cache.x9.huge"}, "InvalidParameterValue"),
        ({"EngineVersion": "1.0"}, "InvalidParameterCombination"),
        ({"NumCacheNodes": 2}, "InvalidParameterValue"),
        ({"CacheClusterId": "9starts-with-digit"}, "InvalidParameterValue"),
        ({"CacheClusterId": "two--hyphens"}, "InvalidParameterValue"),
        ({"AuthToken": "a-long-enough-token"}, "InvalidParameterCombination"),
        ({"CacheParameterGroupName": "default.redis7"}, "InvalidParameterCombination"),
        ({"CacheParameterGroupName": "default.valkey8.cluster.on"}, "InvalidParameterCombination"),
    ],
)
def test_bad_input_answers_aws_errors(
    elasticache: Any, name: Callable[[str], str], override: dict[str, Any], code: str
) -> None:
    params = {
        "CacheClusterId": name("bad"),
        "Engine": "valkey",
        "CacheNodeType": "cache.t3.micro",
        "NumCacheNodes": 1,
        **override,
    }
    with pytest.raises(ClientError) as raised:
        elasticache.create_cache_cluster(**params)
    assert raised.value.response["Error"]["Code"] == code
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_requested_port_already_in_use_is_a_clear_error(
    elasticache: Any, name: Callable[[str], str], aws_error: Any
) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(ClientError) as raised:
            elasticache.create_cache_cluster(
                CacheClusterId=name("port"),
                Engine="valkey",
                CacheNodeType="cache.t3.micro",
                NumCacheNodes=1,
                Port=port,
            )
    assert aws_error(raised.value) == (
        "InvalidParameterValue",
        f"Port {port} is already in use on 127.0.0.1.",
        400,
    )


def test_requested_port_is_the_endpoint_port(create_cluster: Callable[..., Any]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    cluster = create_cluster(Port=port)
    assert node_port(cluster) == port
    assert redis.Redis(port=port).ping()


def test_reboot_restarts_the_engine_and_keeps_the_data(
    elasticache: Any, create_cluster: Callable[..., Any], cluster_status: Callable[..., Any]
) -> None:
    cluster = create_cluster()
    client = redis.Redis(port=node_port(cluster))
    client.set("kept", "yes")
    pid = client.info("server")["process_id"]
    answer = elasticache.reboot_cache_cluster(
        CacheClusterId=cluster["CacheClusterId"], CacheNodeIdsToReboot=["0001"]
    )
    assert answer["CacheCluster"]["CacheClusterStatus"] == "rebooting cluster nodes"
    cluster_status(cluster["CacheClusterId"])
    client = redis.Redis(port=node_port(cluster))
    assert client.info("server")["process_id"] != pid
    assert client.get("kept") == b"yes"
    messages = [e["Message"] for e in elasticache.describe_events()["Events"]]
    assert "Cache node 0001 shutdown" in messages
    assert "Cache node 0001 restarted" in messages


def test_modify_node_type_changes_maxmemory_at_once(
    elasticache: Any, create_cluster: Callable[..., Any]
) -> None:
    cluster = create_cluster()
    answer = elasticache.modify_cache_cluster(
        CacheClusterId=cluster["CacheClusterId"],
        CacheNodeType="cache.t3.small",
        ApplyImmediately=True,
    )
    assert answer["CacheCluster"]["CacheNodeType"] == "cache.t3.small"
    info = redis.Redis(port=node_port(cluster)).info("memory")
    assert info["maxmemory"] == int(1471026299 * 0.75)


def test_delete_stops_the_engine(
    elasticache: Any, create_cluster: Callable[..., Any], aws_error: Any
) -> None:
    cluster = create_cluster()
    port = node_port(cluster)
    answer = elasticache.delete_cache_cluster(CacheClusterId=cluster["CacheClusterId"])
    assert answer["CacheCluster"]["CacheClusterStatus"] == "deleting"

    def gone() -> bool:
        try:
            elasticache.describe_cache_clusters(CacheClusterId=cluster["CacheClusterId"])
        except ClientError:
            return True
        return False

    wait_for(gone, "the cluster to be deleted")
    assert not accepts(port)
    messages = [
        e["Message"]
        for e in elasticache.describe_events(SourceIdentifier=cluster["CacheClusterId"])["Events"]
    ]
    assert messages[0] == "Cache cluster deleted"


def test_events_tell_the_creation(elasticache: Any, create_cluster: Callable[..., Any]) -> None:
    cluster = create_cluster()
    events = elasticache.describe_events(
        SourceIdentifier=cluster["CacheClusterId"], SourceType="cache-cluster"
    )["Events"]
    assert [e["Message"] for e in events] == [
        "Cache cluster created",
        "Added cache node 0001 in availability zone us-east-1a",
    ]


def test_a_crashed_node_is_reported_and_restarted(
    elasticache: Any, create_cluster: Callable[..., Any]
) -> None:
    cluster = create_cluster()
    port = node_port(cluster)
    pid = redis.Redis(port=port).info("server")["process_id"]
    os.kill(pid, signal.SIGKILL)

    def recovered() -> bool:
        events = elasticache.describe_events(SourceIdentifier=cluster["CacheClusterId"])
        return any(e["Message"].startswith("Finished recovery") for e in events["Events"])

    wait_for(recovered, "the node to be restarted")
    messages = [
        e["Message"]
        for e in elasticache.describe_events(SourceIdentifier=cluster["CacheClusterId"])["Events"]
    ]
    assert any(
        m.startswith("Recovering cache nodes 0001 (engine exited with status") for m in messages
    )
    assert redis.Redis(port=port).info("server")["process_id"] != pid


def test_tags_by_arn(elasticache: Any, create_cluster: Callable[..., Any], aws_error: Any) -> None:
    cluster = create_cluster(Tags=[{"Key": "team", "Value": "cache"}])
    arn = cluster["ARN"]
    assert elasticache.list_tags_for_resource(ResourceName=arn)["TagList"] == [
        {"Key": "team", "Value": "cache"}
    ]
    tags = elasticache.add_tags_to_resource(ResourceName=arn, Tags=[{"Key": "env", "Value": "t"}])
    assert {t["Key"] for t in tags["TagList"]} == {"team", "env"}
    tags = elasticache.remove_tags_from_resource(ResourceName=arn, TagKeys=["team"])
    assert tags["TagList"] == [{"Key": "env", "Value": "t"}]
    with pytest.raises(ClientError) as raised:
        elasticache.list_tags_for_resource(ResourceName="not-an-arn")
    assert aws_error(raised.value)[0] == "InvalidARN"
    missing = arn.rsplit(":", 1)[0] + ":missing"
    with pytest.raises(ClientError) as raised:
        elasticache.list_tags_for_resource(ResourceName=missing)
    assert aws_error(raised.value) == (
        "CacheClusterNotFound",
        "CacheCluster not found: missing",
        404,
    )


@pytest.mark.parametrize(
    ("engine", "default"), [("valkey", "8.1"), ("redis", "7.1"), ("memcached", "1.6.22")]
)
def test_engine_versions(elasticache: Any, engine: str, default: str) -> None:
    versions = elasticache.describe_cache_engine_versions(Engine=engine, DefaultOnly=True)
    rows = versions["CacheEngineVersions"]
    assert [r["EngineVersion"] for r in rows] == [default]
    assert rows[0]["Engine"] == engine


def test_memcached_cluster_has_many_nodes_and_a_configuration_endpoint(
    create_cluster: Callable[..., Any],
) -> None:
    import shutil

    if shutil.which("memcached") is None:
        pytest.skip("memcached is not installed (Debian: apt-get install memcached)")
    cluster = create_cluster(Engine="memcached", NumCacheNodes=2)
    assert cluster["ConfigurationEndpoint"]["Port"] == node_port(cluster, 0)
    for index in range(2):
        with socket.create_connection(("127.0.0.1", node_port(cluster, index)), 5) as sock:
            sock.sendall(b"set k 0 0 1\r\nv\r\nget k\r\n")
            data = b""
            while not data.endswith(b"END\r\n"):
                data += sock.recv(1024)
        assert b"VALUE k 0 1\r\nv" in data
