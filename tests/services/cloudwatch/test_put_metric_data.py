"""PutMetricData: values, value sets, statistic sets, resolutions, and AWS's rules and errors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError
from services.cloudwatch.support import minute

DIMS = [{"Name": "Service", "Value": "api"}]


def _stats(cloudwatch: Any, name: str, **extra: Any) -> list[dict[str, Any]]:
    response = cloudwatch.get_metric_statistics(
        Namespace="App",
        MetricName=name,
        Dimensions=DIMS,
        StartTime=minute(-10),
        EndTime=minute(2),
        Period=720,
        **(extra or {"Statistics": ["SampleCount", "Sum", "Minimum", "Maximum", "Average"]}),
    )
    return list(response["Datapoints"])


def test_single_values_aggregate(cw_any: Any) -> None:
    at = minute(-2) + timedelta(seconds=5)
    cw_any.put_metric_data(
        Namespace="App",
        MetricData=[
            {"MetricName": "Latency", "Dimensions": DIMS, "Value": v, "Timestamp": at}
            for v in (1.0, 2.0, 6.0)
        ],
    )
    (point,) = _stats(cw_any, "Latency")
    assert point["SampleCount"] == 3
    assert point["Sum"] == 9
    assert (point["Minimum"], point["Maximum"], point["Average"]) == (1, 6, 3)
    assert point["Unit"] == "None"


def test_values_and_counts(cloudwatch: Any) -> None:
    cloudwatch.put_metric_data(
        Namespace="App",
        MetricData=[
            {
                "MetricName": "Sizes",
                "Dimensions": DIMS,
                "Timestamp": minute(-3),
                "Values": [10.0, 20.0, 30.0],
                "Counts": [1.0, 2.0, 7.0],
                "Unit": "Bytes",
            }
        ],
    )
    (point,) = _stats(cloudwatch, "Sizes")
    assert point["SampleCount"] == 10
    assert point["Sum"] == 10 + 40 + 210
    assert (point["Minimum"], point["Maximum"]) == (10, 30)
    assert point["Unit"] == "Bytes"
    (percentiles,) = _stats(cloudwatch, "Sizes", ExtendedStatistics=["p10", "p50"])
    assert percentiles["ExtendedStatistics"] == {"p10": 10.0, "p50": 30.0}


def test_values_without_counts_count_once(cloudwatch: Any) -> None:
    cloudwatch.put_metric_data(
        Namespace="App",
        MetricData=[
            {"MetricName": "V", "Dimensions": DIMS, "Timestamp": minute(-3), "Values": [1, 2, 3]}
        ],
    )
    (point,) = _stats(cloudwatch, "V")
    assert (point["SampleCount"], point["Sum"]) == (3, 6)


def test_statistic_set(cloudwatch: Any) -> None:
    stats = {"SampleCount": 4.0, "Sum": 100.0, "Minimum": 5.0, "Maximum": 50.0}
    cloudwatch.put_metric_data(
        Namespace="App",
        MetricData=[
            {
                "MetricName": "S",
                "Dimensions": DIMS,
                "Timestamp": minute(-3),
                "StatisticValues": stats,
            }
        ],
    )
    (point,) = _stats(cloudwatch, "S")
    assert point["SampleCount"] == 4 and point["Average"] == 25
    # A statistic set with Minimum < Maximum carries no raw values: no percentiles.
    (extended,) = _stats(cloudwatch, "S", ExtendedStatistics=["p90"])
    assert extended["ExtendedStatistics"] == {}


def test_high_resolution_keeps_seconds(cloudwatch: Any) -> None:
    base = minute(-2)
    cloudwatch.put_metric_data(
        Namespace="App",
        MetricData=[
            {
                "MetricName": "Hi",
                "Dimensions": DIMS,
                "Value": float(second),
                "Timestamp": base + timedelta(seconds=second),
                "StorageResolution": 1,
            }
            for second in (1, 11, 21)
        ],
    )
    response = cloudwatch.get_metric_statistics(
        Namespace="App",
        MetricName="Hi",
        Dimensions=DIMS,
        StartTime=base,
        EndTime=base + timedelta(seconds=30),
        Period=10,
        Statistics=["Sum"],
    )
    points = [(p["Timestamp"], p["Sum"]) for p in response["Datapoints"]]
    assert points == [(base + timedelta(seconds=s), float(s + 1)) for s in (0, 10, 20)]


def test_standard_resolution_is_per_minute(cloudwatch: Any) -> None:
    base = minute(-2)
    cloudwatch.put_metric_data(
        Namespace="App",
        MetricData=[
            {
                "MetricName": "Std",
                "Dimensions": DIMS,
                "Value": 1.0,
                "Timestamp": base + timedelta(seconds=s),
            }
            for s in (5, 25, 45)
        ],
    )
    response = cloudwatch.get_metric_statistics(
        Namespace="App",
        MetricName="Std",
        Dimensions=DIMS,
        StartTime=base,
        EndTime=base + timedelta(seconds=60),
        Period=10,
        Statistics=["SampleCount"],
    )
    assert [(p["Timestamp"], p["SampleCount"]) for p in response["Datapoints"]] == [(base, 3.0)]


def test_timestamp_defaults_to_now(cloudwatch: Any) -> None:
    cloudwatch.put_metric_data(
        Namespace="App", MetricData=[{"MetricName": "Now", "Dimensions": DIMS, "Value": 1.0}]
    )
    assert _stats(cloudwatch, "Now")[0]["SampleCount"] == 1


def _datum(**fields: Any) -> dict[str, Any]:
    return {"MetricName": "m", "Value": 1.0} | fields


NOW = datetime.now(UTC)
BAD_DATA = [
    pytest.param(
        "AWS/EC2",
        [_datum()],
        ("InvalidParameterValue", "The value AWS/EC2 for parameter Namespace is invalid."),
        id="reserved-namespace",
    ),
    pytest.param(
        ":app",
        [_datum()],
        ("InvalidParameterValue", "The value :app for parameter Namespace is invalid."),
        id="namespace-colon",
    ),
    pytest.param(
        "a$b",
        [_datum()],
        ("InvalidParameterValue", "The value a$b for parameter Namespace is invalid."),
        id="namespace-character",
    ),
    pytest.param(
        "App",
        [_datum(StatisticValues={"SampleCount": 1, "Sum": 1, "Minimum": 1, "Maximum": 1})],
        (
            "InvalidParameterCombination",
            "The parameters MetricData.member.1.Value and MetricData.member.1.StatisticValues "
            "are mutually exclusive and you have specified both.",
        ),
        id="value-and-statistic-set",
    ),
    pytest.param(
        "App",
        [_datum(), _datum(Values=[1.0])],
        (
            "InvalidParameterCombination",
            "The parameters MetricData.member.2.Value and MetricData.member.2.Values are "
            "mutually exclusive and you have specified both.",
        ),
        id="value-and-values",
    ),
    pytest.param(
        "App",
        [{"MetricName": "m"}],
        ("MissingParameter", "The parameter MetricData.member.1.Value is required."),
        id="no-value",
    ),
    pytest.param(
        "App",
        [{"MetricName": "m", "Values": [1.0, 2.0], "Counts": [1.0]}],
        (
            "InvalidParameterValue",
            "The parameters MetricData.member.1.Values and MetricData.member.1.Counts must be "
            "of the same size.",
        ),
        id="counts-size",
    ),
    pytest.param(
        "App",
        [{"MetricName": "m", "Values": [1.0] * 151}],
        (
            "InvalidParameterValue",
            "The collection MetricData.member.1.Values must not have a size greater than 150.",
        ),
        id="too-many-values",
    ),
    pytest.param(
        "App",
        [_datum(Value=2.0**361)],
        (
            "InvalidParameterValue",
            f"The value {2.0**361} for parameter MetricData.member.1.Value is invalid.",
        ),
        id="value-too-large",
    ),
    pytest.param(
        "App",
        [_datum(Timestamp=NOW - timedelta(days=15))],
        (
            "InvalidParameterValue",
            "The parameter MetricData.member.1.Timestamp must specify a time within the past "
            "two weeks.",
        ),
        id="too-old",
    ),
    pytest.param(
        "App",
        [_datum(Timestamp=NOW + timedelta(hours=3))],
        (
            "InvalidParameterValue",
            "The parameter MetricData.member.1.Timestamp must specify a time no more than two "
            "hours in the future.",
        ),
        id="too-new",
    ),
    pytest.param(
        "App",
        [_datum(StorageResolution=30)],
        (
            "InvalidParameterValue",
            "The value 30 for parameter MetricData.member.1.StorageResolution is invalid.",
        ),
        id="resolution",
    ),
    pytest.param(
        "App",
        [_datum(Unit="Parsecs")],
        (
            "InvalidParameterValue",
            "The value Parsecs for parameter MetricData.member.1.Unit is invalid.",
        ),
        id="unit",
    ),
    pytest.param(
        "App",
        [_datum(Dimensions=[{"Name": ":x", "Value": "v"}])],
        (
            "InvalidParameterValue",
            "The value :x for parameter MetricData.member.1.Dimensions.member.1.Name is invalid.",
        ),
        id="dimension-colon",
    ),
    pytest.param(
        "App",
        [
            {
                "MetricName": "m",
                "StatisticValues": {"SampleCount": 2, "Sum": 3, "Minimum": 4, "Maximum": 1},
            }
        ],
        (
            "InvalidParameterValue",
            "The parameter MetricData.member.1.StatisticValues.Maximum must be greater than or "
            "equal to MetricData.member.1.StatisticValues.Minimum.",
        ),
        id="statistic-set-min-max",
    ),
]


@pytest.mark.parametrize(("namespace", "data", "expected"), BAD_DATA)
def test_bad_data(
    cw_any: Any,
    aws_error: Callable[[Any], tuple[str, str, int]],
    namespace: str,
    data: list[dict[str, Any]],
    expected: tuple[str, str],
) -> None:
    with pytest.raises(ClientError) as exc:
        cw_any.put_metric_data(Namespace=namespace, MetricData=data)
    assert aws_error(exc.value) == (*expected, 400)


def test_more_than_1000_metrics(
    aws_client: Callable[..., Any], account: str, aws_error: Callable[[Any], tuple[str, str, int]]
) -> None:
    # botocore gzips these bodies (over 10 KB): the gateway inflates them.
    client = aws_client("cloudwatch", account=account)
    data = [_datum(MetricName=f"m{i}") for i in range(1001)]
    with pytest.raises(ClientError) as exc:
        client.put_metric_data(Namespace="App", MetricData=data)
    assert aws_error(exc.value) == (
        "InvalidParameterValue",
        "The collection MetricData must not have a size greater than 1000.",
        400,
    )
    client.put_metric_data(Namespace="App", MetricData=data[:1000])
    assert len(client.list_metrics(Namespace="App")["Metrics"]) == 500


def test_nothing_stored_when_one_datum_is_bad(cloudwatch: Any) -> None:
    with pytest.raises(ClientError):
        cloudwatch.put_metric_data(
            Namespace="App", MetricData=[_datum(MetricName="good"), _datum(Unit="Parsecs")]
        )
    assert cloudwatch.list_metrics(Namespace="App")["Metrics"] == []
