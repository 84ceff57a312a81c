"""IAM through the AWS CLI (v1 always; v2 when Debian's awscli is installed)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from typing import Any

import pytest

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def test_create_and_list_roles(aws_cli: Callable[..., Any], account: str) -> None:
    created = aws_cli(
        "iam", "create-role", "--role-name", "cli-role", "--path", "/cli/",
        "--assume-role-policy-document", json.dumps(TRUST),
    )  # fmt: skip
    assert created["Role"]["Arn"] == f"arn:aws:iam::{account}:role/cli/cli-role"
    assert created["Role"]["AssumeRolePolicyDocument"] == TRUST
    roles = aws_cli("iam", "list-roles")["Roles"]
    assert [r["RoleName"] for r in roles] == ["cli-role"]
    aws_cli(
        "iam", "attach-role-policy", "--role-name", "cli-role",
        "--policy-arn", "arn:aws:iam::aws:policy/ReadOnlyAccess",
    )  # fmt: skip
    attached = aws_cli("iam", "list-attached-role-policies", "--role-name", "cli-role")
    assert attached["AttachedPolicies"][0]["PolicyName"] == "ReadOnlyAccess"


def test_missing_role(aws_cli: Callable[..., Any]) -> None:
    with pytest.raises(subprocess.CalledProcessError) as exc:
        aws_cli("iam", "get-role", "--role-name", "nobody")
    assert "(NoSuchEntity)" in exc.value.stderr
    assert "The role with name nobody cannot be found." in exc.value.stderr
