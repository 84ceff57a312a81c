"""Parallel and inline Map: results in order, failure modes and their history."""

from __future__ import annotations

from typing import Any

from sfn_support import Machines, output


def test_parallel_results_in_branch_order(machines: Machines) -> None:
    assert output(machines.run("parallel", {"in": 5})) == {
        "in": 5,
        "out": {"left": "left", "right": 5},
    }


def test_parallel_history_sequence(machines: Machines) -> None:
    execution = machines.start(machines.create("parallel"), {"in": 1})
    machines.wait(execution)
    assert [t for _, _, t in machines.sequence(execution)] == [
        "ExecutionStarted",
        "ParallelStateEntered",
        "ParallelStateStarted",
        "PassStateEntered",
        "PassStateExited",
        "PassStateEntered",
        "PassStateExited",
        "ParallelStateSucceeded",
        "ParallelStateExited",
        "ExecutionSucceeded",
    ]


def test_failing_branch_stops_the_others_and_is_caught(machines: Machines) -> None:
    execution = machines.start(machines.create("parallel_fail"), {"a": 1})
    described = machines.wait(execution)
    assert output(described) == {"a": 1, "err": {"Error": "Branch.Broke", "Cause": "no"}}
    types = [t for _, _, t in machines.sequence(execution)]
    assert types[-5:] == [
        "ParallelStateFailed",
        "ParallelStateExited",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]


def test_map_items_and_context(machines: Machines) -> None:
    described = machines.run("map_inline", {"items": [1, 2, 3], "tag": "t"})
    assert output(described)["results"] == [
        {"v": 2, "i": 0, "t": "t"},
        {"v": 4, "i": 1, "t": "t"},
        {"v": 6, "i": 2, "t": "t"},
    ]


def test_map_history_sequence(machines: Machines) -> None:
    execution = machines.start(machines.create("map_inline"), {"items": [1, 2], "tag": "t"})
    machines.wait(execution)
    events = machines.history(execution)
    assert [e["type"] for e in events] == [
        "ExecutionStarted",
        "MapStateEntered",
        "MapStateStarted",
        "MapIterationStarted",
        "PassStateEntered",
        "PassStateExited",
        "MapIterationSucceeded",
        "MapIterationStarted",
        "PassStateEntered",
        "PassStateExited",
        "MapIterationSucceeded",
        "MapStateSucceeded",
        "MapStateExited",
        "ExecutionSucceeded",
    ]
    assert events[2]["mapStateStartedEventDetails"] == {"length": 2}
    assert events[7]["mapIterationStartedEventDetails"] == {"name": "Each", "index": 1}


def test_map_iteration_failure_fails_the_execution(machines: Machines) -> None:
    execution = machines.start(machines.create("map_fail"), [1, 2, 3])
    described = machines.wait(execution)
    assert (described["status"], described["error"], described["cause"]) == (
        "FAILED",
        "Item.Bad",
        "two",
    )
    types = [t for _, _, t in machines.sequence(execution)]
    assert types[-3:] == ["MapIterationFailed", "MapStateFailed", "ExecutionFailed"]
    assert types.count("MapIterationStarted") == 2


def test_map_over_empty_array(machines: Machines) -> None:
    described = machines.run("map_fail", [])
    assert output(described) == []


def test_map_input_not_an_array(machines: Machines) -> Any:
    described = machines.run("map_fail", {"not": "array"})
    assert described["error"] == "States.Runtime"
