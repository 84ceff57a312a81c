"""Roles: create, get, list with paths and pages, update, trust policy, tags, delete rules."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
POLICY = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
)
Error = Callable[[Any], tuple[str, str, int]]


def create(iam: Any, role_name: str, **kwargs: Any) -> dict[str, Any]:
    role: dict[str, Any] = iam.create_role(
        RoleName=role_name, AssumeRolePolicyDocument=json.dumps(TRUST), **kwargs
    )["Role"]
    return role


def test_create_and_get(iam: Any, account: str, name: Callable[[str], str]) -> None:
    role_name = name("role")
    created = create(iam, role_name, Path="/service/", Description="runs things")
    assert re.fullmatch(r"AROA[A-Z0-9]{17}", created["RoleId"])
    assert created["Arn"] == f"arn:aws:iam::{account}:role/service/{role_name}"
    assert created["Path"] == "/service/"
    assert created["AssumeRolePolicyDocument"] == TRUST
    assert abs((datetime.now(UTC) - created["CreateDate"]).total_seconds()) < 5
    # As AWS's CreateRole answer: no MaxSessionDuration, no RoleLastUsed.
    assert "MaxSessionDuration" not in created and "RoleLastUsed" not in created
    got = iam.get_role(RoleName=role_name)["Role"]
    assert got["RoleId"] == created["RoleId"]
    assert got["Description"] == "runs things"
    assert got["MaxSessionDuration"] == 3600
    assert got["RoleLastUsed"] == {}
    assert got["AssumeRolePolicyDocument"] == TRUST


def test_trust_policy_is_returned_as_submitted(iam: Any, name: Callable[[str], str]) -> None:
    document = json.dumps(TRUST, indent=2)
    role_name = name("role")
    iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=document)
    raw: list[bytes] = []
    iam.meta.events.register(
        "before-parse.iam.GetRole", lambda response_dict, **_: raw.append(response_dict["body"])
    )
    iam.get_role(RoleName=role_name)
    from urllib.parse import quote

    assert quote(document, safe="").encode() in raw[0]


@pytest.mark.parametrize("spelling", ["same", "UPPER"])
def test_duplicate_name(
    iam: Any, spelling: str, name: Callable[[str], str], aws_error: Error
) -> None:
    role_name = name("role")
    create(iam, role_name)
    again = role_name if spelling == "same" else role_name.upper()
    with pytest.raises(ClientError) as exc:
        create(iam, again)
    assert aws_error(exc.value) == (
        "EntityAlreadyExists",
        f"Role with name {again} already exists.",
        409,
    )


def test_get_missing(iam: Any, aws_error: Error) -> None:
    with pytest.raises(ClientError) as exc:
        iam.get_role(RoleName="nobody")
    assert aws_error(exc.value) == (
        "NoSuchEntity",
        "The role with name nobody cannot be found.",
        404,
    )


def test_names_are_case_insensitive(iam: Any, name: Callable[[str], str]) -> None:
    role_name = name("Role")
    create(iam, role_name)
    assert iam.get_role(RoleName=role_name.lower())["Role"]["RoleName"] == role_name


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"RoleName": "has space"},
            "1 validation error detected: Value 'has space' at 'roleName' failed to satisfy "
            r"constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+",
        ),
        (
            {"RoleName": "ok", "Path": "no-slashes"},
            "The specified value for path is invalid. It must begin and end with / and contain "
            "only alphanumeric characters and/or / characters.",
        ),
    ],
)
def test_invalid_name_or_path(
    iam: Any, kwargs: dict[str, str], message: str, aws_error: Error
) -> None:
    with pytest.raises(ClientError) as exc:
        iam.create_role(AssumeRolePolicyDocument=json.dumps(TRUST), **kwargs)
    assert aws_error(exc.value) == ("ValidationError", message, 400)


def test_malformed_trust_policy(iam: Any, aws_error: Error) -> None:
    with pytest.raises(ClientError) as exc:
        iam.create_role(RoleName="r", AssumeRolePolicyDocument="{nope")
    assert aws_error(exc.value) == (
        "MalformedPolicyDocument",
        "This policy contains invalid Json",
        400,
    )


def test_list_with_path_prefix(iam: Any) -> None:
    for role_name, path in [("a", "/"), ("b", "/team/"), ("c", "/team/sub/"), ("d", "/other/")]:
        create(iam, role_name, Path=path)
    names = [r["RoleName"] for r in iam.list_roles()["Roles"]]
    assert names == ["a", "b", "c", "d"]
    team = iam.list_roles(PathPrefix="/team/")["Roles"]
    assert [r["RoleName"] for r in team] == ["b", "c"]
    assert all("Tags" not in r and "RoleLastUsed" not in r for r in team)


def test_list_pages(iam: Any) -> None:
    for index in range(7):
        create(iam, f"role-{index}")
    first = iam.list_roles(MaxItems=3)
    assert first["IsTruncated"] is True
    assert [r["RoleName"] for r in first["Roles"]] == ["role-0", "role-1", "role-2"]
    second = iam.list_roles(MaxItems=3, Marker=first["Marker"])
    assert [r["RoleName"] for r in second["Roles"]] == ["role-3", "role-4", "role-5"]
    pages = iam.get_paginator("list_roles").paginate(PaginationConfig={"PageSize": 2})
    assert [r["RoleName"] for r in pages.build_full_result()["Roles"]] == [
        f"role-{i}" for i in range(7)
    ]


def test_update_role(iam: Any, name: Callable[[str], str], aws_error: Error) -> None:
    role_name = name("role")
    create(iam, role_name)
    iam.update_role(RoleName=role_name, Description="new", MaxSessionDuration=7200)
    role = iam.get_role(RoleName=role_name)["Role"]
    assert (role["Description"], role["MaxSessionDuration"]) == ("new", 7200)
    described = iam.update_role_description(RoleName=role_name, Description="newer")["Role"]
    assert described["Description"] == "newer"


def test_update_assume_role_policy(iam: Any, name: Callable[[str], str]) -> None:
    role_name = name("role")
    create(iam, role_name)
    trust = {**TRUST, "Statement": [{**TRUST["Statement"][0], "Principal": {"AWS": "*"}}]}
    iam.update_assume_role_policy(RoleName=role_name, PolicyDocument=json.dumps(trust))
    assert iam.get_role(RoleName=role_name)["Role"]["AssumeRolePolicyDocument"] == trust


def test_tags(iam: Any, name: Callable[[str], str]) -> None:
    role_name = name("role")
    created = create(iam, role_name, Tags=[{"Key": "team", "Value": "a"}])
    assert created["Tags"] == [{"Key": "team", "Value": "a"}]
    iam.tag_role(
        RoleName=role_name, Tags=[{"Key": "team", "Value": "b"}, {"Key": "env", "Value": "dev"}]
    )
    assert iam.list_role_tags(RoleName=role_name)["Tags"] == [
        {"Key": "env", "Value": "dev"},
        {"Key": "team", "Value": "b"},
    ]
    iam.untag_role(RoleName=role_name, TagKeys=["team"])
    assert iam.get_role(RoleName=role_name)["Role"]["Tags"] == [{"Key": "env", "Value": "dev"}]


def test_delete(iam: Any, name: Callable[[str], str], aws_error: Error) -> None:
    role_name = name("role")
    create(iam, role_name)
    iam.delete_role(RoleName=role_name)
    with pytest.raises(ClientError) as exc:
        iam.delete_role(RoleName=role_name)
    assert aws_error(exc.value)[0] == "NoSuchEntity"


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("inline", "Cannot delete entity, must delete policies first."),
        ("attached", "Cannot delete entity, must detach all policies first."),
        ("profile", "Cannot delete entity, must remove roles from instance profile first."),
    ],
)
def test_delete_conflicts(
    iam: Any, setup: str, message: str, name: Callable[[str], str], aws_error: Error
) -> None:
    role_name = name("role")
    create(iam, role_name)
    if setup == "inline":
        iam.put_role_policy(RoleName=role_name, PolicyName="p", PolicyDocument=POLICY)
    elif setup == "attached":
        arn = iam.create_policy(PolicyName=name("p"), PolicyDocument=POLICY)["Policy"]["Arn"]
        iam.attach_role_policy(RoleName=role_name, PolicyArn=arn)
    else:
        iam.create_instance_profile(InstanceProfileName=(profile := name("ip")))
        iam.add_role_to_instance_profile(InstanceProfileName=profile, RoleName=role_name)
    with pytest.raises(ClientError) as exc:
        iam.delete_role(RoleName=role_name)
    assert aws_error(exc.value) == ("DeleteConflict", message, 409)
