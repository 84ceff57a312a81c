"""The in-process lookups other services use (`cloudlet.services.iam.lookup`)."""

from __future__ import annotations

import json
from typing import Any

from cloudlet.services.iam.lookup import instance_profile, role_by_arn, roles_of

TRUST = json.dumps({"Version": "2012-10-17", "Statement": []})


def test_role_by_arn(direct: Any) -> None:
    role = direct.call(
        "iam", "CreateRole", RoleName="fn", Path="/service-role/", AssumeRolePolicyDocument=TRUST
    )["Role"]
    store = direct.platform.store
    found = role_by_arn(store, role["Arn"])
    assert found is not None and found.id == role["RoleId"]
    assert role_by_arn(store, "arn:aws:iam::000000000000:role/fn") is None  # wrong path
    assert role_by_arn(store, "arn:aws:iam::000000000000:role/other") is None
    assert role_by_arn(store, "not an arn") is None


def test_instance_profile_by_name_or_arn(direct: Any) -> None:
    direct.call("iam", "CreateRole", RoleName="web", AssumeRolePolicyDocument=TRUST)
    created = direct.call("iam", "CreateInstanceProfile", InstanceProfileName="web-profile")
    direct.call(
        "iam", "AddRoleToInstanceProfile", InstanceProfileName="web-profile", RoleName="web"
    )
    store = direct.platform.store
    by_name = instance_profile(store, "000000000000", "web-profile")
    by_arn = instance_profile(store, "000000000000", created["InstanceProfile"]["Arn"])
    assert by_name is not None and by_arn is not None
    assert by_name.id == by_arn.id == created["InstanceProfile"]["InstanceProfileId"]
    assert [r.name for r in roles_of(store, by_name, "000000000000")] == ["web"]
    assert instance_profile(store, "111111111111", "web-profile") is None
