"""Metric math in GetMetricData: operators, functions, arrays, and expression errors.

Data: `requests` is [1, 2, -, 4, 5] and `errors` is [0, 1, 1, -, 2] over minutes -5..-1
(`-`: no datapoint), both read as Sum per minute. Results are listed oldest first.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from services.cloudwatch.support import freeze_minute, minute

REQUESTS = (1.0, 2.0, None, 4.0, 5.0)
ERRORS = (0.0, 1.0, 1.0, None, 2.0)
MINUTES = (-5, -4, -3, -2, -1)
_PUBLISHED = [0.0]
"""The minute the module's data was published in (epoch seconds)."""


@pytest.fixture(scope="module")
def math_client(
    cloudlet_endpoint: str, _boto3_session: Any, tmp_path_factory: pytest.TempPathFactory
) -> Any:
    """One client (and account) with the data published once for the whole module."""
    import random

    from botocore.config import Config

    client = _boto3_session.client(
        "cloudwatch",
        endpoint_url=cloudlet_endpoint,
        region_name="us-east-1",
        aws_access_key_id=str(random.randrange(10**11, 10**12)),
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}),
    )
    freeze_minute()
    _PUBLISHED[0] = minute(0).timestamp()
    data = []
    for name, values in (("Requests", REQUESTS), ("Errors", ERRORS)):
        for offset, value in zip(MINUTES, values, strict=True):
            if value is not None:
                data.append({"MetricName": name, "Value": value, "Timestamp": minute(offset)})
    client.put_metric_data(Namespace="Api", MetricData=data)
    return client


@pytest.fixture(autouse=True)
def _published_minute(math_client: Any) -> None:
    """Every test of this module reads the minutes the module's data was published in."""
    freeze_minute(_PUBLISHED[0])


def _metric(query_id: str, name: str) -> dict[str, Any]:
    metric = {"Namespace": "Api", "MetricName": name}
    return {
        "Id": query_id,
        "MetricStat": {"Metric": metric, "Period": 60, "Stat": "Sum"},
        "ReturnData": False,
    }


def _evaluate(client: Any, expression: str, **query: Any) -> list[dict[str, Any]]:
    queries = [
        _metric("requests", "Requests"),
        _metric("errors", "Errors"),
        {"Id": "e1", "Expression": expression} | query,
    ]
    response = client.get_metric_data(
        MetricDataQueries=queries,
        StartTime=minute(-5),
        EndTime=minute(0),
        ScanBy="TimestampAscending",
    )
    return list(response["MetricDataResults"])


def _series(result: dict[str, Any]) -> list[float | None]:
    by_time = dict(zip(result["Timestamps"], result["Values"], strict=True))
    return [by_time.get(minute(m)) for m in MINUTES]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("requests + errors", [1, 3, 1, 4, 7]),
        ("errors / requests * 100", [0, 50, None, 0, 40]),
        ("requests - AVG(requests)", [-2, -1, None, 1, 2]),
        ("requests ^ 2", [1, 4, None, 16, 25]),
        ("-requests", [-1, -2, None, -4, -5]),
        ("2 * (requests + 1)", [4, 6, None, 10, 12]),
        ("ABS(errors - requests)", [1, 1, 1, 4, 3]),
        ("CEIL(requests / 3)", [1, 1, None, 2, 2]),
        ("FLOOR(requests / 3)", [0, 0, None, 1, 1]),
        ("FILL(requests, 0)", [1, 2, 0, 4, 5]),
        ("FILL(requests, REPEAT)", [1, 2, 2, 4, 5]),
        ("FILL(requests, LINEAR)", [1, 2, 3, 4, 5]),
        ("FILL(requests, errors)", [1, 2, 1, 4, 5]),
        ("DIFF(requests)", [None, 1, None, 2, 1]),
        ("DIFF_TIME(requests)", [None, 60, None, 120, 60]),
        ("RATE(requests) * 60", [None, 1, None, 1, 1]),
        ("RUNNING_SUM(requests)", [1, 3, None, 7, 12]),
        ("IF(requests > 2, requests, 0)", [0, 0, None, 4, 5]),
        ("IF(errors, requests)", [None, 2, 0, None, 5]),
        ("IF(requests < 3, 1, errors)", [1, 1, None, None, 2]),
        ("requests > 1 AND errors > 0", [0, 1, 0, 0, 1]),
        ("requests == 4 || errors == 1", [0, 1, 1, 1, 0]),
        ("SUM(METRICS())", [1, 3, 1, 4, 7]),
        ("AVG([requests, errors])", [0.5, 1.5, 0.5, 2, 3.5]),
        ("MAX(METRICS())", [1, 2, 1, 4, 5]),
        ("MIN([requests, errors])", [0, 1, 1, 4, 2]),
        ("DATAPOINT_COUNT(METRICS())", [2, 2, 1, 1, 2]),
        ("METRIC_COUNT(METRICS()) * requests", [2, 4, None, 8, 10]),
        ("requests / PERIOD(requests) * 60", [1, 2, None, 4, 5]),
        ("TIME_SERIES(7)", [7, 7, 7, 7, 7]),
        ("TIME_SERIES(SUM(requests))", [12, 12, 12, 12, 12]),
        ("requests * STDDEV(TIME_SERIES(3))", [0, 0, None, 0, 0]),
        ("FIRST(SORT(METRICS(), MAX, ASC))", [0, 1, 1, None, 2]),
        ("LAST(SORT(METRICS(), SUM, ASC))", [1, 2, None, 4, 5]),
        ("SUM(SLICE(SORT(METRICS(), SUM, DESC), 1))", [0, 1, 1, None, 2]),
        ('SUM(METRICS("err"))', [0, 1, 1, None, 2]),
        ("LOG10(requests * 10) - LOG10(requests)", [1, 1, None, 1, 1]),
        ("LOG(requests) - LOG(requests)", [0, 0, None, 0, 0]),
        ("DAY(requests) - DAY(requests) + 1", [1, 1, 1, 1, 1]),
    ],
)
def test_expressions(math_client: Any, expression: str, expected: list[float | None]) -> None:
    (result,) = _evaluate(math_client, expression)
    assert result["Id"] == "e1"
    got = _series(result)
    assert got == [None if e is None else pytest.approx(e) for e in expected]


def test_time_functions(math_client: Any) -> None:
    (result,) = _evaluate(math_client, "MINUTE(requests)")
    assert _series(result) == [float(minute(m).minute) for m in MINUTES]
    (epoch,) = _evaluate(math_client, "EPOCH(requests)")
    assert _series(epoch) == [minute(m).timestamp() for m in MINUTES]


def test_array_results_share_the_id(math_client: Any) -> None:
    results = _evaluate(math_client, "METRICS() / 10", Label="Tenth")
    assert [(r["Id"], r["Label"]) for r in results] == [
        ("e1", "Tenth Requests"),
        ("e1", "Tenth Errors"),
    ]
    assert _series(results[0]) == [0.1, 0.2, None, 0.4, 0.5]


def test_expression_label_defaults_to_its_id(math_client: Any) -> None:
    (result,) = _evaluate(math_client, "requests")
    assert result["Label"] == "e1"
    (labelled,) = _evaluate(math_client, "requests", Label="Calls")
    assert labelled["Label"] == "Calls"


def test_expressions_can_use_expressions(math_client: Any) -> None:
    queries = [
        _metric("requests", "Requests"),
        {"Id": "doubled", "Expression": "requests * 2", "ReturnData": False},
        {"Id": "e1", "Expression": "doubled + 1"},
    ]
    response = math_client.get_metric_data(
        MetricDataQueries=queries, StartTime=minute(-5), EndTime=minute(0)
    )
    (result,) = response["MetricDataResults"]
    assert sorted(result["Values"]) == [3, 5, 9, 11]


def test_remove_empty(math_client: Any) -> None:
    queries = [
        _metric("requests", "Requests"),
        _metric("nothing", "Nothing"),
        {"Id": "e1", "Expression": "REMOVE_EMPTY(METRICS())"},
    ]
    response = math_client.get_metric_data(
        MetricDataQueries=queries, StartTime=minute(-5), EndTime=minute(0)
    )
    assert [r["Label"] for r in response["MetricDataResults"]] == ["Requests"]


SYNTAX_ERRORS = [
    ("requests +", "Unexpected 'end of expression'"),
    ("FOO(requests)", "Unsupported function: FOO"),
    ("SEARCH('{Api} Requests', 'Sum')", "Unsupported function: SEARCH"),
    ("ANOMALY_DETECTION_BAND(requests)", "Unsupported function: ANOMALY_DETECTION_BAND"),
    ("zz * 2", "Unrecognized metric id: zz"),
    ("SUM(requests)", "The result must be a time series or an array of time series."),
    ("(requests", "Expected ')' but found 'end of expression'"),
    ("FILL(requests, SIDEWAYS)", "Invalid FILL value: SIDEWAYS"),
    ("requests $ 2", "Unexpected character at position 10"),
]


@pytest.mark.parametrize(("expression", "message"), SYNTAX_ERRORS)
def test_expression_errors(
    math_client: Any,
    aws_error: Callable[[Any], tuple[str, str, int]],
    expression: str,
    message: str,
) -> None:
    with pytest.raises(ClientError) as exc:
        _evaluate(math_client, expression)
    assert aws_error(exc.value) == ("ValidationError", f"Error in expression e1: {message}", 400)


def test_circular_expressions(
    math_client: Any, aws_error: Callable[[Any], tuple[str, str, int]]
) -> None:
    queries = [
        {"Id": "e1", "Expression": "e2 + 1"},
        {"Id": "e2", "Expression": "e1 + 1"},
    ]
    with pytest.raises(ClientError) as exc:
        math_client.get_metric_data(
            MetricDataQueries=queries, StartTime=minute(-5), EndTime=minute(0)
        )
    assert aws_error(exc.value) == (
        "ValidationError",
        "Error in expression e1: Circular dependency",
        400,
    )


def test_nan_never_reaches_the_wire(math_client: Any) -> None:
    (result,) = _evaluate(math_client, "LOG(requests - 1)")
    assert all(math.isfinite(v) for v in result["Values"])
