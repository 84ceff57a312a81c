"""Alarm API: PutMetricAlarm/DescribeAlarms/DeleteAlarms, actions on/off, SetAlarmState,
DescribeAlarmsForMetric, and PutMetricAlarm's validation.

These run on the shared server (time scale 1): alarms without data stay INSUFFICIENT_DATA when
a minute tick evaluates them, and alarms set with SetAlarmState use TreatMissingData=ignore so a
tick keeps their state.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

POLICY = (
    "arn:aws:autoscaling:us-east-1:{account}:scalingPolicy:0b1c2d3e:"
    "autoScalingGroupName/web:policyName/scale-out"
)


def cpu_alarm(name: str = "cpu-high", **overrides: Any) -> dict[str, Any]:
    return {
        "AlarmName": name,
        "Namespace": "AWS/EC2",
        "MetricName": "CPUUtilization",
        "Dimensions": [{"Name": "AutoScalingGroupName", "Value": "web"}],
        "Statistic": "Average",
        "Period": 60,
        "EvaluationPeriods": 2,
        "Threshold": 80.0,
        "ComparisonOperator": "GreaterThanThreshold",
    } | overrides


def test_new_alarm_is_unchecked(cloudwatch: Any, account: str) -> None:
    cloudwatch.put_metric_alarm(**cpu_alarm(AlarmDescription="Scale out", Unit="Percent"))
    (alarm,) = cloudwatch.describe_alarms()["MetricAlarms"]
    assert alarm["AlarmArn"] == f"arn:aws:cloudwatch:us-east-1:{account}:alarm:cpu-high"
    assert alarm["StateValue"] == "INSUFFICIENT_DATA"
    assert alarm["StateReason"] == "Unchecked: Initial alarm creation"
    assert alarm["AlarmDescription"] == "Scale out"
    assert alarm["ActionsEnabled"] is True
    assert (alarm["OKActions"], alarm["AlarmActions"], alarm["InsufficientDataActions"]) == (
        [],
        [],
        [],
    )
    assert alarm["Dimensions"] == [{"Name": "AutoScalingGroupName", "Value": "web"}]
    assert (alarm["Statistic"], alarm["Period"], alarm["Unit"]) == ("Average", 60, "Percent")
    assert (alarm["EvaluationPeriods"], alarm["Threshold"]) == (2, 80.0)
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
    assert "DatapointsToAlarm" not in alarm and "TreatMissingData" not in alarm
    assert alarm["StateUpdatedTimestamp"] == alarm["AlarmConfigurationUpdatedTimestamp"]


def test_update_keeps_state_and_replaces_configuration(cloudwatch: Any) -> None:
    cloudwatch.put_metric_alarm(**cpu_alarm(TreatMissingData="ignore", DatapointsToAlarm=1))
    cloudwatch.set_alarm_state(AlarmName="cpu-high", StateValue="ALARM", StateReason="test")
    cloudwatch.put_metric_alarm(**cpu_alarm(Threshold=90.0, TreatMissingData="ignore"))
    (alarm,) = cloudwatch.describe_alarms(AlarmNames=["cpu-high"])["MetricAlarms"]
    assert (alarm["StateValue"], alarm["StateReason"]) == ("ALARM", "test")
    assert alarm["Threshold"] == 90.0
    assert "DatapointsToAlarm" not in alarm
    history = cloudwatch.describe_alarm_history(
        AlarmName="cpu-high", HistoryItemType="ConfigurationUpdate", ScanBy="TimestampAscending"
    )["AlarmHistoryItems"]
    assert [h["HistorySummary"] for h in history] == [
        'Alarm "cpu-high" created',
        'Alarm "cpu-high" updated',
    ]
    update = json.loads(history[1]["HistoryData"])
    assert update["type"] == "Update"
    assert update["originalAlarm"]["threshold"] == 80.0
    assert update["updatedAlarm"]["threshold"] == 90.0


def test_describe_filters(cloudwatch: Any, account: str) -> None:
    policy = POLICY.format(account=account)
    cloudwatch.put_metric_alarm(**cpu_alarm("web-cpu", AlarmActions=[policy]))
    cloudwatch.put_metric_alarm(
        **cpu_alarm("web-mem", MetricName="Memory", TreatMissingData="ignore")
    )
    cloudwatch.put_metric_alarm(**cpu_alarm("db-cpu"))
    cloudwatch.set_alarm_state(AlarmName="web-mem", StateValue="OK", StateReason="fine")

    def names(**filters: Any) -> list[str]:
        return [a["AlarmName"] for a in cloudwatch.describe_alarms(**filters)["MetricAlarms"]]

    assert names() == ["db-cpu", "web-cpu", "web-mem"]
    assert names(AlarmNamePrefix="web-") == ["web-cpu", "web-mem"]
    assert names(AlarmNames=["web-mem", "db-cpu", "nope"]) == ["db-cpu", "web-mem"]
    assert names(StateValue="OK") == ["web-mem"]
    assert names(ActionPrefix="arn:aws:autoscaling:") == ["web-cpu"]
    first = cloudwatch.describe_alarms(MaxRecords=2)
    assert [a["AlarmName"] for a in first["MetricAlarms"]] == ["db-cpu", "web-cpu"]
    rest = cloudwatch.describe_alarms(MaxRecords=2, NextToken=first["NextToken"])
    assert [a["AlarmName"] for a in rest["MetricAlarms"]] == ["web-mem"]
    assert "NextToken" not in rest


def test_delete(cloudwatch: Any) -> None:
    cloudwatch.put_metric_alarm(**cpu_alarm("a"))
    cloudwatch.put_metric_alarm(**cpu_alarm("b"))
    cloudwatch.delete_alarms(AlarmNames=["a", "never-existed"])
    assert [a["AlarmName"] for a in cloudwatch.describe_alarms()["MetricAlarms"]] == ["b"]
    (deleted,) = cloudwatch.describe_alarm_history(
        AlarmName="a", HistoryItemType="ConfigurationUpdate"
    )["AlarmHistoryItems"][:1]
    assert deleted["HistorySummary"] == 'Alarm "a" deleted'
    assert json.loads(deleted["HistoryData"])["type"] == "Delete"


def test_enable_and_disable_actions(cloudwatch: Any) -> None:
    cloudwatch.put_metric_alarm(**cpu_alarm())
    cloudwatch.disable_alarm_actions(AlarmNames=["cpu-high", "unknown"])
    assert cloudwatch.describe_alarms()["MetricAlarms"][0]["ActionsEnabled"] is False
    cloudwatch.enable_alarm_actions(AlarmNames=["cpu-high"])
    assert cloudwatch.describe_alarms()["MetricAlarms"][0]["ActionsEnabled"] is True


def test_set_alarm_state(cloudwatch: Any) -> None:
    cloudwatch.put_metric_alarm(**cpu_alarm(TreatMissingData="ignore"))
    data = json.dumps({"source": "test"})
    cloudwatch.set_alarm_state(
        AlarmName="cpu-high", StateValue="ALARM", StateReason="testing", StateReasonData=data
    )
    (alarm,) = cloudwatch.describe_alarms()["MetricAlarms"]
    assert (alarm["StateValue"], alarm["StateReason"], alarm["StateReasonData"]) == (
        "ALARM",
        "testing",
        data,
    )
    (item,) = cloudwatch.describe_alarm_history(
        AlarmName="cpu-high", HistoryItemType="StateUpdate"
    )["AlarmHistoryItems"]
    assert item["HistorySummary"] == "Alarm updated from INSUFFICIENT_DATA to ALARM"
    assert item["AlarmType"] == "MetricAlarm"
    history = json.loads(item["HistoryData"])
    assert history == {
        "version": "1.0",
        "oldState": {
            "stateValue": "INSUFFICIENT_DATA",
            "stateReason": "Unchecked: Initial alarm creation",
        },
        "newState": {
            "stateValue": "ALARM",
            "stateReason": "testing",
            "stateReasonData": {"source": "test"},
        },
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"AlarmName": "missing", "StateValue": "OK", "StateReason": "x"},
            ("ResourceNotFound", "Alarm missing not found", 404),
        ),
        (
            {
                "AlarmName": "cpu-high",
                "StateValue": "OK",
                "StateReason": "x",
                "StateReasonData": "{",
            },
            (
                "InvalidFormat",
                "Unable to parse StateReasonData: the value is not valid JSON.",
                400,
            ),
        ),
    ],
)
def test_set_alarm_state_errors(
    cw_any: Any,
    aws_error: Callable[[Any], tuple[str, str, int]],
    params: dict[str, Any],
    expected: tuple[str, str, int],
) -> None:
    cw_any.put_metric_alarm(**cpu_alarm())
    with pytest.raises(ClientError) as exc:
        cw_any.set_alarm_state(**params)
    assert aws_error(exc.value) == expected


def test_describe_alarms_for_metric(cloudwatch: Any) -> None:
    cloudwatch.put_metric_alarm(**cpu_alarm("avg"))
    cloudwatch.put_metric_alarm(**cpu_alarm("max", Statistic="Maximum"))
    cloudwatch.put_metric_alarm(**cpu_alarm("other", Dimensions=[]))
    metric = {
        "Namespace": "AWS/EC2",
        "MetricName": "CPUUtilization",
        "Dimensions": [{"Name": "AutoScalingGroupName", "Value": "web"}],
    }

    def names(**filters: Any) -> list[str]:
        found = cloudwatch.describe_alarms_for_metric(**metric, **filters)["MetricAlarms"]
        return [a["AlarmName"] for a in found]

    assert names() == ["avg", "max"]
    assert names(Statistic="Maximum") == ["max"]
    assert names(Period=300) == []


def test_metric_math_alarm(cloudwatch: Any) -> None:
    metrics = [
        {
            "Id": "errors",
            "MetricStat": {
                "Metric": {"Namespace": "Api", "MetricName": "Errors"},
                "Period": 60,
                "Stat": "Sum",
            },
            "ReturnData": False,
        },
        {
            "Id": "requests",
            "MetricStat": {
                "Metric": {"Namespace": "Api", "MetricName": "Requests"},
                "Period": 60,
                "Stat": "Sum",
            },
            "ReturnData": False,
        },
        {"Id": "rate", "Expression": "100 * errors / requests", "Label": "Error rate"},
    ]
    cloudwatch.put_metric_alarm(
        AlarmName="error-rate",
        Metrics=metrics,
        EvaluationPeriods=3,
        DatapointsToAlarm=2,
        Threshold=5.0,
        ComparisonOperator="GreaterThanThreshold",
    )
    (alarm,) = cloudwatch.describe_alarms()["MetricAlarms"]
    assert alarm["Metrics"] == metrics
    assert alarm["Dimensions"] == []
    assert "MetricName" not in alarm and "Period" not in alarm
    found = cloudwatch.describe_alarms_for_metric(Namespace="Api", MetricName="Errors")
    assert [a["AlarmName"] for a in found["MetricAlarms"]] == ["error-rate"]


def _math(expression: str, *, extra: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    stat = {"Metric": {"Namespace": "Api", "MetricName": "Errors"}, "Period": 60, "Stat": "Sum"}
    return [
        {"Id": "m1", "MetricStat": stat, "ReturnData": False},
        {"Id": "e1", "Expression": expression},
        *(extra or []),
    ]


BAD_ALARMS = [
    pytest.param(
        {"Period": 45},
        ("ValidationError", "The parameter Period must be 10, 20, 30 or a multiple of 60."),
        id="period",
    ),
    pytest.param(
        {"DatapointsToAlarm": 3},
        ("ValidationError", "DatapointsToAlarm must be less than or equal to EvaluationPeriods"),
        id="datapoints-to-alarm",
    ),
    pytest.param(
        {"Period": 3600, "EvaluationPeriods": 25},
        (
            "ValidationError",
            "Metrics cannot be checked across more than a day (EvaluationPeriods * Period must "
            "be <= 86400)",
        ),
        id="longer-than-a-day",
    ),
    pytest.param(
        {"Statistic": None, "ExtendedStatistic": None},
        ("InvalidParameterCombination", "Must specify either Statistic or ExtendedStatistic."),
        id="no-statistic",
    ),
    pytest.param(
        {"ExtendedStatistic": "p99"},
        (
            "InvalidParameterCombination",
            "The parameters Statistic and ExtendedStatistic are mutually exclusive and you have "
            "specified both.",
        ),
        id="both-statistics",
    ),
    pytest.param(
        {"Statistic": None, "ExtendedStatistic": "p200"},
        ("InvalidParameterValue", "The value p200 for parameter ExtendedStatistic is invalid."),
        id="percentile",
    ),
    pytest.param(
        {"Threshold": None},
        ("MissingParameter", "The parameter Threshold is required."),
        id="threshold",
    ),
    pytest.param(
        {"EvaluationPeriods": None},
        ("MissingParameter", "The parameter EvaluationPeriods is required."),
        id="evaluation-periods",
    ),
    pytest.param(
        {"Namespace": None},
        ("MissingParameter", "The parameter Namespace is required."),
        id="namespace",
    ),
    pytest.param(
        {"TreatMissingData": "sometimes"},
        ("ValidationError", "The value sometimes for parameter TreatMissingData is invalid."),
        id="treat-missing-data",
    ),
    pytest.param(
        {"AlarmActions": ["not-an-arn"]},
        ("ValidationError", "Invalid arn syntax: not-an-arn"),
        id="action-syntax",
    ),
    pytest.param(
        {"OKActions": ["arn:aws:s3:::bucket:x"]},
        ("ValidationError", "Invalid alarm action: arn:aws:s3:::bucket:x"),
        id="action-kind",
    ),
    pytest.param(
        {"Namespace": None, "MetricName": None, "Statistic": None, "Period": None,
         "Dimensions": None, "Metrics": _math("m1 * 2", extra=[{"Id": "e2", "Expression": "m1"}])},
        ("ValidationError", "Exactly one element of the metrics list should return data."),
        id="two-results",
    ),
    pytest.param(
        {"Metrics": _math("m1")},
        (
            "ValidationError",
            "The parameters Metrics and MetricName are mutually exclusive and you have specified "
            "both.",
        ),
        id="metrics-and-metric",
    ),
    pytest.param(
        {"Namespace": None, "MetricName": None, "Statistic": None, "Period": None,
         "Dimensions": None, "Metrics": _math("NOPE(m1)")},
        ("ValidationError", "Error in expression e1: Unsupported function: NOPE"),
        id="bad-expression",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("overrides", "expected"), BAD_ALARMS)
def test_bad_alarms(
    cw_any: Any,
    aws_error: Callable[[Any], tuple[str, str, int]],
    overrides: dict[str, Any],
    expected: tuple[str, str],
) -> None:
    request = {k: v for k, v in cpu_alarm(**overrides).items() if v is not None}
    with pytest.raises(ClientError) as exc:
        cw_any.put_metric_alarm(**request)
    assert aws_error(exc.value) == (*expected, 400)
    assert cw_any.describe_alarms()["MetricAlarms"] == []


def test_describe_filters_that_exclude_each_other(
    cloudwatch: Any, aws_error: Callable[[Any], tuple[str, str, int]]
) -> None:
    with pytest.raises(ClientError) as exc:
        cloudwatch.describe_alarms(AlarmNames=["a"], AlarmNamePrefix="a")
    assert aws_error(exc.value) == (
        "InvalidParameterCombination",
        "The parameters AlarmNames and AlarmNamePrefix are mutually exclusive and you have "
        "specified both.",
        400,
    )
