"""Read-only IAM lookups for other services, in-process (no HTTP, no request context).

Lambda checks a function's execution role, EC2 and Auto Scaling resolve an instance profile:

    from cloudlet.services.iam.lookup import instance_profile, role_by_arn

    role = role_by_arn(platform.store, "arn:aws:iam::123456789012:role/service-role/my-fn")
    profile = instance_profile(platform.store, "123456789012", "web-profile")  # name or ARN

Both return None when IAM does not know the entity; the caller decides whether that is an error
(AWS services answer with their own messages, e.g. Lambda's "The role defined for the function
cannot be assumed by Lambda.").
"""

from __future__ import annotations

import re

from cloudlet.platform.store import Store
from cloudlet.services.iam.models import InstanceProfile, Role
from cloudlet.services.iam.store import IamStore

_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):(role|instance-profile)(/(?:.*/)?)([^/]+)$")


def role_by_arn(store: Store, arn: str) -> Role | None:
    """The role `arn` names (path included), or None."""
    match = _ARN.match(arn)
    if match is None or match.group(2) != "role":
        return None
    role = IamStore(store).get(match.group(1), Role, match.group(4))
    return role if role is not None and role.arn == arn else None


def instance_profile(store: Store, account: str, name_or_arn: str) -> InstanceProfile | None:
    """The instance profile named (in `account`) or ARN'd by `name_or_arn`, or None."""
    match = _ARN.match(name_or_arn)
    if match is not None:
        if match.group(2) != "instance-profile":
            return None
        profile = IamStore(store).get(match.group(1), InstanceProfile, match.group(4))
        return profile if profile is not None and profile.arn == name_or_arn else None
    return IamStore(store).get(account, InstanceProfile, name_or_arn)


def roles_of(store: Store, profile: InstanceProfile, account: str) -> list[Role]:
    """The roles an instance profile carries (at most one), as they are now."""
    iam = IamStore(store)
    return [r for r in (iam.get(account, Role, name) for name in profile.roles) if r is not None]
