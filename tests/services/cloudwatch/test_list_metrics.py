"""ListMetrics: filters by namespace, name and dimensions, RecentlyActive, pages of 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from services.cloudwatch.support import minute


def _put(client: Any, namespace: str, name: str, **dims: str) -> None:
    dimensions = [{"Name": k, "Value": v} for k, v in dims.items()]
    client.put_metric_data(
        Namespace=namespace,
        MetricData=[{"MetricName": name, "Dimensions": dimensions, "Value": 1.0}],
    )


@pytest.fixture
def listed(cloudwatch: Any) -> Any:
    _put(cloudwatch, "Shop", "Orders", Region="eu", Channel="web")
    _put(cloudwatch, "Shop", "Orders", Region="us", Channel="web")
    _put(cloudwatch, "Shop", "Orders")
    _put(cloudwatch, "Shop", "Refunds", Region="eu")
    _put(cloudwatch, "Billing", "Charges", Region="eu")
    return cloudwatch


def _names(response: dict[str, Any]) -> list[tuple[str, str, dict[str, str]]]:
    return [
        (m["Namespace"], m["MetricName"], {d["Name"]: d["Value"] for d in m["Dimensions"]})
        for m in response["Metrics"]
    ]


def test_everything(listed: Any) -> None:
    assert _names(listed.list_metrics()) == [
        ("Billing", "Charges", {"Region": "eu"}),
        ("Shop", "Orders", {"Channel": "web", "Region": "eu"}),
        ("Shop", "Orders", {"Channel": "web", "Region": "us"}),
        ("Shop", "Orders", {}),
        ("Shop", "Refunds", {"Region": "eu"}),
    ]


def test_dimensions_are_listed_in_name_order(listed: Any) -> None:
    metric = listed.list_metrics(Namespace="Shop", MetricName="Orders")["Metrics"][0]
    assert metric["Dimensions"] == [
        {"Name": "Channel", "Value": "web"},
        {"Name": "Region", "Value": "eu"},
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"Namespace": "Billing"}, [("Billing", "Charges")]),
        ({"MetricName": "Refunds"}, [("Shop", "Refunds")]),
        (
            {"Dimensions": [{"Name": "Region", "Value": "eu"}]},
            [("Billing", "Charges"), ("Shop", "Orders"), ("Shop", "Refunds")],
        ),
        (
            {"Namespace": "Shop", "Dimensions": [{"Name": "Channel"}]},
            [("Shop", "Orders"), ("Shop", "Orders")],
        ),
        (
            {
                "Dimensions": [
                    {"Name": "Channel", "Value": "web"},
                    {"Name": "Region", "Value": "us"},
                ]
            },
            [("Shop", "Orders")],
        ),
        ({"Namespace": "Nope"}, []),
    ],
)
def test_filters(listed: Any, params: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    assert [(n, m) for n, m, _ in _names(listed.list_metrics(**params))] == expected


def test_recently_active(cloudwatch: Any) -> None:
    _put(cloudwatch, "Jobs", "Runs")
    assert len(cloudwatch.list_metrics(Namespace="Jobs", RecentlyActive="PT3H")["Metrics"]) == 1


def test_old_datapoints_still_make_the_metric_active(cloudwatch: Any) -> None:
    # RecentlyActive is about when data was published, not the datapoints' own timestamps.
    cloudwatch.put_metric_data(
        Namespace="Jobs",
        MetricData=[{"MetricName": "Late", "Value": 1.0, "Timestamp": minute(-600)}],
    )
    active = cloudwatch.list_metrics(Namespace="Jobs", RecentlyActive="PT3H")["Metrics"]
    assert [m["MetricName"] for m in active] == ["Late"]


def test_pages_of_500(cloudwatch: Any) -> None:
    for batch in range(11):
        cloudwatch.put_metric_data(
            Namespace="Many",
            MetricData=[
                {"MetricName": f"m{batch * 50 + i:04d}", "Value": 1.0, "Timestamp": minute(-1)}
                for i in range(50)
            ],
        )
    first = cloudwatch.list_metrics(Namespace="Many")
    assert len(first["Metrics"]) == 500
    second = cloudwatch.list_metrics(Namespace="Many", NextToken=first["NextToken"])
    assert len(second["Metrics"]) == 50
    assert "NextToken" not in second
    names = [m["MetricName"] for m in first["Metrics"] + second["Metrics"]]
    assert names == sorted({f"m{i:04d}" for i in range(550)})
    paginator = cloudwatch.get_paginator("list_metrics")
    assert sum(len(p["Metrics"]) for p in paginator.paginate(Namespace="Many")) == 550


def test_accounts_and_regions_are_separate(
    cloudwatch: Any, aws_client: Callable[..., Any], account: str
) -> None:
    _put(cloudwatch, "Iso", "M")
    elsewhere = aws_client("cloudwatch", account=account, region_name="eu-west-1")
    assert elsewhere.list_metrics(Namespace="Iso")["Metrics"] == []
    assert aws_client("cloudwatch").list_metrics(Namespace="Iso")["Metrics"] == []


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"NextToken": "not-a-token"},
            ("InvalidNextToken", "The service returned an error: Invalid NextToken."),
        ),
        (
            {"RecentlyActive": "PT1H"},
            ("InvalidParameterValue", "The value PT1H for parameter RecentlyActive is invalid."),
        ),
    ],
)
def test_bad_requests(
    cw_any: Any,
    aws_error: Callable[[Any], tuple[str, str, int]],
    params: dict[str, Any],
    expected: tuple[str, str],
) -> None:
    with pytest.raises(ClientError) as exc:
        cw_any.list_metrics(**params)
    assert aws_error(exc.value) == (*expected, 400)


def test_linked_accounts(cloudwatch: Any, account: str) -> None:
    _put(cloudwatch, "Linked", "M")
    response = cloudwatch.list_metrics(Namespace="Linked", IncludeLinkedAccounts=True)
    assert response["OwningAccounts"] == [account]
