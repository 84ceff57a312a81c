"""Alarm actions run through the internal client: Lambda with AWS's alarm event, and the
history AWS records when a target cannot be reached."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from services.cloudwatch.support import TEMPLATES, zipped

from cloudlet.services.registry import SERVICES
from cloudlet.testing import wait_for


def _alarm(client: Any, name: str, **extra: Any) -> None:
    client.put_metric_alarm(
        AlarmName=name, AlarmDescription="Too many errors", Namespace="App", MetricName="Errors",
        Dimensions=[{"Name": "Service", "Value": "api"}], Statistic="Sum", Period=60,
        EvaluationPeriods=1, Threshold=1.0, ComparisonOperator="GreaterThanOrEqualToThreshold",
        TreatMissingData="ignore", **extra,
    )  # fmt: skip


@pytest.mark.skipif("lambda" not in SERVICES, reason="Lambda is not served yet")
def test_lambda_action_gets_the_alarm_event(
    aws_client: Callable[..., Any], cloudwatch: Any, account: str, name: Callable[[str], str]
) -> None:
    functions = aws_client("lambda", account=account, read_timeout=120)
    logs = aws_client("logs", account=account)
    function = name("on-alarm")
    code = {"ZipFile": zipped(TEMPLATES / "alarm_recorder.py")}
    created = functions.create_function(
        FunctionName=function, Runtime="python3.11", Handler="alarm_recorder.handler",
        Role=f"arn:aws:iam::{account}:role/lambda", Code=code,
    )  # fmt: skip
    wait_for(
        lambda: functions.get_function_configuration(FunctionName=function)["State"] == "Active"
    )
    _alarm(cloudwatch, "errors", AlarmActions=[created["FunctionArn"]])
    cloudwatch.set_alarm_state(AlarmName="errors", StateValue="ALARM", StateReason="test")

    def event() -> dict[str, Any] | None:
        try:
            found = logs.filter_log_events(logGroupName=f"/aws/lambda/{function}")["events"]
        except logs.exceptions.ResourceNotFoundException:
            return None
        lines = [e["message"] for e in found if "ALARM-EVENT " in e["message"]]
        return json.loads(lines[0].split("ALARM-EVENT ", 1)[1]) if lines else None

    payload = wait_for(event, timeout=60)
    assert payload["source"] == "aws.cloudwatch"
    assert payload["alarmArn"] == f"arn:aws:cloudwatch:us-east-1:{account}:alarm:errors"
    assert (payload["accountId"], payload["region"]) == (account, "us-east-1")
    data = payload["alarmData"]
    assert data["alarmName"] == "errors"
    assert (data["state"]["value"], data["state"]["reason"]) == ("ALARM", "test")
    assert data["previousState"]["value"] == "INSUFFICIENT_DATA"
    assert data["previousState"]["reason"] == "Unchecked: Initial alarm creation"
    assert data["configuration"] == {
        "description": "Too many errors",
        "metrics": [
            {
                "id": "m1",
                "metricStat": {
                    "metric": {
                        "namespace": "App",
                        "name": "Errors",
                        "dimensions": {"Service": "api"},
                    },
                    "period": 60,
                    "stat": "Sum",
                },
                "returnData": True,
            }
        ],
    }
    history = wait_for(
        lambda: cloudwatch.describe_alarm_history(AlarmName="errors", HistoryItemType="Action")[
            "AlarmHistoryItems"
        ]
    )
    assert history[0]["HistorySummary"] == f"Successfully executed action {created['FunctionArn']}"


def test_unreachable_targets_are_recorded(cloudwatch: Any, account: str) -> None:
    topic = f"arn:aws:sns:us-east-1:{account}:nobody-listens"
    function = f"arn:aws:lambda:us-east-1:{account}:function:does-not-exist"
    _alarm(cloudwatch, "errors", OKActions=[topic, function])
    cloudwatch.set_alarm_state(AlarmName="errors", StateValue="OK", StateReason="test")

    def actions() -> list[dict[str, Any]] | None:
        items = cloudwatch.describe_alarm_history(AlarmName="errors", HistoryItemType="Action")
        found = items["AlarmHistoryItems"]
        return found if len(found) == 2 else None

    items = {json.loads(i["HistoryData"])["notificationResource"]: i for i in wait_for(actions)}
    for arn in (topic, function):
        assert items[arn]["HistorySummary"].startswith(
            f"Failed to execute action {arn}. Received error: "
        )
        assert json.loads(items[arn]["HistoryData"])["actionState"] == "Failed"


def test_actions_run_only_on_a_change(cloudwatch: Any, account: str) -> None:
    topic = f"arn:aws:sns:us-east-1:{account}:t"
    _alarm(cloudwatch, "errors", AlarmActions=[topic])
    cloudwatch.set_alarm_state(AlarmName="errors", StateValue="ALARM", StateReason="first")
    cloudwatch.set_alarm_state(AlarmName="errors", StateValue="ALARM", StateReason="again")
    wait_for(
        lambda: cloudwatch.describe_alarm_history(AlarmName="errors", HistoryItemType="Action")[
            "AlarmHistoryItems"
        ]
    )
    (alarm,) = cloudwatch.describe_alarms(AlarmNames=["errors"])["MetricAlarms"]
    assert alarm["StateReason"] == "again"
    updates = cloudwatch.describe_alarm_history(AlarmName="errors", HistoryItemType="StateUpdate")
    assert len(updates["AlarmHistoryItems"]) == 1
    actions = cloudwatch.describe_alarm_history(AlarmName="errors", HistoryItemType="Action")
    assert len(actions["AlarmHistoryItems"]) == 1
