"""PutLogEvents batch rules and GetLogEvents reading, directions and tokens."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

Error = Callable[[Any], tuple[str, str, int]]
HOUR = 3_600_000
DAY = 24 * HOUR


def now_ms() -> int:
    return int(time.time() * 1000)


@pytest.fixture
def stream(logs: Any) -> dict[str, str]:
    logs.create_log_group(logGroupName="g")
    logs.create_log_stream(logGroupName="g", logStreamName="s")
    return {"logGroupName": "g", "logStreamName": "s"}


def put(logs: Any, stream: dict[str, str], events: list[tuple[int, str]]) -> dict[str, Any]:
    batch = [{"timestamp": ts, "message": message} for ts, message in events]
    response: dict[str, Any] = logs.put_log_events(**stream, logEvents=batch)
    return response


def messages(response: dict[str, Any]) -> list[str]:
    return [event["message"] for event in response["events"]]


@pytest.fixture
def ten(logs: Any, stream: dict[str, str]) -> int:
    """Ten events m0..m9, one millisecond apart; returns the first timestamp."""
    start = now_ms() - 60_000
    put(logs, stream, [(start + i, f"m{i}") for i in range(10)])
    return start


def test_put_and_get(logs: Any, stream: dict[str, str]) -> None:
    start = now_ms()
    response = put(logs, stream, [(start, "first"), (start, "same time"), (start + 5, "last")])
    assert re.fullmatch(r"\d{56}", response["nextSequenceToken"])
    assert "rejectedLogEventsInfo" not in response
    got = logs.get_log_events(**stream, startFromHead=True)
    assert [(e["timestamp"], e["message"]) for e in got["events"]] == [
        (start, "first"),
        (start, "same time"),
        (start + 5, "last"),
    ]
    assert all(abs(e["ingestionTime"] - start) < 5000 for e in got["events"])


def test_not_chronological(logs: Any, stream: dict[str, str], aws_error: Error) -> None:
    with pytest.raises(ClientError) as exc:
        put(logs, stream, [(now_ms(), "b"), (now_ms() - 10, "a")])
    assert aws_error(exc.value) == (
        "InvalidParameterException",
        "Log events in a single PutLogEvents request must be in chronological order.",
        400,
    )
    assert logs.get_log_events(**stream)["events"] == []


def test_span_over_a_day(logs: Any, stream: dict[str, str], aws_error: Error) -> None:
    with pytest.raises(ClientError) as exc:
        put(logs, stream, [(now_ms() - DAY - 1000, "a"), (now_ms(), "b")])
    assert aws_error(exc.value) == (
        "InvalidParameterException",
        "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.",
        400,
    )


def test_batch_too_large(logs: Any, stream: dict[str, str], aws_error: Error) -> None:
    message = "x" * 100_000
    events = [(now_ms(), message)] * 11
    with pytest.raises(ClientError) as exc:
        put(logs, stream, events)
    size = 11 * (100_000 + 26)
    assert aws_error(exc.value) == (
        "InvalidParameterException",
        f"Upload too large: {size} bytes exceeds limit of 1048576",
        400,
    )


def test_batch_at_the_limit(logs: Any, stream: dict[str, str]) -> None:
    message = "y" * (1_048_576 // 4 - 26)
    put(logs, stream, [(now_ms(), message)] * 4)
    assert len(logs.get_log_events(**stream)["events"]) == 4


def test_rejected_too_new(logs: Any, stream: dict[str, str]) -> None:
    now = now_ms()
    response = put(logs, stream, [(now - 1000, "ok"), (now, "ok too"), (now + 3 * HOUR, "future")])
    assert response["rejectedLogEventsInfo"] == {"tooNewLogEventStartIndex": 2}
    assert messages(logs.get_log_events(**stream)) == ["ok", "ok too"]


def test_rejected_too_old(
    aws_client: Callable[..., Any], account: str, logs: Any, stream: dict[str, str]
) -> None:
    old = now_ms() - 14 * DAY - HOUR
    response = put(logs, stream, [(old, "ancient"), (old + 2 * HOUR, "fine")])
    assert response["rejectedLogEventsInfo"] == {"tooOldLogEventEndIndex": 1}
    assert messages(logs.get_log_events(**stream)) == ["fine"]


def test_rejected_past_retention(logs: Any, stream: dict[str, str]) -> None:
    logs.put_retention_policy(logGroupName="g", retentionInDays=1)
    old = now_ms() - DAY - HOUR
    response = put(logs, stream, [(old, "expired"), (old + 2 * HOUR, "kept")])
    assert response["rejectedLogEventsInfo"] == {"expiredLogEventEndIndex": 1}
    assert messages(logs.get_log_events(**stream)) == ["kept"]


@pytest.mark.parametrize(
    ("missing", "message"),
    [("logGroupName", "log group"), ("logStreamName", "log stream")],
)
def test_put_into_missing(
    logs: Any, stream: dict[str, str], missing: str, message: str, aws_error: Error
) -> None:
    with pytest.raises(ClientError) as exc:
        logs.put_log_events(
            **{**stream, missing: "absent"}, logEvents=[{"timestamp": now_ms(), "message": "m"}]
        )
    assert aws_error(exc.value) == (
        "ResourceNotFoundException",
        f"The specified {message} does not exist.",
        400,
    )


def test_latest_events_by_default(logs: Any, stream: dict[str, str], ten: int) -> None:
    assert messages(logs.get_log_events(**stream, limit=3)) == ["m7", "m8", "m9"]


def test_forward_from_head(logs: Any, stream: dict[str, str], ten: int) -> None:
    page = logs.get_log_events(**stream, startFromHead=True, limit=4)
    assert messages(page) == ["m0", "m1", "m2", "m3"]
    assert re.fullmatch(r"f/\d{56}/s", page["nextForwardToken"])
    assert re.fullmatch(r"b/\d{56}/s", page["nextBackwardToken"])
    seen = messages(page)
    token = page["nextForwardToken"]
    while True:
        page = logs.get_log_events(**stream, nextToken=token, limit=4)
        if page["nextForwardToken"] == token:
            assert page["events"] == []
            break
        seen += messages(page)
        token = page["nextForwardToken"]
    assert seen == [f"m{i}" for i in range(10)]


def test_backward(logs: Any, stream: dict[str, str], ten: int) -> None:
    page = logs.get_log_events(**stream, limit=4)
    assert messages(page) == ["m6", "m7", "m8", "m9"]
    page = logs.get_log_events(**stream, limit=4, nextToken=page["nextBackwardToken"])
    assert messages(page) == ["m2", "m3", "m4", "m5"]
    page = logs.get_log_events(**stream, limit=4, nextToken=page["nextBackwardToken"])
    assert messages(page) == ["m0", "m1"]
    token = page["nextBackwardToken"]
    end = logs.get_log_events(**stream, limit=4, nextToken=token)
    assert (end["events"], end["nextBackwardToken"]) == ([], token)
    assert messages(logs.get_log_events(**stream, nextToken=end["nextForwardToken"])) == [
        f"m{i}" for i in range(10)
    ]


def test_tailing_picks_up_new_events(logs: Any, stream: dict[str, str], ten: int) -> None:
    token = logs.get_log_events(**stream)["nextForwardToken"]
    assert logs.get_log_events(**stream, nextToken=token)["events"] == []
    put(logs, stream, [(now_ms(), "fresh")])
    assert messages(logs.get_log_events(**stream, nextToken=token)) == ["fresh"]


def test_empty_stream_tokens(logs: Any, stream: dict[str, str]) -> None:
    page = logs.get_log_events(**stream, startFromHead=True)
    assert page["events"] == []
    put(logs, stream, [(now_ms(), "later")])
    assert messages(logs.get_log_events(**stream, nextToken=page["nextForwardToken"])) == ["later"]


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        ({"startTime": 3}, ["m3", "m4", "m5", "m6", "m7", "m8", "m9"]),
        ({"endTime": 3}, ["m0", "m1", "m2"]),
        ({"startTime": 2, "endTime": 5}, ["m2", "m3", "m4"]),
    ],
)
def test_time_window(
    logs: Any, stream: dict[str, str], ten: int, window: dict[str, int], expected: list[str]
) -> None:
    absolute = {key: ten + offset for key, offset in window.items()}
    page = logs.get_log_events(**stream, startFromHead=True, **absolute)
    assert messages(page) == expected


def test_group_identifier_arn(logs: Any, account: str, stream: dict[str, str], ten: int) -> None:
    arn = f"arn:aws:logs:us-east-1:{account}:log-group:g"
    page = logs.get_log_events(logGroupIdentifier=arn, logStreamName="s", limit=1)
    assert messages(page) == ["m9"]


def test_invalid_token(logs: Any, stream: dict[str, str], aws_error: Error) -> None:
    with pytest.raises(ClientError) as exc:
        logs.get_log_events(**stream, nextToken="garbage")
    assert aws_error(exc.value) == (
        "InvalidParameterException",
        "The specified nextToken is invalid.",
        400,
    )
