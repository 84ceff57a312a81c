"""Access keys: create, list, deactivate, delete; a key acts as its user."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

Error = Callable[[Any], tuple[str, str, int]]


def as_key(aws_client: Callable[..., Any], service: str, key: dict[str, Any]) -> Any:
    return aws_client(
        service, access_key_id=key["AccessKeyId"], secret_access_key=key["SecretAccessKey"]
    )


def test_create_and_list(iam: Any) -> None:
    iam.create_user(UserName="amy")
    key = iam.create_access_key(UserName="amy")["AccessKey"]
    assert re.fullmatch(r"AKIA[A-Z0-9]{16}", key["AccessKeyId"])
    assert len(key["SecretAccessKey"]) == 40
    assert (key["UserName"], key["Status"]) == ("amy", "Active")
    listed = iam.list_access_keys(UserName="amy")["AccessKeyMetadata"]
    assert [(k["AccessKeyId"], k["Status"]) for k in listed] == [(key["AccessKeyId"], "Active")]
    assert "SecretAccessKey" not in listed[0]


def test_at_most_two_keys(iam: Any, aws_error: Error) -> None:
    iam.create_user(UserName="ben")
    iam.create_access_key(UserName="ben")
    iam.create_access_key(UserName="ben")
    with pytest.raises(ClientError) as exc:
        iam.create_access_key(UserName="ben")
    assert aws_error(exc.value) == (
        "LimitExceeded",
        "Cannot exceed quota for AccessKeysPerUser: 2",
        409,
    )


def test_update_status(iam: Any) -> None:
    iam.create_user(UserName="cat")
    key_id = iam.create_access_key(UserName="cat")["AccessKey"]["AccessKeyId"]
    iam.update_access_key(UserName="cat", AccessKeyId=key_id, Status="Inactive")
    assert iam.list_access_keys(UserName="cat")["AccessKeyMetadata"][0]["Status"] == "Inactive"


def test_key_acts_as_its_user(aws_client: Callable[..., Any], iam: Any, account: str) -> None:
    iam.create_user(UserName="dan")
    key = iam.create_access_key(UserName="dan")["AccessKey"]
    as_dan = as_key(aws_client, "iam", key)
    # Without UserName, key operations are about the caller.
    assert as_dan.list_access_keys()["AccessKeyMetadata"][0]["AccessKeyId"] == key["AccessKeyId"]
    iam.update_user(UserName="dan", NewUserName="daniel")
    identity = as_key(aws_client, "sts", key).get_caller_identity()
    assert identity["Arn"] == f"arn:aws:iam::{account}:user/daniel"
    last_used = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
    assert last_used["UserName"] == "daniel"


def test_delete(aws_client: Callable[..., Any], iam: Any, aws_error: Error) -> None:
    iam.create_user(UserName="eve")
    key = iam.create_access_key(UserName="eve")["AccessKey"]
    iam.delete_access_key(UserName="eve", AccessKeyId=key["AccessKeyId"])
    assert iam.list_access_keys(UserName="eve")["AccessKeyMetadata"] == []
    # A key cloudlet no longer knows acts, like any unknown key, in the default account.
    assert as_key(aws_client, "sts", key).get_caller_identity()["Account"] == "000000000000"
    with pytest.raises(ClientError) as exc:
        iam.delete_access_key(UserName="eve", AccessKeyId=key["AccessKeyId"])
    assert aws_error(exc.value) == (
        "NoSuchEntity",
        f"The Access Key with id {key['AccessKeyId']} cannot be found.",
        404,
    )


def test_key_of_another_user(iam: Any, aws_error: Error) -> None:
    iam.create_user(UserName="fay")
    iam.create_user(UserName="gus")
    key_id = iam.create_access_key(UserName="fay")["AccessKey"]["AccessKeyId"]
    with pytest.raises(ClientError) as exc:
        iam.delete_access_key(UserName="gus", AccessKeyId=key_id)
    assert aws_error(exc.value)[:2] == (
        "NoSuchEntity",
        f"The Access Key with id {key_id} cannot be found.",
    )


def test_root_must_name_the_user(iam: Any, aws_error: Error) -> None:
    with pytest.raises(ClientError) as exc:
        iam.create_access_key()
    assert aws_error(exc.value) == (
        "ValidationError",
        "Must specify userName when calling with non-User credentials",
        400,
    )
