"""GetSessionToken and GetFederationToken."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError


def test_root_session_is_capped_at_one_hour(
    aws_client: Callable[..., Any], sts: Any, account: str
) -> None:
    credentials = sts.get_session_token(DurationSeconds=7200)["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA")
    remaining = credentials["Expiration"] - datetime.now(UTC)
    assert remaining <= timedelta(seconds=3600)
    session = aws_client(
        "sts",
        access_key_id=credentials["AccessKeyId"],
        secret_access_key=credentials["SecretAccessKey"],
        session_token=credentials["SessionToken"],
    )
    assert session.get_caller_identity()["Arn"] == f"arn:aws:iam::{account}:root"


def test_user_session_keeps_the_user(
    aws_client: Callable[..., Any], iam: Any, account: str, name: Callable[[str], str]
) -> None:
    user = iam.create_user(UserName=name("u"))["User"]
    key = iam.create_access_key(UserName=user["UserName"])["AccessKey"]
    as_user = aws_client(
        "sts", access_key_id=key["AccessKeyId"], secret_access_key=key["SecretAccessKey"]
    )
    credentials = as_user.get_session_token()["Credentials"]
    remaining = credentials["Expiration"] - datetime.now(UTC)
    assert timedelta(hours=11, minutes=59) < remaining <= timedelta(hours=12)
    session = aws_client(
        "sts",
        access_key_id=credentials["AccessKeyId"],
        secret_access_key=credentials["SecretAccessKey"],
        session_token=credentials["SessionToken"],
    )
    identity = session.get_caller_identity()
    assert (identity["Arn"], identity["UserId"]) == (user["Arn"], user["UserId"])


@pytest.mark.parametrize("operation", ["get_session_token", "get_federation_token"])
def test_not_from_session_credentials(
    aws_client: Callable[..., Any],
    sts: Any,
    operation: str,
    aws_error: Callable[[Any], tuple[str, str, int]],
) -> None:
    credentials = sts.get_session_token()["Credentials"]
    session = aws_client(
        "sts",
        access_key_id=credentials["AccessKeyId"],
        secret_access_key=credentials["SecretAccessKey"],
        session_token=credentials["SessionToken"],
    )
    kwargs = {"Name": "fed"} if operation == "get_federation_token" else {}
    with pytest.raises(ClientError) as exc:
        getattr(session, operation)(**kwargs)
    name = "GetSessionToken" if operation == "get_session_token" else "GetFederationToken"
    assert aws_error(exc.value) == (
        "AccessDenied",
        f"Cannot call {name} with session credentials",
        403,
    )


def test_federation_token(sts: Any, account: str) -> None:
    response = sts.get_federation_token(Name="alice", DurationSeconds=900)
    assert response["FederatedUser"] == {
        "FederatedUserId": f"{account}:alice",
        "Arn": f"arn:aws:sts::{account}:federated-user/alice",
    }
    assert response["Credentials"]["AccessKeyId"].startswith("ASIA")
