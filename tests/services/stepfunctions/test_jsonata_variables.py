"""JSONata states (Output, Assign, Condition, Items, ItemSelector, helpers, Catch Output) and
workflow variables (Assign, scoping, history)."""

from __future__ import annotations

import hashlib
import json

from sfn_support import Machines, output

ITEMS = {"items": [{"name": "a", "price": 4}, {"name": "b", "price": 9}, {"name": "c", "price": 1}]}


def test_jsonata_workflow(machines: Machines) -> None:
    result = output(machines.run("jsonata", ITEMS))
    assert result == {
        "squares": [1, 4, 9],
        "kind": "expensive",
        "helpers": {
            "partition": [[1, 2], [3]],
            "hash": hashlib.sha256(b"abc").hexdigest(),
            "parsed": {"a": 1},
        },
    }


def test_jsonata_default_branch(machines: Machines) -> None:
    cheap = {"items": [{"name": "a", "price": 1}]}
    assert output(machines.run("jsonata", cheap)) == "cheap"


def test_jsonata_assigned_variables_in_history(machines: Machines) -> None:
    execution = machines.start(machines.create("jsonata"), ITEMS)
    machines.wait(execution)
    exited = next(e for e in machines.history(execution) if e["type"] == "PassStateExited")
    details = exited["stateExitedEventDetails"]
    assert details["assignedVariables"] == {"total": "14", "count": "3"}
    assert json.loads(details["output"]) == {
        "names": ["a", "b", "c"],
        "first": ITEMS["items"][0],
        "ctx": "Shape",
    }


def test_jsonata_undefined_fails_with_query_evaluation_error(machines: Machines) -> None:
    described = machines.run("jsonata_undefined", {})
    assert described["error"] == "States.QueryEvaluationError"
    assert described["cause"] == (
        "An error occurred while executing the state 'E' (entered at the event id #2). The"
        " JSONata expression '$states.input.missing' specified for the field 'Output/v'"
        " returned nothing (undefined)."
    )


def test_jsonata_catch_output_and_assign(machines: Machines) -> None:
    result = output(machines.run("jsonata_catch", {"code": "X"}))
    assert result == {
        "from_var": "Dyn.X",
        "was": {"caught": {"Error": "Dyn.X", "Cause": "because X"}, "input": {"code": "X"}},
    }


def test_variables_scope(machines: Machines) -> None:
    execution = machines.start(machines.create("variables"), {"hello": "hi", "nested": {"x": 5}})
    described = machines.wait(execution)
    assert described["error"] == "States.Runtime"
    assert "$inner" in described["cause"]
    used = next(
        e
        for e in machines.history(execution)
        if e["type"] == "PassStateExited" and e["stateExitedEventDetails"]["name"] == "Use"
    )
    assert json.loads(used["stateExitedEventDetails"]["output"]) == {
        "greeting": "hi",
        "fixed": 42,
        "deep": 5,
        "branch": {"fixed": 7, "greeting": "hi", "inner": True},
        "sentence": "hi 42",
    }
    set_event = next(e for e in machines.history(execution) if e["type"] == "PassStateExited")
    assert set_event["stateExitedEventDetails"]["assignedVariables"] == {
        "greeting": '"hi"',
        "fixed": "42",
        "obj": '{"deep":{"x":5}}',
    }
