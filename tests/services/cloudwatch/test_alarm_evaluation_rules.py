"""The evaluator's decisions, row by row against AWS's "how alarm state is evaluated when data is
missing" tables, and the reasons it writes (no server: `evaluation.decide` on a built range)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cloudlet.services.cloudwatch.alarm_store import Alarm
from cloudlet.services.cloudwatch.evaluation import Slot, decide

BASE = 1_800_000_000.0  # 2027-01-15T08:00:00Z
KEEP = "keep"


def _alarm(n: int, m: int, treat: str, state: str = "OK", **config: Any) -> Alarm:
    settings = {
        "Namespace": "App",
        "MetricName": "Errors",
        "Statistic": "Sum",
        "Period": 300,
        "EvaluationPeriods": n,
        "DatapointsToAlarm": m,
        "Threshold": 1.0,
        "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        "TreatMissingData": treat,
    } | config
    return Alarm("111122223333", "us-east-1", "errors", "MetricAlarm", settings, state=state)


def _range(points: str) -> list[Slot]:
    """'0 - X - X': 0 not breaching (0.0), X breaching (5.0), - missing; oldest first."""
    values = {"0": 0.0, "X": 5.0, "-": None}
    return [Slot(BASE + 300 * k, values[p]) for k, p in enumerate(points.split())]


# AWS's first table: DatapointsToAlarm = EvaluationPeriods = 3, 5 datapoints retrieved.
THREE_OF_THREE = [
    ("0 - X - X", ("OK", "OK", "OK", "OK")),
    ("0 - - - -", ("OK", "OK", "OK", "OK")),
    ("- - - - -", ("INSUFFICIENT_DATA", KEEP, "ALARM", "OK")),
    ("0 X X - X", ("ALARM", "ALARM", "ALARM", "ALARM")),
    ("- - - - X", ("INSUFFICIENT_DATA", KEEP, "ALARM", "OK")),
    ("X - - - -", ("ALARM", KEEP, "ALARM", "OK")),
]
# The second table: 2 out of 3.
TWO_OF_THREE = [
    ("0 - X - X", ("ALARM", "ALARM", "ALARM", "ALARM")),
    ("0 0 X 0 X", ("ALARM", "ALARM", "ALARM", "ALARM")),
    ("0 - X - -", ("OK", "OK", "ALARM", "OK")),
    ("- - - - 0", ("OK", "OK", "ALARM", "OK")),
    ("- - - - X", ("INSUFFICIENT_DATA", KEEP, "ALARM", "OK")),
]
TREATMENTS = ("missing", "ignore", "breaching", "notBreaching")


def _cases(table: list[tuple[str, tuple[str, ...]]], m: int) -> list[Any]:
    return [
        pytest.param(points, m, treat, expected, id=f"{m}of3-{points.replace(' ', '')}-{treat}")
        for points, results in table
        for treat, expected in zip(TREATMENTS, results, strict=True)
    ]


@pytest.mark.parametrize(
    ("points", "m", "treat", "expected"), _cases(THREE_OF_THREE, 3) + _cases(TWO_OF_THREE, 2)
)
def test_aws_tables(points: str, m: int, treat: str, expected: str) -> None:
    outcome = decide(_alarm(3, m, treat), _range(points), BASE + 1500)
    assert (outcome.state or KEEP) == expected


def test_alarm_reason_and_data() -> None:
    alarm = _alarm(3, 2, "missing", state="OK")
    outcome = decide(alarm, _range("0 0 X 0 X"), BASE + 1502.25)
    assert outcome.reason == (
        "Threshold Crossed: 2 out of the last 3 datapoints [5.0 (15/01/27 08:20:00), "
        "5.0 (15/01/27 08:10:00)] were greater than or equal to the threshold (1.0) "
        "(minimum 2 datapoints for OK -> ALARM transition)."
    )
    assert outcome.reason_data == {
        "version": "1.0",
        "queryDate": "2027-01-15T08:25:02.250+0000",
        "startDate": "2027-01-15T08:10:00.000+0000",
        "statistic": "Sum",
        "period": 300,
        "recentDatapoints": [5.0, 0.0, 5.0],
        "threshold": 1.0,
        "evaluatedDatapoints": [
            {"timestamp": "2027-01-15T08:20:00.000+0000", "value": 5.0},
            {"timestamp": "2027-01-15T08:15:00.000+0000", "value": 0.0},
            {"timestamp": "2027-01-15T08:10:00.000+0000", "value": 5.0},
        ],
    }
    assert outcome.value == 5.0
    json.dumps(outcome.reason_data)


def test_ok_reason() -> None:
    outcome = decide(_alarm(1, 1, "missing", state="ALARM"), _range("- - 0"), BASE + 900)
    assert outcome.reason == (
        "Threshold Crossed: 1 out of the last 1 datapoints [0.0 (15/01/27 08:10:00)] was not "
        "greater than or equal to the threshold (1.0) (minimum 1 datapoint for ALARM -> OK "
        "transition)."
    )


def test_insufficient_data_reason() -> None:
    outcome = decide(_alarm(3, 3, "missing", state="OK"), _range("- - - - -"), BASE + 1500)
    assert outcome.reason == "Insufficient Data: 5 datapoints were unknown."


@pytest.mark.parametrize(
    ("treat", "state", "kind"),
    [("breaching", "ALARM", "Breaching"), ("notBreaching", "OK", "NonBreaching")],
)
def test_all_missing_treated_reason(treat: str, state: str, kind: str) -> None:
    outcome = decide(_alarm(1, 1, treat, state="INSUFFICIENT_DATA"), _range("- - -"), BASE)
    assert outcome.state == state
    assert outcome.reason == (
        "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint "
        f"was treated as [{kind}]."
    )


@pytest.mark.parametrize(
    ("operator", "value", "breaches"),
    [
        ("GreaterThanThreshold", 1.0, False),
        ("GreaterThanThreshold", 1.5, True),
        ("GreaterThanOrEqualToThreshold", 1.0, True),
        ("LessThanThreshold", 1.0, False),
        ("LessThanThreshold", 0.5, True),
        ("LessThanOrEqualToThreshold", 1.0, True),
    ],
)
def test_operators(operator: str, value: float, breaches: bool) -> None:
    alarm = _alarm(1, 1, "missing", ComparisonOperator=operator)
    outcome = decide(alarm, [Slot(BASE), Slot(BASE + 300), Slot(BASE + 600, value)], BASE + 900)
    assert outcome.state == ("ALARM" if breaches else "OK")


def test_band_operators() -> None:
    alarm = _alarm(
        1, 1, "missing", ComparisonOperator="LessThanLowerOrGreaterThanUpperThreshold",
        Threshold=None, ThresholdMetricId="band",
    )  # fmt: skip
    inside = [Slot(BASE, 5.0, band=(1.0, 10.0))]
    outside = [Slot(BASE, 50.0, band=(1.0, 10.0))]
    assert decide(alarm, inside, BASE + 300).state == "OK"
    assert decide(alarm, outside, BASE + 300).state == "ALARM"


def test_low_sample_percentile_keeps_state() -> None:
    alarm = _alarm(
        1, 1, "missing", Statistic=None, ExtendedStatistic="p99",
        EvaluateLowSampleCountPercentile="ignore",
    )  # fmt: skip
    few = [Slot(BASE, 5.0, samples=10.0)]
    assert decide(alarm, few, BASE + 300).state is None
    many = [Slot(BASE, 5.0, samples=1000.0)]
    assert decide(alarm, many, BASE + 300).state == "ALARM"
