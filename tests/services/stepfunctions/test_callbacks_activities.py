"""Task tokens: callbacks (`.waitForTaskToken`), activities and their workers, heartbeats and
time-outs, and the token errors AWS answers."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from sfn_support import Machines, output, render


@pytest.fixture
def activity(sfn: Any, name: Callable[[str], str]) -> str:
    return str(sfn.create_activity(name=name("act"))["activityArn"])


def _submitted_token(machines: Machines, execution: str) -> str:
    for _ in range(500):
        for event in machines.history(execution):
            if event["type"] == "TaskSubmitted":
                output = json.loads(event["taskSubmittedEventDetails"]["output"])
                return str(output["Payload"]["echo"]["token"])
        machines.wait(execution, timeout=0.05, until="never")
    raise AssertionError("no TaskSubmitted")


def test_callback_succeeds_with_send_task_success(
    sfn: Any, machines: Machines, function: Callable[[str], str]
) -> None:
    echo = function("echo")
    execution = machines.start(machines.create("task_callback"), {"fn": echo})
    token = _submitted_token(machines, execution)
    sfn.send_task_heartbeat(taskToken=token)
    sfn.send_task_success(taskToken=token, output='{"done": true}')
    assert output(machines.wait(execution)) == {"done": True}
    types = [e["type"] for e in machines.history(execution)]
    assert types[2:6] == ["TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded"]
    with pytest.raises(ClientError) as raised:
        sfn.send_task_success(taskToken=token, output="{}")
    assert raised.value.response["Error"]["Code"] == "TaskTimedOut"
    assert raised.value.response["Error"]["Message"] == (
        "Task Timed Out: 'Provided task does not exist anymore'"
    )


def test_activity_worker_round_trip(sfn: Any, machines: Machines, activity: str) -> None:
    execution = machines.start(
        machines.create(render("activity", ACTIVITY_ARN=activity)), {"job": 7}
    )
    task = sfn.get_activity_task(activityArn=activity, workerName="worker-1")
    assert json.loads(task["input"]) == {"job": 7}
    sfn.send_task_success(taskToken=task["taskToken"], output='{"ok": 1}')
    assert output(machines.wait(execution)) == {"job": 7, "result": {"ok": 1}}
    events = machines.history(execution)
    assert [e["type"] for e in events][2:5] == [
        "ActivityScheduled",
        "ActivityStarted",
        "ActivitySucceeded",
    ]
    assert events[2]["activityScheduledEventDetails"]["resource"] == activity
    assert events[3]["activityStartedEventDetails"] == {"workerName": "worker-1"}


def test_activity_failure(sfn: Any, machines: Machines, activity: str) -> None:
    execution = machines.start(
        machines.create(render("activity", ACTIVITY_ARN=activity)), {"job": 1}
    )
    task = sfn.get_activity_task(activityArn=activity)
    sfn.send_task_failure(taskToken=task["taskToken"], error="Worker.Broke", cause="disk")
    described = machines.wait(execution)
    assert (described["status"], described["error"], described["cause"]) == (
        "FAILED",
        "Worker.Broke",
        "disk",
    )
    assert machines.history(execution)[-2]["type"] == "ActivityFailed"


@pytest.mark.parametrize(
    ("settings", "branch", "error"),
    [
        ({"timeout": 1}, "Timeout", "States.Timeout"),
        ({"timeout": 100, "heartbeat": 1}, "Heartbeat", "States.HeartbeatTimeout"),
    ],
)
def test_activity_time_outs_are_caught_by_name(
    machines: Machines, activity: str, settings: dict[str, int], branch: str, error: str
) -> None:
    payload = {"timeout": 99, "heartbeat": 98, **settings}
    arn = machines.create(render("activity_timeouts", ACTIVITY_ARN=activity))
    result = output(machines.wait(machines.start(arn, payload)))
    assert result["branch"] == branch
    assert result["caught"] == {"Error": error}


def test_get_activity_task_errors(sfn: Any, activity: str) -> None:
    missing = activity + "-missing"
    with pytest.raises(ClientError) as raised:
        sfn.get_activity_task(activityArn=missing)
    assert raised.value.response["Error"]["Code"] == "ActivityDoesNotExist"
    assert raised.value.response["Error"]["Message"] == f"Activity Does Not Exist: '{missing}'"


@pytest.mark.parametrize("call", ["send_task_success", "send_task_failure", "send_task_heartbeat"])
def test_malformed_token(sfn: Any, call: str) -> None:
    kwargs: dict[str, Any] = {"taskToken": "not-a-token"}
    if call == "send_task_success":
        kwargs["output"] = "{}"
    with pytest.raises(ClientError) as raised:
        getattr(sfn, call)(**kwargs)
    assert raised.value.response["Error"]["Code"] == "InvalidToken"
    assert raised.value.response["Error"]["Message"] == "Invalid Token: 'Invalid token'"


def test_activities_api(sfn: Any, activity: str) -> None:
    described = sfn.describe_activity(activityArn=activity)
    assert described["activityArn"] == activity
    listed = [a["activityArn"] for a in sfn.list_activities()["activities"]]
    assert listed == [activity]
    sfn.delete_activity(activityArn=activity)
    assert sfn.list_activities()["activities"] == []
