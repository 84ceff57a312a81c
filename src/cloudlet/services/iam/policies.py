"""Managed policies and their versions.

A customer managed policy is named by its ARN (`arn:aws:iam::<account>:policy<path><name>`);
names are unique in the account whatever the path. A policy keeps at most five versions; version
ids count up and are never reused; the default version can be neither deleted nor left without.
Attachment counts are not stored: they are counted from the roles and users that name the policy,
so they can never drift. AWS managed policies come from `aws_policies` and are read-only.
"""

from __future__ import annotations

import re
from typing import Any

from cloudlet.services.iam import validation
from cloudlet.services.iam.aws_policies import aws_policy, catalog
from cloudlet.services.iam.exceptions import (
    already_exists,
    delete_conflict,
    invalid_input,
    limit_exceeded,
    no_such_entity,
)
from cloudlet.services.iam.identity import iam_arn, new_id, now_seconds
from cloudlet.services.iam.models import ManagedPolicy, PolicyVersion, Role, User
from cloudlet.services.iam.store import IamStore

MAX_VERSIONS = 5
POLICY_ARN = re.compile(r"^arn:aws:iam::(\d{12}):policy(/(?:[\x21-\x7e]*/)?)([\w+=,.@-]+)$")


class Policies:
    """Managed policies of every account."""

    def __init__(self, store: IamStore) -> None:
        self.store = store

    def find(self, account: str, arn: str) -> ManagedPolicy | None:
        """The policy `arn` names, if it is AWS managed or one of `account`'s own."""
        if arn.startswith("arn:aws:iam::aws:policy/"):
            return aws_policy(arn)
        match = POLICY_ARN.match(arn)
        if match is None:
            raise invalid_input(f"ARN {arn} is not valid.")
        if match.group(1) != account:
            return None
        policy = self.store.get(account, ManagedPolicy, match.group(3))
        return policy if policy is not None and policy.arn == arn else None

    def get(self, account: str, arn: str) -> ManagedPolicy:
        policy = self.find(account, arn)
        if policy is None:
            raise no_such_entity(f"Policy {arn} was not found.")
        return policy

    def attachable(self, account: str, arn: str) -> ManagedPolicy:
        policy = self.find(account, arn)
        if policy is None:
            raise no_such_entity(f"Policy {arn} does not exist or is not attachable.")
        return policy

    def _own(self, account: str, arn: str) -> ManagedPolicy:
        policy = self.get(account, arn)
        if policy.arn.startswith("arn:aws:iam::aws:"):
            raise invalid_input(f"ARN {arn} is not valid.")
        return policy

    def create(self, account: str, request: dict[str, Any]) -> ManagedPolicy:
        name = request["PolicyName"]
        validation.check_name(name, "policyName")
        path = validation.check_path(request.get("Path"))
        document = request["PolicyDocument"]
        validation.check_policy_document(document)
        validation.check_managed_policy_size(document)
        now = now_seconds()
        policy = ManagedPolicy(
            name=name,
            id=new_id("ANPA"),
            path=path,
            arn=iam_arn(account, "policy", path, name),
            create_date=now,
            update_date=now,
            versions=[PolicyVersion("v1", document, now)],
            description=request.get("Description"),
            tags=list(request.get("Tags") or []),
        )
        if not self.store.insert(account, policy):
            raise already_exists(
                f"A policy called {name} already exists. Duplicate names are not allowed."
            )
        return policy

    def delete(self, account: str, arn: str) -> None:
        policy = self._own(account, arn)
        if self.store.attachment_counts(account).get(policy.arn):
            raise delete_conflict("Cannot delete a policy attached to entities.")
        if len(policy.versions) > 1:
            raise delete_conflict(
                "This policy has more than one version. Before you delete a policy, you must "
                "delete the policy's versions. The default version is deleted with the policy."
            )
        self.store.delete(account, policy)

    def listed(self, account: str, request: dict[str, Any]) -> list[tuple[ManagedPolicy, int]]:
        """ListPolicies before pagination: (policy, attachment count), by name."""
        scope = request.get("Scope") or "All"
        prefix = validation.check_path_prefix(request.get("PathPrefix"))
        counts = self.store.attachment_counts(account)
        policies: list[ManagedPolicy] = []
        if scope in ("All", "AWS"):
            policies += catalog()
        if scope in ("All", "Local"):
            policies += self.store.all(account, ManagedPolicy)
        policies.sort(key=lambda p: (p.name.lower(), p.arn))
        out = []
        for policy in policies:
            count = counts.get(policy.arn, 0)
            if not policy.path.startswith(prefix):
                continue
            if request.get("OnlyAttached") and not count:
                continue
            out.append((policy, count))
        return out

    def create_version(
        self, account: str, arn: str, document: str, set_default: bool
    ) -> PolicyVersion:
        policy = self._own(account, arn)
        validation.check_policy_document(document)
        validation.check_managed_policy_size(document)
        if len(policy.versions) >= MAX_VERSIONS:
            raise limit_exceeded(
                f"A managed policy can have up to {MAX_VERSIONS} versions. Before you create a "
                "new version, you must delete an existing version."
            )
        now = now_seconds()
        version = PolicyVersion(f"v{policy.next_version}", document, now)
        policy.versions.append(version)
        policy.next_version += 1
        if set_default:
            policy.default_version = version.version_id
        policy.update_date = now
        self.store.put(account, policy)
        return version

    def version(
        self, account: str, arn: str, version_id: str
    ) -> tuple[ManagedPolicy, PolicyVersion]:
        policy = self.get(account, arn)
        version = policy.version(version_id)
        if version is None:
            raise no_such_entity(
                f"Policy {arn} version {version_id} does not exist or is not attachable."
            )
        return policy, version

    def delete_version(self, account: str, arn: str, version_id: str) -> None:
        policy, version = self.version(account, arn, version_id)
        self._own(account, arn)
        if version_id == policy.default_version:
            raise delete_conflict("Cannot delete the default version of a policy.")
        policy.versions.remove(version)
        self.store.put(account, policy)

    def set_default(self, account: str, arn: str, version_id: str) -> None:
        policy, _ = self.version(account, arn, version_id)
        self._own(account, arn)
        policy.default_version = version_id
        policy.update_date = now_seconds()
        self.store.put(account, policy)

    def tag(
        self, account: str, arn: str, tags: list[dict[str, str]] | None, keys: list[str] | None
    ) -> None:
        from cloudlet.services.iam.models import merge_tags, remove_tags

        policy = self._own(account, arn)
        if tags is not None:
            policy.tags = merge_tags(policy.tags, tags)
        if keys is not None:
            policy.tags = remove_tags(policy.tags, keys)
        self.store.put(account, policy)

    def entities(self, account: str, arn: str) -> tuple[list[Role], list[User]]:
        """Roles and users `arn` is attached to (ListEntitiesForPolicy)."""
        self.get(account, arn)
        roles = [r for r in self.store.all(account, Role) if arn in r.attached]
        users = [u for u in self.store.all(account, User) if arn in u.attached]
        return roles, users
