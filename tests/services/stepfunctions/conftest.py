"""Fixtures for the Step Functions tests: a client in a fresh account, state machines from
template files, and helpers that run an execution to its end and read its history."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from sfn_support import Machines, handler_zip


@pytest.fixture
def function(aws_client: Callable[..., Any], account: str, name: Callable[[str], str]) -> Any:
    """`function("echo")` creates a Lambda function from a handler template; returns its ARN."""
    client = aws_client("lambda", account=account, read_timeout=120)

    def create(handler: str) -> str:
        created = client.create_function(
            FunctionName=name(handler),
            Runtime="python3.11",
            Role=f"arn:aws:iam::{account}:role/lambda-role",
            Handler=f"{handler}.handler",
            Code={"ZipFile": handler_zip(handler)},
        )
        deadline = time.monotonic() + 30
        while (
            client.get_function_configuration(FunctionName=created["FunctionArn"])["State"]
            == "Pending"
            and time.monotonic() < deadline
        ):
            time.sleep(0.02)
        return str(created["FunctionArn"])

    return create


@pytest.fixture
def sfn(aws_client: Callable[..., Any], account: str) -> Any:
    return aws_client("stepfunctions", account=account)


@pytest.fixture
def machines(sfn: Any, account: str, name: Callable[[str], str]) -> Machines:
    return Machines(sfn, account, name)
