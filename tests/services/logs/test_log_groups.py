"""Log groups: create, describe (prefix, pattern, class, pages), delete, regions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

Error = Callable[[Any], tuple[str, str, int]]


def test_create_and_describe(logs: Any, account: str) -> None:
    logs.create_log_group(logGroupName="/aws/lambda/fn", logGroupClass="INFREQUENT_ACCESS")
    (group,) = logs.describe_log_groups()["logGroups"]
    arn = f"arn:aws:logs:us-east-1:{account}:log-group:/aws/lambda/fn"
    assert group["logGroupName"] == "/aws/lambda/fn"
    assert group["arn"] == f"{arn}:*"
    assert group["logGroupArn"] == arn
    assert group["storedBytes"] == 0
    assert group["metricFilterCount"] == 0
    assert group["logGroupClass"] == "INFREQUENT_ACCESS"
    assert "retentionInDays" not in group
    assert isinstance(group["creationTime"], int)


def test_duplicate(logs: Any, aws_error: Error) -> None:
    logs.create_log_group(logGroupName="dup")
    with pytest.raises(ClientError) as exc:
        logs.create_log_group(logGroupName="dup")
    assert aws_error(exc.value) == (
        "ResourceAlreadyExistsException",
        "The specified log group already exists",
        400,
    )


def test_invalid_name(logs: Any, aws_error: Error) -> None:
    with pytest.raises(ClientError) as exc:
        logs.create_log_group(logGroupName="has space")
    assert aws_error(exc.value) == (
        "InvalidParameterException",
        "1 validation error detected: Value 'has space' at 'logGroupName' failed to satisfy "
        r"constraint: Member must satisfy regular expression pattern: [\.\-_/#A-Za-z0-9]+",
        400,
    )


def test_delete(logs: Any, aws_error: Error) -> None:
    logs.create_log_group(logGroupName="gone")
    logs.create_log_stream(logGroupName="gone", logStreamName="s")
    logs.delete_log_group(logGroupName="gone")
    assert logs.describe_log_groups()["logGroups"] == []
    with pytest.raises(ClientError) as exc:
        logs.delete_log_group(logGroupName="gone")
    assert aws_error(exc.value) == (
        "ResourceNotFoundException",
        "The specified log group does not exist.",
        400,
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"logGroupNamePrefix": "/aws/lambda/"}, ["/aws/lambda/Alpha", "/aws/lambda/beta"]),
        ({"logGroupNamePattern": "LAMBDA"}, ["/aws/lambda/Alpha", "/aws/lambda/beta"]),
        ({"logGroupNamePattern": "alpha"}, ["/aws/lambda/Alpha"]),
        ({"logGroupNamePrefix": "/app"}, ["/app/web"]),
        ({"logGroupClass": "INFREQUENT_ACCESS"}, ["/app/web"]),
        ({}, ["/app/web", "/aws/lambda/Alpha", "/aws/lambda/beta", "/aws/states/flow"]),
    ],
)
def test_describe_filters(logs: Any, query: dict[str, str], expected: list[str]) -> None:
    for group in ["/aws/lambda/beta", "/aws/lambda/Alpha", "/aws/states/flow"]:
        logs.create_log_group(logGroupName=group)
    logs.create_log_group(logGroupName="/app/web", logGroupClass="INFREQUENT_ACCESS")
    found = logs.describe_log_groups(**query)["logGroups"]
    assert [g["logGroupName"] for g in found] == expected


def test_prefix_and_pattern_are_exclusive(logs: Any, aws_error: Error) -> None:
    with pytest.raises(ClientError) as exc:
        logs.describe_log_groups(logGroupNamePrefix="a", logGroupNamePattern="b")
    assert aws_error(exc.value) == (
        "InvalidParameterException",
        "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.",
        400,
    )


def test_pages(logs: Any) -> None:
    names = [f"group-{i:02d}" for i in range(12)]
    for group in names:
        logs.create_log_group(logGroupName=group)
    first = logs.describe_log_groups(limit=5)
    assert [g["logGroupName"] for g in first["logGroups"]] == names[:5]
    second = logs.describe_log_groups(limit=5, nextToken=first["nextToken"])
    assert [g["logGroupName"] for g in second["logGroups"]] == names[5:10]
    last = logs.describe_log_groups(limit=5, nextToken=second["nextToken"])
    assert [g["logGroupName"] for g in last["logGroups"]] == names[10:]
    assert "nextToken" not in last
    pages = logs.get_paginator("describe_log_groups").paginate(PaginationConfig={"PageSize": 4})
    assert [g["logGroupName"] for g in pages.build_full_result()["logGroups"]] == names


def test_regions_are_separate(aws_client: Callable[..., Any], account: str) -> None:
    east = aws_client("logs", account=account, region_name="us-east-1")
    west = aws_client("logs", account=account, region_name="eu-west-1")
    east.create_log_group(logGroupName="only-east")
    assert west.describe_log_groups()["logGroups"] == []
    west.create_log_group(logGroupName="only-east")
    (group,) = west.describe_log_groups()["logGroups"]
    assert group["arn"] == f"arn:aws:logs:eu-west-1:{account}:log-group:only-east:*"


def test_list_log_groups(logs: Any, account: str) -> None:
    logs.create_log_group(logGroupName="listed")
    assert logs.list_log_groups()["logGroups"] == [
        {
            "logGroupName": "listed",
            "logGroupArn": f"arn:aws:logs:us-east-1:{account}:log-group:listed",
            "logGroupClass": "STANDARD",
        }
    ]
