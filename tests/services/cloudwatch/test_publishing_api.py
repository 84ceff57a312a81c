"""The in-process publishing API other services use (`metrics.put_metric_data`)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from services.cloudwatch.support import minute

from cloudlet.errors import ServiceError
from cloudlet.services.cloudwatch.metrics import metric_store, put_metric_data

INSTANCE = [{"Name": "InstanceId", "Value": "i-0123456789abcdef0"}]


def test_publish_under_an_aws_namespace(direct: Any) -> None:
    at = minute(-2).timestamp()
    put_metric_data(
        direct.platform, "111122223333", "us-east-1", "AWS/EC2",
        [{"MetricName": "CPUUtilization", "Dimensions": INSTANCE, "Value": 42.0,
          "Unit": "Percent", "Timestamp": at}],
    )  # fmt: skip
    listed = direct.call("cloudwatch", "ListMetrics", account="111122223333", Namespace="AWS/EC2")
    assert listed["Metrics"] == [
        {"Namespace": "AWS/EC2", "MetricName": "CPUUtilization", "Dimensions": INSTANCE}
    ]
    stats = direct.call(
        "cloudwatch", "GetMetricStatistics", account="111122223333", Namespace="AWS/EC2",
        MetricName="CPUUtilization", Dimensions=INSTANCE, StartTime=minute(-5),
        EndTime=minute(0), Period=60, Statistics=["Average"],
    )  # fmt: skip
    assert [(p["Timestamp"], p["Average"], p["Unit"]) for p in stats["Datapoints"]] == [
        (minute(-2), 42.0, "Percent")
    ]


def test_invalid_data_raises_the_api_error(direct: Any) -> None:
    with pytest.raises(ServiceError) as exc:
        put_metric_data(
            direct.platform, "111122223333", "us-east-1", "AWS/EC2",
            [{"MetricName": "CPUUtilization", "Value": 1.0, "Unit": "Parsecs"}],
        )  # fmt: skip
    assert exc.value.code == "InvalidParameterValueException"
    assert (
        exc.value.message == "The value Parsecs for parameter MetricData.member.1.Unit is invalid."
    )


def test_metrics_not_published_for_two_weeks_are_not_listed(direct: Any) -> None:
    put_metric_data(
        direct.platform, "111122223333", "us-east-1", "Jobs",
        [{"MetricName": "Old", "Value": 1.0}, {"MetricName": "Fresh", "Value": 1.0}],
    )  # fmt: skip
    direct.platform.store.execute(
        "UPDATE cw_metrics SET last_put = last_put - 15 * 86400 WHERE name = 'Old'"
    )
    listed = direct.call("cloudwatch", "ListMetrics", account="111122223333", Namespace="Jobs")
    assert [m["MetricName"] for m in listed["Metrics"]] == ["Fresh"]


def test_datapoints_expire_after_15_months(direct: Any) -> None:
    put_metric_data(
        direct.platform, "111122223333", "us-east-1", "Jobs", [{"MetricName": "M", "Value": 1.0}]
    )
    store = metric_store(direct.platform.store)
    store.expire(now=time.time() + 400 * 86400)
    assert direct.platform.store.query_one("SELECT count(*) FROM cw_datapoints")[0] == 1
    store.expire(now=time.time() + 456 * 86400)
    assert direct.platform.store.query_one("SELECT count(*) FROM cw_datapoints")[0] == 0
    assert direct.platform.store.query_one("SELECT count(*) FROM cw_metrics")[0] == 0
