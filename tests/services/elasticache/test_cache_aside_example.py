"""The cache-aside example (examples/cache-aside/) end to end: Lambda + DynamoDB + ElastiCache."""

from __future__ import annotations

import io
import json
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import redis
from cache_nodes import node_port

from cloudlet.services.registry import SERVICES

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "cache-aside"

pytestmark = pytest.mark.skipif(
    "lambda" not in SERVICES, reason="Lambda is not served by cloudlet yet (services/registry.py)"
)


@pytest.fixture
def deployed(
    aws_client: Callable[..., Any],
    account: str,
    name: Callable[[str], str],
    create_cluster: Callable[..., Any],
) -> Callable[[int], Any]:
    """Table with one item, a cache cluster; returns a factory of functions (by TTL)."""
    dynamodb = aws_client("dynamodb", account=account)
    table = name("items")
    dynamodb.create_table(
        TableName=table,
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.put_item(TableName=table, Item={"id": {"S": "42"}, "name": {"S": "answer"}})
    cluster = create_cluster()
    iam = aws_client("iam", account=account)
    role = iam.create_role(
        RoleName=name("role"),
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )["Role"]["Arn"]
    lambda_ = aws_client("lambda", account=account)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.write(EXAMPLE / "handler.py", "handler.py")

    def function(ttl: int) -> Any:
        function_name = name("cache-aside")
        lambda_.create_function(
            FunctionName=function_name,
            Runtime="python3.12",
            Handler="handler.handler",
            Role=role,
            Code={"ZipFile": archive.getvalue()},
            Timeout=30,
            Environment={
                "Variables": {
                    "TABLE_NAME": table,
                    "CACHE_HOST": "127.0.0.1",
                    "CACHE_PORT": str(node_port(cluster)),
                    "TTL_SECONDS": str(ttl),
                }
            },
        )
        lambda_.get_waiter("function_active_v2").wait(FunctionName=function_name)

        def invoke(event: dict[str, Any]) -> dict[str, Any]:
            answer = lambda_.invoke(FunctionName=function_name, Payload=json.dumps(event))
            payload: dict[str, Any] = json.loads(answer["Payload"].read())
            assert "FunctionError" not in answer, payload
            return payload

        invoke.engine = redis.Redis(port=node_port(cluster))  # type: ignore[attr-defined]
        return invoke

    return function


def test_miss_then_hit_with_counts_from_the_engine(deployed: Callable[[int], Any]) -> None:
    invoke = deployed(300)
    engine = invoke.engine
    before = engine.info("stats")
    assert invoke({"op": "get", "id": "42"})["source"] == "database"
    answer = invoke({"op": "get", "id": "42"})
    assert answer == {"source": "cache", "item": {"id": "42", "name": "answer"}}
    assert invoke({"op": "get", "id": "nope"})["source"] == "none"
    after = engine.info("stats")
    assert after["keyspace_hits"] - before["keyspace_hits"] == 1
    assert after["keyspace_misses"] - before["keyspace_misses"] == 2
    assert 0 < engine.ttl("item:42") <= 300


def test_ttl_expiry_reads_the_database_again(deployed: Callable[[int], Any]) -> None:
    invoke = deployed(1)
    assert invoke({"op": "get", "id": "42"})["source"] == "database"
    time.sleep(1.5)  # the engine's own TTL (user data, real time)
    assert invoke({"op": "get", "id": "42"})["source"] == "database"


def test_invalidation_and_write_through(deployed: Callable[[int], Any]) -> None:
    invoke = deployed(300)
    assert invoke({"op": "get", "id": "42"})["source"] == "database"
    invoke({"op": "update", "item": {"id": "42", "name": "new"}})
    assert invoke.engine.exists("item:42") == 0
    answer = invoke({"op": "get", "id": "42"})
    assert answer == {"source": "database", "item": {"id": "42", "name": "new"}}
    invoke({"op": "put", "item": {"id": "7", "name": "seven"}})
    assert invoke({"op": "get", "id": "7"}) == {
        "source": "cache",
        "item": {"id": "7", "name": "seven"},
    }
