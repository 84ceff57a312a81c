"""Alarm tags: on creation, TagResource/UntagResource/ListTagsForResource, errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError


def _put(client: Any, name: str = "tagged", **extra: Any) -> None:
    client.put_metric_alarm(
        AlarmName=name, Namespace="App", MetricName="m", Statistic="Sum", Period=60,
        EvaluationPeriods=1, Threshold=1.0, ComparisonOperator="GreaterThanThreshold", **extra,
    )  # fmt: skip


def test_tags_lifecycle(cw_any: Any, account: str) -> None:
    _put(cw_any, Tags=[{"Key": "team", "Value": "web"}])
    arn = f"arn:aws:cloudwatch:us-east-1:{account}:alarm:tagged"
    assert cw_any.list_tags_for_resource(ResourceARN=arn)["Tags"] == [
        {"Key": "team", "Value": "web"}
    ]
    cw_any.tag_resource(
        ResourceARN=arn, Tags=[{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "api"}]
    )
    tags = cw_any.list_tags_for_resource(ResourceARN=arn)["Tags"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("env", "prod"), ("team", "api")]
    cw_any.untag_resource(ResourceARN=arn, TagKeys=["team", "absent"])
    assert cw_any.list_tags_for_resource(ResourceARN=arn)["Tags"] == [
        {"Key": "env", "Value": "prod"}
    ]


def test_tags_are_ignored_on_update(cloudwatch: Any, account: str) -> None:
    _put(cloudwatch, Tags=[{"Key": "team", "Value": "web"}])
    _put(cloudwatch, Tags=[{"Key": "team", "Value": "other"}])
    arn = f"arn:aws:cloudwatch:us-east-1:{account}:alarm:tagged"
    assert cloudwatch.list_tags_for_resource(ResourceARN=arn)["Tags"] == [
        {"Key": "team", "Value": "web"}
    ]


@pytest.mark.parametrize(
    ("arn", "expected"),
    [
        (
            "arn:aws:cloudwatch:us-east-1:{account}:alarm:ghost",
            (
                "ResourceNotFoundException",
                "The resource arn:aws:cloudwatch:us-east-1:{account}:alarm:ghost does not exist.",
                404,
            ),
        ),
        (
            "not-an-arn",
            (
                "InvalidParameterValue",
                "The value not-an-arn for parameter ResourceARN is invalid.",
                400,
            ),
        ),
    ],
)
def test_unknown_resources(
    cloudwatch: Any,
    account: str,
    aws_error: Callable[[Any], tuple[str, str, int]],
    arn: str,
    expected: tuple[str, str, int],
) -> None:
    arn = arn.format(account=account)
    with pytest.raises(ClientError) as exc:
        cloudwatch.list_tags_for_resource(ResourceARN=arn)
    code, message, status = expected
    assert aws_error(exc.value) == (code, message.format(account=account), status)


def test_reserved_and_too_many_tags(
    cloudwatch: Any, account: str, aws_error: Callable[[Any], tuple[str, str, int]]
) -> None:
    _put(cloudwatch)
    arn = f"arn:aws:cloudwatch:us-east-1:{account}:alarm:tagged"
    with pytest.raises(ClientError) as exc:
        cloudwatch.tag_resource(ResourceARN=arn, Tags=[{"Key": "aws:owner", "Value": "x"}])
    assert aws_error(exc.value) == (
        "InvalidParameterValue",
        "The value aws:owner for parameter Tags.member.1.Key is invalid.",
        400,
    )
    many = [{"Key": f"k{i}", "Value": "v"} for i in range(51)]
    with pytest.raises(ClientError) as exc:
        cloudwatch.tag_resource(ResourceARN=arn, Tags=many)
    assert aws_error(exc.value) == ("LimitExceeded", "The number of tags must not exceed 50.", 400)
