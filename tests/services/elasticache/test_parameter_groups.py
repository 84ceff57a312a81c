"""Cache parameter groups, applied to the running engines; subnet groups."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import redis
from botocore.exceptions import ClientError
from cache_nodes import node_port


def test_modified_parameters_reach_running_engines_and_reset_restores_them(
    elasticache: Any, create_cluster: Callable[..., Any], name: Callable[[str], str]
) -> None:
    group_name = name("pg")
    created = elasticache.create_cache_parameter_group(
        CacheParameterGroupName=group_name,
        CacheParameterGroupFamily="valkey8",
        Description="mine",
    )["CacheParameterGroup"]
    assert created["ARN"].endswith(f":parametergroup:{group_name}")
    cluster = create_cluster(CacheParameterGroupName=group_name)
    client = redis.Redis(port=node_port(cluster))
    elasticache.modify_cache_parameter_group(
        CacheParameterGroupName=group_name,
        ParameterNameValues=[
            {"ParameterName": "maxmemory-policy", "ParameterValue": "allkeys-lfu"},
            {"ParameterName": "reserved-memory-percent", "ParameterValue": "50"},
        ],
    )
    assert client.config_get("maxmemory-policy") == {"maxmemory-policy": "allkeys-lfu"}
    assert client.info("memory")["maxmemory"] == 268435456
    parameters = elasticache.describe_cache_parameters(
        CacheParameterGroupName=group_name, Source="user"
    )["Parameters"]
    assert {p["ParameterName"]: p["ParameterValue"] for p in parameters} == {
        "maxmemory-policy": "allkeys-lfu",
        "reserved-memory-percent": "50",
    }
    elasticache.reset_cache_parameter_group(
        CacheParameterGroupName=group_name, ResetAllParameters=True
    )
    assert client.config_get("maxmemory-policy") == {"maxmemory-policy": "volatile-lru"}
    with pytest.raises(ClientError) as raised:
        elasticache.delete_cache_parameter_group(CacheParameterGroupName=group_name)
    assert raised.value.response["Error"]["Code"] == "InvalidCacheParameterGroupState"


@pytest.mark.parametrize(
    ("parameter", "value"),
    [("maxmemory-policy", "sometimes"), ("maxmemory-samples", "x"), ("no-such-thing", "1")],
)
def test_bad_parameter_values_are_refused(
    elasticache: Any, name: Callable[[str], str], parameter: str, value: str
) -> None:
    group_name = name("pg")
    elasticache.create_cache_parameter_group(
        CacheParameterGroupName=group_name, CacheParameterGroupFamily="redis7", Description="d"
    )
    with pytest.raises(ClientError) as raised:
        elasticache.modify_cache_parameter_group(
            CacheParameterGroupName=group_name,
            ParameterNameValues=[{"ParameterName": parameter, "ParameterValue": value}],
        )
    assert raised.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_default_groups_are_listed_and_read_only(elasticache: Any) -> None:
    groups = elasticache.describe_cache_parameter_groups(
        CacheParameterGroupName="default.valkey8.cluster.on"
    )["CacheParameterGroups"]
    assert groups[0]["CacheParameterGroupFamily"] == "valkey8"
    parameters = elasticache.describe_cache_parameters(
        CacheParameterGroupName="default.valkey8.cluster.on", MaxRecords=100
    )["Parameters"]
    values = {p["ParameterName"]: p.get("ParameterValue") for p in parameters}
    assert values["cluster-enabled"] == "yes"
    assert values["maxmemory-policy"] == "volatile-lru"
    with pytest.raises(ClientError) as raised:
        elasticache.modify_cache_parameter_group(
            CacheParameterGroupName="default.valkey8",
            ParameterNameValues=[{"ParameterName": "timeout", "ParameterValue": "5"}],
        )
    assert raised.value.response["Error"]["Code"] == "InvalidCacheParameterGroupState"


def test_unknown_family_is_refused(elasticache: Any, name: Callable[[str], str]) -> None:
    with pytest.raises(ClientError) as raised:
        elasticache.create_cache_parameter_group(
            CacheParameterGroupName=name("pg"), CacheParameterGroupFamily="redis99", Description="d"
        )
    assert raised.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_subnet_groups(elasticache: Any, name: Callable[[str], str], aws_error: Any) -> None:
    group_name = name("sg")
    created = elasticache.create_cache_subnet_group(
        CacheSubnetGroupName=group_name,
        CacheSubnetGroupDescription="subnets",
        SubnetIds=["subnet-1", "subnet-2"],
    )["CacheSubnetGroup"]
    assert [s["SubnetIdentifier"] for s in created["Subnets"]] == ["subnet-1", "subnet-2"]
    modified = elasticache.modify_cache_subnet_group(
        CacheSubnetGroupName=group_name, SubnetIds=["subnet-3"]
    )["CacheSubnetGroup"]
    assert [s["SubnetIdentifier"] for s in modified["Subnets"]] == ["subnet-3"]
    with pytest.raises(ClientError) as raised:
        elasticache.create_cache_subnet_group(
            CacheSubnetGroupName=group_name, CacheSubnetGroupDescription="d", SubnetIds=["subnet-1"]
        )
    assert aws_error(raised.value)[0] == "CacheSubnetGroupAlreadyExists"
    elasticache.delete_cache_subnet_group(CacheSubnetGroupName=group_name)
    with pytest.raises(ClientError) as raised:
        elasticache.describe_cache_subnet_groups(CacheSubnetGroupName=group_name)
    assert aws_error(raised.value)[0] == "CacheSubnetGroupNotFoundFault"
