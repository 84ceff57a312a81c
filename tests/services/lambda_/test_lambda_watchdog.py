"""Without cgroups (CLOUDLET_LAMBDA_CGROUPS=off) an RSS watchdog enforces MemorySize."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from cloudlet.testing import CloudletProcess


@pytest.fixture(scope="module")
def no_cgroups() -> Iterator[Any]:
    with CloudletProcess(env={"CLOUDLET_LAMBDA_CGROUPS": "off"}) as server:
        yield boto3.client(
            "lambda",
            endpoint_url=server.endpoint,
            region_name="us-east-1",
            aws_access_key_id="000000000000",
            aws_secret_access_key="test",
        )


def test_memory_watchdog(no_cgroups: Any, zipped: Callable[..., bytes]) -> None:
    no_cgroups.create_function(
        FunctionName="watched",
        Runtime="python3.11",
        Role="arn:aws:iam::000000000000:role/r",
        Handler="hungry.fill_memory",
        Code={"ZipFile": zipped("hungry.py")},
        Timeout=30,
    )
    no_cgroups.get_waiter("function_active_v2").wait(FunctionName="watched")
    response = no_cgroups.invoke(FunctionName="watched")
    body = json.loads(response["Payload"].read())
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.OutOfMemory"
    no_cgroups.update_function_configuration(FunctionName="watched", Handler="hungry.allocate")
    response = no_cgroups.invoke(FunctionName="watched", Payload=b'{"mb": 10}')
    assert json.loads(response["Payload"].read()) == {"allocated": 10}
