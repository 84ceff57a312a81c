"""CloudWatch through the AWS CLI: v1 always, v2.9 (query protocol) when it is installed."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from services.cloudwatch.support import minute


def test_metrics(aws_cli: Callable[..., Any]) -> None:
    at = (minute(-2) + timedelta(seconds=5)).isoformat()
    for value in ("10", "30"):
        aws_cli(
            "cloudwatch", "put-metric-data", "--namespace", "Cli", "--metric-name", "Load",
            "--value", value, "--unit", "Percent", "--timestamp", at,
            "--dimensions", "Host=a",
        )  # fmt: skip
    listed = aws_cli("cloudwatch", "list-metrics", "--namespace", "Cli")
    assert listed["Metrics"] == [
        {"Namespace": "Cli", "MetricName": "Load", "Dimensions": [{"Name": "Host", "Value": "a"}]}
    ]
    stats = aws_cli(
        "cloudwatch", "get-metric-statistics", "--namespace", "Cli", "--metric-name", "Load",
        "--dimensions", "Name=Host,Value=a", "--start-time", minute(-5).isoformat(),
        "--end-time", minute(0).isoformat(), "--period", "60",
        "--statistics", "Average", "Maximum",
    )  # fmt: skip
    (point,) = stats["Datapoints"]
    assert (point["Average"], point["Maximum"], point["Unit"]) == (20.0, 30.0, "Percent")


def test_error_codes(aws_cli: Callable[..., Any]) -> None:
    with pytest.raises(subprocess.CalledProcessError) as exc:
        aws_cli(
            "cloudwatch", "put-metric-data", "--namespace", "AWS/EC2", "--metric-name", "m",
            "--value", "1",
        )  # fmt: skip
    assert "(InvalidParameterValue)" in exc.value.stderr
    assert "The value AWS/EC2 for parameter Namespace is invalid." in exc.value.stderr


def test_alarms(aws_cli: Callable[..., Any]) -> None:
    aws_cli(
        "cloudwatch", "put-metric-alarm", "--alarm-name", "cli-cpu", "--namespace", "Cli",
        "--metric-name", "Load", "--statistic", "Average", "--period", "60",
        "--evaluation-periods", "1", "--threshold", "80",
        "--comparison-operator", "GreaterThanThreshold", "--treat-missing-data", "ignore",
    )  # fmt: skip
    aws_cli(
        "cloudwatch", "set-alarm-state", "--alarm-name", "cli-cpu", "--state-value", "ALARM",
        "--state-reason", "cli",
    )  # fmt: skip
    (alarm,) = aws_cli("cloudwatch", "describe-alarms", "--alarm-names", "cli-cpu")["MetricAlarms"]
    assert (alarm["StateValue"], alarm["StateReason"], alarm["Threshold"]) == ("ALARM", "cli", 80.0)
    history = aws_cli(
        "cloudwatch", "describe-alarm-history", "--alarm-name", "cli-cpu",
        "--history-item-type", "StateUpdate",
    )  # fmt: skip
    assert history["AlarmHistoryItems"][0]["HistorySummary"] == (
        "Alarm updated from INSUFFICIENT_DATA to ALARM"
    )
    with pytest.raises(subprocess.CalledProcessError) as exc:
        aws_cli(
            "cloudwatch", "set-alarm-state", "--alarm-name", "ghost", "--state-value", "OK",
            "--state-reason", "x",
        )  # fmt: skip
    assert "(ResourceNotFound)" in exc.value.stderr
    aws_cli("cloudwatch", "delete-alarms", "--alarm-names", "cli-cpu")
    assert aws_cli("cloudwatch", "describe-alarms")["MetricAlarms"] == []
