"""Executions survive a restart of cloudlet (clean stop and kill -9): a parked Wait keeps its
deadline, an activity task keeps its token and is handed out again, history continues."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import boto3
import pytest
from sfn_support import render

from cloudlet.testing import CloudletProcess

SCALE = 10.0


def client(server: CloudletProcess) -> Any:
    return boto3.session.Session().client(
        "stepfunctions",
        endpoint_url=server.endpoint,
        region_name="us-east-1",
        aws_access_key_id="123456789012",
        aws_secret_access_key="test",
    )


def types(sfn: Any, execution: str) -> list[str]:
    return [e["type"] for e in sfn.get_execution_history(executionArn=execution)["events"]]


def until(check: Any, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


@pytest.mark.parametrize("stop", ["sigterm", "kill -9"])
def test_wait_and_activity_survive_restart(tmp_path: Path, stop: str) -> None:
    server = CloudletProcess(data_dir=tmp_path / "data", time_scale=SCALE)
    server.start()
    try:
        sfn = client(server)
        activity = sfn.create_activity(name="work")["activityArn"]
        arn = sfn.create_state_machine(
            name="survivor",
            definition=render("wait_then_work", ACTIVITY_ARN=activity),
            roleArn="arn:aws:iam::123456789012:role/r",
        )["stateMachineArn"]
        execution = sfn.start_execution(stateMachineArn=arn, input='{"job": 1}')["executionArn"]
        started = time.time()
        assert until(lambda: "WaitStateEntered" in types(sfn, execution))
        if stop == "sigterm":
            assert server.stop() == 0
        else:
            server.kill()
        server.start()
        sfn = client(server)
        time.sleep(0.5)
        assert until(lambda: "ActivityScheduled" in types(sfn, execution))
        assert time.time() - started >= 40 / SCALE - 0.05
        if stop == "sigterm":
            assert server.stop() == 0
        else:
            server.kill()
        server.start()
        sfn = client(server)
        task = sfn.get_activity_task(activityArn=activity, workerName="after-restart")
        assert json.loads(task["input"]) == {"job": 1}
        sfn.send_task_success(taskToken=task["taskToken"], output='"done"')
        described = until(
            lambda: (
                (d := sfn.describe_execution(executionArn=execution))["status"] != "RUNNING" and d
            )
        )
        assert json.loads(described["output"]) == {"job": 1, "worked": "done"}
        history = types(sfn, execution)
        assert history.count("WaitStateEntered") == 1
        assert history.count("WaitStateExited") == 1
        assert history.count("ActivityScheduled") == 1
        assert history[-3:] == ["ActivitySucceeded", "TaskStateExited", "ExecutionSucceeded"]
        ids = [e["id"] for e in sfn.get_execution_history(executionArn=execution)["events"]]
        assert ids == list(range(1, len(ids) + 1))
    finally:
        server.cleanup()


def test_restart_resumes_without_a_request(tmp_path: Path) -> None:
    """The keep-alive timer brings Step Functions back: a callback task times out on its own."""
    server = CloudletProcess(data_dir=tmp_path / "data", time_scale=SCALE)
    server.start()
    try:
        sfn = client(server)
        activity = sfn.create_activity(name="idle")["activityArn"]
        definition = json.dumps(
            {
                "StartAt": "Work",
                "States": {
                    "Work": {
                        "Type": "Task",
                        "Resource": activity,
                        "TimeoutSeconds": 20,
                        "End": True,
                    }
                },
            }
        )
        arn = sfn.create_state_machine(
            name="idle", definition=definition, roleArn="arn:aws:iam::123456789012:role/r"
        )["stateMachineArn"]
        execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
        assert until(lambda: "ActivityScheduled" in types(sfn, execution))
        server.kill()
        server.start()
        time.sleep(8)
        sfn = client(server)
        described = sfn.describe_execution(executionArn=execution)
        assert (described["status"], described["error"]) == ("FAILED", "States.Timeout")
    finally:
        server.cleanup()
