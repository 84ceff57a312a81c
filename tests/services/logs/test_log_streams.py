"""Log streams: create, describe (order, prefix, pages, statistics), delete."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

Error = Callable[[Any], tuple[str, str, int]]


@pytest.fixture
def group(logs: Any) -> str:
    logs.create_log_group(logGroupName="app")
    return "app"


def test_create_and_describe(logs: Any, group: str, account: str) -> None:
    logs.create_log_stream(logGroupName=group, logStreamName="2026/01/01/[$LATEST]abc")
    (stream,) = logs.describe_log_streams(logGroupName=group)["logStreams"]
    assert stream["logStreamName"] == "2026/01/01/[$LATEST]abc"
    assert stream["arn"] == (
        f"arn:aws:logs:us-east-1:{account}:log-group:app:log-stream:2026/01/01/[$LATEST]abc"
    )
    assert stream["storedBytes"] == 0
    assert "firstEventTimestamp" not in stream


def test_statistics_follow_events(logs: Any, group: str) -> None:
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    now = int(time.time() * 1000)
    logs.put_log_events(
        logGroupName=group,
        logStreamName="s",
        logEvents=[
            {"timestamp": now - 1000, "message": "héllo"},
            {"timestamp": now, "message": "x"},
        ],
    )
    (stream,) = logs.describe_log_streams(logGroupName=group)["logStreams"]
    assert (stream["firstEventTimestamp"], stream["lastEventTimestamp"]) == (now - 1000, now)
    assert abs(stream["lastIngestionTime"] - now) < 5000
    assert stream["storedBytes"] == len("héllo".encode()) + 1
    assert logs.describe_log_groups()["logGroups"][0]["storedBytes"] == stream["storedBytes"]


@pytest.mark.parametrize(
    ("operation", "kwargs", "message"),
    [
        ("create_log_stream", {"logGroupName": "nope", "logStreamName": "s"}, "log group"),
        ("describe_log_streams", {"logGroupName": "nope"}, "log group"),
        ("delete_log_stream", {"logGroupName": "app", "logStreamName": "nope"}, "log stream"),
    ],
)
def test_not_found(
    logs: Any, group: str, operation: str, kwargs: dict[str, str], message: str, aws_error: Error
) -> None:
    with pytest.raises(ClientError) as exc:
        getattr(logs, operation)(**kwargs)
    assert aws_error(exc.value) == (
        "ResourceNotFoundException",
        f"The specified {message} does not exist.",
        400,
    )


def test_duplicate(logs: Any, group: str, aws_error: Error) -> None:
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    with pytest.raises(ClientError) as exc:
        logs.create_log_stream(logGroupName=group, logStreamName="s")
    assert aws_error(exc.value) == (
        "ResourceAlreadyExistsException",
        "The specified log stream already exists",
        400,
    )


def test_invalid_stream_name(logs: Any, group: str, aws_error: Error) -> None:
    with pytest.raises(ClientError) as exc:
        logs.create_log_stream(logGroupName=group, logStreamName="a:b")
    assert aws_error(exc.value)[0] == "InvalidParameterException"


def test_order_and_prefix(logs: Any, group: str) -> None:
    now = int(time.time() * 1000)
    for index, stream in enumerate(["b", "a", "c", "ab"]):
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
        if stream != "ab":
            logs.put_log_events(
                logGroupName=group,
                logStreamName=stream,
                logEvents=[{"timestamp": now + index, "message": stream}],
            )

    def names(**kwargs: Any) -> list[str]:
        found = logs.describe_log_streams(logGroupName=group, **kwargs)["logStreams"]
        return [s["logStreamName"] for s in found]

    assert names() == ["a", "ab", "b", "c"]
    assert names(descending=True) == ["c", "b", "ab", "a"]
    assert names(logStreamNamePrefix="a") == ["a", "ab"]
    assert names(orderBy="LastEventTime") == ["ab", "b", "a", "c"]
    assert names(orderBy="LastEventTime", descending=True) == ["c", "a", "b", "ab"]


def test_last_event_order_with_prefix(logs: Any, group: str, aws_error: Error) -> None:
    with pytest.raises(ClientError) as exc:
        logs.describe_log_streams(
            logGroupName=group, orderBy="LastEventTime", logStreamNamePrefix="a"
        )
    assert aws_error(exc.value) == (
        "InvalidParameterException",
        "Cannot order by LastEventTime with a logStreamNamePrefix.",
        400,
    )


@pytest.mark.parametrize("order", [{}, {"orderBy": "LastEventTime", "descending": True}])
def test_pages(logs: Any, group: str, order: dict[str, Any]) -> None:
    for index in range(9):
        logs.create_log_stream(logGroupName=group, logStreamName=f"s{index}")
    everything = logs.describe_log_streams(logGroupName=group, **order)["logStreams"]
    pages = logs.get_paginator("describe_log_streams").paginate(
        logGroupName=group, PaginationConfig={"PageSize": 2}, **order
    )
    assert pages.build_full_result()["logStreams"] == everything
    assert len(everything) == 9


def test_delete(logs: Any, group: str) -> None:
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    logs.put_log_events(
        logGroupName=group,
        logStreamName="s",
        logEvents=[{"timestamp": int(time.time() * 1000), "message": "abc"}],
    )
    logs.delete_log_stream(logGroupName=group, logStreamName="s")
    assert logs.describe_log_streams(logGroupName=group)["logStreams"] == []
    assert logs.describe_log_groups()["logGroups"][0]["storedBytes"] == 0
    assert logs.filter_log_events(logGroupName=group)["events"] == []
