"""Launch templates and their versions.

A template document (`lt`) holds its name, default and latest version numbers and tags; each
version (`ltv`, id `<template id>/<number>`) holds its `LaunchTemplateData` as given (validated
against the model by the protocol layer; image, type and the rest are checked when something is
launched from it, as AWS does). `resolve` turns a `LaunchTemplateSpecification` (id or name, and
`$Latest`, `$Default` or a number) into the version to launch.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any

from cloudlet.errors import ServiceError
from cloudlet.services.ec2.filters import invalid, new_id, tag_values
from cloudlet.services.ec2.store import Ec2Store

_NAME = re.compile(r"^[a-zA-Z0-9().\-/_]{3,128}$")


def _version_key(template_id: str, number: int) -> str:
    return f"{template_id}/{number:08d}"


def not_found_name(name: str) -> ServiceError:
    return ServiceError(
        f"The specified launch template, with template name {name}, does not exist.",
        code="InvalidLaunchTemplateName.NotFoundException",
    )


def not_found_id(template_id: str) -> ServiceError:
    return ServiceError(
        f"The specified launch template, with template ID {template_id}, does not exist.",
        code="InvalidLaunchTemplateId.NotFound",
    )


class Templates:
    """Launch templates of every account and region."""

    def __init__(self, store: Ec2Store) -> None:
        self.store = store

    def create(
        self,
        account: str,
        region: str,
        name: str,
        data: dict[str, Any],
        description: str | None,
        tags: list[dict[str, str]],
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        if not _NAME.match(name):
            raise invalid(
                "1 validation error detected: Value at 'launchTemplateName' failed to satisfy"
                " constraint: Member must satisfy regular expression pattern:"
                " [a-zA-Z0-9\\(\\)\\.\\-/_]+"
            )
        if self.by_name(account, region, name) is not None:
            raise ServiceError(
                "Launch template name already in use.",
                code="InvalidLaunchTemplateName.AlreadyExistsException",
            )
        template_id = new_id("lt")
        now = time.time()
        template = {
            "LaunchTemplateId": template_id,
            "LaunchTemplateName": name,
            "_created": now,
            "CreatedBy": f"arn:aws:iam::{account}:root",
            "DefaultVersionNumber": 1,
            "LatestVersionNumber": 1,
            "Tags": tags,
        }
        version = self._version(template, 1, data, description, now, account)
        with self.store.store.atomic():
            self.store.put(account, region, "lt", template_id, template)
            self.store.put(account, region, "ltv", _version_key(template_id, 1), version)
        return template, version

    def _version(
        self,
        template: dict[str, Any],
        number: int,
        data: dict[str, Any],
        description: str | None,
        now: float,
        account: str,
    ) -> dict[str, Any]:
        version: dict[str, Any] = {
            "LaunchTemplateId": template["LaunchTemplateId"],
            "LaunchTemplateName": template["LaunchTemplateName"],
            "VersionNumber": number,
            "_created": now,
            "CreatedBy": f"arn:aws:iam::{account}:root",
            "LaunchTemplateData": data,
        }
        if description is not None:
            version["VersionDescription"] = description
        return version

    def add_version(
        self,
        account: str,
        region: str,
        template: dict[str, Any],
        data: dict[str, Any],
        description: str | None,
        source: str | None,
    ) -> dict[str, Any]:
        if source is not None:
            base = self.version(account, region, template, source)
            data = {**base["LaunchTemplateData"], **data}
        number = template["LatestVersionNumber"] + 1
        version = self._version(template, number, data, description, time.time(), account)
        template["LatestVersionNumber"] = number
        with self.store.store.atomic():
            self.store.put(account, region, "lt", template["LaunchTemplateId"], template)
            self.store.put(
                account, region, "ltv", _version_key(template["LaunchTemplateId"], number), version
            )
        return version

    def all(self, account: str, region: str) -> list[dict[str, Any]]:
        templates = self.store.all(account, region, "lt")
        return sorted(templates, key=lambda t: t["_created"])

    def by_name(self, account: str, region: str, name: str) -> dict[str, Any] | None:
        for template in self.store.all(account, region, "lt"):
            if template["LaunchTemplateName"] == name:
                return template
        return None

    def find(
        self, account: str, region: str, template_id: str | None, name: str | None
    ) -> dict[str, Any]:
        """The template named by id or name (exactly one must be given)."""
        if template_id and name:
            raise invalid(
                "Both a launch template ID and a launch template name were specified, but only"
                " one is allowed.",
                code="InvalidParameterCombination",
            )
        if template_id:
            template = self.store.get(account, region, "lt", template_id)
            if template is None:
                if not re.fullmatch(r"lt-[0-9a-f]{17}", template_id):
                    raise ServiceError(
                        f"The launch template ID '{template_id}' is malformed.",
                        code="InvalidLaunchTemplateId.Malformed",
                    )
                raise not_found_id(template_id)
            return template
        if name:
            template = self.by_name(account, region, name)
            if template is None:
                raise not_found_name(name)
            return template
        raise invalid(
            "The request must include either a launch template ID or a launch template name.",
            code="MissingParameter",
        )

    def versions(self, account: str, region: str, template: dict[str, Any]) -> list[dict[str, Any]]:
        return self.store.all(account, region, "ltv", template["LaunchTemplateId"] + "/")

    def version(
        self, account: str, region: str, template: dict[str, Any], which: str | None
    ) -> dict[str, Any]:
        """Version `which` (`$Latest`, `$Default`, a number; None: `$Default`)."""
        if which in (None, "", "$Default"):
            number = template["DefaultVersionNumber"]
        elif which == "$Latest":
            number = template["LatestVersionNumber"]
        else:
            try:
                number = int(str(which))
            except ValueError as exc:
                raise invalid(
                    f"The launch template version {which} is invalid.",
                    code="InvalidLaunchTemplateId.VersionNotFound",
                ) from exc
        version = self.store.get(
            account, region, "ltv", _version_key(template["LaunchTemplateId"], number)
        )
        if version is None:
            raise ServiceError(
                f"Could not find launch template version {which} for launch template ID"
                f" {template['LaunchTemplateId']}.",
                code="InvalidLaunchTemplateId.VersionNotFound",
            )
        return version

    def resolve(
        self, account: str, region: str, spec: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """(template, version) of a `LaunchTemplateSpecification`."""
        template = self.find(
            account, region, spec.get("LaunchTemplateId"), spec.get("LaunchTemplateName")
        )
        return template, self.version(account, region, template, spec.get("Version"))

    def set_default(
        self, account: str, region: str, template: dict[str, Any], which: str
    ) -> dict[str, Any]:
        version = self.version(account, region, template, which)
        template["DefaultVersionNumber"] = version["VersionNumber"]
        self.store.put(account, region, "lt", template["LaunchTemplateId"], template)
        return template

    def delete(self, account: str, region: str, template: dict[str, Any]) -> None:
        with self.store.store.atomic():
            for version in self.versions(account, region, template):
                self.store.delete(
                    account,
                    region,
                    "ltv",
                    _version_key(template["LaunchTemplateId"], version["VersionNumber"]),
                )
            self.store.delete(account, region, "lt", template["LaunchTemplateId"])

    def delete_version(
        self, account: str, region: str, template: dict[str, Any], number: int
    ) -> None:
        if number == template["DefaultVersionNumber"]:
            raise ServiceError(
                "Cannot delete the default version", code="launchTemplateVersionIsDefault"
            )
        key = _version_key(template["LaunchTemplateId"], number)
        if not self.store.delete(account, region, "ltv", key):
            raise ServiceError(
                "Launch template version does not exist", code="launchTemplateVersionDoesNotExist"
            )


def _when(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def describe_template(template: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in template.items() if not k.startswith("_")}
    out["CreateTime"] = _when(template["_created"])
    return out


def describe_version(template: dict[str, Any] | None, version: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in version.items() if not k.startswith("_")}
    out["CreateTime"] = _when(version["_created"])
    if template is not None:
        out["DefaultVersion"] = version["VersionNumber"] == template["DefaultVersionNumber"]
    return out


def template_values(template: dict[str, Any]) -> Any:
    def values(name: str) -> list[str] | None:
        plain = {
            "launch-template-name": [template["LaunchTemplateName"]],
            "create-time": [_when(template["_created"]).strftime("%Y-%m-%dT%H:%M:%S.000Z")],
        }
        return plain.get(name, tag_values(template["Tags"], name))

    return values
