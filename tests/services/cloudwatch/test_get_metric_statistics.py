"""GetMetricStatistics: buckets, units, percentiles and extended statistics, AWS's limits."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError
from services.cloudwatch.support import minute

DIMS = [{"Name": "Host", "Value": "h1"}]


@pytest.fixture
def latency(cloudwatch: Any) -> Any:
    """Values 1..100 spread over the minutes -5..-1 (20 per minute), in milliseconds."""
    data = []
    for value in range(1, 101):
        at = minute(-5 + (value - 1) // 20) + timedelta(seconds=value % 20)
        data.append(
            {
                "MetricName": "Latency",
                "Dimensions": DIMS,
                "Value": float(value),
                "Timestamp": at,
                "Unit": "Milliseconds",
            }
        )
    for chunk in range(0, 100, 50):
        cloudwatch.put_metric_data(Namespace="Web", MetricData=data[chunk : chunk + 50])
    return cloudwatch


def _get(client: Any, **params: Any) -> list[dict[str, Any]]:
    request = {
        "Namespace": "Web",
        "MetricName": "Latency",
        "Dimensions": DIMS,
        "StartTime": minute(-5),
        "EndTime": minute(0),
        "Period": 60,
    } | params
    return list(client.get_metric_statistics(**request)["Datapoints"])


def test_one_datapoint_per_period(latency: Any) -> None:
    points = _get(latency, Statistics=["Sum", "SampleCount", "Maximum"])
    assert [p["Timestamp"] for p in points] == [minute(m) for m in range(-5, 0)]
    assert [p["SampleCount"] for p in points] == [20.0] * 5
    assert [p["Maximum"] for p in points] == [20.0, 40.0, 60.0, 80.0, 100.0]
    assert all(set(p) == {"Timestamp", "Sum", "SampleCount", "Maximum", "Unit"} for p in points)
    assert {p["Unit"] for p in points} == {"Milliseconds"}


def test_longer_period(latency: Any) -> None:
    (point,) = _get(latency, Period=300, Statistics=["Average", "Minimum", "Maximum"])
    assert point["Timestamp"] == minute(-5)
    assert (point["Average"], point["Minimum"], point["Maximum"]) == (50.5, 1.0, 100.0)


def test_start_time_rounds_down_to_the_minute(latency: Any) -> None:
    points = _get(latency, StartTime=minute(-5) + timedelta(seconds=30), Statistics=["Sum"])
    assert points[0]["Timestamp"] == minute(-5)
    assert len(points) == 5


def test_end_time_is_exclusive(latency: Any) -> None:
    points = _get(latency, EndTime=minute(-3), Statistics=["SampleCount"])
    assert [p["Timestamp"] for p in points] == [minute(-5), minute(-4)]


@pytest.mark.parametrize(
    ("statistic", "expected"),
    [
        ("p50", 50.0),
        ("p90", 90.0),
        ("p99.5", 100.0),
        ("p0", 1.0),
        ("p100", 100.0),
        ("TM(10%:90%)", 50.5),
        ("tm90", 45.5),
        ("IQM", 50.5),
        ("TC(10%:90%)", 80.0),
        ("TS(:10%)", 55.0),
        ("WM(10%:90%)", 50.4),
        ("PR(:25)", 25.0),
        ("TM(20:30)", 25.5),
    ],
)
def test_extended_statistics(latency: Any, statistic: str, expected: float) -> None:
    (point,) = _get(latency, Period=300, ExtendedStatistics=[statistic])
    assert point["ExtendedStatistics"] == {statistic: pytest.approx(expected)}


def test_units_are_separate_datapoints(cloudwatch: Any) -> None:
    at = minute(-2)
    cloudwatch.put_metric_data(
        Namespace="Web",
        MetricData=[
            {"MetricName": "Mixed", "Value": 1.0, "Timestamp": at, "Unit": "Seconds"},
            {"MetricName": "Mixed", "Value": 5.0, "Timestamp": at, "Unit": "Count"},
        ],
    )
    request = {"MetricName": "Mixed", "Dimensions": [], "Statistics": ["Sum"]}
    points = _get(cloudwatch, **request)
    assert sorted((p["Unit"], p["Sum"]) for p in points) == [("Count", 5.0), ("Seconds", 1.0)]
    assert [(p["Unit"], p["Sum"]) for p in _get(cloudwatch, **request, Unit="Count")] == [
        ("Count", 5.0)
    ]


def test_dimensions_must_match_exactly(latency: Any) -> None:
    assert _get(latency, Dimensions=[], Statistics=["Sum"]) == []
    more = [*DIMS, {"Name": "Zone", "Value": "a"}]
    assert _get(latency, Dimensions=more, Statistics=["Sum"]) == []


def test_unknown_metric_has_no_datapoints(cloudwatch: Any) -> None:
    assert _get(cloudwatch, MetricName="Nothing", Statistics=["Sum"]) == []


BAD_REQUESTS = [
    pytest.param(
        {"Statistics": ["Sum"], "Period": 45},
        ("InvalidParameterValue", "The parameter Period must be a multiple of 60."),
        id="period",
    ),
    pytest.param(
        {},
        ("InvalidParameterCombination", "Must specify either Statistics or ExtendedStatistics."),
        id="no-statistics",
    ),
    pytest.param(
        {"Statistics": ["Sum"], "ExtendedStatistics": ["p99"]},
        (
            "InvalidParameterCombination",
            "The parameters Statistics and ExtendedStatistics are mutually exclusive and you "
            "have specified both.",
        ),
        id="both-statistics",
    ),
    pytest.param(
        {"ExtendedStatistics": ["p101"]},
        (
            "InvalidParameterValue",
            "The value p101 for parameter ExtendedStatistics.member.1 is invalid.",
        ),
        id="percentile",
    ),
    pytest.param(
        {"Statistics": ["Sum"], "StartTime": minute(0), "EndTime": minute(0)},
        ("InvalidParameterValue", "The parameter StartTime must not equal parameter EndTime."),
        id="start-equals-end",
    ),
    pytest.param(
        {"Statistics": ["Sum"], "StartTime": minute(1), "EndTime": minute(0)},
        (
            "InvalidParameterValue",
            "The parameter StartTime must be less than the parameter EndTime.",
        ),
        id="start-after-end",
    ),
    pytest.param(
        {"Statistics": ["Sum"], "StartTime": minute(-1441), "EndTime": minute(0)},
        (
            "InvalidParameterCombination",
            "You have requested up to 1441 datapoints, which exceeds the limit of 1440. You may "
            "reduce the datapoints requested by increasing Period, or decreasing the time range.",
        ),
        id="too-many-datapoints",
    ),
]


@pytest.mark.parametrize(("params", "expected"), BAD_REQUESTS)
def test_bad_requests(
    cw_any: Any,
    aws_error: Callable[[Any], tuple[str, str, int]],
    params: dict[str, Any],
    expected: tuple[str, str],
) -> None:
    with pytest.raises(ClientError) as exc:
        _get(cw_any, **params)
    assert aws_error(exc.value) == (*expected, 400)


def test_1440_datapoints_is_allowed(cloudwatch: Any) -> None:
    assert _get(cloudwatch, StartTime=minute(-1440), Statistics=["Sum"]) == []


def test_missing_parameter(
    aws_client: Callable[..., Any], account: str, aws_error: Callable[[Any], tuple[str, str, int]]
) -> None:
    client = aws_client("cloudwatch", account=account, parameter_validation=False)
    with pytest.raises(ClientError) as exc:
        client.get_metric_statistics(
            Namespace="Web", MetricName="m", StartTime=minute(-1), EndTime=minute(0),
            Statistics=["Sum"],
        )  # fmt: skip
    assert aws_error(exc.value) == ("MissingParameter", "The parameter Period is required.", 400)
