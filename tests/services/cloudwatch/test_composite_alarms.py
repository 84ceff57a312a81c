"""Composite alarms: rules, their states as children change, relations, deletion guards.

Children use TreatMissingData=ignore and are driven with SetAlarmState, so a minute tick of the
shared server never changes them behind the test's back.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

BOTH = ["MetricAlarm", "CompositeAlarm"]


def _child(client: Any, name: str, state: str | None = None) -> None:
    client.put_metric_alarm(
        AlarmName=name,
        Namespace="App",
        MetricName=name,
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1.0,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
        TreatMissingData="ignore",
    )
    if state:
        client.set_alarm_state(AlarmName=name, StateValue=state, StateReason="test")


def _composite(client: Any, name: str) -> dict[str, Any]:
    found = client.describe_alarms(AlarmNames=[name], AlarmTypes=["CompositeAlarm"])
    return dict(found["CompositeAlarms"][0])


@pytest.fixture
def children(cloudwatch: Any) -> Any:
    _child(cloudwatch, "cpu", "OK")
    _child(cloudwatch, "disk", "OK")
    _child(cloudwatch, "new")
    return cloudwatch


def test_rule_follows_children(children: Any, account: str) -> None:
    children.put_composite_alarm(
        AlarmName="host", AlarmRule='ALARM("cpu") AND NOT ALARM(disk)', AlarmDescription="Host"
    )
    composite = _composite(children, "host")
    assert composite["AlarmArn"] == f"arn:aws:cloudwatch:us-east-1:{account}:alarm:host"
    assert composite["AlarmRule"] == 'ALARM("cpu") AND NOT ALARM(disk)'
    assert composite["AlarmDescription"] == "Host"
    children.set_alarm_state(AlarmName="cpu", StateValue="ALARM", StateReason="hot")
    composite = _composite(children, "host")
    assert composite["StateValue"] == "ALARM"
    cpu_arn = f"arn:aws:cloudwatch:us-east-1:{account}:alarm:cpu"
    assert composite["StateReason"].startswith(f"{cpu_arn} transitioned to ALARM at ")
    reason = json.loads(composite["StateReasonData"])
    assert reason["triggeringAlarms"][0]["arn"] == cpu_arn
    assert reason["triggeringAlarms"][0]["state"]["value"] == "ALARM"
    children.set_alarm_state(AlarmName="disk", StateValue="ALARM", StateReason="full")
    assert _composite(children, "host")["StateValue"] == "OK"
    history = children.describe_alarm_history(
        AlarmName="host", AlarmTypes=["CompositeAlarm"], HistoryItemType="StateUpdate",
        ScanBy="TimestampAscending",
    )["AlarmHistoryItems"]  # fmt: skip
    assert [h["HistorySummary"] for h in history] == [
        "Alarm updated from INSUFFICIENT_DATA to OK",
        "Alarm updated from OK to ALARM",
        "Alarm updated from ALARM to OK",
    ]
    assert {h["AlarmType"] for h in history} == {"CompositeAlarm"}


@pytest.mark.parametrize(
    ("rule", "states", "expected"),
    [
        ('OK("cpu") AND OK("disk")', {}, "ALARM"),
        ('OK("cpu") AND OK("disk")', {"disk": "ALARM"}, "OK"),
        ('ALARM("cpu") OR ALARM("disk")', {"disk": "ALARM"}, "ALARM"),
        ("(ALARM(cpu) OR ALARM(disk)) AND OK(cpu)", {"disk": "ALARM"}, "ALARM"),
        ("NOT (ALARM(cpu) OR ALARM(disk))", {}, "ALARM"),
        ("TRUE", {}, "ALARM"),
        ("FALSE OR ALARM(cpu)", {}, "OK"),
        ('INSUFFICIENT_DATA("new")', {}, "INSUFFICIENT_DATA"),
        ('INSUFFICIENT_DATA("new") OR ALARM(cpu)', {"cpu": "ALARM"}, "ALARM"),
    ],
)
def test_rule_language(children: Any, rule: str, states: dict[str, str], expected: str) -> None:
    for name, state in states.items():
        children.set_alarm_state(AlarmName=name, StateValue=state, StateReason="test")
    children.put_composite_alarm(AlarmName="c", AlarmRule=rule)
    assert _composite(children, "c")["StateValue"] == expected


def test_rule_may_name_alarms_by_arn(children: Any, account: str) -> None:
    arn = f"arn:aws:cloudwatch:us-east-1:{account}:alarm:cpu"
    children.put_composite_alarm(AlarmName="by-arn", AlarmRule=f'ALARM("{arn}")')
    children.set_alarm_state(AlarmName="cpu", StateValue="ALARM", StateReason="hot")
    assert _composite(children, "by-arn")["StateValue"] == "ALARM"


def test_composites_of_composites(children: Any) -> None:
    children.put_composite_alarm(AlarmName="inner", AlarmRule="ALARM(cpu)")
    children.put_composite_alarm(AlarmName="outer", AlarmRule="ALARM(inner) AND OK(disk)")
    children.set_alarm_state(AlarmName="cpu", StateValue="ALARM", StateReason="hot")
    assert _composite(children, "outer")["StateValue"] == "ALARM"


def test_relations_and_types(children: Any) -> None:
    children.put_composite_alarm(AlarmName="host", AlarmRule="ALARM(cpu) OR ALARM(disk)")
    assert children.describe_alarms()["CompositeAlarms"] == []
    both = children.describe_alarms(AlarmTypes=BOTH)
    assert [a["AlarmName"] for a in both["CompositeAlarms"]] == ["host"]
    kids = children.describe_alarms(ChildrenOfAlarmName="host")
    assert [a["AlarmName"] for a in kids["MetricAlarms"]] == ["cpu", "disk"]
    parents = children.describe_alarms(ParentsOfAlarmName="disk")
    assert [a["AlarmName"] for a in parents["CompositeAlarms"]] == ["host"]


def test_children_cannot_be_deleted_first(
    children: Any, aws_error: Callable[[Any], tuple[str, str, int]]
) -> None:
    children.put_composite_alarm(AlarmName="host", AlarmRule="ALARM(cpu) OR ALARM(disk)")
    with pytest.raises(ClientError) as exc:
        children.delete_alarms(AlarmNames=["cpu"])
    assert aws_error(exc.value) == (
        "ValidationError",
        "Cannot delete cpu as there are composite alarm(s) depending on it.",
        400,
    )
    with pytest.raises(ClientError) as exc:
        children.delete_alarms(AlarmNames=["cpu", "disk"])
    assert aws_error(exc.value)[1] == (
        "Cannot delete cpu,disk as there are composite alarm(s) depending on them."
    )
    children.delete_alarms(AlarmNames=["host", "cpu", "disk"])
    left = children.describe_alarms(AlarmTypes=BOTH)
    assert [a["AlarmName"] for a in left["MetricAlarms"] + left["CompositeAlarms"]] == ["new"]


BAD_RULES = [
    pytest.param(
        {"AlarmRule": "ALARM(cpu) AND ALARM(ghost)"},
        "Could not save the composite alarm as alarms [ghost] in the alarm rule do not exist",
        id="unknown-child",
    ),
    pytest.param(
        {"AlarmRule": "ALARM(cpu) AND"},
        "Error in alarm rule: ALARM(cpu) AND",
        id="syntax",
    ),
    pytest.param(
        {"AlarmRule": "ALARMS(cpu)"},
        "Error in alarm rule: ALARMS(cpu)",
        id="unknown-function",
    ),
    pytest.param(
        {"AlarmRule": "ALARM(c)"},
        "Could not save the composite alarm as alarms [c] in the alarm rule do not exist",
        id="itself",
    ),
    pytest.param(
        {
            "AlarmRule": "ALARM(cpu)",
            "AlarmActions": [
                "arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:x:"
                "autoScalingGroupName/g:policyName/p"
            ],
        },
        "Invalid alarm action: arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:x:"
        "autoScalingGroupName/g:policyName/p",
        id="autoscaling-action",
    ),
]


@pytest.mark.parametrize(("request_", "message"), BAD_RULES)
def test_bad_composites(
    children: Any,
    aws_error: Callable[[Any], tuple[str, str, int]],
    request_: dict[str, Any],
    message: str,
) -> None:
    with pytest.raises(ClientError) as exc:
        children.put_composite_alarm(AlarmName="c", **request_)
    assert aws_error(exc.value) == ("ValidationError", message, 400)


def test_cycles_are_refused(
    children: Any, aws_error: Callable[[Any], tuple[str, str, int]]
) -> None:
    children.put_composite_alarm(AlarmName="a", AlarmRule="ALARM(cpu)")
    children.put_composite_alarm(AlarmName="b", AlarmRule="ALARM(a)")
    with pytest.raises(ClientError) as exc:
        children.put_composite_alarm(AlarmName="a", AlarmRule="ALARM(b)")
    assert aws_error(exc.value) == (
        "ValidationError",
        "Could not save the composite alarm as its alarm rule would create a cycle.",
        400,
    )


def test_names_are_shared_with_metric_alarms(
    children: Any, aws_error: Callable[[Any], tuple[str, str, int]]
) -> None:
    with pytest.raises(ClientError) as exc:
        children.put_composite_alarm(AlarmName="cpu", AlarmRule="ALARM(disk)")
    assert aws_error(exc.value) == (
        "ValidationError",
        "An alarm named cpu already exists as a metric alarm.",
        400,
    )
