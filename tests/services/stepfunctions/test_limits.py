"""AWS's limits and terminal errors: the 25,000-event history, the 256 KB payload, the
execution's TimeoutSeconds, States.Runtime escaping States.ALL, Express executions' API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError
from sfn_support import Machines


def test_a_loop_fails_at_the_history_limit(sfn: Any, machines: Machines) -> None:
    execution = machines.start(machines.create("loop_forever"))
    described = machines.wait(execution, timeout=120)
    assert (described["status"], described["error"]) == ("FAILED", "States.Runtime")
    assert (
        described["cause"] == "The execution reached the maximum number of history events (25000)."
    )
    last = sfn.get_execution_history(executionArn=execution, reverseOrder=True, maxResults=1)
    assert last["events"][0]["id"] == 25_001
    assert last["events"][0]["type"] == "ExecutionFailed"


def test_output_over_256_kb(machines: Machines) -> None:
    described = machines.run("too_big", {"big": "x" * 30_000})
    assert (described["status"], described["error"]) == ("FAILED", "States.DataLimitExceeded")


def test_execution_timeout(machines: Machines) -> None:
    execution = machines.start(machines.create("execution_timeout"))
    described = machines.wait(execution, timeout=30)
    assert (described["status"], described["error"]) == ("TIMED_OUT", "States.Timeout")
    assert machines.history(execution)[-1]["type"] == "ExecutionTimedOut"


def test_states_all_does_not_catch_runtime_errors(machines: Machines) -> None:
    described = machines.run("runtime_not_caught", {"a": 1})
    assert (described["status"], described["error"]) == ("FAILED", "States.Runtime")


def test_express_executions_have_no_describe(sfn: Any, machines: Machines) -> None:
    arn = machines.create("pass_single", type="EXPRESS")
    execution = sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
    assert ":express:" in execution
    with pytest.raises(ClientError) as raised:
        sfn.describe_execution(executionArn=execution)
    assert raised.value.response["Error"]["Code"] == "InvalidArn"


def test_aws_cli(aws_cli: Any, machines: Machines) -> None:
    created = aws_cli(
        "stepfunctions",
        "create-state-machine",
        "--name",
        "cli",
        "--role-arn",
        machines.role,
        "--definition",
        json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}),
    )
    started = aws_cli(
        "stepfunctions",
        "start-execution",
        "--state-machine-arn",
        created["stateMachineArn"],
        "--input",
        '{"cli": true}',
    )
    described = machines.wait(started["executionArn"])
    assert json.loads(described["output"]) == {"cli": True}
    listed = aws_cli("stepfunctions", "list-state-machines")
    assert [m["name"] for m in listed["stateMachines"]] == ["cli"]
