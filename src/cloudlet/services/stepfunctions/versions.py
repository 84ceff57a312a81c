"""State machine versions and aliases (mixed into `StateMachines`).

Versions are immutable snapshots (`<machine ARN>:<n>`, n counting up per machine, never reused);
PublishStateMachineVersion answers the latest version again when nothing changed since it. An
alias (`<machine ARN>:<name>`) routes executions between one or two versions by weight (the
weights add up to 100); a version an alias routes to cannot be deleted.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

from cloudlet.platform.store import Documents
from cloudlet.services.stepfunctions import arns, errors
from cloudlet.services.stepfunctions.paging import slice_page as _page

_ALIAS_NAME_OK = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")


def timestamp(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


class Versions:
    docs: Documents

    def get(self, account: str, region: str, arn: str) -> dict[str, Any]:
        raise NotImplementedError

    # -- versions -------------------------------------------------------------------------

    def _publish(
        self, account: str, region: str, machine: dict[str, Any], description: str | None
    ) -> dict[str, Any]:
        latest = self.docs.list(account, region, "version", prefix=f"{machine['name']}:")
        if latest:
            newest = latest[-1][1]
            if (
                newest["definition"] == machine["definition"]
                and newest["roleArn"] == machine["roleArn"]
                and newest.get("sourceRevision") == machine.get("revisionId")
            ):
                return newest
        number = machine["nextVersion"]
        machine["nextVersion"] = number + 1
        self.docs.put(account, region, "machine", machine["name"], machine)
        version = {
            key: machine[key]
            for key in ("name", "type", "definition", "roleArn", "logging", "tracing", "encryption")
        }
        version.update(
            arn=f"{machine['arn']}:{number}",
            created=time.time(),
            description=description,
            revisionId=machine.get("revisionId") or str(uuid.uuid4()),
            sourceRevision=machine.get("revisionId"),
            number=number,
        )
        version["updated"] = version["created"]
        self.docs.put(account, region, "version", f"{machine['name']}:{number:010d}", version)
        return version

    def publish(self, account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
        machine = self.get(account, region, request["stateMachineArn"])
        revision = request.get("revisionId")
        if revision is not None and revision != machine.get("revisionId"):
            raise errors.conflict(
                f"Failed to publish the State Machine version for revision {revision}. The"
                f" current State Machine revision is {machine.get('revisionId')}."
            )
        version = self._publish(account, region, machine, request.get("description"))
        return {
            "creationDate": timestamp(version["created"]),
            "stateMachineVersionArn": version["arn"],
        }

    def _version(self, account: str, region: str, arn: str) -> dict[str, Any]:
        parsed, name, qualifier = arns.split_machine(arn)
        if qualifier is None or not qualifier.isdigit():
            raise errors.invalid_arn(arn)
        version = None
        if (parsed.account, parsed.region) == (account, region):
            version = self.docs.get(account, region, "version", f"{name}:{int(qualifier):010d}")
        if version is None:
            raise errors.machine_not_found(arn)
        return version

    def list_versions(self, account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
        machine = self.get(account, region, request["stateMachineArn"])
        rows = self.docs.list(account, region, "version", prefix=f"{machine['name']}:")
        rows.reverse()
        return _page(
            [
                {"stateMachineVersionArn": v["arn"], "creationDate": timestamp(v["created"])}
                for _, v in rows
            ],
            request,
            "stateMachineVersions",
        )

    def delete_version(self, account: str, region: str, arn: str) -> None:
        _parsed, name, qualifier = arns.split_machine(arn)
        if qualifier is None or not qualifier.isdigit():
            raise errors.invalid_arn(arn)
        users = [
            alias["arn"]
            for _, alias in self.docs.list(account, region, "alias", prefix=f"{name}:")
            if any(r["stateMachineVersionArn"] == arn for r in alias["routing"])
        ]
        if users:
            raise errors.conflict(
                "Version to be deleted must not be referenced by an alias. Current list of"
                f" aliases referencing this version: [{', '.join(users)}]"
            )
        self.docs.delete(account, region, "version", f"{name}:{int(qualifier):010d}")

    # -- aliases --------------------------------------------------------------------------

    def _check_routing(
        self, account: str, region: str, machine_name: str, routing: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        if not 1 <= len(routing) <= 2:
            raise errors.validation(
                "1 validation error detected: Value at 'routingConfiguration' failed to satisfy"
                " constraint: Member must have length less than or equal to 2"
            )
        seen = set()
        for route in routing:
            arn = route["stateMachineVersionArn"]
            _parsed, name, qualifier = arns.split_machine(arn)
            if name != machine_name or qualifier is None or not qualifier.isdigit():
                raise errors.validation(
                    f"Routing configuration must contain state machine version ARNs of the same"
                    f" state machine: {arn}"
                )
            self._version(account, region, arn)
            if arn in seen:
                raise errors.validation(
                    "Routing configuration must contain distinct state machine version ARNs."
                )
            seen.add(arn)
        if sum(int(r["weight"]) for r in routing) != 100:
            raise errors.validation("Sum of routing configuration weights must be equal to 100.")
        return [
            {"stateMachineVersionArn": r["stateMachineVersionArn"], "weight": int(r["weight"])}
            for r in routing
        ]

    def create_alias(self, account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
        name = request["name"]
        if not set(name) <= _ALIAS_NAME_OK or name.isdigit() or len(name) > 80:
            raise errors.invalid_name(name)
        routing = request["routingConfiguration"]
        first = routing[0]["stateMachineVersionArn"] if routing else ""
        _parsed, machine_name, _ = arns.split_machine(first)
        machine = self.get(account, region, arns.machine_arn(account, region, machine_name))
        checked = self._check_routing(account, region, machine_name, routing)
        arn = f"{machine['arn']}:{name}"
        existing = self.docs.get(account, region, "alias", f"{machine_name}:{name}")
        if existing is not None:
            if existing["routing"] == checked and existing.get("description") == request.get(
                "description"
            ):
                return {"stateMachineAliasArn": arn, "creationDate": timestamp(existing["created"])}
            raise errors.conflict(
                f"Failed to create alias because an alias with the same name and a different"
                f" routing configuration already exists: {arn}"
            )
        now = time.time()
        alias = {
            "arn": arn,
            "name": name,
            "description": request.get("description"),
            "routing": checked,
            "created": now,
            "updated": now,
        }
        self.docs.put(account, region, "alias", f"{machine_name}:{name}", alias)
        return {"stateMachineAliasArn": arn, "creationDate": timestamp(now)}

    def _alias(self, account: str, region: str, arn: str) -> tuple[str, dict[str, Any]]:
        parsed, machine_name, qualifier = arns.split_machine(arn)
        if qualifier is None or qualifier.isdigit():
            raise errors.invalid_arn(arn)
        alias = None
        if (parsed.account, parsed.region) == (account, region):
            alias = self.docs.get(account, region, "alias", f"{machine_name}:{qualifier}")
        if alias is None:
            raise errors.resource_not_found(arn)
        return machine_name, alias

    def describe_alias(self, account: str, region: str, arn: str) -> dict[str, Any]:
        _, alias = self._alias(account, region, arn)
        out = {
            "stateMachineAliasArn": alias["arn"],
            "name": alias["name"],
            "routingConfiguration": alias["routing"],
            "creationDate": timestamp(alias["created"]),
            "updateDate": timestamp(alias["updated"]),
        }
        if alias.get("description") is not None:
            out["description"] = alias["description"]
        return out

    def update_alias(self, account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
        machine_name, alias = self._alias(account, region, request["stateMachineAliasArn"])
        if request.get("routingConfiguration") is None and request.get("description") is None:
            raise errors.validation(
                "Either the description or the RoutingConfiguration must be specified"
            )
        if request.get("routingConfiguration") is not None:
            alias["routing"] = self._check_routing(
                account, region, machine_name, request["routingConfiguration"]
            )
        if request.get("description") is not None:
            alias["description"] = request["description"]
        alias["updated"] = time.time()
        self.docs.put(account, region, "alias", f"{machine_name}:{alias['name']}", alias)
        return {"updateDate": timestamp(alias["updated"])}

    def delete_alias(self, account: str, region: str, arn: str) -> None:
        machine_name, alias = self._alias(account, region, arn)
        self.docs.delete(account, region, "alias", f"{machine_name}:{alias['name']}")

    def list_aliases(self, account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
        machine = self.get(account, region, request["stateMachineArn"])
        rows = self.docs.list(account, region, "alias", prefix=f"{machine['name']}:")
        return _page(
            [
                {"stateMachineAliasArn": a["arn"], "creationDate": timestamp(a["created"])}
                for _, a in rows
            ],
            request,
            "stateMachineAliases",
        )
