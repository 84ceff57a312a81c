"""Pass, Choice, Wait, Succeed and Fail with JSONPath input/output processing."""

from __future__ import annotations

from typing import Any

import pytest
from sfn_support import Machines, output


def test_pass_applies_paths_in_aws_order(machines: Machines) -> None:
    described = machines.run("pass_io", {"order": {"id": 7}, "keep": True})
    assert output(described) == {"a": [1, 2], "x": True}


def test_pass_intermediate_outputs(machines: Machines) -> None:
    arn = machines.start(machines.create("pass_io"), {"order": {"id": 7}, "keep": True})
    machines.wait(arn)
    exits = [e for e in machines.history(arn) if e["type"] == "PassStateExited"]
    outputs = [e["stateExitedEventDetails"]["output"] for e in exits]
    assert outputs == [
        '{"order":{"id":7},"keep":true,"picked":{"id":7,"fixed":1,"ctx":"Select"}}',
        '{"a":[1,2]}',
        '{"a":[1,2]}',
        '{"a":[1,2],"x":true}',
    ]


@pytest.mark.parametrize(
    ("payload", "branch"),
    [
        ({"kind": "str"}, "String"),
        ({"n": 10}, "Big"),
        ({"n": 9, "flag": True}, "Flag"),
        ({"when": "2019-12-31T23:59:59Z"}, "Old"),
        ({"name": "log-2020.txt"}, "Log"),
        ({"a": 3, "b": 3}, "Same"),
        ({"x": None}, "NullOrString"),
        ({"x": "s"}, "NullOrString"),
        (
            {
                "x": 1,
                "a": 1,
                "b": 2,
                "flag": False,
                "name": "log.txt",
                "when": "2021-01-01T00:00:00Z",
            },
            "Other",
        ),
    ],
)
def test_choice_rules(machines: Machines, payload: dict[str, Any], branch: str) -> None:
    assert output(machines.run("choice", payload)) == branch


def test_choice_without_match_fails(machines: Machines) -> None:
    described = machines.run("choice_no_default", {"n": 2})
    assert described["status"] == "FAILED"
    assert described["error"] == "States.NoChoiceMatched"


def test_choice_variable_missing_is_a_runtime_error(machines: Machines) -> None:
    described = machines.run("choice_no_default", {})
    assert described["error"] == "States.Runtime"
    assert described["cause"] == (
        "An error occurred while executing the state 'Decide' (entered at the event id #2)."
        " Invalid path '$.n': The choice state's condition path references an invalid value."
    )


def test_wait_then_succeed(machines: Machines) -> None:
    described = machines.run("wait_seconds", {"seconds": 0, "after": {"done": 1}})
    assert output(described) == {"done": 1}


def test_wait_parks_and_can_be_stopped(machines: Machines, sfn: Any) -> None:
    execution = machines.start(machines.create("wait_long"))
    running = machines.wait(execution, until="RUNNING")
    assert running["status"] == "RUNNING"
    for _ in range(200):
        if [e["type"] for e in machines.history(execution)][-1] == "WaitStateEntered":
            break
    stopped = sfn.stop_execution(executionArn=execution, error="Stop.It", cause="enough")
    described = machines.wait(execution)
    assert described["status"] == "ABORTED"
    assert described["stopDate"] == stopped["stopDate"]
    assert (described["error"], described["cause"]) == ("Stop.It", "enough")
    last = machines.history(execution)[-1]
    assert last["type"] == "ExecutionAborted"
    assert last["executionAbortedEventDetails"] == {"error": "Stop.It", "cause": "enough"}


def test_fail_state(machines: Machines) -> None:
    arn = machines.start(machines.create("fail"))
    described = machines.wait(arn)
    assert (described["status"], described["error"], described["cause"]) == (
        "FAILED",
        "Custom.Error",
        "it broke",
    )
    assert machines.sequence(arn) == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "FailStateEntered"),
        (3, 2, "ExecutionFailed"),
    ]


def test_fail_state_error_and_cause_paths(machines: Machines) -> None:
    described = machines.run("fail_paths", {"code": "E.Dyn", "why": "reasons"})
    assert (described["error"], described["cause"]) == ("E.Dyn", "failed: reasons")


def test_input_path_that_selects_nothing(machines: Machines) -> None:
    described = machines.run("pass_io", {"nothing": 1})
    assert described["error"] == "States.Runtime"
    assert described["cause"] == (
        "An error occurred while executing the state 'Select' (entered at the event id #2)."
        " Invalid path '$.order' : No results for path: $['order']"
    )


def test_parameters_path_that_selects_nothing(machines: Machines) -> None:
    described = machines.run("pass_io", {"order": {"other": 1}})
    assert described["error"] == "States.Runtime"
    assert described["cause"] == (
        "An error occurred while executing the state 'Select' (entered at the event id #2)."
        " The JSONPath '$.id' specified for the field 'id.$' could not be found in the input"
        " '{\"other\":1}'"
    )
