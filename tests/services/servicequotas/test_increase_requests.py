"""RequestServiceQuotaIncrease (approved at once) and the request history operations."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

ErrorOf = Callable[[Any], tuple[str, str, int]]

NOT_AN_INCREASE = (
    "IllegalArgumentException",
    "You must provide a quota value greater than the current quota value",
    400,
)


def increase(client: Any, service: str, code: str, value: float, **extra: Any) -> dict[str, Any]:
    response = client.request_service_quota_increase(
        ServiceCode=service, QuotaCode=code, DesiredValue=value, **extra
    )
    requested: dict[str, Any] = response["RequestedQuota"]
    return requested


def test_increase_is_approved_and_applies_at_once(quotas: Any, account: str) -> None:
    requested = increase(quotas, "lambda", "L-B99A9384", 2500)
    assert re.fullmatch(r"[0-9a-f]{32}[A-Za-z0-9]{8}", requested["Id"])
    assert isinstance(requested["Created"], datetime)
    assert requested["LastUpdated"] == requested["Created"]
    assert json.loads(requested["Requester"]) == {
        "accountId": account,
        "callerArn": f"arn:aws:iam::{account}:root",
    }
    expected = {
        "ServiceCode": "lambda",
        "ServiceName": "AWS Lambda",
        "QuotaCode": "L-B99A9384",
        "QuotaName": "Concurrent executions",
        "DesiredValue": 2500.0,
        "Status": "APPROVED",
        "QuotaArn": f"arn:aws:servicequotas:us-east-1:{account}:lambda/L-B99A9384",
        "GlobalQuota": False,
        "Unit": "None",
        "QuotaRequestedAtLevel": "ACCOUNT",
    }
    assert {k: requested[k] for k in expected} == expected
    assert set(requested) == {*expected, "Id", "Created", "LastUpdated", "Requester"}

    applied = quotas.get_service_quota(ServiceCode="lambda", QuotaCode="L-B99A9384")["Quota"]
    assert applied["Value"] == 2500.0
    listed = quotas.list_service_quotas(ServiceCode="lambda", QuotaCode="L-B99A9384")["Quotas"]
    assert listed[0]["Value"] == 2500.0
    default = quotas.get_aws_default_service_quota(ServiceCode="lambda", QuotaCode="L-B99A9384")
    assert default["Quota"]["Value"] == 1000.0

    fetched = quotas.get_requested_service_quota_change(RequestId=requested["Id"])
    assert fetched["RequestedQuota"] == requested


def test_fractional_values(quotas: Any) -> None:
    increase(quotas, "lambda", "L-2ACBD22F", 80.5)
    quota = quotas.get_service_quota(ServiceCode="lambda", QuotaCode="L-2ACBD22F")["Quota"]
    assert quota["Value"] == 80.5


@pytest.mark.parametrize("desired", [0.0, 999.0, 1000.0])
def test_desired_value_must_exceed_default(quotas: Any, aws_error: ErrorOf, desired: float) -> None:
    with pytest.raises(ClientError) as exc:
        increase(quotas, "lambda", "L-B99A9384", desired)
    assert aws_error(exc.value) == NOT_AN_INCREASE
    assert quotas.list_requested_service_quota_change_history()["RequestedQuotas"] == []


@pytest.mark.parametrize("desired", [1500.0, 2000.0])
def test_desired_value_must_exceed_applied_value(
    quotas: Any, aws_error: ErrorOf, desired: float
) -> None:
    increase(quotas, "autoscaling", "L-CDE20ADC", 2000)
    with pytest.raises(ClientError) as exc:
        increase(quotas, "autoscaling", "L-CDE20ADC", desired)
    assert aws_error(exc.value) == NOT_AN_INCREASE
    increase(quotas, "autoscaling", "L-CDE20ADC", 2001)
    quota = quotas.get_service_quota(ServiceCode="autoscaling", QuotaCode="L-CDE20ADC")["Quota"]
    assert quota["Value"] == 2001.0


@pytest.mark.parametrize(
    ("service", "code"),
    [("lambda", "L-548AE339"), ("lambda", "L-7C0F49F9"), ("lambda", "L-E49FF7B8")],
)
def test_quota_not_adjustable(quotas: Any, aws_error: ErrorOf, service: str, code: str) -> None:
    with pytest.raises(ClientError) as exc:
        increase(quotas, service, code, 1_000_000)
    assert aws_error(exc.value) == (
        "IllegalArgumentException",
        "The request failed because the specified quota is not adjustable.",
        400,
    )


def test_unknown_quota(quotas: Any, aws_error: ErrorOf) -> None:
    with pytest.raises(ClientError) as exc:
        increase(quotas, "elasticache", "L-B99A9384", 400)
    assert aws_error(exc.value) == (
        "NoSuchResourceException",
        "The request failed because the specified quota L-B99A9384 does not exist for service "
        "elasticache.",
        400,
    )


def test_increase_is_per_region_and_account(
    quotas: Any, quotas_in: Callable[[str], Any], aws_client: Callable[..., Any]
) -> None:
    increase(quotas, "elasticache", "L-DFE45DF3", 400)
    elsewhere = quotas_in("eu-west-1").get_service_quota(
        ServiceCode="elasticache", QuotaCode="L-DFE45DF3"
    )
    assert elsewhere["Quota"]["Value"] == 300.0
    other_account = aws_client("service-quotas", account="210987654321")
    other = other_account.get_service_quota(ServiceCode="elasticache", QuotaCode="L-DFE45DF3")
    assert other["Quota"]["Value"] == 300.0


def test_global_quota_increase(quotas: Any, account: str) -> None:
    requested = increase(quotas, "iam", "L-FE177D64", 5000)
    assert requested["GlobalQuota"] is True
    assert requested["QuotaArn"] == f"arn:aws:servicequotas:us-east-1:{account}:iam/L-FE177D64"
    quota = quotas.get_service_quota(ServiceCode="iam", QuotaCode="L-FE177D64")["Quota"]
    assert quota["Value"] == 5000.0


def test_request_for_a_resource_is_invalid(quotas: Any) -> None:
    requested = increase(
        quotas,
        "lambda",
        "L-9FEE3D26",
        500,
        ContextId="arn:aws:ec2:us-east-1:123456789012:vpc/vpc-0abc",
    )
    assert requested["Status"] == "INVALID_REQUEST"
    assert requested["QuotaRequestedAtLevel"] == "RESOURCE"
    assert requested["QuotaContext"] == {
        "ContextScope": "RESOURCE",
        "ContextId": "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-0abc",
    }
    quota = quotas.get_service_quota(ServiceCode="lambda", QuotaCode="L-9FEE3D26")["Quota"]
    assert quota["Value"] == 250.0


def test_unknown_request_id(quotas: Any, aws_error: ErrorOf) -> None:
    with pytest.raises(ClientError) as exc:
        quotas.get_requested_service_quota_change(
            RequestId="d187537d15254312a9609aa51bbf7624u7W49tPO"
        )
    assert aws_error(exc.value) == (
        "NoSuchResourceException",
        "The request failed because the specified quota increase request does not exist.",
        400,
    )


@pytest.fixture
def history(quotas: Any) -> list[dict[str, Any]]:
    """Four requests, oldest first: three approved (two of one quota) and one invalid."""
    return [
        increase(quotas, "lambda", "L-B99A9384", 2000),
        increase(quotas, "autoscaling", "L-6B80B8FA", 300),
        increase(quotas, "lambda", "L-B99A9384", 3000),
        increase(quotas, "lambda", "L-9FEE3D26", 300, ContextId="arn:aws:ec2:::vpc/vpc-1"),
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, [0, 1, 2, 3]),
        ({"ServiceCode": "lambda"}, [0, 2, 3]),
        ({"ServiceCode": "autoscaling"}, [1]),
        ({"ServiceCode": "dynamodb"}, []),
        ({"Status": "APPROVED"}, [0, 1, 2]),
        ({"Status": "INVALID_REQUEST"}, [3]),
        ({"Status": "PENDING"}, []),
        ({"ServiceCode": "lambda", "Status": "APPROVED"}, [0, 2]),
        ({"QuotaRequestedAtLevel": "ACCOUNT"}, [0, 1, 2]),
        ({"QuotaRequestedAtLevel": "RESOURCE"}, [3]),
        ({"QuotaRequestedAtLevel": "ALL"}, [0, 1, 2, 3]),
    ],
)
def test_history_filters(
    quotas: Any, history: list[dict[str, Any]], params: dict[str, str], expected: list[int]
) -> None:
    listed = quotas.list_requested_service_quota_change_history(**params)["RequestedQuotas"]
    assert listed == [history[i] for i in expected]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"QuotaCode": "L-B99A9384"}, [0, 2]),
        ({"QuotaCode": "L-B99A9384", "Status": "APPROVED"}, [0, 2]),
        ({"QuotaCode": "L-B99A9384", "Status": "DENIED"}, []),
        ({"QuotaCode": "L-9FEE3D26"}, [3]),
        ({"QuotaCode": "L-2ACBD22F"}, []),
    ],
)
def test_history_by_quota(
    quotas: Any, history: list[dict[str, Any]], params: dict[str, str], expected: list[int]
) -> None:
    listed = quotas.list_requested_service_quota_change_history_by_quota(
        ServiceCode="lambda", **params
    )
    assert listed["RequestedQuotas"] == [history[i] for i in expected]


@pytest.mark.parametrize("page_size", [1, 3])
def test_history_pages(quotas: Any, history: list[dict[str, Any]], page_size: int) -> None:
    pages = list(
        quotas.get_paginator("list_requested_service_quota_change_history").paginate(
            PaginationConfig={"PageSize": page_size}
        )
    )
    assert len(pages) == -(-len(history) // page_size)
    assert [r for p in pages for r in p["RequestedQuotas"]] == history


def test_history_is_per_region(
    quotas: Any, quotas_in: Callable[[str], Any], history: list[dict[str, Any]], aws_error: ErrorOf
) -> None:
    elsewhere = quotas_in("us-west-2")
    assert elsewhere.list_requested_service_quota_change_history()["RequestedQuotas"] == []
    with pytest.raises(ClientError) as exc:
        elsewhere.get_requested_service_quota_change(RequestId=history[0]["Id"])
    assert aws_error(exc.value)[0] == "NoSuchResourceException"
