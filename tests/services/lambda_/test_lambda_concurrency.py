"""Concurrency as AWS enforces it: reserved, the unreserved minimum, account limit, provisioned."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.exceptions import ClientError

Error = Callable[[Any], tuple[str, str, int]]
Create = Callable[..., dict[str, Any]]
Call = Callable[..., tuple[dict[str, Any], Any]]
Logs = Callable[..., list[str]]


def _burst(client_factory: Callable[[], Any], name: str, count: int, seconds: float) -> list[Any]:
    """`count` simultaneous invocations (clients made first, then released together); each
    result is the payload or the ClientError."""
    clients = [client_factory() for _ in range(count)]
    barrier = threading.Barrier(count)

    def one(client: Any) -> Any:
        barrier.wait(timeout=30)
        try:
            response = client.invoke(FunctionName=name, Payload=json.dumps({"seconds": seconds}))
            return json.loads(response["Payload"].read())
        except ClientError as error:
            return error

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(one, clients))


@pytest.mark.parametrize(("reserved", "burst"), [(3, 8), (0, 3)])
def test_reserved_concurrency_caps_in_flight(
    lambda_client: Any,
    aws_client: Callable[..., Any],
    account: str,
    create_function: Create,
    reserved: int,
    burst: int,
) -> None:
    name = create_function(handler="slow.sleep", Timeout=30)["FunctionName"]
    lambda_client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=reserved)
    results = _burst(lambda: aws_client("lambda", account=account), name, burst, 1.5)
    ok = [r for r in results if not isinstance(r, ClientError)]
    throttles = [r for r in results if isinstance(r, ClientError)]
    assert len(ok) == reserved and all(r == {"slept": 1.5} for r in ok)
    assert len(throttles) == burst - reserved
    for error in throttles:
        assert error.response["Error"]["Code"] == "TooManyRequestsException"
        assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 429
        assert error.response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
        assert error.response["Error"]["Message"] == "Rate Exceeded."


def test_reservations_leave_one_hundred_unreserved(
    lambda_client: Any, create_function: Create, aws_error: Error
) -> None:
    first = create_function()["FunctionName"]
    second = create_function()["FunctionName"]
    assert (
        lambda_client.put_function_concurrency(
            FunctionName=first, ReservedConcurrentExecutions=850
        )["ReservedConcurrentExecutions"]
        == 850
    )
    with pytest.raises(ClientError) as caught:
        lambda_client.put_function_concurrency(FunctionName=second, ReservedConcurrentExecutions=51)
    assert aws_error(caught.value) == (
        "InvalidParameterValueException",
        "Specified ReservedConcurrentExecutions for function decreases account's"
        " UnreservedConcurrentExecution below its minimum value of [100].",
        400,
    )
    lambda_client.put_function_concurrency(FunctionName=second, ReservedConcurrentExecutions=50)
    limits = lambda_client.get_account_settings()["AccountLimit"]
    assert limits["ConcurrentExecutions"] == 1000
    assert limits["UnreservedConcurrentExecutions"] == 100
    concurrency = lambda_client.get_function_concurrency(FunctionName=first)
    assert concurrency["ReservedConcurrentExecutions"] == 850
    lambda_client.delete_function_concurrency(FunctionName=first)
    assert "ReservedConcurrentExecutions" not in lambda_client.get_function_concurrency(
        FunctionName=first
    )
    assert (
        lambda_client.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"]
        == 950
    )


def test_account_settings_usage(lambda_client: Any, create_function: Create) -> None:
    config = create_function()
    usage = lambda_client.get_account_settings()["AccountUsage"]
    assert usage == {"FunctionCount": 1, "TotalCodeSize": config["CodeSize"]}


def test_raising_the_quota_raises_the_limit(
    lambda_client: Any, aws_client: Callable[..., Any], account: str
) -> None:
    quotas = aws_client("service-quotas", account=account)
    try:
        quotas.request_service_quota_increase(
            ServiceCode="lambda", QuotaCode="L-B99A9384", DesiredValue=2000
        )
    except ClientError as error:
        pytest.skip(f"Service Quotas is not served: {error}")
    assert lambda_client.get_account_settings()["AccountLimit"]["ConcurrentExecutions"] == 2000


def test_provisioned_concurrency_is_ready_and_skips_init(
    lambda_client: Any, create_function: Create, call: Call, logs_of: Logs, aws_error: Error
) -> None:
    name = create_function(handler="state.environment", files=["state.py"])["FunctionName"]
    version = lambda_client.publish_version(FunctionName=name)["Version"]
    lambda_client.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    put = lambda_client.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier="live", ProvisionedConcurrentExecutions=2
    )
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert put["Status"] == "IN_PROGRESS" and put["RequestedProvisionedConcurrentExecutions"] == 2
    deadline = time.monotonic() + 20
    while True:
        config = lambda_client.get_provisioned_concurrency_config(
            FunctionName=name, Qualifier="live"
        )
        if config["Status"] != "IN_PROGRESS" or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert config["Status"] == "READY"
    assert config["AllocatedProvisionedConcurrentExecutions"] == 2
    response, env = call(name, Qualifier="live")
    assert response["ExecutedVersion"] == version
    assert env["AWS_LAMBDA_INITIALIZATION_TYPE"] == "provisioned-concurrency"
    report = next(m for m in logs_of(name) if m.startswith("REPORT"))
    assert "Init Duration" not in report
    listed = lambda_client.list_provisioned_concurrency_configs(FunctionName=name)
    assert [
        c["FunctionArn"].rsplit(":", 1)[1] for c in listed["ProvisionedConcurrencyConfigs"]
    ] == ["live"]
    lambda_client.delete_provisioned_concurrency_config(FunctionName=name, Qualifier="live")
    with pytest.raises(ClientError) as caught:
        lambda_client.get_provisioned_concurrency_config(FunctionName=name, Qualifier="live")
    assert aws_error(caught.value)[0] == "ProvisionedConcurrencyConfigNotFoundException"


def test_provisioned_concurrency_needs_a_published_version(
    lambda_client: Any, create_function: Create, aws_error: Error
) -> None:
    name = create_function()["FunctionName"]
    with pytest.raises(ClientError) as caught:
        lambda_client.put_provisioned_concurrency_config(
            FunctionName=name, Qualifier="$LATEST", ProvisionedConcurrentExecutions=1
        )
    assert aws_error(caught.value) == (
        "InvalidParameterValueException",
        "Provisioned Concurrency Configs cannot be applied to unpublished function versions.",
        400,
    )
