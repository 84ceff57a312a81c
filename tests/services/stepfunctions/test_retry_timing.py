"""Retry delays follow AWS's formula (IntervalSeconds * BackoffRate^(n-1), capped by
MaxDelaySeconds; FULL jitter waits at most that) on a cloudlet whose clock runs 20 times faster.

Only lower bounds are tight: a loaded machine can only make a wait longer. Upper bounds are
generous liveness limits.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from sfn_support import template

from cloudlet.testing import CloudletProcess

SCALE = 20.0


@pytest.fixture(scope="module")
def scaled() -> Iterator[Any]:
    server = CloudletProcess(time_scale=SCALE)
    server.start()
    try:
        yield boto3.session.Session().client(
            "stepfunctions",
            endpoint_url=server.endpoint,
            region_name="us-east-1",
            aws_access_key_id="123456789012",
            aws_secret_access_key="test",
        )
    finally:
        server.cleanup()


def _run(client: Any, name: str, definition: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    arn = client.create_state_machine(
        name=name, definition=definition, roleArn="arn:aws:iam::123456789012:role/r"
    )["stateMachineArn"]
    execution = client.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
    deadline = time.monotonic() + 30
    while True:
        described = client.describe_execution(executionArn=execution)
        if described["status"] != "RUNNING" or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    return described, client.get_execution_history(executionArn=execution)["events"]


def _gaps(events: list[dict[str, Any]]) -> list[float]:
    """Real seconds between each ParallelStateFailed and the next ParallelStateStarted."""
    gaps, failed_at = [], None
    for event in events:
        if event["type"] == "ParallelStateFailed":
            failed_at = event["timestamp"]
        elif event["type"] == "ParallelStateStarted" and failed_at is not None:
            gaps.append((event["timestamp"] - failed_at).total_seconds())
            failed_at = None
    return gaps


def test_backoff_rate_and_max_delay(scaled: Any) -> None:
    described, events = _run(scaled, "backoff", template("retry_parallel"))
    assert json.loads(described["output"])["error"] == {"Error": "Flaky.Error", "Cause": "again"}
    gaps = _gaps(events)
    expected = [2 / SCALE, 6 / SCALE, 10 / SCALE]
    assert len(gaps) == 3
    for gap, want in zip(gaps, expected, strict=True):
        assert want - 0.01 <= gap < want + 2.0


def test_first_matching_retrier_counts_and_full_jitter(scaled: Any) -> None:
    described, events = _run(scaled, "counts", template("retry_counts"))
    assert (described["status"], described["error"]) == ("FAILED", "Flaky.Error")
    assert [e["type"] for e in events].count("ParallelStateStarted") == 2
    (gap,) = _gaps(events)
    assert 0 <= gap < 1 / SCALE + 2.0
