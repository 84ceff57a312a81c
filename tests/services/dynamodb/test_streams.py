"""DynamoDB Streams: records written with the item, every StreamViewType, iterators."""

from __future__ import annotations

from typing import Any

import pytest


def records_of(streams: Any, arn: str, iterator_type: str = "TRIM_HORIZON") -> list[Any]:
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType=iterator_type
    )["ShardIterator"]
    return list(streams.get_records(ShardIterator=iterator)["Records"])


@pytest.mark.parametrize(
    ("view", "has_new", "has_old"),
    [
        ("KEYS_ONLY", False, False),
        ("NEW_IMAGE", True, False),
        ("OLD_IMAGE", False, True),
        ("NEW_AND_OLD_IMAGES", True, True),
    ],
)
def test_view_types(
    ddb: Any, aws_client: Any, make_table: Any, view: str, has_new: bool, has_old: bool
) -> None:
    streams = aws_client("dynamodbstreams")
    name = make_table(StreamSpecification={"StreamEnabled": True, "StreamViewType": view})
    arn = ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    key = {"pk": {"S": "s"}}
    ddb.put_item(TableName=name, Item={**key, "v": {"N": "1"}})
    ddb.put_item(TableName=name, Item={**key, "v": {"N": "1"}})  # unchanged: no record
    ddb.update_item(
        TableName=name,
        Key=key,
        UpdateExpression="SET v = :v",
        ExpressionAttributeValues={":v": {"N": "2"}},
    )
    ddb.delete_item(TableName=name, Key=key)
    records = records_of(streams, arn)
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    modify = records[1]["dynamodb"]
    assert modify["Keys"] == key and modify["StreamViewType"] == view
    assert ("NewImage" in modify) == has_new and ("OldImage" in modify) == has_old
    if has_new:
        assert modify["NewImage"]["v"] == {"N": "2"}
    numbers = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
    assert numbers == sorted(numbers) and len(str(numbers[0])) >= 21


def test_list_describe_and_latest(ddb: Any, aws_client: Any, make_table: Any) -> None:
    streams = aws_client("dynamodbstreams")
    name = make_table(StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    arn = ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    listed = streams.list_streams(TableName=name)["Streams"]
    assert [s["StreamArn"] for s in listed] == [arn]
    described = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert (described["StreamStatus"], described["TableName"]) == ("ENABLED", name)
    ddb.put_item(TableName=name, Item={"pk": {"S": "before"}})
    shard = described["Shards"][0]["ShardId"]
    latest = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="LATEST")
    ddb.put_item(TableName=name, Item={"pk": {"S": "after"}})
    page = streams.get_records(ShardIterator=latest["ShardIterator"])
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in page["Records"]] == ["after"]
    again = streams.get_records(ShardIterator=page["NextShardIterator"])
    assert again["Records"] == []


def test_stream_enabled_by_update_table(ddb: Any, aws_client: Any, make_table: Any) -> None:
    name = make_table()
    described = ddb.update_table(
        TableName=name, StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    )["TableDescription"]
    ddb.put_item(TableName=name, Item={"pk": {"S": "x"}})
    records = records_of(aws_client("dynamodbstreams"), described["LatestStreamArn"])
    assert records[0]["dynamodb"]["NewImage"] == {"pk": {"S": "x"}}


def test_transaction_records(ddb: Any, aws_client: Any, make_table: Any) -> None:
    name = make_table(StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    arn = ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    with pytest.raises(ddb.exceptions.TransactionCanceledException):
        ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": name, "Item": {"pk": {"S": "a"}}}},
                {
                    "ConditionCheck": {
                        "TableName": name,
                        "Key": {"pk": {"S": "b"}},
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
            ]
        )
    assert records_of(aws_client("dynamodbstreams"), arn) == []


def test_records_written_after_an_empty_read_are_read(
    ddb: Any, aws_client: Any, make_table: Any
) -> None:
    streams = aws_client("dynamodbstreams")
    name = make_table(StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    arn = ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    for key in ("a", "b"):
        page = streams.get_records(ShardIterator=iterator)
        assert page["Records"] == []
        ddb.put_item(TableName=name, Item={"pk": {"S": key}})
        page = streams.get_records(ShardIterator=page["NextShardIterator"])
        assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in page["Records"]] == [key]
        iterator = page["NextShardIterator"]
