"""Scan: filters, pagination, parallel segments, legacy ScanFilter."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError


@pytest.fixture
def filled(ddb: Any, make_table: Any) -> str:
    name = make_table()
    for start in range(0, 60, 25):
        ddb.batch_write_item(
            RequestItems={
                name: [
                    {"PutRequest": {"Item": {"pk": {"S": f"k{n}"}, "n": {"N": str(n)}}}}
                    for n in range(start, min(start + 25, 60))
                ]
            }
        )
    return name


def test_scan_all_with_pagination(ddb: Any, filled: str) -> None:
    seen: list[str] = []
    start = None
    while True:
        params: dict[str, Any] = {"TableName": filled, "Limit": 11}
        if start:
            params["ExclusiveStartKey"] = start
        page = ddb.scan(**params)
        seen += [item["pk"]["S"] for item in page["Items"]]
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    assert sorted(seen) == sorted(f"k{n}" for n in range(60))


def test_parallel_segments_partition_the_table(ddb: Any, filled: str) -> None:
    seen: list[str] = []
    for segment in range(4):
        page = ddb.scan(TableName=filled, Segment=segment, TotalSegments=4)
        seen += [item["pk"]["S"] for item in page["Items"]]
    assert sorted(seen) == sorted(f"k{n}" for n in range(60))


def test_filter_and_legacy_filter(ddb: Any, filled: str) -> None:
    page = ddb.scan(
        TableName=filled, FilterExpression="n < :v", ExpressionAttributeValues={":v": {"N": "10"}}
    )
    assert (page["Count"], page["ScannedCount"]) == (10, 60)
    legacy = ddb.scan(
        TableName=filled,
        ScanFilter={
            "n": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "5"}, {"N": "7"}]}
        },
    )
    assert legacy["Count"] == 3


def test_segment_errors(ddb: Any, filled: str, error_of: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        ddb.scan(TableName=filled, Segment=4, TotalSegments=4)
    assert error_of(excinfo) == (
        "ValidationException",
        "The Segment parameter is zero-based and must be less than parameter TotalSegments: "
        "Segment: 4 is not less than TotalSegments: 4",
        400,
    )
