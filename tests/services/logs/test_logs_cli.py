"""CloudWatch Logs through the AWS CLI (v1 always; v2 when Debian's awscli is installed)."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable
from typing import Any

import pytest


def test_put_and_get(aws_cli: Callable[..., Any]) -> None:
    aws_cli("logs", "create-log-group", "--log-group-name", "/cli/app")
    aws_cli("logs", "create-log-stream", "--log-group-name", "/cli/app", "--log-stream-name", "s")
    now = int(time.time() * 1000)
    events = [{"timestamp": now, "message": "hello"}, {"timestamp": now + 1, "message": "ERROR x"}]
    aws_cli(
        "logs", "put-log-events", "--log-group-name", "/cli/app", "--log-stream-name", "s",
        "--log-events", json.dumps(events),
    )  # fmt: skip
    got = aws_cli(
        "logs", "get-log-events", "--log-group-name", "/cli/app", "--log-stream-name", "s",
        "--start-from-head",
    )  # fmt: skip
    assert [e["message"] for e in got["events"]] == ["hello", "ERROR x"]
    filtered = aws_cli(
        "logs", "filter-log-events", "--log-group-name", "/cli/app", "--filter-pattern", "ERROR"
    )
    assert [e["message"] for e in filtered["events"]] == ["ERROR x"]
    groups = aws_cli("logs", "describe-log-groups")["logGroups"]
    assert [g["logGroupName"] for g in groups] == ["/cli/app"]


def test_missing_group(aws_cli: Callable[..., Any]) -> None:
    with pytest.raises(subprocess.CalledProcessError) as exc:
        aws_cli("logs", "delete-log-group", "--log-group-name", "absent")
    assert "(ResourceNotFoundException)" in exc.value.stderr
    assert "The specified log group does not exist." in exc.value.stderr
