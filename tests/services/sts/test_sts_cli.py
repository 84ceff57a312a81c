"""STS through the AWS CLI (v1 always; v2 when Debian's awscli is installed)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from typing import Any

import pytest


def test_get_caller_identity(aws_cli: Callable[..., Any], account: str) -> None:
    assert aws_cli("sts", "get-caller-identity") == {
        "UserId": account,
        "Account": account,
        "Arn": f"arn:aws:iam::{account}:root",
    }


def test_assume_role(aws_cli: Callable[..., Any]) -> None:
    response = aws_cli(
        "sts",
        "assume-role",
        "--role-arn",
        "arn:aws:iam::123456789012:role/deployer",
        "--role-session-name",
        "cli",
        "--duration-seconds",
        "900",
    )
    assert response["AssumedRoleUser"]["Arn"] == (
        "arn:aws:sts::123456789012:assumed-role/deployer/cli"
    )
    assert response["Credentials"]["AccessKeyId"].startswith("ASIA")


def test_error_is_reported(aws_cli: Callable[..., Any]) -> None:
    with pytest.raises(subprocess.CalledProcessError) as exc:
        aws_cli(
            "sts", "assume-role", "--role-arn", "arn:aws:iam::123456789012:user/x",
            "--role-session-name", "cli",
        )  # fmt: skip
    assert "(ValidationError)" in exc.value.stderr
    assert "Request ARN is invalid" in exc.value.stderr
