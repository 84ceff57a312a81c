"""What roles and users share: lookup, tags, inline policies and attached managed policies.

`Entities[Role]` and `Entities[User]` are the base of `Roles` and `Users`; AWS's messages differ
only in the kind they name ("The role with name X cannot be found.", "The user policy with name X
cannot be found.").
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from cloudlet.services.iam import validation
from cloudlet.services.iam.exceptions import limit_exceeded, no_such_entity
from cloudlet.services.iam.models import Role, User, merge_tags, remove_tags
from cloudlet.services.iam.policies import Policies
from cloudlet.services.iam.store import IamStore

E = TypeVar("E", Role, User)

MAX_ATTACHED = 10
"""Managed policies per role or user (AWS's default quota)."""


class Entities(Generic[E]):
    """Roles or users of every account."""

    cls: type[E]

    def __init__(self, store: IamStore, policies: Policies) -> None:
        self.store = store
        self.policies = policies

    @property
    def kind(self) -> str:
        return self.cls.ENTITY

    def get(self, account: str, name: str) -> E:
        entity = self.store.get(account, self.cls, name)
        if entity is None:
            raise no_such_entity(f"The {self.kind} with name {name} cannot be found.")
        return entity

    def filtered(self, account: str, path_prefix: str | None) -> list[E]:
        prefix = validation.check_path_prefix(path_prefix)
        return [e for e in self.store.all(account, self.cls) if e.path.startswith(prefix)]

    # tags

    def tag(self, account: str, name: str, tags: list[dict[str, str]]) -> None:
        entity = self.get(account, name)
        entity.tags = merge_tags(entity.tags, tags)
        self.store.put(account, entity)

    def untag(self, account: str, name: str, keys: list[str]) -> None:
        entity = self.get(account, name)
        entity.tags = remove_tags(entity.tags, keys)
        self.store.put(account, entity)

    # inline policies

    def put_policy(self, account: str, name: str, policy_name: str, document: str) -> None:
        validation.check_name(policy_name, "policyName")
        validation.check_policy_document(document)
        entity = self.get(account, name)
        others: list[str] = [d for n, d in entity.inline_policies.items() if n != policy_name]
        validation.check_inline_total(self.kind, entity.name, [*others, document])
        entity.inline_policies[policy_name] = document
        self.store.put(account, entity)

    def get_policy(self, account: str, name: str, policy_name: str) -> tuple[E, str]:
        entity = self.get(account, name)
        document = entity.inline_policies.get(policy_name)
        if document is None:
            raise no_such_entity(f"The {self.kind} policy with name {policy_name} cannot be found.")
        return entity, document

    def delete_policy(self, account: str, name: str, policy_name: str) -> None:
        entity, _ = self.get_policy(account, name, policy_name)
        del entity.inline_policies[policy_name]
        self.store.put(account, entity)

    def policy_names(self, account: str, name: str) -> list[str]:
        return sorted(self.get(account, name).inline_policies, key=str.lower)

    # attached managed policies

    def attach(self, account: str, name: str, arn: str) -> None:
        entity = self.get(account, name)
        self.policies.attachable(account, arn)
        if arn in entity.attached:
            return
        if len(entity.attached) >= MAX_ATTACHED:
            quota = "PoliciesPerRole" if self.kind == "role" else "PoliciesPerUser"
            raise limit_exceeded(f"Cannot exceed quota for {quota}: {MAX_ATTACHED}")
        entity.attached.append(arn)
        self.store.put(account, entity)

    def detach(self, account: str, name: str, arn: str) -> None:
        entity = self.get(account, name)
        if arn not in entity.attached:
            raise no_such_entity(f"Policy {arn} was not found.")
        entity.attached.remove(arn)
        self.store.put(account, entity)

    def attached(self, account: str, name: str, path_prefix: str | None) -> list[dict[str, Any]]:
        """`AttachedPolicies` entries, by policy name, filtered on the policy's path."""
        prefix = validation.check_path_prefix(path_prefix)
        entity = self.get(account, name)
        out = []
        for arn in entity.attached:
            policy = self.policies.find(account, arn)
            if policy is not None and policy.path.startswith(prefix):
                out.append({"PolicyName": policy.name, "PolicyArn": arn})
        return sorted(out, key=lambda p: p["PolicyName"].lower())
