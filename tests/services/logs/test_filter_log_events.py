"""FilterLogEvents: patterns, stream selection, time range, pages."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

Error = Callable[[Any], tuple[str, str, int]]
MESSAGES = {
    "api": [
        "INFO request started",
        "ERROR database timeout",
        json.dumps({"level": "error", "latency": 812, "user": {"id": 7}}),
        "WARN slow request",
    ],
    "worker": [
        "ERROR job failed: OutOfMemory",
        json.dumps({"level": "info", "latency": 12, "user": {"id": 8}}),
        '127.0.0.1 - frank [10/Oct/2000:13:55:36] "GET /index.html HTTP/1.0" 404 2326',
        "DEBUG ERROR-like but debug",
    ],
}


@pytest.fixture
def start(logs: Any) -> int:
    """Group "app" with streams api and worker, events interleaved 10 ms apart."""
    logs.create_log_group(logGroupName="app")
    begin = int(time.time() * 1000) - 10_000
    for offset, (stream, lines) in enumerate(MESSAGES.items()):
        logs.create_log_stream(logGroupName="app", logStreamName=stream)
        logs.put_log_events(
            logGroupName="app",
            logStreamName=stream,
            logEvents=[
                {"timestamp": begin + 20 * i + 10 * offset, "message": line}
                for i, line in enumerate(lines)
            ],
        )
    return begin


def found(response: dict[str, Any]) -> list[str]:
    return [event["message"] for event in response["events"]]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("", 8),
        (
            "ERROR",
            [
                "ERROR job failed: OutOfMemory",
                "ERROR database timeout",
                "DEBUG ERROR-like but debug",
            ],
        ),
        ("ERROR -DEBUG", ["ERROR job failed: OutOfMemory", "ERROR database timeout"]),
        ("?WARN ?INFO", ["INFO request started", "WARN slow request"]),
        ('"job failed"', ["ERROR job failed: OutOfMemory"]),
        ("error", [MESSAGES["api"][2]]),
        ('{ $.level = "error" }', [MESSAGES["api"][2]]),
        ("{ $.latency > 100 }", [MESSAGES["api"][2]]),
        ("{ $.user.id = 8 || $.latency >= 800 }", [MESSAGES["worker"][1], MESSAGES["api"][2]]),
        ("{ $.level = inf* }", [MESSAGES["worker"][1]]),
        ('{ $.missing NOT EXISTS && $.level != "error" }', [MESSAGES["worker"][1]]),
        ("[ip, id, user, timestamp, request, status_code = 404, size]", [MESSAGES["worker"][2]]),
        ("[..., status_code = 4*, size > 1000]", [MESSAGES["worker"][2]]),
        ("%Out(Of)?Memory%", ["ERROR job failed: OutOfMemory"]),
    ],
)
def test_patterns(logs: Any, start: int, pattern: str, expected: list[str] | int) -> None:
    events = found(logs.filter_log_events(logGroupName="app", filterPattern=pattern))
    if isinstance(expected, int):
        assert len(events) == expected
    else:
        assert events == expected


def test_event_shape_and_order(logs: Any, start: int) -> None:
    events = logs.filter_log_events(logGroupName="app")["events"]
    assert [e["timestamp"] for e in events] == sorted(e["timestamp"] for e in events)
    assert [e["logStreamName"] for e in events[:4]] == ["api", "worker", "api", "worker"]
    assert all(re.fullmatch(r"\d{56}", e["eventId"]) for e in events)
    assert len({e["eventId"] for e in events}) == 8
    assert all("ingestionTime" in e for e in events)


@pytest.mark.parametrize(
    ("selection", "streams"),
    [
        ({"logStreamNames": ["worker"]}, {"worker"}),
        ({"logStreamNames": ["api", "absent"]}, {"api"}),
        ({"logStreamNamePrefix": "wor"}, {"worker"}),
        ({"logStreamNamePrefix": "x"}, set()),
    ],
)
def test_stream_selection(
    logs: Any, start: int, selection: dict[str, Any], streams: set[str]
) -> None:
    events = logs.filter_log_events(logGroupName="app", **selection)["events"]
    assert {e["logStreamName"] for e in events} == streams


def test_names_and_prefix_are_exclusive(logs: Any, start: int, aws_error: Error) -> None:
    with pytest.raises(ClientError) as exc:
        logs.filter_log_events(logGroupName="app", logStreamNames=["a"], logStreamNamePrefix="a")
    assert aws_error(exc.value)[0] == "InvalidParameterException"


def test_time_range_is_inclusive(logs: Any, start: int) -> None:
    events = logs.filter_log_events(logGroupName="app", startTime=start + 10, endTime=start + 30)
    assert found(events) == [MESSAGES["worker"][0], MESSAGES["api"][1], MESSAGES["worker"][1]]


def test_pages(logs: Any, start: int) -> None:
    first = logs.filter_log_events(logGroupName="app", limit=3)
    assert len(first["events"]) == 3
    second = logs.filter_log_events(logGroupName="app", limit=3, nextToken=first["nextToken"])
    assert len(second["events"]) == 3
    third = logs.filter_log_events(logGroupName="app", limit=3, nextToken=second["nextToken"])
    assert len(third["events"]) == 2
    assert "nextToken" not in third
    pages = logs.get_paginator("filter_log_events").paginate(
        logGroupName="app", filterPattern="ERROR", PaginationConfig={"PageSize": 1}
    )
    assert len(pages.build_full_result()["events"]) == 3


def test_invalid_pattern(logs: Any, start: int, aws_error: Error) -> None:
    with pytest.raises(ClientError) as exc:
        logs.filter_log_events(logGroupName="app", filterPattern="key:value")
    assert aws_error(exc.value) == (
        "InvalidParameterException",
        "Invalid character(s) in term 'key:value'",
        400,
    )


def test_missing_group(logs: Any, aws_error: Error) -> None:
    with pytest.raises(ClientError) as exc:
        logs.filter_log_events(logGroupName="none")
    assert aws_error(exc.value) == (
        "ResourceNotFoundException",
        "The specified log group does not exist.",
        400,
    )
