"""The in-process publishing API other services use (`metrics.put_metric_data`)."""

from __future__ import annotations

from typing import Any

import pytest
from services.cloudwatch.support import minute

from cloudlet.errors import ServiceError
from cloudlet.services.cloudwatch.metrics import put_metric_data

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
