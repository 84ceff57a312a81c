"""TagResource, UntagResource and ListTagsForResource on applied quotas' ARNs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

ErrorOf = Callable[[Any], tuple[str, str, int]]


def arn(account: str, service: str = "lambda", code: str = "L-B99A9384") -> str:
    return f"arn:aws:servicequotas:us-east-1:{account}:{service}/{code}"


def test_tag_list_untag(quotas: Any, account: str) -> None:
    quota_arn = quotas.get_service_quota(ServiceCode="lambda", QuotaCode="L-B99A9384")["Quota"][
        "QuotaArn"
    ]
    assert quotas.list_tags_for_resource(ResourceARN=quota_arn)["Tags"] == []
    quotas.tag_resource(
        ResourceARN=quota_arn,
        Tags=[{"Key": "team", "Value": "a"}, {"Key": "cost-centre", "Value": "42"}],
    )
    quotas.tag_resource(ResourceARN=quota_arn, Tags=[{"Key": "team", "Value": "b"}])
    assert quotas.list_tags_for_resource(ResourceARN=quota_arn)["Tags"] == [
        {"Key": "cost-centre", "Value": "42"},
        {"Key": "team", "Value": "b"},
    ]
    quotas.untag_resource(ResourceARN=quota_arn, TagKeys=["team", "never-set"])
    assert quotas.list_tags_for_resource(ResourceARN=quota_arn)["Tags"] == [
        {"Key": "cost-centre", "Value": "42"}
    ]
    other = arn(account, "lambda", "L-9FEE3D26")
    assert quotas.list_tags_for_resource(ResourceARN=other)["Tags"] == []


@pytest.mark.parametrize(
    "resource",
    [
        "arn:aws:servicequotas:us-east-1:{other}:lambda/L-B99A9384",
        "arn:aws:servicequotas:eu-west-1:{account}:lambda/L-B99A9384",
        "arn:aws:servicequotas:us-east-1:{account}:lambda/L-00000000",
        "arn:aws:servicequotas:us-east-1:{account}:ec9/L-B99A9384",
        "arn:aws:servicequotas:us-east-1:{account}:lambda",
        "arn:aws:lambda:us-east-1:{account}:function:fn",
    ],
)
def test_unknown_resource(quotas: Any, account: str, aws_error: ErrorOf, resource: str) -> None:
    resource_arn = resource.format(account=account, other="210987654321")
    with pytest.raises(ClientError) as exc:
        quotas.list_tags_for_resource(ResourceARN=resource_arn)
    assert aws_error(exc.value) == (
        "NoSuchResourceException",
        "The request failed because the specified resource does not exist.",
        400,
    )
    with pytest.raises(ClientError) as exc:
        quotas.tag_resource(ResourceARN=resource_arn, Tags=[{"Key": "k", "Value": "v"}])
    assert aws_error(exc.value)[0] == "NoSuchResourceException"


def test_too_many_tags(quotas: Any, account: str, aws_error: ErrorOf) -> None:
    quotas.tag_resource(
        ResourceARN=arn(account), Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)]
    )
    with pytest.raises(ClientError) as exc:
        quotas.tag_resource(ResourceARN=arn(account), Tags=[{"Key": "one-more", "Value": "v"}])
    assert aws_error(exc.value) == (
        "TooManyTagsException",
        "You've exceeded the number of tags allowed for a resource (50).",
        400,
    )
    assert len(quotas.list_tags_for_resource(ResourceARN=arn(account))["Tags"]) == 50
