"""Time to live: settings, and expired items removed promptly with a service REMOVE record."""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.exceptions import ClientError


def test_ttl_settings(ddb: Any, make_table: Any, error_of: Any) -> None:
    name = make_table()
    assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "DISABLED"
    }
    spec = {"Enabled": True, "AttributeName": "expires"}
    assert (
        ddb.update_time_to_live(TableName=name, TimeToLiveSpecification=spec)[
            "TimeToLiveSpecification"
        ]
        == spec
    )
    described = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    assert described == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires"}
    with pytest.raises(ClientError) as excinfo:
        ddb.update_time_to_live(TableName=name, TimeToLiveSpecification=spec)
    assert error_of(excinfo) == ("ValidationException", "TimeToLive is already enabled", 400)


def test_expired_items_are_removed(ddb: Any, aws_client: Any, make_table: Any) -> None:
    name = make_table(StreamSpecification={"StreamEnabled": True, "StreamViewType": "OLD_IMAGE"})
    now = int(time.time())
    ddb.put_item(TableName=name, Item={"pk": {"S": "old"}, "expires": {"N": str(now - 10)}})
    ddb.update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"}
    )
    ddb.put_item(TableName=name, Item={"pk": {"S": "soon"}, "expires": {"N": str(now - 1)}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "later"}, "expires": {"N": str(now + 3600)}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "text"}, "expires": {"S": "not a number"}})
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if ddb.scan(TableName=name, Select="COUNT")["Count"] == 2:
            break
        time.sleep(0.2)
    left = sorted(item["pk"]["S"] for item in ddb.scan(TableName=name)["Items"])
    assert left == ["later", "text"]
    streams = aws_client("dynamodbstreams")
    arn = ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    removes = [
        r
        for r in streams.get_records(ShardIterator=iterator)["Records"]
        if r["eventName"] == "REMOVE"
    ]
    assert len(removes) == 2
    assert removes[0]["userIdentity"] == {
        "PrincipalId": "dynamodb.amazonaws.com",
        "Type": "Service",
    }
