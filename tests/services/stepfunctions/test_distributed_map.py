"""Distributed Map: ItemBatcher, tolerated failures, Map Run records and their APIs."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from sfn_support import Machines, output


def test_batches_tolerated_failure_and_map_run(sfn: Any, machines: Machines) -> None:
    execution = machines.start(
        machines.create("map_distributed"), {"items": [1, 2, 3, 4, 5], "tolerated": 1}
    )
    result = output(machines.wait(execution))
    assert result == [
        {"count": 2, "tag": "batch"},
        {"Error": "Batch.Bad", "Cause": "three"},
        {"count": 1, "tag": "batch"},
    ]
    types = [e["type"] for e in machines.history(execution)]
    assert types[2:4] == ["MapStateStarted", "MapRunStarted"]
    assert types[-4:] == [
        "MapRunSucceeded",
        "MapStateSucceeded",
        "MapStateExited",
        "ExecutionSucceeded",
    ]
    (run,) = sfn.list_map_runs(executionArn=execution)["mapRuns"]
    assert ":mapRun:" in run["mapRunArn"] and "/fanout:" in run["mapRunArn"]
    described = sfn.describe_map_run(mapRunArn=run["mapRunArn"])
    assert described["status"] == "SUCCEEDED"
    assert described["maxConcurrency"] == 5
    assert described["toleratedFailureCount"] == 1
    counts = described["itemCounts"]
    assert (counts["total"], counts["succeeded"], counts["failed"]) == (3, 2, 1)
    sfn.update_map_run(mapRunArn=run["mapRunArn"], maxConcurrency=2)
    assert sfn.describe_map_run(mapRunArn=run["mapRunArn"])["maxConcurrency"] == 2


def test_exceeding_tolerated_failures(sfn: Any, machines: Machines) -> None:
    execution = machines.start(
        machines.create("map_distributed"), {"items": [3, 1, 3, 1], "tolerated": 0}
    )
    described = machines.wait(execution)
    assert (described["status"], described["error"]) == (
        "FAILED",
        "States.ExceedToleratedFailureThreshold",
    )
    (run,) = sfn.list_map_runs(executionArn=execution)["mapRuns"]
    assert sfn.describe_map_run(mapRunArn=run["mapRunArn"])["status"] == "FAILED"


def test_unknown_map_run(sfn: Any, account: str) -> None:
    arn = f"arn:aws:states:us-east-1:{account}:mapRun:sm/label:00000000-0000-0000-0000-000000000000"
    with pytest.raises(ClientError) as raised:
        sfn.describe_map_run(mapRunArn=arn)
    assert raised.value.response["Error"]["Code"] == "ResourceNotFound"
