"""Meta-tests over the whole surface: every operation is implemented or answers 501 by name."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from botocore import xform_name
from botocore.exceptions import ClientError
from protocol.samples import sample

from cloudlet.protocol import service_model
from cloudlet.services.base import Provider
from cloudlet.services.registry import SERVICES

BASE_METHODS = {name for name, _ in inspect.getmembers(Provider)}


def provider_operations(name: str) -> set[str]:
    cls = SERVICES[name].load_provider_class()
    return {
        member
        for member, value in inspect.getmembers(cls, callable)
        if not member.startswith("_") and member not in BASE_METHODS
    }


def not_implemented() -> list[tuple[str, str]]:
    cases = []
    for name in sorted(SERVICES):
        implemented = provider_operations(name)
        for operation in service_model(name).operation_names:
            if xform_name(operation) not in implemented:
                cases.append((name, operation))
    return cases


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_public_provider_method_is_an_operation_of_the_model(name: str) -> None:
    operations = {xform_name(op) for op in service_model(name).operation_names}
    assert provider_operations(name) - operations == set()


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_provider_declares_its_service(name: str) -> None:
    assert SERVICES[name].load_provider_class().service == name


@pytest.fixture(scope="module")
def clients(cloudlet_endpoint: str) -> dict[str, Any]:
    """One boto3 client per service for the ~1,000 calls below (a client costs ~50 ms to make)."""
    return {}


@pytest.mark.parametrize(("name", "operation"), not_implemented())
def test_operation_not_built_yet_answers_501_naming_it(
    aws_client: Any, clients: dict[str, Any], name: str, operation: str
) -> None:
    model = service_model(name)
    input_shape = model.operation_model(operation).input_shape
    params = sample(input_shape) if input_shape is not None else {}
    client = clients.get(name) or clients.setdefault(name, aws_client(name))
    with pytest.raises(ClientError) as raised:
        getattr(client, xform_name(operation))(**params)
    error = raised.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert error["Error"]["Code"] == "NotImplemented"
    assert operation in error["Error"]["Message"]
    assert name in error["Error"]["Message"]


def test_coverage_endpoint_lists_every_operation(cloudlet_endpoint: str) -> None:
    import json
    import urllib.request

    with urllib.request.urlopen(f"{cloudlet_endpoint}/_cloudlet/coverage") as response:
        coverage = json.loads(response.read())["services"]
    for name in SERVICES:
        listed = coverage[name]["implemented"] + coverage[name]["not_implemented"]
        assert sorted(listed) == sorted(service_model(name).operation_names)
