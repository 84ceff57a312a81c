"""State machines, their versions and aliases, and tags (on machines and activities).

Stored as `Documents` (service "stepfunctions"): kind "machine" (id = name), "version"
(id = "<name>:<number, 10 digits>"), "alias" (id = "<name>:<alias>"). A machine keeps the
number of its next version and a `revisionId` that changes with every update.

`resolve(arn)` answers what an execution of a machine, version or alias ARN runs: an alias
routes by weight between its one or two versions.
"""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass
from typing import Any

from cloudlet.platform.store import Documents, Store
from cloudlet.services.stepfunctions import arns, errors, paging
from cloudlet.services.stepfunctions.validation import check_definition
from cloudlet.services.stepfunctions.versions import Versions, timestamp

SERVICE = "stepfunctions"
MAX_TAGS = 50


@dataclass
class Target:
    """What one execution runs."""

    machine: dict[str, Any]
    definition: str
    role_arn: str
    type: str
    version_arn: str | None = None
    alias_arn: str | None = None
    logging: dict[str, Any] | None = None


class StateMachines(Versions):
    def __init__(self, store: Store) -> None:
        self.docs = Documents(store, SERVICE)

    # -- machines -------------------------------------------------------------------------

    def get(self, account: str, region: str, arn: str) -> dict[str, Any]:
        parsed, name, qualifier = arns.split_machine(arn)
        if qualifier is not None:
            raise errors.invalid_arn(arn)
        machine = self.docs.get(parsed.account, parsed.region, "machine", name)
        if machine is None or (parsed.account, parsed.region) != (account, region):
            raise errors.machine_not_found(arn)
        return machine

    def create(self, account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
        name = request["name"]
        arns.check_name(name)
        kind = request.get("type") or "STANDARD"
        definition = request["definition"]
        check_definition(definition, kind)
        logging = _logging(request.get("loggingConfiguration"))
        arn = arns.machine_arn(account, region, name)
        existing = self.docs.get(account, region, "machine", name)
        if existing is not None:
            same = (
                existing["definition"] == definition
                and existing["roleArn"] == request["roleArn"]
                and existing["type"] == kind
            )
            if not same:
                raise errors.machine_exists(arn)
            return {"stateMachineArn": arn, "creationDate": timestamp(existing["created"])}
        tags = {tag["key"]: tag.get("value", "") for tag in request.get("tags") or []}
        if len(tags) > MAX_TAGS:
            raise errors.too_many_tags(arn)
        now = time.time()
        machine = {
            "name": name,
            "arn": arn,
            "type": kind,
            "definition": definition,
            "roleArn": request["roleArn"],
            "created": now,
            "updated": now,
            "logging": logging,
            "tracing": request.get("tracingConfiguration") or {"enabled": False},
            "encryption": request.get("encryptionConfiguration"),
            "revisionId": None,
            "nextVersion": 1,
            "tags": tags,
        }
        self.docs.put(account, region, "machine", name, machine)
        response: dict[str, Any] = {"stateMachineArn": arn, "creationDate": timestamp(now)}
        if request.get("publish"):
            version = self._publish(account, region, machine, request.get("versionDescription"))
            response["stateMachineVersionArn"] = version["arn"]
        return response

    def describe(self, account: str, region: str, arn: str) -> dict[str, Any]:
        _parsed, _name, qualifier = arns.split_machine(arn)
        if qualifier is not None and qualifier.isdigit():
            version = self._version(account, region, arn)
            return _describe(version, version["arn"], version.get("description"))
        if qualifier is not None:
            raise errors.invalid_arn(arn)
        machine = self.get(account, region, arn)
        return _describe(machine, machine["arn"], None)

    def update(self, account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
        machine = self.get(account, region, request["stateMachineArn"])
        fields = ("definition", "roleArn", "loggingConfiguration", "tracingConfiguration")
        if not any(request.get(key) is not None for key in fields):
            raise errors.missing_parameter()
        if request.get("definition") is not None:
            check_definition(request["definition"], machine["type"])
            machine["definition"] = request["definition"]
        if request.get("roleArn"):
            machine["roleArn"] = request["roleArn"]
        if request.get("loggingConfiguration") is not None:
            machine["logging"] = _logging(request["loggingConfiguration"])
        if request.get("tracingConfiguration") is not None:
            machine["tracing"] = request["tracingConfiguration"]
        if request.get("encryptionConfiguration") is not None:
            machine["encryption"] = request["encryptionConfiguration"]
        machine["updated"] = time.time()
        machine["revisionId"] = str(uuid.uuid4())
        self.docs.put(account, region, "machine", machine["name"], machine)
        response: dict[str, Any] = {
            "updateDate": timestamp(machine["updated"]),
            "revisionId": machine["revisionId"],
        }
        if request.get("publish"):
            version = self._publish(account, region, machine, request.get("versionDescription"))
            response["stateMachineVersionArn"] = version["arn"]
        return response

    def delete(self, account: str, region: str, arn: str) -> None:
        parsed, name, qualifier = arns.split_machine(arn)
        if qualifier is not None:
            if qualifier.isdigit():
                self.delete_version(account, region, arn)
                return
            self.delete_alias(account, region, arn)
            return
        if (parsed.account, parsed.region) != (account, region):
            return
        self.docs.delete(account, region, "machine", name)
        for kind in ("version", "alias"):
            for key, _ in self.docs.list(account, region, kind, prefix=f"{name}:"):
                self.docs.delete(account, region, kind, key)

    def list_machines(self, account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
        size = paging.page_size(request)
        after = paging.decode(request.get("nextToken"))
        rows = self.docs.list(account, region, "machine", after=after, limit=size + 1)
        items = [
            {
                "stateMachineArn": body["arn"],
                "name": body["name"],
                "type": body["type"],
                "creationDate": timestamp(body["created"]),
            }
            for _, body in rows[:size]
        ]
        response: dict[str, Any] = {"stateMachines": items}
        if len(rows) > size:
            response["nextToken"] = paging.encode(rows[size - 1][0])
        return response

    # -- what an execution runs -----------------------------------------------------------

    def resolve(self, account: str, region: str, arn: str) -> Target:
        parsed, name, qualifier = arns.split_machine(arn)
        if qualifier is None:
            machine = self.get(account, region, arn)
            return Target(
                machine,
                machine["definition"],
                machine["roleArn"],
                machine["type"],
                logging=machine.get("logging"),
            )
        machine = self.get(account, region, arns.machine_arn(parsed.account, parsed.region, name))
        if qualifier.isdigit():
            version = self._version(account, region, arn)
            return Target(
                machine,
                version["definition"],
                version["roleArn"],
                version["type"],
                version_arn=version["arn"],
                logging=version.get("logging"),
            )
        _, alias = self._alias(account, region, arn)
        routes = alias["routing"]
        pick = random.choices(routes, weights=[r["weight"] for r in routes])[0]
        version = self._version(account, region, pick["stateMachineVersionArn"])
        return Target(
            machine,
            version["definition"],
            version["roleArn"],
            version["type"],
            version_arn=version["arn"],
            alias_arn=alias["arn"],
            logging=version.get("logging"),
        )

    # -- tags -----------------------------------------------------------------------------

    def _tagged(self, account: str, region: str, arn: str) -> tuple[str, str, dict[str, Any]]:
        try:
            parsed = arns.parse(arn, "stateMachine", "activity")
        except Exception:
            raise errors.invalid_arn(arn) from None
        kind = "machine" if parsed.kind == "stateMachine" else "activity"
        body = None
        if (parsed.account, parsed.region) == (account, region) and len(parsed.parts) == 1:
            body = self.docs.get(account, region, kind, parsed.parts[0])
        if body is None:
            raise errors.resource_not_found(arn)
        return kind, parsed.parts[0], body

    def tag(self, account: str, region: str, arn: str, tags: list[dict[str, str]]) -> None:
        kind, key, body = self._tagged(account, region, arn)
        merged = {**body.get("tags", {}), **{t["key"]: t.get("value", "") for t in tags}}
        if len(merged) > MAX_TAGS:
            raise errors.too_many_tags(arn)
        body["tags"] = merged
        self.docs.put(account, region, kind, key, body)

    def untag(self, account: str, region: str, arn: str, keys: list[str]) -> None:
        kind, key, body = self._tagged(account, region, arn)
        body["tags"] = {k: v for k, v in body.get("tags", {}).items() if k not in keys}
        self.docs.put(account, region, kind, key, body)

    def tags(self, account: str, region: str, arn: str) -> list[dict[str, str]]:
        _, _, body = self._tagged(account, region, arn)
        return [{"key": k, "value": v} for k, v in body.get("tags", {}).items()]


def _describe(body: dict[str, Any], arn: str, description: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "stateMachineArn": arn,
        "name": body["name"],
        "status": "ACTIVE",
        "definition": body["definition"],
        "roleArn": body["roleArn"],
        "type": body["type"],
        "creationDate": timestamp(body["created"]),
        "loggingConfiguration": body.get("logging")
        or {"level": "OFF", "includeExecutionData": False},
        "tracingConfiguration": body.get("tracing") or {"enabled": False},
    }
    if body.get("revisionId"):
        out["revisionId"] = body["revisionId"]
    if description:
        out["description"] = description
    if body.get("encryption"):
        out["encryptionConfiguration"] = body["encryption"]
    return out


def _logging(raw: dict[str, Any] | None) -> dict[str, Any]:
    config: dict[str, Any] = {
        "level": "OFF",
        "includeExecutionData": False,
    }
    if not raw:
        return config
    config["level"] = raw.get("level") or "OFF"
    config["includeExecutionData"] = bool(raw.get("includeExecutionData", False))
    destinations = raw.get("destinations") or []
    if config["level"] != "OFF" and len(destinations) != 1:
        raise _invalid_logging(
            "Invalid Logging Configuration: Must specify exactly one Log Destination."
        )
    for destination in destinations:
        arn = (destination.get("cloudWatchLogsLogGroup") or {}).get("logGroupArn") or ""
        if not arn.startswith("arn:aws:logs:") or not arn.endswith(":*"):
            raise _invalid_logging(
                f"Invalid Logging Configuration: The CloudWatch Logs Resource ARN {arn} is not"
                " valid. A CloudWatch Logs Resource ARN must end with ':*'."
            )
    if destinations:
        config["destinations"] = destinations
    return config


def _invalid_logging(message: str) -> Exception:
    return errors.ServiceError(message, code="InvalidLoggingConfiguration")
