"""Service Quotas through the AWS CLI (v1 always; v2 when Debian's awscli is installed)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from typing import Any

import pytest


def test_get_service_quota(aws_cli: Callable[..., Any], account: str) -> None:
    quota = aws_cli(
        "service-quotas", "get-service-quota",
        "--service-code", "lambda", "--quota-code", "L-B99A9384",
    )["Quota"]  # fmt: skip
    assert quota["QuotaArn"] == f"arn:aws:servicequotas:us-east-1:{account}:lambda/L-B99A9384"
    assert (quota["QuotaName"], quota["Value"], quota["Adjustable"]) == (
        "Concurrent executions",
        1000.0,
        True,
    )


def test_request_increase(aws_cli: Callable[..., Any]) -> None:
    requested = aws_cli(
        "service-quotas", "request-service-quota-increase",
        "--service-code", "lambda", "--quota-code", "L-B99A9384", "--desired-value", "3000",
    )["RequestedQuota"]  # fmt: skip
    assert (requested["Status"], requested["DesiredValue"]) == ("APPROVED", 3000.0)
    quota = aws_cli(
        "service-quotas", "get-service-quota",
        "--service-code", "lambda", "--quota-code", "L-B99A9384",
    )["Quota"]  # fmt: skip
    assert quota["Value"] == 3000.0
    fetched = aws_cli(
        "service-quotas", "get-requested-service-quota-change", "--request-id", requested["Id"]
    )
    assert fetched["RequestedQuota"]["Status"] == "APPROVED"


def test_unknown_quota(aws_cli: Callable[..., Any]) -> None:
    with pytest.raises(subprocess.CalledProcessError) as exc:
        aws_cli(
            "service-quotas", "get-service-quota",
            "--service-code", "lambda", "--quota-code", "L-00000000",
        )  # fmt: skip
    assert "(NoSuchResourceException)" in exc.value.stderr
    assert (
        "The request failed because the specified quota L-00000000 does not exist for service "
        "lambda." in exc.value.stderr
    )
