"""Global and local secondary indexes: projections, sparse indexes, UpdateTable backfill."""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.exceptions import ClientError


def gsi(name: str, hash_: str, range_: str | None = None, projection: Any = None) -> Any:
    schema = [{"AttributeName": hash_, "KeyType": "HASH"}]
    if range_:
        schema.append({"AttributeName": range_, "KeyType": "RANGE"})
    return {
        "IndexName": name,
        "KeySchema": schema,
        "Projection": projection or {"ProjectionType": "ALL"},
    }


@pytest.fixture
def indexed(make_table: Any) -> str:
    return make_table(
        range=("sk", "N"),
        extra=(("g", "S"), ("gs", "N"), ("l", "S")),
        GlobalSecondaryIndexes=[
            gsi("by-g", "g", "gs"),
            gsi("keys-only", "g", None, {"ProjectionType": "KEYS_ONLY"}),
            gsi("include", "g", None, {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x"]}),
        ],
        LocalSecondaryIndexes=[gsi("by-l", "pk", "l", {"ProjectionType": "KEYS_ONLY"})],
    )


def put(ddb: Any, table: str, sk: int, **attrs: Any) -> None:
    ddb.put_item(TableName=table, Item={"pk": {"S": "p"}, "sk": {"N": str(sk)}, **attrs})


def test_gsi_query_and_maintenance(ddb: Any, indexed: str) -> None:
    put(ddb, indexed, 1, g={"S": "a"}, gs={"N": "3"}, x={"S": "1"}, y={"S": "2"})
    put(ddb, indexed, 2, g={"S": "a"}, gs={"N": "1"}, x={"S": "1"})
    put(ddb, indexed, 3, x={"S": "sparse"})
    query = {
        "TableName": indexed,
        "IndexName": "by-g",
        "KeyConditionExpression": "g = :g",
        "ExpressionAttributeValues": {":g": {"S": "a"}},
    }
    assert [i["sk"]["N"] for i in ddb.query(**query)["Items"]] == ["2", "1"]
    put(ddb, indexed, 2, g={"S": "b"}, gs={"N": "1"})
    assert [i["sk"]["N"] for i in ddb.query(**query)["Items"]] == ["1"]
    ddb.delete_item(TableName=indexed, Key={"pk": {"S": "p"}, "sk": {"N": "1"}})
    assert ddb.query(**query)["Items"] == []


def test_projections(ddb: Any, indexed: str) -> None:
    put(ddb, indexed, 1, g={"S": "a"}, gs={"N": "3"}, x={"S": "1"}, y={"S": "2"}, l={"S": "z"})
    values = {":g": {"S": "a"}}
    keys_only = ddb.query(
        TableName=indexed,
        IndexName="keys-only",
        KeyConditionExpression="g = :g",
        ExpressionAttributeValues=values,
    )
    assert keys_only["Items"] == [{"pk": {"S": "p"}, "sk": {"N": "1"}, "g": {"S": "a"}}]
    include = ddb.query(
        TableName=indexed,
        IndexName="include",
        KeyConditionExpression="g = :g",
        ExpressionAttributeValues=values,
    )
    assert set(include["Items"][0]) == {"pk", "sk", "g", "x"}
    local = ddb.query(
        TableName=indexed,
        IndexName="by-l",
        Select="ALL_ATTRIBUTES",
        KeyConditionExpression="pk = :p AND l = :l",
        ExpressionAttributeValues={":p": {"S": "p"}, ":l": {"S": "z"}},
    )
    assert local["Items"][0]["y"] == {"S": "2"}


def test_attributes_an_index_does_not_project(ddb: Any, indexed: str, error_of: Any) -> None:
    """A local index reads them from the table; asking a global one for them is refused."""
    put(ddb, indexed, 1, g={"S": "a"}, x={"S": "1"}, y={"S": "2"}, l={"S": "z"})
    local = ddb.query(
        TableName=indexed,
        IndexName="by-l",
        KeyConditionExpression="pk = :p AND l = :l",
        ExpressionAttributeValues={":p": {"S": "p"}, ":l": {"S": "z"}},
        ProjectionExpression="y, l",
    )
    assert local["Items"] == [{"y": {"S": "2"}, "l": {"S": "z"}}]
    statement = f"SELECT y FROM \"{indexed}\".\"by-l\" WHERE pk = 'p' AND l = 'z'"
    assert ddb.execute_statement(Statement=statement)["Items"] == [{"y": {"S": "2"}}]
    refused = "One or more parameter values were invalid: Global secondary index include does "
    calls = [
        lambda: ddb.query(
            TableName=indexed,
            IndexName="include",
            KeyConditionExpression="g = :g",
            ExpressionAttributeValues={":g": {"S": "a"}},
            ProjectionExpression="y, x, l",
        ),
        lambda: ddb.scan(TableName=indexed, IndexName="include", AttributesToGet=["y", "l"]),
        lambda: ddb.execute_statement(Statement=f'SELECT y, l FROM "{indexed}"."include"'),
    ]
    for call in calls:
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_of(excinfo) == ("ValidationException", f"{refused}not project [y, l]", 400)


def test_index_errors(ddb: Any, indexed: str, error_of: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        ddb.query(
            TableName=indexed,
            IndexName="nope",
            KeyConditionExpression="g = :g",
            ExpressionAttributeValues={":g": {"S": "a"}},
        )
    assert error_of(excinfo) == (
        "ValidationException",
        "The table does not have the specified index: nope",
        400,
    )
    with pytest.raises(ClientError) as excinfo:
        ddb.query(
            TableName=indexed,
            IndexName="by-g",
            KeyConditionExpression="g = :g",
            ExpressionAttributeValues={":g": {"S": "a"}},
            ConsistentRead=True,
        )
    assert error_of(excinfo) == (
        "ValidationException",
        "Consistent reads are not supported on global secondary indexes",
        400,
    )
    with pytest.raises(ClientError) as excinfo:
        put(ddb, indexed, 1, g={"N": "1"})
    assert error_of(excinfo) == (
        "ValidationException",
        "One or more parameter values were invalid: Type mismatch for Index Key g Expected: S "
        "Actual: N IndexName: by-g",
        400,
    )


def test_gsi_pagination(ddb: Any, indexed: str) -> None:
    for n in range(5):
        put(ddb, indexed, n, g={"S": "a"}, gs={"N": "1"})
    seen, start = [], None
    while True:
        params: dict[str, Any] = {
            "TableName": indexed,
            "IndexName": "by-g",
            "Limit": 2,
            "KeyConditionExpression": "g = :g",
            "ExpressionAttributeValues": {":g": {"S": "a"}},
        }
        if start:
            params["ExclusiveStartKey"] = start
        page = ddb.query(**params)
        seen += [i["sk"]["N"] for i in page["Items"]]
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    assert sorted(seen) == ["0", "1", "2", "3", "4"] and len(seen) == 5


def test_update_table_creates_gsi_with_backfill(ddb: Any, make_table: Any) -> None:
    name = make_table()
    for n in range(30):
        ddb.put_item(TableName=name, Item={"pk": {"S": f"k{n}"}, "c": {"S": "x" if n % 3 else "y"}})
    described = ddb.update_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "c", "AttributeType": "S"}],
        GlobalSecondaryIndexUpdates=[{"Create": gsi("by-c", "c")}],
    )["TableDescription"]
    index = described["GlobalSecondaryIndexes"][0]
    assert (index["IndexStatus"], index["Backfilling"]) == ("CREATING", True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        table = ddb.describe_table(TableName=name)["Table"]
        if table["GlobalSecondaryIndexes"][0]["IndexStatus"] == "ACTIVE":
            break
        time.sleep(0.1)
    assert table["TableStatus"] == "ACTIVE"
    result = ddb.query(
        TableName=name,
        IndexName="by-c",
        KeyConditionExpression="c = :c",
        ExpressionAttributeValues={":c": {"S": "y"}},
    )
    assert result["Count"] == 10
    ddb.update_table(
        TableName=name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by-c"}}]
    )
    assert "GlobalSecondaryIndexes" not in ddb.describe_table(TableName=name)["Table"]
