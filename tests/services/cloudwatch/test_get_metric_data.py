"""GetMetricData with MetricStat queries: order, labels, ReturnData, statistics, pages, errors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError
from services.cloudwatch.support import minute

HOST = [{"Name": "Host", "Value": "a"}]


@pytest.fixture
def published(cloudwatch: Any) -> Any:
    """`Hits` 1..5 in minutes -5..-1 (two datapoints a minute: v and 10·v), `Bytes` 100/minute."""
    data = []
    for index, value in enumerate((1.0, 2.0, 3.0, 4.0, 5.0)):
        at = minute(-5 + index) + timedelta(seconds=10)
        for v in (value, 10 * value):
            data.append({"MetricName": "Hits", "Dimensions": HOST, "Value": v, "Timestamp": at})
        data.append({"MetricName": "Bytes", "Value": 100.0, "Timestamp": at, "Unit": "Bytes"})
    cloudwatch.put_metric_data(Namespace="Site", MetricData=data)
    return cloudwatch


def _stat(name: str, stat: str = "Sum", period: int = 60, **query: Any) -> dict[str, Any]:
    dims = HOST if name == "Hits" else []
    metric = {"Namespace": "Site", "MetricName": name, "Dimensions": dims}
    return {"MetricStat": {"Metric": metric, "Period": period, "Stat": stat}} | query


def _get(client: Any, *queries: dict[str, Any], **params: Any) -> dict[str, Any]:
    request = {"StartTime": minute(-5), "EndTime": minute(0)} | params
    return dict(client.get_metric_data(MetricDataQueries=list(queries), **request))


def test_newest_first_by_default(published: Any) -> None:
    (result,) = _get(published, _stat("Hits", Id="m1"))["MetricDataResults"]
    assert result["Id"] == "m1"
    assert result["Label"] == "Hits"
    assert result["Timestamps"] == [minute(m) for m in (-1, -2, -3, -4, -5)]
    assert result["Values"] == [55.0, 44.0, 33.0, 22.0, 11.0]
    assert result["StatusCode"] == "Complete"


def test_oldest_first(cw_any: Any) -> None:
    cw_any.put_metric_data(
        Namespace="Site",
        MetricData=[
            {"MetricName": "Hits", "Dimensions": HOST, "Value": v, "Timestamp": minute(m)}
            for v, m in ((1.0, -3), (2.0, -2))
        ],
    )
    (result,) = _get(cw_any, _stat("Hits", Id="m1"), ScanBy="TimestampAscending")[
        "MetricDataResults"
    ]
    assert result["Timestamps"] == [minute(-3), minute(-2)]
    assert result["Values"] == [1.0, 2.0]


@pytest.mark.parametrize(
    ("stat", "expected"),
    [
        ("Average", [27.5, 22.0, 16.5, 11.0, 5.5]),
        ("Maximum", [50.0, 40.0, 30.0, 20.0, 10.0]),
        ("SampleCount", [2.0] * 5),
        ("p10", [5.0, 4.0, 3.0, 2.0, 1.0]),
    ],
)
def test_statistics(published: Any, stat: str, expected: list[float]) -> None:
    (result,) = _get(published, _stat("Hits", stat, Id="m1"))["MetricDataResults"]
    assert result["Values"] == expected


def test_longer_period_and_unit(published: Any) -> None:
    query = _stat("Bytes", "Sum", 300, Id="b")
    query["MetricStat"]["Unit"] = "Bytes"
    (result,) = _get(published, query)["MetricDataResults"]
    assert (result["Timestamps"], result["Values"]) == ([minute(-5)], [500.0])
    query["MetricStat"]["Unit"] = "Count"
    (result,) = _get(published, query)["MetricDataResults"]
    assert result["Values"] == []


def test_labels_and_return_data(published: Any) -> None:
    results = _get(
        published,
        _stat("Hits", Id="hidden", ReturnData=False),
        _stat("Bytes", Id="shown", Label="Traffic"),
    )["MetricDataResults"]
    assert [(r["Id"], r["Label"]) for r in results] == [("shown", "Traffic")]


def test_unknown_metric_is_empty(published: Any) -> None:
    (result,) = _get(published, _stat("Nothing", Id="m1"))["MetricDataResults"]
    assert (result["Timestamps"], result["Values"], result["StatusCode"]) == ([], [], "Complete")


def test_pages_of_max_datapoints(published: Any) -> None:
    queries = (_stat("Hits", Id="h"), _stat("Bytes", Id="b"))
    first = _get(published, *queries, MaxDatapoints=3)
    assert [(r["Id"], len(r["Values"]), r["StatusCode"]) for r in first["MetricDataResults"]] == [
        ("h", 3, "PartialData")
    ]
    collected: dict[str, list[float]] = {}
    token = None
    pages = 0
    while True:
        extra = {"NextToken": token} if token else {}
        page = _get(published, *queries, MaxDatapoints=3, **extra)
        pages += 1
        for result in page["MetricDataResults"]:
            collected.setdefault(result["Id"], []).extend(result["Values"])
        token = page.get("NextToken")
        if not token or pages > 10:
            break
    assert pages == 4
    assert collected == {"h": [55.0, 44.0, 33.0, 22.0, 11.0], "b": [100.0] * 5}


def test_high_resolution_periods(cloudwatch: Any) -> None:
    base = minute(-1)
    cloudwatch.put_metric_data(
        Namespace="Site",
        MetricData=[
            {
                "MetricName": "Fast",
                "Value": 1.0,
                "Timestamp": base + timedelta(seconds=s),
                "StorageResolution": 1,
            }
            for s in (0, 2, 4, 6, 12)
        ],
    )
    (result,) = _get(
        cloudwatch,
        _stat("Fast", "SampleCount", 5, Id="f"),
        StartTime=base,
        EndTime=base + timedelta(seconds=15),
        ScanBy="TimestampAscending",
    )["MetricDataResults"]
    assert result["Timestamps"] == [base + timedelta(seconds=s) for s in (0, 5, 10)]
    assert result["Values"] == [3.0, 1.0, 1.0]


def _error(client: Any, queries: list[dict[str, Any]], **params: Any) -> Any:
    with pytest.raises(ClientError) as exc:
        _get(client, *queries, **params)
    return exc.value


BAD_QUERIES = [
    pytest.param(
        [_stat("Hits", Id="m1"), _stat("Bytes", Id="m1")],
        "The values for parameter id in MetricDataQueries are not unique.",
        id="duplicate-ids",
    ),
    pytest.param(
        [_stat("Hits", Id="M1")],
        "The value M1 for parameter MetricDataQueries.member.1.Id is invalid.",
        id="id-case",
    ),
    pytest.param(
        [_stat("Hits", Id="m1", Expression="m2"), _stat("Hits", Id="m2")],
        "The parameters MetricDataQueries.member.1.MetricStat and "
        "MetricDataQueries.member.1.Expression are mutually exclusive and you have specified "
        "both.",
        id="stat-and-expression",
    ),
    pytest.param(
        [{"Id": "m1"}],
        "The parameter MetricDataQueries.member.1.MetricStat or "
        "MetricDataQueries.member.1.Expression is required.",
        id="neither",
    ),
    pytest.param(
        [_stat("Hits", "Avg", Id="m1")],
        "The value Avg for parameter MetricDataQueries.member.1.MetricStat.Stat is invalid.",
        id="stat",
    ),
    pytest.param(
        [_stat("Hits", "Sum", 45, Id="m1")],
        "The parameter MetricDataQueries.member.1.MetricStat.Period must be 1, 5, 10, 20, 30, "
        "60, or a multiple of 60.",
        id="period",
    ),
    pytest.param(
        [{"Id": "m1", "MetricStat": {"Metric": {"MetricName": "x"}, "Period": 60, "Stat": "Sum"}}],
        "The parameter MetricDataQueries.member.1.MetricStat.Metric.Namespace is required.",
        id="namespace",
    ),
]


@pytest.mark.parametrize(("queries", "message"), BAD_QUERIES)
def test_bad_queries(
    cw_any: Any,
    aws_error: Callable[[Any], tuple[str, str, int]],
    queries: list[dict[str, Any]],
    message: str,
) -> None:
    assert aws_error(_error(cw_any, queries)) == ("ValidationError", message, 400)


def test_bad_time_range(cloudwatch: Any, aws_error: Callable[[Any], tuple[str, str, int]]) -> None:
    error = _error(cloudwatch, [_stat("Hits", Id="m1")], StartTime=minute(0), EndTime=minute(-1))
    assert aws_error(error) == (
        "InvalidParameterValue",
        "The parameter StartTime must be less than the parameter EndTime.",
        400,
    )


def test_bad_token(cloudwatch: Any, aws_error: Callable[[Any], tuple[str, str, int]]) -> None:
    error = _error(cloudwatch, [_stat("Hits", Id="m1")], NextToken="garbage")
    assert aws_error(error) == (
        "InvalidNextToken",
        "The service returned an error: Invalid NextToken.",
        400,
    )
