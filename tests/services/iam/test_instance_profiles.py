"""Instance profiles and the role they carry."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

TRUST = json.dumps({"Version": "2012-10-17", "Statement": []})
Error = Callable[[Any], tuple[str, str, int]]


def test_create_get_list_delete(iam: Any, account: str, aws_error: Error) -> None:
    profile = iam.create_instance_profile(InstanceProfileName="web", Path="/ec2/")[
        "InstanceProfile"
    ]
    assert re.fullmatch(r"AIPA[A-Z0-9]{17}", profile["InstanceProfileId"])
    assert profile["Arn"] == f"arn:aws:iam::{account}:instance-profile/ec2/web"
    assert profile["Roles"] == []
    assert iam.get_instance_profile(InstanceProfileName="web")["InstanceProfile"]["Path"] == "/ec2/"
    iam.create_instance_profile(InstanceProfileName="batch")
    assert [p["InstanceProfileName"] for p in iam.list_instance_profiles()["InstanceProfiles"]] == [
        "batch",
        "web",
    ]
    listed = iam.list_instance_profiles(PathPrefix="/ec2/")["InstanceProfiles"]
    assert [p["InstanceProfileName"] for p in listed] == ["web"]
    iam.delete_instance_profile(InstanceProfileName="web")
    with pytest.raises(ClientError) as exc:
        iam.get_instance_profile(InstanceProfileName="web")
    assert aws_error(exc.value) == ("NoSuchEntity", "Instance Profile web cannot be found.", 404)


def test_duplicate(iam: Any, aws_error: Error) -> None:
    iam.create_instance_profile(InstanceProfileName="dup")
    with pytest.raises(ClientError) as exc:
        iam.create_instance_profile(InstanceProfileName="dup")
    assert aws_error(exc.value) == (
        "EntityAlreadyExists",
        "Instance Profile dup already exists.",
        409,
    )


def test_role_membership(iam: Any, aws_error: Error) -> None:
    role = iam.create_role(RoleName="app", AssumeRolePolicyDocument=TRUST)["Role"]
    iam.create_role(RoleName="other", AssumeRolePolicyDocument=TRUST)
    iam.create_instance_profile(InstanceProfileName="app-profile")
    iam.add_role_to_instance_profile(InstanceProfileName="app-profile", RoleName="app")
    profile = iam.get_instance_profile(InstanceProfileName="app-profile")["InstanceProfile"]
    assert [(r["RoleName"], r["RoleId"]) for r in profile["Roles"]] == [("app", role["RoleId"])]
    for_role = iam.list_instance_profiles_for_role(RoleName="app")["InstanceProfiles"]
    assert [p["InstanceProfileName"] for p in for_role] == ["app-profile"]
    with pytest.raises(ClientError) as exc:
        iam.add_role_to_instance_profile(InstanceProfileName="app-profile", RoleName="other")
    assert aws_error(exc.value) == (
        "LimitExceeded",
        "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1",
        409,
    )
    with pytest.raises(ClientError) as exc:
        iam.delete_instance_profile(InstanceProfileName="app-profile")
    assert aws_error(exc.value) == (
        "DeleteConflict",
        "Cannot delete entity, must remove roles from instance profile first.",
        409,
    )
    iam.remove_role_from_instance_profile(InstanceProfileName="app-profile", RoleName="app")
    assert iam.list_instance_profiles_for_role(RoleName="app")["InstanceProfiles"] == []
    iam.delete_instance_profile(InstanceProfileName="app-profile")


def test_add_missing_role(iam: Any, aws_error: Error) -> None:
    iam.create_instance_profile(InstanceProfileName="p")
    with pytest.raises(ClientError) as exc:
        iam.add_role_to_instance_profile(InstanceProfileName="p", RoleName="ghost")
    assert aws_error(exc.value) == (
        "NoSuchEntity",
        "The role with name ghost cannot be found.",
        404,
    )


def test_tags(iam: Any) -> None:
    iam.create_instance_profile(InstanceProfileName="t", Tags=[{"Key": "a", "Value": "1"}])
    iam.tag_instance_profile(InstanceProfileName="t", Tags=[{"Key": "b", "Value": "2"}])
    iam.untag_instance_profile(InstanceProfileName="t", TagKeys=["a"])
    assert iam.list_instance_profile_tags(InstanceProfileName="t")["Tags"] == [
        {"Key": "b", "Value": "2"}
    ]
