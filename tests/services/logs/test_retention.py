"""Retention: valid values, and events past the retention period removed and never read."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from cloudlet.services.logs.store import LogStore

Error = Callable[[Any], tuple[str, str, int]]
DAY = 86_400_000
VALID = (
    "1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, "
    "2922, 3288, 3653"
)


@pytest.mark.parametrize("days", [1, 7, 400, 3653])
def test_put_and_delete(logs: Any, days: int) -> None:
    logs.create_log_group(logGroupName="r")
    logs.put_retention_policy(logGroupName="r", retentionInDays=days)
    assert logs.describe_log_groups()["logGroups"][0]["retentionInDays"] == days
    logs.delete_retention_policy(logGroupName="r")
    assert "retentionInDays" not in logs.describe_log_groups()["logGroups"][0]


@pytest.mark.parametrize("days", [0, 2, 4000])
def test_invalid_values(logs: Any, days: int, aws_error: Error) -> None:
    logs.create_log_group(logGroupName="r")
    with pytest.raises(ClientError) as exc:
        logs.put_retention_policy(logGroupName="r", retentionInDays=days)
    assert aws_error(exc.value) == (
        "InvalidParameterException",
        f"1 validation error detected: Value '{days}' at 'retentionInDays' failed to satisfy "
        f"constraint: Member must satisfy enum value set: [{VALID}]",
        400,
    )


def test_missing_group(logs: Any, aws_error: Error) -> None:
    with pytest.raises(ClientError) as exc:
        logs.put_retention_policy(logGroupName="none", retentionInDays=1)
    assert aws_error(exc.value)[0] == "ResourceNotFoundException"


def test_expired_events_are_removed(direct: Any) -> None:
    """Events written in-process (no PutLogEvents age rules) expire once retention is set."""
    now = int(time.time() * 1000)
    store = LogStore(direct.platform.store)
    store.put_events(
        "000000000000",
        "us-east-1",
        "old",
        "s",
        [(now - 10 * DAY, "ten days"), (now - 2 * DAY, "two days"), (now - 1000, "now")],
    )
    before = direct.call("logs", "DescribeLogGroups")["logGroups"][0]["storedBytes"]
    direct.call("logs", "PutRetentionPolicy", logGroupName="old", retentionInDays=3)
    events = direct.call("logs", "FilterLogEvents", logGroupName="old")["events"]
    assert [e["message"] for e in events] == ["two days", "now"]
    assert direct.call("logs", "DescribeLogGroups")["logGroups"][0]["storedBytes"] == (
        before - len("ten days")
    )
    (stream,) = direct.call("logs", "DescribeLogStreams", logGroupName="old")["logStreams"]
    assert stream["firstEventTimestamp"] == now - 2 * DAY
    rows = direct.platform.store.query("SELECT count(*) FROM logs_events")
    assert rows[0][0] == 2


def test_expired_events_are_not_read_before_the_sweep(direct: Any) -> None:
    now = int(time.time() * 1000)
    store = LogStore(direct.platform.store)
    store.put_events("000000000000", "us-east-1", "g", "s", [(now - 2 * DAY, "old")])
    direct.call("logs", "PutRetentionPolicy", logGroupName="g", retentionInDays=3)
    # Time passes: the event is now past retention, and no sweep has run yet.
    direct.platform.store.execute("UPDATE logs_events SET timestamp = timestamp - ?", (2 * DAY,))
    assert direct.call("logs", "GetLogEvents", logGroupName="g", logStreamName="s")["events"] == []
    assert direct.call("logs", "FilterLogEvents", logGroupName="g")["events"] == []
    assert store.expire_all() == 1
