"""What IAM checks beyond the model's lengths and types: name and path patterns, policy JSON, sizes.

Policy sizes count characters other than whitespace, as IAM's quotas do: 6,144 for a managed policy
version, 2,048 for a role's trust policy, and per entity 10,240 (role) or 2,048 (user) for all its
inline policies together.
"""

from __future__ import annotations

import json
import re

from cloudlet.services.iam.exceptions import (
    constraint_error,
    limit_exceeded,
    malformed_policy,
    validation_error,
)

NAME_PATTERN = re.compile(r"^[\w+=,.@-]+$")
PATH_PATTERN = re.compile(r"^/$|^/[\x21-\x7e]*/$")

MANAGED_POLICY_MAX = 6144
TRUST_POLICY_MAX = 2048
INLINE_MAX = {"role": 10240, "user": 2048}


def check_name(value: str, member: str) -> None:
    """Role, user, policy and instance profile names: `[\\w+=,.@-]+`."""
    if not NAME_PATTERN.match(value):
        raise constraint_error(value, member, r"satisfy regular expression pattern: [\w+=,.@-]+")


def check_path(path: str | None) -> str:
    """The path to use (default "/"); it must begin and end with a slash."""
    if path is None:
        return "/"
    if not PATH_PATTERN.match(path):
        raise validation_error(
            "The specified value for path is invalid. It must begin and end with / and contain "
            "only alphanumeric characters and/or / characters."
        )
    return path


def check_path_prefix(prefix: str | None) -> str:
    if not prefix:
        return "/"
    if not prefix.startswith("/"):
        raise validation_error(
            "The specified value for pathPrefix is invalid. It must begin with / and contain "
            "only alphanumeric characters and/or / characters."
        )
    return prefix


def policy_size(document: str) -> int:
    """Characters that count against IAM's size quotas (whitespace does not)."""
    return sum(1 for ch in document if not ch.isspace())


def check_policy_document(document: str, *, trust: bool = False) -> None:
    """The document must be a JSON object with a Statement (trust policies: size quota too)."""
    try:
        parsed = json.loads(document)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise malformed_policy(
            "This policy contains invalid Json" if trust else "Syntax errors in policy."
        )
    if "Statement" not in parsed:
        raise malformed_policy("Missing required field Statement")
    if trust and policy_size(document) > TRUST_POLICY_MAX:
        raise limit_exceeded(f"Cannot exceed quota for ACLSizePerRole: {TRUST_POLICY_MAX}")


def check_managed_policy_size(document: str) -> None:
    if policy_size(document) > MANAGED_POLICY_MAX:
        raise limit_exceeded(f"Cannot exceed quota for PolicySize: {MANAGED_POLICY_MAX}")


def check_inline_total(kind: str, name: str, documents: list[str]) -> None:
    limit = INLINE_MAX[kind]
    if sum(policy_size(d) for d in documents) > limit:
        raise limit_exceeded(f"Maximum policy size of {limit} bytes exceeded for {kind} {name}")
