"""GetCallerIdentity: root of the key's account, IAM users, assumed roles; GetAccessKeyInfo."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.mark.parametrize("account", ["000000000000", "111122223333", "999988887777"])
def test_root_of_the_account_named_by_the_key(aws_client: Callable[..., Any], account: str) -> None:
    identity = aws_client("sts", account=account).get_caller_identity()
    assert identity["UserId"] == account
    assert identity["Account"] == account
    assert identity["Arn"] == f"arn:aws:iam::{account}:root"


def test_key_that_is_not_an_account_acts_in_the_default_account(
    aws_client: Callable[..., Any],
) -> None:
    sts = aws_client("sts", access_key_id="AKIAEXAMPLEEXAMPLE12")
    assert sts.get_caller_identity()["Account"] == "000000000000"


def test_iam_user_access_key(
    aws_client: Callable[..., Any], iam: Any, account: str, name: Callable[[str], str]
) -> None:
    user = iam.create_user(UserName=name("user"), Path="/team/")["User"]
    key = iam.create_access_key(UserName=user["UserName"])["AccessKey"]
    sts = aws_client(
        "sts", access_key_id=key["AccessKeyId"], secret_access_key=key["SecretAccessKey"]
    )
    identity = sts.get_caller_identity()
    assert identity == {
        "UserId": user["UserId"],
        "Account": account,
        "Arn": f"arn:aws:iam::{account}:user/team/{user['UserName']}",
        "ResponseMetadata": identity["ResponseMetadata"],
    }


def test_assumed_role(aws_client: Callable[..., Any], sts: Any, name: Callable[[str], str]) -> None:
    role_arn = f"arn:aws:iam::444455556666:role/{name('role')}"
    credentials = sts.assume_role(RoleArn=role_arn, RoleSessionName="my-session")["Credentials"]
    as_role = aws_client(
        "sts",
        access_key_id=credentials["AccessKeyId"],
        secret_access_key=credentials["SecretAccessKey"],
        session_token=credentials["SessionToken"],
    )
    identity = as_role.get_caller_identity()
    role_name = role_arn.rsplit("/", 1)[1]
    assert identity["Account"] == "444455556666"
    assert identity["Arn"] == f"arn:aws:sts::444455556666:assumed-role/{role_name}/my-session"
    assert identity["UserId"].startswith("AROA")
    assert identity["UserId"].endswith(":my-session")


def test_access_key_info(
    aws_client: Callable[..., Any], sts: Any, iam: Any, account: str, name: Callable[[str], str]
) -> None:
    iam.create_user(UserName=(user := name("user")))
    key = iam.create_access_key(UserName=user)["AccessKey"]["AccessKeyId"]
    assert sts.get_access_key_info(AccessKeyId=key)["Account"] == account
    assert sts.get_access_key_info(AccessKeyId="AKIANOTISSUEDHERE123")["Account"] == "000000000000"
