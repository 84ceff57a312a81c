"""Provisioned concurrency configurations: environments initialised ahead for a version or alias.

Put answers 202 with `Status: IN_PROGRESS` and nothing allocated; the runner then starts that
many environments of the version (the alias's version for an alias) with
`AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency`, and the config turns `READY` with
`Allocated`/`Available` = `Requested` once they have all finished Init. Invocations of that
version use those environments first and report no `Init Duration`; the rest spill over to
on-demand environments. One config per version, directly or through one alias.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cloudlet.services.lambda_ import functions as fn
from cloudlet.services.lambda_.models import (
    LATEST,
    conflict,
    error,
    function_arn,
    invalid,
    timestamp,
)

if TYPE_CHECKING:
    from cloudlet.services.lambda_.provider import LambdaProvider


def _version_of(record: fn.Record, qualifier: str, account: str, region: str) -> str:
    name = record["latest"]["FunctionName"]
    if qualifier in record["versions"]:
        return qualifier
    alias = record["aliases"].get(qualifier)
    if alias is None:
        raise error(
            "ResourceNotFoundException",
            f"Function not found: {function_arn(region, account, name, qualifier)}",
        )
    if (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights"):
        raise conflict("Alias with weights can not be used with Provisioned Concurrency")
    version: str = alias["FunctionVersion"]
    return version


def public(config: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in config.items() if not key.startswith("_")}


def put(
    provider: LambdaProvider,
    account: str,
    region: str,
    record: fn.Record,
    qualifier: str | None,
    count: int,
) -> dict[str, Any]:
    if not qualifier or qualifier == LATEST:
        raise invalid(
            "Provisioned Concurrency Configs cannot be applied to unpublished function versions."
        )
    version = _version_of(record, qualifier, account, region)
    if version == LATEST:
        raise invalid(
            "Provisioned Concurrency Configs cannot be applied to unpublished function versions."
        )
    for other, config in record["provisioned"].items():
        if other != qualifier and config["_version"] == version:
            raise conflict(
                f"Alias or version {other} already has a Provisioned Concurrency Config for"
                f" version {version}"
            )
    reserved = record.get("reserved")
    others = sum(
        c["RequestedProvisionedConcurrentExecutions"]
        for q, c in record["provisioned"].items()
        if q != qualifier
    )
    if reserved is not None and others + count > reserved:
        raise invalid(
            "Requested Provisioned Concurrency should not be greater than the"
            " reservedConcurrentExecution for function"
        )
    config = {
        "RequestedProvisionedConcurrentExecutions": count,
        "AvailableProvisionedConcurrentExecutions": 0,
        "AllocatedProvisionedConcurrentExecutions": 0,
        "Status": "IN_PROGRESS",
        "LastModified": timestamp(),
        "_version": version,
    }
    record["provisioned"][qualifier] = config
    provider.functions.save(account, region, record)
    name = record["latest"]["FunctionName"]
    spec = provider._spec(account, region, record["versions"][version], version)

    async def allocate() -> None:
        ready = await provider.runner.provision(spec, count)
        current = provider.functions.find(account, region, name)
        stored = current["provisioned"].get(qualifier) if current else None
        if current is None or stored is None or stored["LastModified"] != config["LastModified"]:
            return
        stored["AllocatedProvisionedConcurrentExecutions"] = ready
        stored["AvailableProvisionedConcurrentExecutions"] = ready
        if ready >= count:
            stored["Status"] = "READY"
        else:
            stored["Status"] = "FAILED"
            stored["StatusReason"] = "FUNCTION_ERROR_INIT_FAILURE"
        provider.functions.save(account, region, current)

    provider.runner.track(allocate())
    return public(config)


def get(record: fn.Record, qualifier: str | None, account: str, region: str) -> dict[str, Any]:
    config = record["provisioned"].get(qualifier or "")
    if config is None:
        name = record["latest"]["FunctionName"]
        raise error(
            "ProvisionedConcurrencyConfigNotFoundException",
            "No Provisioned Concurrency Config found for this function: "
            + function_arn(region, account, name, qualifier),
        )
    return public(config)


async def delete(
    provider: LambdaProvider, account: str, region: str, record: fn.Record, qualifier: str | None
) -> None:
    get(record, qualifier, account, region)
    assert qualifier is not None
    config = record["provisioned"].pop(qualifier)
    provider.functions.save(account, region, record)
    version = config["_version"]
    if version in record["versions"]:
        spec = provider._spec(account, region, record["versions"][version], version)
        await provider.runner.provision(spec, 0)


def listing(record: fn.Record, account: str, region: str) -> list[dict[str, Any]]:
    name = record["latest"]["FunctionName"]
    return [
        {"FunctionArn": function_arn(region, account, name, qualifier), **public(config)}
        for qualifier, config in sorted(record["provisioned"].items())
    ]


def total(record: fn.Record) -> int:
    return sum(
        c["RequestedProvisionedConcurrentExecutions"] for c in record["provisioned"].values()
    )
