"""Versions and aliases, Express workflows (StartSyncExecution), RedriveExecution and execution
logging to CloudWatch Logs."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from sfn_support import Machines, output, render, template


def test_versions_and_alias_routing(sfn: Any, machines: Machines) -> None:
    arn = machines.create("pass_single", publish=True, versionDescription="first")
    v1 = sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"][0]
    assert v1["stateMachineVersionArn"] == f"{arn}:1"
    sfn.update_state_machine(stateMachineArn=arn, definition=template("fail"))
    v2 = sfn.publish_state_machine_version(stateMachineArn=arn, description="second")
    assert v2["stateMachineVersionArn"] == f"{arn}:2"
    versions = sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"]
    assert [v["stateMachineVersionArn"] for v in versions] == [f"{arn}:2", f"{arn}:1"]
    described = sfn.describe_state_machine(stateMachineArn=f"{arn}:1")
    assert (described["definition"], described["description"]) == (template("pass_single"), "first")
    alias = sfn.create_state_machine_alias(
        name="live", routingConfiguration=[{"stateMachineVersionArn": f"{arn}:1", "weight": 100}]
    )["stateMachineAliasArn"]
    assert alias == f"{arn}:live"
    execution = machines.start(alias, {"v": 1})
    described = machines.wait(execution)
    assert described["status"] == "SUCCEEDED"
    assert (described["stateMachineAliasArn"], described["stateMachineVersionArn"]) == (
        alias,
        f"{arn}:1",
    )
    sfn.update_state_machine_alias(
        stateMachineAliasArn=alias,
        routingConfiguration=[{"stateMachineVersionArn": f"{arn}:2", "weight": 100}],
    )
    assert machines.wait(machines.start(alias))["status"] == "FAILED"
    info = sfn.describe_state_machine_alias(stateMachineAliasArn=alias)
    assert info["routingConfiguration"] == [{"stateMachineVersionArn": f"{arn}:2", "weight": 100}]
    with pytest.raises(ClientError) as raised:
        sfn.delete_state_machine_version(stateMachineVersionArn=f"{arn}:2")
    assert raised.value.response["Error"]["Code"] == "ConflictException"
    sfn.delete_state_machine_alias(stateMachineAliasArn=alias)
    sfn.delete_state_machine_version(stateMachineVersionArn=f"{arn}:2")
    assert sfn.list_state_machine_aliases(stateMachineArn=arn)["stateMachineAliases"] == []


@pytest.mark.parametrize(
    ("routing", "message"),
    [
        ([{"weight": 50}], "Sum of routing configuration weights must be equal to 100."),
        (
            [{"weight": 60}, {"weight": 60}],
            "Routing configuration must contain distinct state machine version ARNs.",
        ),
    ],
)
def test_alias_routing_rules(
    sfn: Any, machines: Machines, routing: list[Any], message: str
) -> None:
    arn = machines.create("pass_single", publish=True)
    for route in routing:
        route["stateMachineVersionArn"] = f"{arn}:1"
    with pytest.raises(ClientError) as raised:
        sfn.create_state_machine_alias(name="a", routingConfiguration=routing)
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert raised.value.response["Error"]["Message"] == message


def test_start_sync_execution(sfn: Any, machines: Machines) -> None:
    arn = machines.create("express", type="EXPRESS")
    ok = sfn.start_sync_execution(stateMachineArn=arn, input='{"a": 1, "b": 2}')
    assert ok["status"] == "SUCCEEDED"
    assert json.loads(ok["output"]) == {"sum": 3}
    assert ":express:" in ok["executionArn"]
    failed = sfn.start_sync_execution(stateMachineArn=arn, input='{"a": 100, "b": 2}')
    assert (failed["status"], failed["error"], failed["cause"]) == (
        "FAILED",
        "Sum.TooBig",
        "over 100",
    )
    with pytest.raises(ClientError) as raised:
        sfn.list_executions(stateMachineArn=arn)
    assert raised.value.response["Error"]["Code"] == "StateMachineTypeNotSupported"
    standard = machines.create("express")
    with pytest.raises(ClientError) as raised:
        sfn.start_sync_execution(stateMachineArn=standard, input="{}")
    assert raised.value.response["Error"]["Code"] == "StateMachineTypeNotSupported"


def test_express_async_execution_logs(
    sfn: Any, machines: Machines, logs: Any, name: Callable[[str], str]
) -> None:
    group = name("/aws/vendedlogs/states")
    logs.create_log_group(logGroupName=group)
    group_arn = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]["arn"]
    if not group_arn.endswith(":*"):
        group_arn += ":*"
    arn = machines.create(
        "express",
        type="EXPRESS",
        loggingConfiguration={
            "level": "ALL",
            "includeExecutionData": True,
            "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": group_arn}}],
        },
    )
    sfn.start_sync_execution(stateMachineArn=arn, input='{"a": 1, "b": 1}')
    events = logs.filter_log_events(logGroupName=group)["events"]
    types = [json.loads(e["message"])["type"] for e in events]
    assert types == [
        "ExecutionStarted",
        "PassStateEntered",
        "PassStateExited",
        "ChoiceStateEntered",
        "ChoiceStateExited",
        "SucceedStateEntered",
        "SucceedStateExited",
        "ExecutionSucceeded",
    ]
    last = json.loads(events[-1]["message"])
    assert json.loads(last["details"]["output"]) == {"sum": 2}


def test_invalid_logging_configuration(sfn: Any, machines: Machines) -> None:
    with pytest.raises(ClientError) as raised:
        machines.create("pass_single", loggingConfiguration={"level": "ALL"})
    assert raised.value.response["Error"]["Code"] == "InvalidLoggingConfiguration"


def test_redrive_from_the_failed_state(
    sfn: Any, machines: Machines, name: Callable[[str], str]
) -> None:
    activity = sfn.create_activity(name=name("gate"))["activityArn"]
    arn = machines.create(render("redrive", ACTIVITY_ARN=activity))
    execution = machines.start(arn, {"n": 1})
    task = sfn.get_activity_task(activityArn=activity)
    sfn.send_task_failure(taskToken=task["taskToken"], error="Gate.Closed")
    assert machines.wait(execution)["status"] == "FAILED"
    assert sfn.describe_execution(executionArn=execution)["redriveStatus"] == "REDRIVABLE"
    redriven = sfn.redrive_execution(executionArn=execution)
    task = sfn.get_activity_task(activityArn=activity)
    assert json.loads(task["input"]) == {"n": 1, "step": "prepared"}
    sfn.send_task_success(taskToken=task["taskToken"], output='"open"')
    described = machines.wait(execution)
    assert output(described) == {"n": 1, "step": "prepared", "gate": "open"}
    assert described["redriveCount"] == 1
    assert described["redriveDate"] == redriven["redriveDate"]
    types = [e["type"] for e in machines.history(execution)]
    at = types.index("ExecutionRedriven")
    assert types[at - 1] == "ExecutionFailed"
    assert types[at + 1 : at + 3] == ["TaskStateEntered", "ActivityScheduled"]
    assert types.count("PassStateEntered") == 2
    with pytest.raises(ClientError) as raised:
        sfn.redrive_execution(executionArn=execution)
    assert raised.value.response["Error"]["Code"] == "ExecutionNotRedrivable"
