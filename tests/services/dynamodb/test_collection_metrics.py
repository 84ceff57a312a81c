"""ReturnItemCollectionMetrics: item collection sizes, reported only for tables with a local
secondary index and only when asked for (PutItem, UpdateItem, DeleteItem, BatchWriteItem,
TransactWriteItems)."""

from __future__ import annotations

from typing import Any

import pytest

ESTIMATE = {"ItemCollectionKey": {"pk": {"S": "p"}}, "SizeEstimateRangeGB": [0.0, 1.0]}


@pytest.fixture
def local_indexed(make_table: Any) -> str:
    return make_table(
        range=("sk", "N"),
        extra=(("l", "S"),),
        LocalSecondaryIndexes=[
            {
                "IndexName": "by-l",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "l", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )


def _key(sk: int) -> dict[str, Any]:
    return {"pk": {"S": "p"}, "sk": {"N": str(sk)}}


def test_single_writes_report_the_collection(ddb: Any, local_indexed: str) -> None:
    put = ddb.put_item(
        TableName=local_indexed,
        Item={**_key(1), "l": {"S": "a"}},
        ReturnItemCollectionMetrics="SIZE",
    )
    assert put["ItemCollectionMetrics"] == ESTIMATE
    update = ddb.update_item(
        TableName=local_indexed,
        Key=_key(1),
        UpdateExpression="SET l = :l",
        ExpressionAttributeValues={":l": {"S": "b"}},
        ReturnItemCollectionMetrics="SIZE",
    )
    assert update["ItemCollectionMetrics"] == ESTIMATE
    delete = ddb.delete_item(
        TableName=local_indexed, Key=_key(1), ReturnItemCollectionMetrics="SIZE"
    )
    assert delete["ItemCollectionMetrics"] == ESTIMATE
    quiet = ddb.put_item(TableName=local_indexed, Item=_key(2), ReturnItemCollectionMetrics="NONE")
    assert "ItemCollectionMetrics" not in quiet


def test_tables_without_local_indexes_report_nothing(ddb: Any, table: str) -> None:
    put = ddb.put_item(TableName=table, Item=_key(1), ReturnItemCollectionMetrics="SIZE")
    assert "ItemCollectionMetrics" not in put
    batch = ddb.batch_write_item(
        RequestItems={table: [{"PutRequest": {"Item": _key(2)}}]},
        ReturnItemCollectionMetrics="SIZE",
    )
    assert "ItemCollectionMetrics" not in batch
    transaction = ddb.transact_write_items(
        TransactItems=[{"Put": {"TableName": table, "Item": _key(3)}}],
        ReturnItemCollectionMetrics="SIZE",
    )
    assert "ItemCollectionMetrics" not in transaction


def test_batch_and_transaction_report_per_table(ddb: Any, local_indexed: str, table: str) -> None:
    batch = ddb.batch_write_item(
        RequestItems={
            local_indexed: [
                {"PutRequest": {"Item": _key(1)}},
                {"DeleteRequest": {"Key": _key(2)}},
            ],
            table: [{"PutRequest": {"Item": _key(1)}}],
        },
        ReturnItemCollectionMetrics="SIZE",
    )
    assert batch["ItemCollectionMetrics"] == {local_indexed: [ESTIMATE, ESTIMATE]}
    transaction = ddb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": local_indexed, "Item": _key(3)}},
            {
                "Update": {
                    "TableName": local_indexed,
                    "Key": _key(1),
                    "UpdateExpression": "SET v = :v",
                    "ExpressionAttributeValues": {":v": {"S": "x"}},
                }
            },
            {
                "ConditionCheck": {
                    "TableName": local_indexed,
                    "Key": _key(4),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {"Delete": {"TableName": table, "Key": _key(1)}},
        ],
        ReturnItemCollectionMetrics="SIZE",
    )
    # a ConditionCheck changes no collection; the other table has no local index
    assert transaction["ItemCollectionMetrics"] == {local_indexed: [ESTIMATE, ESTIMATE]}
