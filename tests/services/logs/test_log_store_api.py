"""The in-process API other services write logs through (`LogStore.put_events`)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from cloudlet.errors import ServiceError
from cloudlet.services.logs.store import LogStore


def test_creates_group_and_stream_and_sorts(direct: Any) -> None:
    now = int(time.time() * 1000)
    logs = LogStore(direct.platform.store)
    count = logs.put_events(
        "123456789012",
        "eu-west-1",
        "/aws/lambda/fn",
        "2026/01/01/[$LATEST]0abc",
        [(now, "END"), (now - 5, "START"), (now - 60 * 86_400_000, "old is fine in-process")],
    )
    assert count == 3
    page = direct.call(
        "logs",
        "GetLogEvents",
        account="123456789012",
        region="eu-west-1",
        logGroupName="/aws/lambda/fn",
        logStreamName="2026/01/01/[$LATEST]0abc",
        startFromHead=True,
    )
    assert [e["message"] for e in page["events"]] == ["old is fine in-process", "START", "END"]


def test_appends_to_existing_stream(direct: Any) -> None:
    logs = LogStore(direct.platform.store)
    direct.call("logs", "CreateLogGroup", logGroupName="g")
    direct.call("logs", "CreateLogStream", logGroupName="g", logStreamName="s")
    logs.put_events("000000000000", "us-east-1", "g", "s", [(1, "a")], create=False)
    logs.put_events("000000000000", "us-east-1", "g", "s", [(2, "b")])
    (stream,) = direct.call("logs", "DescribeLogStreams", logGroupName="g")["logStreams"]
    assert (stream["firstEventTimestamp"], stream["lastEventTimestamp"]) == (1, 2)


@pytest.mark.parametrize("existing", [[], ["group"]])
def test_without_create(direct: Any, existing: list[str]) -> None:
    logs = LogStore(direct.platform.store)
    if existing:
        direct.call("logs", "CreateLogGroup", logGroupName="g")
    with pytest.raises(ServiceError) as exc:
        logs.put_events("000000000000", "us-east-1", "g", "s", [(1, "a")], create=False)
    assert exc.value.code == "ResourceNotFoundException"
    expected = "log stream" if existing else "log group"
    assert exc.value.message == f"The specified {expected} does not exist."
