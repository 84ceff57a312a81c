"""Users: create, get (also without a name: the caller), list, rename, policies, delete rules."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

DOCUMENT = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
)
Error = Callable[[Any], tuple[str, str, int]]


def test_create_get_list(iam: Any, account: str) -> None:
    created = iam.create_user(UserName="bob", Path="/staff/", Tags=[{"Key": "k", "Value": "v"}])
    user = created["User"]
    assert re.fullmatch(r"AIDA[A-Z0-9]{17}", user["UserId"])
    assert user["Arn"] == f"arn:aws:iam::{account}:user/staff/bob"
    assert user["Tags"] == [{"Key": "k", "Value": "v"}]
    assert iam.get_user(UserName="bob")["User"]["UserId"] == user["UserId"]
    iam.create_user(UserName="alice")
    listed = iam.list_users()["Users"]
    assert [u["UserName"] for u in listed] == ["alice", "bob"]
    assert all("Tags" not in u for u in listed)
    assert [u["UserName"] for u in iam.list_users(PathPrefix="/staff")["Users"]] == ["bob"]


def test_duplicate_and_missing(iam: Any, aws_error: Error) -> None:
    iam.create_user(UserName="carol")
    with pytest.raises(ClientError) as exc:
        iam.create_user(UserName="Carol")
    assert aws_error(exc.value) == (
        "EntityAlreadyExists",
        "User with name Carol already exists.",
        409,
    )
    with pytest.raises(ClientError) as exc:
        iam.get_user(UserName="dave")
    assert aws_error(exc.value) == ("NoSuchEntity", "The user with name dave cannot be found.", 404)


def test_get_user_without_name_is_the_caller(
    aws_client: Callable[..., Any], iam: Any, account: str
) -> None:
    root = iam.get_user()["User"]
    assert (root["UserId"], root["Arn"]) == (account, f"arn:aws:iam::{account}:root")
    iam.create_user(UserName="erin")
    key = iam.create_access_key(UserName="erin")["AccessKey"]
    as_erin = aws_client(
        "iam", access_key_id=key["AccessKeyId"], secret_access_key=key["SecretAccessKey"]
    )
    assert as_erin.get_user()["User"]["UserName"] == "erin"


def test_get_user_without_name_as_a_role(
    aws_client: Callable[..., Any], sts: Any, aws_error: Error
) -> None:
    credentials = sts.assume_role(RoleArn="arn:aws:iam::111122223333:role/r", RoleSessionName="s1")
    as_role = aws_client(
        "iam",
        access_key_id=credentials["Credentials"]["AccessKeyId"],
        secret_access_key=credentials["Credentials"]["SecretAccessKey"],
        session_token=credentials["Credentials"]["SessionToken"],
    )
    with pytest.raises(ClientError) as exc:
        as_role.get_user()
    assert aws_error(exc.value) == (
        "ValidationError",
        "Must specify userName when calling with non-User credentials",
        400,
    )


def test_rename(iam: Any, account: str, aws_error: Error) -> None:
    iam.create_user(UserName="frank")
    iam.put_user_policy(UserName="frank", PolicyName="p", PolicyDocument=DOCUMENT)
    iam.update_user(UserName="frank", NewUserName="francis", NewPath="/moved/")
    user = iam.get_user(UserName="francis")["User"]
    assert user["Arn"] == f"arn:aws:iam::{account}:user/moved/francis"
    assert iam.list_user_policies(UserName="francis")["PolicyNames"] == ["p"]
    with pytest.raises(ClientError) as exc:
        iam.get_user(UserName="frank")
    assert aws_error(exc.value)[0] == "NoSuchEntity"


def test_rename_onto_existing(iam: Any, aws_error: Error) -> None:
    iam.create_user(UserName="gina")
    iam.create_user(UserName="hank")
    with pytest.raises(ClientError) as exc:
        iam.update_user(UserName="gina", NewUserName="hank")
    assert aws_error(exc.value) == (
        "EntityAlreadyExists",
        "User with name hank already exists.",
        409,
    )


def test_user_policies(iam: Any, aws_error: Error) -> None:
    iam.create_user(UserName="ivy")
    iam.put_user_policy(UserName="ivy", PolicyName="all", PolicyDocument=DOCUMENT)
    got = iam.get_user_policy(UserName="ivy", PolicyName="all")
    assert got["PolicyDocument"] == json.loads(DOCUMENT)
    iam.delete_user_policy(UserName="ivy", PolicyName="all")
    with pytest.raises(ClientError) as exc:
        iam.delete_user_policy(UserName="ivy", PolicyName="all")
    assert aws_error(exc.value) == (
        "NoSuchEntity",
        "The user policy with name all cannot be found.",
        404,
    )
    admin = "arn:aws:iam::aws:policy/AdministratorAccess"
    iam.attach_user_policy(UserName="ivy", PolicyArn=admin)
    assert iam.list_attached_user_policies(UserName="ivy")["AttachedPolicies"] == [
        {"PolicyName": "AdministratorAccess", "PolicyArn": admin}
    ]
    iam.detach_user_policy(UserName="ivy", PolicyArn=admin)
    assert iam.list_attached_user_policies(UserName="ivy")["AttachedPolicies"] == []


def test_user_tags(iam: Any) -> None:
    iam.create_user(UserName="jay")
    iam.tag_user(UserName="jay", Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    iam.untag_user(UserName="jay", TagKeys=["a"])
    assert iam.list_user_tags(UserName="jay")["Tags"] == [{"Key": "b", "Value": "2"}]


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("key", "Cannot delete entity, must delete access keys first."),
        ("inline", "Cannot delete entity, must delete policies first."),
        ("attached", "Cannot delete entity, must detach all policies first."),
    ],
)
def test_delete_conflicts(iam: Any, setup: str, message: str, aws_error: Error) -> None:
    iam.create_user(UserName="kim")
    if setup == "key":
        iam.create_access_key(UserName="kim")
    elif setup == "inline":
        iam.put_user_policy(UserName="kim", PolicyName="p", PolicyDocument=DOCUMENT)
    else:
        iam.attach_user_policy(UserName="kim", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    with pytest.raises(ClientError) as exc:
        iam.delete_user(UserName="kim")
    assert aws_error(exc.value) == ("DeleteConflict", message, 409)


def test_delete(iam: Any) -> None:
    iam.create_user(UserName="lee")
    iam.delete_user(UserName="lee")
    assert iam.list_users()["Users"] == []
