"""ListServices, ListServiceQuotas, GetServiceQuota and AWS's defaults: the catalogue served."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

NO_SERVICE = "The request failed because the specified service does not exist."

LAMBDA_CODES_BY_NAME = [
    "L-7C0F49F9",  # Asynchronous payload
    "L-548AE339",  # Burst concurrency
    "L-B99A9384",  # Concurrent executions
    "L-8E39F3F1",  # Deployment package size (console editor)
    "L-75F48B05",  # Deployment package size (direct upload)
    "L-E49FF7B8",  # Deployment package size (unzipped)
    "L-9FEE3D26",  # Elastic network interfaces per VPC
    "L-6581F036",  # Environment variable size
    "L-2ACBD22F",  # Function and layer storage
]


def test_list_services(quotas: Any) -> None:
    assert quotas.list_services()["Services"] == [
        {"ServiceCode": "apigateway", "ServiceName": "Amazon API Gateway"},
        {"ServiceCode": "autoscaling", "ServiceName": "Amazon EC2 Auto Scaling"},
        {"ServiceCode": "cloudfront", "ServiceName": "Amazon CloudFront"},
        {"ServiceCode": "dynamodb", "ServiceName": "Amazon DynamoDB"},
        {"ServiceCode": "elasticache", "ServiceName": "Amazon ElastiCache"},
        {"ServiceCode": "events", "ServiceName": "Amazon EventBridge (CloudWatch Events)"},
        {"ServiceCode": "iam", "ServiceName": "AWS Identity and Access Management (IAM)"},
        {"ServiceCode": "lambda", "ServiceName": "AWS Lambda"},
        {"ServiceCode": "logs", "ServiceName": "Amazon CloudWatch Logs"},
    ]


def test_global_only_services_exist_in_us_east_1_only(quotas_in: Callable[[str], Any]) -> None:
    codes = [s["ServiceCode"] for s in quotas_in("eu-west-1").list_services()["Services"]]
    assert codes == [
        "apigateway",
        "autoscaling",
        "dynamodb",
        "elasticache",
        "events",
        "lambda",
        "logs",
    ]


def test_list_services_pages(quotas: Any) -> None:
    first = quotas.list_services(MaxResults=4)
    assert len(first["Services"]) == 4
    second = quotas.list_services(MaxResults=4, NextToken=first["NextToken"])
    third = quotas.list_services(MaxResults=4, NextToken=second["NextToken"])
    assert "NextToken" not in third
    everything = first["Services"] + second["Services"] + third["Services"]
    assert everything == quotas.list_services()["Services"]


@pytest.mark.parametrize(
    ("service", "code", "name", "value", "unit", "adjustable", "global_quota"),
    [
        ("lambda", "L-B99A9384", "Concurrent executions", 1000.0, "None", True, False),
        ("lambda", "L-2ACBD22F", "Function and layer storage", 75.0, "Gigabytes", True, False),
        ("lambda", "L-9FEE3D26", "Elastic network interfaces per VPC", 250.0, "None", True, False),
        ("lambda", "L-7C0F49F9", "Asynchronous payload", 256.0, "Kilobytes", False, False),
        ("autoscaling", "L-CDE20ADC", "Auto Scaling groups per region", 500.0, "None", True, False),
        (
            "autoscaling",
            "L-6B80B8FA",
            "Launch configurations per region",
            200.0,
            "None",
            True,
            False,
        ),
        ("elasticache", "L-DFE45DF3", "Nodes per Region", 300.0, "None", True, False),
        ("dynamodb", "L-F98FE922", "Maximum number of tables", 2500.0, "None", True, False),
        ("apigateway", "L-8A5B8E43", "Throttle rate", 10000.0, "None", True, False),
        ("events", "L-244521F2", "Number of rules", 300.0, "None", True, False),
        ("events", "L-664C5505", "Event pattern size", 2048.0, "None", True, False),
        (
            "cloudfront",
            "L-24B04930",
            "Web distributions per AWS account",
            200.0,
            "None",
            True,
            True,
        ),
        ("iam", "L-FE177D64", "Roles per account", 1000.0, "None", True, True),
        ("logs", "L-C7B9AAAB", "Log groups", 1000000.0, "None", True, False),
    ],
)
def test_catalogued_quota(
    quotas: Any,
    account: str,
    service: str,
    code: str,
    name: str,
    value: float,
    unit: str,
    adjustable: bool,
    global_quota: bool,
) -> None:
    quota = quotas.get_service_quota(ServiceCode=service, QuotaCode=code)["Quota"]
    assert quota["QuotaArn"] == f"arn:aws:servicequotas:us-east-1:{account}:{service}/{code}"
    assert (quota["QuotaName"], quota["Value"], quota["Unit"]) == (name, value, unit)
    assert (quota["Adjustable"], quota["GlobalQuota"]) == (adjustable, global_quota)
    default = quotas.get_aws_default_service_quota(ServiceCode=service, QuotaCode=code)["Quota"]
    assert default["QuotaArn"] == f"arn:aws:servicequotas:us-east-1::{service}/{code}"
    assert default["Value"] == value


def test_get_service_quota_shape(quotas: Any, account: str) -> None:
    quota = quotas.get_service_quota(ServiceCode="lambda", QuotaCode="L-B99A9384")["Quota"]
    assert quota == {
        "ServiceCode": "lambda",
        "ServiceName": "AWS Lambda",
        "QuotaArn": f"arn:aws:servicequotas:us-east-1:{account}:lambda/L-B99A9384",
        "QuotaCode": "L-B99A9384",
        "QuotaName": "Concurrent executions",
        "Value": 1000.0,
        "Unit": "None",
        "Adjustable": True,
        "GlobalQuota": False,
        "UsageMetric": {
            "MetricNamespace": "AWS/Lambda",
            "MetricName": "ConcurrentExecutions",
            "MetricDimensions": {},
            "MetricStatisticRecommendation": "Maximum",
        },
        "QuotaAppliedAtLevel": "ACCOUNT",
    }


def test_default_quota_shape(quotas_in: Callable[[str], Any]) -> None:
    quota = quotas_in("ap-south-1").get_aws_default_service_quota(
        ServiceCode="autoscaling", QuotaCode="L-CDE20ADC"
    )["Quota"]
    assert quota == {
        "ServiceCode": "autoscaling",
        "ServiceName": "Amazon EC2 Auto Scaling",
        "QuotaArn": "arn:aws:servicequotas:ap-south-1::autoscaling/L-CDE20ADC",
        "QuotaCode": "L-CDE20ADC",
        "QuotaName": "Auto Scaling groups per region",
        "Value": 500.0,
        "Unit": "None",
        "Adjustable": True,
        "GlobalQuota": False,
    }


def test_rate_quota_has_a_period(quotas: Any) -> None:
    quota = quotas.get_service_quota(ServiceCode="events", QuotaCode="L-9B653E91")["Quota"]
    assert quota["Period"] == {"PeriodValue": 1, "PeriodUnit": "SECOND"}


def test_list_service_quotas_in_name_order(quotas: Any) -> None:
    listed = quotas.list_service_quotas(ServiceCode="lambda")
    assert [q["QuotaCode"] for q in listed["Quotas"]] == LAMBDA_CODES_BY_NAME
    assert "NextToken" not in listed
    assert (
        listed["Quotas"][2]
        == quotas.get_service_quota(ServiceCode="lambda", QuotaCode="L-B99A9384")["Quota"]
    )


@pytest.mark.parametrize("page_size", [1, 2, 4, 9])
def test_list_service_quotas_pages(quotas: Any, page_size: int) -> None:
    pages = list(
        quotas.get_paginator("list_service_quotas").paginate(
            ServiceCode="lambda", PaginationConfig={"PageSize": page_size}
        )
    )
    assert [len(p["Quotas"]) for p in pages[:-1]] == [page_size] * (len(pages) - 1)
    assert [q["QuotaCode"] for p in pages for q in p["Quotas"]] == LAMBDA_CODES_BY_NAME


@pytest.mark.parametrize(
    ("page_size", "pages"),
    [(None, [LAMBDA_CODES_BY_NAME]), (5, [LAMBDA_CODES_BY_NAME[:5], LAMBDA_CODES_BY_NAME[5:]])],
)
def test_list_aws_default_service_quotas_pages(
    quotas: Any, page_size: int | None, pages: list[list[str]]
) -> None:
    config = {"PageSize": page_size} if page_size else {}
    listed = quotas.get_paginator("list_aws_default_service_quotas").paginate(
        ServiceCode="lambda", PaginationConfig=config
    )
    assert [[q["QuotaCode"] for q in p["Quotas"]] for p in listed] == pages


@pytest.mark.parametrize(
    ("params", "codes"),
    [
        ({"QuotaCode": "L-9FEE3D26"}, ["L-9FEE3D26"]),
        ({"QuotaCode": "L-00000000"}, []),
        ({"QuotaAppliedAtLevel": "ACCOUNT"}, LAMBDA_CODES_BY_NAME),
        ({"QuotaAppliedAtLevel": "ALL"}, LAMBDA_CODES_BY_NAME),
        ({"QuotaAppliedAtLevel": "RESOURCE"}, []),
    ],
)
def test_list_service_quotas_filters(quotas: Any, params: dict[str, str], codes: list[str]) -> None:
    listed = quotas.list_service_quotas(ServiceCode="lambda", **params)
    assert [q["QuotaCode"] for q in listed["Quotas"]] == codes


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("list_service_quotas", {"ServiceCode": "lambada"}),
        ("list_aws_default_service_quotas", {"ServiceCode": "Lambda"}),
        ("get_service_quota", {"ServiceCode": "ec9", "QuotaCode": "L-B99A9384"}),
        ("get_aws_default_service_quota", {"ServiceCode": "ec9", "QuotaCode": "L-B99A9384"}),
        ("request_service_quota_increase",
         {"ServiceCode": "ec9", "QuotaCode": "L-B99A9384", "DesiredValue": 2000.0}),
        ("list_requested_service_quota_change_history", {"ServiceCode": "ec9"}),
        ("list_requested_service_quota_change_history_by_quota",
         {"ServiceCode": "ec9", "QuotaCode": "L-B99A9384"}),
    ],
)  # fmt: skip
def test_unknown_service(
    quotas: Any, aws_error: Callable[[Any], tuple[str, str, int]], operation: str, params: Any
) -> None:
    with pytest.raises(ClientError) as exc:
        getattr(quotas, operation)(**params)
    assert aws_error(exc.value) == ("NoSuchResourceException", NO_SERVICE, 400)


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("get_service_quota", {"ServiceCode": "iam", "QuotaCode": "L-FE177D64"}),
        ("get_aws_default_service_quota", {"ServiceCode": "cloudfront", "QuotaCode": "L-24B04930"}),
        ("list_service_quotas", {"ServiceCode": "iam"}),
        ("list_aws_default_service_quotas", {"ServiceCode": "cloudfront"}),
    ],
)
def test_global_quotas_outside_us_east_1(
    quotas_in: Callable[[str], Any],
    aws_error: Callable[[Any], tuple[str, str, int]],
    operation: str,
    params: Any,
) -> None:
    with pytest.raises(ClientError) as exc:
        getattr(quotas_in("eu-central-1"), operation)(**params)
    assert aws_error(exc.value) == ("NoSuchResourceException", NO_SERVICE, 400)


@pytest.mark.parametrize(
    "operation",
    [
        "get_service_quota",
        "get_aws_default_service_quota",
        "list_requested_service_quota_change_history_by_quota",
    ],
)
def test_unknown_quota(
    quotas: Any, aws_error: Callable[[Any], tuple[str, str, int]], operation: str
) -> None:
    with pytest.raises(ClientError) as exc:
        getattr(quotas, operation)(ServiceCode="lambda", QuotaCode="L-CDE20ADC")
    assert aws_error(exc.value) == (
        "NoSuchResourceException",
        "The request failed because the specified quota L-CDE20ADC does not exist for service "
        "lambda.",
        400,
    )


def test_no_resource_level_values(
    quotas: Any, aws_error: Callable[[Any], tuple[str, str, int]]
) -> None:
    with pytest.raises(ClientError) as exc:
        quotas.get_service_quota(
            ServiceCode="lambda",
            QuotaCode="L-B99A9384",
            ContextId="arn:aws:lambda:us-east-1:123456789012:function:fn",
        )
    assert aws_error(exc.value) == (
        "NoSuchResourceException",
        "The request failed because applied value for the specified context Id do not exist.",
        400,
    )


@pytest.mark.parametrize("token", ["bm90LWEtdG9rZW4=", "c3ExOjk5OQ==", "####", "v é&<>"])
def test_bad_next_token(
    quotas: Any, aws_error: Callable[[Any], tuple[str, str, int]], token: str
) -> None:
    with pytest.raises(ClientError) as exc:
        quotas.list_service_quotas(ServiceCode="lambda", NextToken=token)
    assert aws_error(exc.value) == (
        "InvalidPaginationTokenException",
        "Invalid pagination token.",
        400,
    )
