"""Roles: creation, trust policy, update, deletion rules and last use.

A role cannot be deleted while it has inline policies, attached managed policies or belongs to an
instance profile (AWS's `DeleteConflict`, in that order). `record_use` is STS's hook: a successful
AssumeRole of a role IAM knows sets its `RoleLastUsed`.
"""

from __future__ import annotations

from typing import Any

from cloudlet.services.iam import validation
from cloudlet.services.iam.entities import Entities
from cloudlet.services.iam.exceptions import already_exists, constraint_error, delete_conflict
from cloudlet.services.iam.identity import iam_arn, new_id, now_seconds
from cloudlet.services.iam.models import InstanceProfile, Role

MIN_SESSION, MAX_SESSION = 3600, 43200


def _check_max_session(seconds: int | None) -> int:
    if seconds is None:
        return MIN_SESSION
    if not MIN_SESSION <= seconds <= MAX_SESSION:
        bound = (
            f"greater than or equal to {MIN_SESSION}"
            if seconds < MIN_SESSION
            else f"less than or equal to {MAX_SESSION}"
        )
        raise constraint_error(seconds, "maxSessionDuration", f"have value {bound}")
    return seconds


class Roles(Entities[Role]):
    cls = Role

    def create(self, account: str, request: dict[str, Any]) -> Role:
        name = request["RoleName"]
        validation.check_name(name, "roleName")
        path = validation.check_path(request.get("Path"))
        document = request["AssumeRolePolicyDocument"]
        validation.check_policy_document(document, trust=True)
        boundary = request.get("PermissionsBoundary")
        if boundary:
            self.policies.attachable(account, boundary)
        role = Role(
            name=name,
            id=new_id("AROA"),
            path=path,
            arn=iam_arn(account, "role", path, name),
            create_date=now_seconds(),
            permissions_boundary=boundary,
            tags=list(request.get("Tags") or []),
            assume_role_policy=document,
            description=request.get("Description"),
            max_session_duration=_check_max_session(request.get("MaxSessionDuration")),
        )
        if not self.store.insert(account, role):
            raise already_exists(f"Role with name {name} already exists.")
        return role

    def delete(self, account: str, name: str) -> None:
        role = self.get(account, name)
        if role.inline_policies:
            raise delete_conflict("Cannot delete entity, must delete policies first.")
        if role.attached:
            raise delete_conflict("Cannot delete entity, must detach all policies first.")
        if self.instance_profiles(account, role.name):
            raise delete_conflict(
                "Cannot delete entity, must remove roles from instance profile first."
            )
        self.store.delete(account, role)

    def update(self, account: str, name: str, request: dict[str, Any]) -> Role:
        role = self.get(account, name)
        if "Description" in request:
            role.description = request["Description"]
        if request.get("MaxSessionDuration") is not None:
            role.max_session_duration = _check_max_session(request["MaxSessionDuration"])
        self.store.put(account, role)
        return role

    def update_trust(self, account: str, name: str, document: str) -> None:
        validation.check_policy_document(document, trust=True)
        role = self.get(account, name)
        role.assume_role_policy = document
        self.store.put(account, role)

    def set_boundary(self, account: str, name: str, arn: str | None) -> None:
        role = self.get(account, name)
        if arn:
            self.policies.attachable(account, arn)
        role.permissions_boundary = arn
        self.store.put(account, role)

    def instance_profiles(self, account: str, role_name: str) -> list[InstanceProfile]:
        key = role_name.lower()
        return [
            p
            for p in self.store.all(account, InstanceProfile)
            if key in (r.lower() for r in p.roles)
        ]

    def record_use(self, account: str, name: str, region: str) -> Role | None:
        """Note an AssumeRole of the role (None when IAM does not know it)."""
        role = self.store.get(account, Role, name)
        if role is not None:
            role.last_used = {"date": now_seconds(), "region": region}
            self.store.put(account, role)
        return role
