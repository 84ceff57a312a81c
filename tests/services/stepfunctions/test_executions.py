"""Execution API: start, describe, list, stop, history paging and the bad inputs."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError
from sfn_support import Machines, output


def test_start_describe(sfn: Any, machines: Machines) -> None:
    arn = machines.create("pass_single")
    started = sfn.start_execution(stateMachineArn=arn, name="first", input='{"a": 1}')
    execution = started["executionArn"]
    assert execution == arn.replace(":stateMachine:", ":execution:") + ":first"
    described = machines.wait(execution)
    assert described["status"] == "SUCCEEDED"
    assert described["input"] == '{"a": 1}'
    assert json.loads(described["output"]) == {"a": 1}
    assert described["startDate"] == started["startDate"]
    assert described["stopDate"] >= described["startDate"]
    assert described["stateMachineArn"] == arn
    assert described["redriveStatus"] == "NOT_REDRIVABLE"
    for_execution = sfn.describe_state_machine_for_execution(executionArn=execution)
    assert for_execution["stateMachineArn"] == arn


def test_single_pass_history_is_aws_sequence(machines: Machines) -> None:
    execution = machines.start(machines.create("pass_single"), {"k": "v"})
    machines.wait(execution)
    events = machines.history(execution)
    assert [(e["id"], e["previousEventId"], e["type"]) for e in events] == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "PassStateEntered"),
        (3, 2, "PassStateExited"),
        (4, 3, "ExecutionSucceeded"),
    ]
    assert events[0]["executionStartedEventDetails"] == {
        "input": '{"k": "v"}',
        "inputDetails": {"truncated": False},
        "roleArn": machines.role,
    }
    assert events[1]["stateEnteredEventDetails"] == {
        "name": "Only",
        "input": '{"k":"v"}',
        "inputDetails": {"truncated": False},
    }
    assert events[3]["executionSucceededEventDetails"] == {
        "output": '{"k":"v"}',
        "outputDetails": {"truncated": False},
    }


def test_history_paging_reverse_and_without_data(sfn: Any, machines: Machines) -> None:
    execution = machines.start(machines.create("pass_io"), {"order": {"id": 1}})
    machines.wait(execution)
    first = sfn.get_execution_history(executionArn=execution, maxResults=3)
    rest = sfn.get_execution_history(executionArn=execution, nextToken=first["nextToken"])
    ids = [e["id"] for e in first["events"] + rest["events"]]
    assert ids == list(range(1, 11))
    backwards = sfn.get_execution_history(executionArn=execution, reverseOrder=True, maxResults=2)
    assert [e["id"] for e in backwards["events"]] == [10, 9]
    bare = sfn.get_execution_history(executionArn=execution, includeExecutionData=False)
    assert bare["events"][1]["stateEnteredEventDetails"] == {
        "name": "Select",
        "inputDetails": {"truncated": False},
    }


def test_same_name_same_input_is_idempotent_while_running(sfn: Any, machines: Machines) -> None:
    arn = machines.create("wait_long")
    first = sfn.start_execution(stateMachineArn=arn, name="dup", input="{}")
    again = sfn.start_execution(stateMachineArn=arn, name="dup", input="{}")
    assert again["executionArn"] == first["executionArn"]
    with pytest.raises(ClientError) as raised:
        sfn.start_execution(stateMachineArn=arn, name="dup", input='{"other": 1}')
    assert raised.value.response["Error"]["Code"] == "ExecutionAlreadyExists"
    assert raised.value.response["Error"]["Message"] == (
        f"Execution Already Exists: '{first['executionArn']}'"
    )
    sfn.stop_execution(executionArn=first["executionArn"])


def test_input_must_be_json(sfn: Any, machines: Machines) -> None:
    arn = machines.create("pass_single")
    with pytest.raises(ClientError) as raised:
        sfn.start_execution(stateMachineArn=arn, input="{not json")
    error = raised.value.response["Error"]
    assert error["Code"] == "InvalidExecutionInput"
    assert error["Message"].startswith("Invalid State Machine Execution Input: '")


def test_bad_execution_name(sfn: Any, machines: Machines) -> None:
    arn = machines.create("pass_single")
    with pytest.raises(ClientError) as raised:
        sfn.start_execution(stateMachineArn=arn, name="a b")
    assert raised.value.response["Error"]["Code"] == "InvalidName"


def test_unknown_execution(sfn: Any, machines: Machines) -> None:
    arn = machines.create("pass_single").replace(":stateMachine:", ":execution:") + ":nope"
    with pytest.raises(ClientError) as raised:
        sfn.describe_execution(executionArn=arn)
    assert raised.value.response["Error"]["Code"] == "ExecutionDoesNotExist"
    assert raised.value.response["Error"]["Message"] == f"Execution Does Not Exist: '{arn}'"


def test_list_executions_filter_and_pages(sfn: Any, machines: Machines) -> None:
    arn = machines.create("wait_seconds")
    done = [machines.start(arn, {"seconds": 0, "after": 1}) for _ in range(3)]
    for execution in done:
        machines.wait(execution)
    waiting = machines.start(arn, {"seconds": 3600, "after": 1})
    page = sfn.list_executions(stateMachineArn=arn, maxResults=2)
    rest = sfn.list_executions(stateMachineArn=arn, nextToken=page["nextToken"])
    listed = [e["executionArn"] for e in page["executions"] + rest["executions"]]
    assert sorted(listed) == sorted([*done, waiting])
    assert listed[0] == waiting
    running = sfn.list_executions(stateMachineArn=arn, statusFilter="RUNNING")["executions"]
    assert [e["executionArn"] for e in running] == [waiting]
    sfn.stop_execution(executionArn=waiting)
    aborted = sfn.list_executions(stateMachineArn=arn, statusFilter="ABORTED")["executions"]
    assert [e["executionArn"] for e in aborted] == [waiting]


def test_execution_output_is_the_last_state_output(machines: Machines) -> None:
    assert output(machines.run("parallel", {"in": "x"}))["out"] == {"left": "left", "right": "x"}


def test_choice_wait_succeed_history_ids(machines: Machines) -> None:
    execution = machines.start(machines.create("choice_wait"), {"go": True})
    machines.wait(execution)
    assert machines.sequence(execution) == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "ChoiceStateEntered"),
        (3, 2, "ChoiceStateExited"),
        (4, 3, "WaitStateEntered"),
        (5, 4, "WaitStateExited"),
        (6, 5, "SucceedStateEntered"),
        (7, 6, "SucceedStateExited"),
        (8, 7, "ExecutionSucceeded"),
    ]


def test_caught_failure_history(machines: Machines) -> None:
    execution = machines.start(machines.create("parallel_fail"), {})
    machines.wait(execution)
    sequence = machines.sequence(execution)
    failed = next(e for e in sequence if e[2] == "ParallelStateFailed")
    exited = sequence[sequence.index(failed) + 1]
    assert exited[2] == "ParallelStateExited" and exited[1] == failed[0]
    entered = sequence[sequence.index(exited) + 1]
    assert entered[2] == "PassStateEntered" and entered[1] == exited[0]
