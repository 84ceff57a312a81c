"""Published versions and aliases of a function.

`publish` snapshots $LATEST into the next integer version, unless neither code nor configuration
changed since the last published version (then that version is returned, as AWS does). Aliases
point at one version, optionally routing a weight to a second one (`AdditionalVersionWeights`);
`functions.resolve` makes the weighted choice at invoke time.
"""

from __future__ import annotations

import copy
import uuid
from typing import TYPE_CHECKING, Any

from cloudlet.services.lambda_ import functions as fn
from cloudlet.services.lambda_.models import (
    LATEST,
    check_alias_name,
    conflict,
    error,
    function_arn,
    invalid,
    not_found,
    timestamp,
)

if TYPE_CHECKING:
    from cloudlet.services.lambda_.provider import LambdaProvider

_SNAPSHOT_IGNORED = frozenset({"Version", "FunctionArn", "LastModified", "RevisionId", "State",
                               "StateReason", "StateReasonCode", "_fingerprint"})  # fmt: skip


def check_revision(config: fn.Record, revision: str | None) -> None:
    if revision and revision != config["RevisionId"]:
        raise error(
            "PreconditionFailedException",
            "The Revision Id provided does not match the latest Revision Id. Call the"
            " GetFunction/GetAlias API to retrieve the latest Revision Id",
        )


def _fingerprint(config: fn.Record) -> dict[str, Any]:
    return {k: v for k, v in config.items() if k not in _SNAPSHOT_IGNORED}


def publish(
    provider: LambdaProvider, account: str, region: str, record: fn.Record, request: dict[str, Any]
) -> dict[str, Any]:
    latest = record["latest"]
    check_revision(latest, request.get("RevisionId"))
    if request.get("CodeSha256") and request["CodeSha256"] != latest["CodeSha256"]:
        raise invalid(
            f"CodeSHA256 ({request['CodeSha256']}) is different from current CodeSHA256 in"
            f" $LATEST ({latest['CodeSha256']}). Please try again with the CodeSHA256 in $LATEST."
        )
    if latest.get("State") not in ("Active", None):
        raise conflict(
            "The operation cannot be performed at this time. The function is currently in the"
            f" following state: {latest.get('State')}"
        )
    if record["last_version"]:
        last = record["versions"].get(str(record["last_version"]))
        if last is not None and last.get("_fingerprint") == _fingerprint(latest):
            return fn.configuration(last)
    number = record["last_version"] + 1
    snapshot = copy.deepcopy(latest)
    snapshot["_fingerprint"] = _fingerprint(latest)
    name = latest["FunctionName"]
    snapshot.update(
        Version=str(number),
        FunctionArn=function_arn(region, account, name, str(number)),
        Description=request.get("Description", latest.get("Description", "")),
        LastModified=timestamp(),
        RevisionId=str(uuid.uuid4()),
        State="Active",
    )
    record["versions"][str(number)] = snapshot
    record["last_version"] = number
    fn.touch(latest)  # AWS gives $LATEST a new revision when a version is published
    provider.functions.save(account, region, record)
    return fn.configuration(snapshot)


def delete_version(
    provider: LambdaProvider, account: str, region: str, record: fn.Record, version: str
) -> None:
    name = record["latest"]["FunctionName"]
    if version not in record["versions"]:
        if version in record["aliases"]:
            raise invalid("Deletion of aliases is not currently supported.")
        raise not_found("Function", function_arn(region, account, name, version))
    using = sorted(
        alias for alias, config in record["aliases"].items()
        if config["FunctionVersion"] == version
        or version in ((config.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {})
    )  # fmt: skip
    if using:
        raise conflict(
            "Unable to delete version because the following aliases reference it:"
            f" [{', '.join(using)}]"
        )
    del record["versions"][version]
    record["provisioned"].pop(version, None)
    provider.functions.save(account, region, record)
    provider.runner.retire(account, region, name, version)


def list_versions(record: fn.Record) -> list[dict[str, Any]]:
    versions = [fn.configuration(record["latest"])]
    for number in sorted(record["versions"], key=int):
        versions.append(fn.configuration(record["versions"][number]))
    return versions


# aliases


def _check_target(record: fn.Record, version: str, routing: dict[str, Any] | None) -> None:
    name = record["latest"]["FunctionName"]
    if version != LATEST and version not in record["versions"]:
        arn = record["latest"]["FunctionArn"]
        raise not_found("Function", f"{arn}:{version}")
    weights = (routing or {}).get("AdditionalVersionWeights") or {}
    if len(weights) > 1:
        raise invalid("Number of items in AdditionalVersionWeights cannot be greater than 1")
    for other, weight in weights.items():
        if version == LATEST or other == LATEST:
            raise invalid("$LATEST is not supported for an alias pointing to more than 1 version")
        if other not in record["versions"]:
            raise invalid(f"Version {other} of function {name} does not exist")
        if other == version:
            raise invalid(
                "Invalid function version in RoutingConfig. The primary version cannot be a"
                " secondary version."
            )
        if not 0.0 <= float(weight) <= 1.0:
            raise invalid("Invalid weight in AdditionalVersionWeights: must be between 0.0 and 1.0")


def create_alias(
    provider: LambdaProvider, account: str, region: str, record: fn.Record, request: dict[str, Any]
) -> dict[str, Any]:
    alias = request["Name"]
    check_alias_name(alias)
    name = record["latest"]["FunctionName"]
    if alias in record["aliases"]:
        raise conflict(f"Alias already exists: {function_arn(region, account, name, alias)}")
    _check_target(record, request["FunctionVersion"], request.get("RoutingConfig"))
    config = {
        "AliasArn": function_arn(region, account, name, alias),
        "Name": alias,
        "FunctionVersion": request["FunctionVersion"],
        "Description": request.get("Description", ""),
        "RevisionId": str(uuid.uuid4()),
    }
    if (request.get("RoutingConfig") or {}).get("AdditionalVersionWeights"):
        config["RoutingConfig"] = request["RoutingConfig"]
    record["aliases"][alias] = config
    provider.functions.save(account, region, record)
    return dict(config)


def get_alias(account: str, region: str, record: fn.Record, alias: str) -> dict[str, Any]:
    config = record["aliases"].get(alias)
    if config is None:
        name = record["latest"]["FunctionName"]
        raise not_found("Alias", function_arn(region, account, name, alias))
    return config


def update_alias(
    provider: LambdaProvider, account: str, region: str, record: fn.Record, request: dict[str, Any]
) -> dict[str, Any]:
    config = get_alias(account, region, record, request["Name"])
    if request.get("RevisionId") and request["RevisionId"] != config["RevisionId"]:
        check_revision(config, request["RevisionId"])
    version = request.get("FunctionVersion", config["FunctionVersion"])
    routing = (
        request["RoutingConfig"] if "RoutingConfig" in request else config.get("RoutingConfig")
    )
    _check_target(record, version, routing)
    config["FunctionVersion"] = version
    if "Description" in request:
        config["Description"] = request["Description"]
    if (routing or {}).get("AdditionalVersionWeights"):
        config["RoutingConfig"] = routing
    else:
        config.pop("RoutingConfig", None)
    config["RevisionId"] = str(uuid.uuid4())
    provider.functions.save(account, region, record)
    return dict(config)
