"""Instance profiles: the container EC2 and Auto Scaling hand a role to an instance through.

A profile holds at most one role (AWS's quota), stored by name and shown as the role's current
description; a profile with a role cannot be deleted.
"""

from __future__ import annotations

from typing import Any

from cloudlet.services.iam import validation
from cloudlet.services.iam.exceptions import (
    already_exists,
    delete_conflict,
    limit_exceeded,
    no_such_entity,
)
from cloudlet.services.iam.identity import iam_arn, new_id, now_seconds
from cloudlet.services.iam.models import InstanceProfile, Role, merge_tags, remove_tags
from cloudlet.services.iam.roles import Roles
from cloudlet.services.iam.store import IamStore

MAX_ROLES = 1


class InstanceProfiles:
    def __init__(self, store: IamStore, roles: Roles) -> None:
        self.store = store
        self.roles = roles

    def get(self, account: str, name: str) -> InstanceProfile:
        profile = self.store.get(account, InstanceProfile, name)
        if profile is None:
            raise no_such_entity(f"Instance Profile {name} cannot be found.")
        return profile

    def describe(
        self, account: str, profile: InstanceProfile, *, full: bool = True
    ) -> dict[str, Any]:
        roles = [r for r in (self.store.get(account, Role, n) for n in profile.roles) if r]
        return profile.describe(roles, full=full)

    def create(self, account: str, request: dict[str, Any]) -> InstanceProfile:
        name = request["InstanceProfileName"]
        validation.check_name(name, "instanceProfileName")
        path = validation.check_path(request.get("Path"))
        profile = InstanceProfile(
            name=name,
            id=new_id("AIPA"),
            path=path,
            arn=iam_arn(account, "instance-profile", path, name),
            create_date=now_seconds(),
            tags=list(request.get("Tags") or []),
        )
        if not self.store.insert(account, profile):
            raise already_exists(f"Instance Profile {name} already exists.")
        return profile

    def delete(self, account: str, name: str) -> None:
        profile = self.get(account, name)
        if profile.roles:
            raise delete_conflict(
                "Cannot delete entity, must remove roles from instance profile first."
            )
        self.store.delete(account, profile)

    def listed(self, account: str, path_prefix: str | None) -> list[InstanceProfile]:
        prefix = validation.check_path_prefix(path_prefix)
        return [p for p in self.store.all(account, InstanceProfile) if p.path.startswith(prefix)]

    def add_role(self, account: str, name: str, role_name: str) -> None:
        profile = self.get(account, name)
        role = self.roles.get(account, role_name)
        if role.name.lower() in (r.lower() for r in profile.roles):
            raise limit_exceeded(
                f"Cannot exceed quota for InstanceSessionsPerInstanceProfile: {MAX_ROLES}"
            )
        if len(profile.roles) >= MAX_ROLES:
            raise limit_exceeded(
                f"Cannot exceed quota for InstanceSessionsPerInstanceProfile: {MAX_ROLES}"
            )
        profile.roles.append(role.name)
        self.store.put(account, profile)

    def remove_role(self, account: str, name: str, role_name: str) -> None:
        profile = self.get(account, name)
        role = self.roles.get(account, role_name)
        kept = [r for r in profile.roles if r.lower() != role.name.lower()]
        if len(kept) == len(profile.roles):
            raise no_such_entity(f"The role with name {role_name} cannot be found.")
        profile.roles = kept
        self.store.put(account, profile)

    def tag(
        self, account: str, name: str, tags: list[dict[str, str]] | None, keys: list[str] | None
    ) -> None:
        profile = self.get(account, name)
        if tags is not None:
            profile.tags = merge_tags(profile.tags, tags)
        if keys is not None:
            profile.tags = remove_tags(profile.tags, keys)
        self.store.put(account, profile)
