"""AssumeRole and AssumeRoleWithWebIdentity: credentials, durations, validation, IAM roles."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "*"}
        ],
    }
)


def session_client(
    aws_client: Callable[..., Any], service: str, credentials: dict[str, Any]
) -> Any:
    return aws_client(
        service,
        access_key_id=credentials["AccessKeyId"],
        secret_access_key=credentials["SecretAccessKey"],
        session_token=credentials["SessionToken"],
    )


def test_credentials_shape(sts: Any, name: Callable[[str], str]) -> None:
    role_arn = f"arn:aws:iam::111122223333:role/{name('r')}"
    before = datetime.now(UTC)
    response = sts.assume_role(RoleArn=role_arn, RoleSessionName="s1", DurationSeconds=900)
    credentials = response["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA")
    assert len(credentials["AccessKeyId"]) == 20
    assert len(credentials["SecretAccessKey"]) == 40
    assert len(credentials["SessionToken"]) > 100
    expected = before + timedelta(seconds=900)
    assert abs((credentials["Expiration"] - expected).total_seconds()) < 5
    user = response["AssumedRoleUser"]
    assert user["Arn"] == f"arn:aws:sts::111122223333:assumed-role/{role_arn.split('/')[-1]}/s1"
    assert user["AssumedRoleId"].startswith("AROA")
    assert len(user["AssumedRoleId"].split(":")[0]) == 21


def test_default_duration_is_one_hour(sts: Any, name: Callable[[str], str]) -> None:
    response = sts.assume_role(
        RoleArn=f"arn:aws:iam::111122223333:role/{name('r')}", RoleSessionName="s0"
    )
    remaining = response["Credentials"]["Expiration"] - datetime.now(UTC)
    assert timedelta(seconds=3590) < remaining <= timedelta(seconds=3600)


def test_unknown_role_has_a_stable_id(sts: Any, name: Callable[[str], str]) -> None:
    role_arn = f"arn:aws:iam::111122223333:role/{name('r')}"
    first = sts.assume_role(RoleArn=role_arn, RoleSessionName="sa")["AssumedRoleUser"]
    second = sts.assume_role(RoleArn=role_arn, RoleSessionName="sb")["AssumedRoleUser"]
    assert first["AssumedRoleId"].split(":")[0] == second["AssumedRoleId"].split(":")[0]


def test_existing_role_id_and_last_used(
    sts: Any, iam: Any, account: str, name: Callable[[str], str]
) -> None:
    role = iam.create_role(RoleName=name("r"), Path="/svc/", AssumeRolePolicyDocument=TRUST)
    role = role["Role"]
    assert iam.get_role(RoleName=role["RoleName"])["Role"]["RoleLastUsed"] == {}
    response = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="worker")
    assert response["AssumedRoleUser"] == {
        "AssumedRoleId": f"{role['RoleId']}:worker",
        "Arn": f"arn:aws:sts::{account}:assumed-role/{role['RoleName']}/worker",
    }
    last_used = iam.get_role(RoleName=role["RoleName"])["Role"]["RoleLastUsed"]
    assert last_used["Region"] == "us-east-1"
    assert abs((datetime.now(UTC) - last_used["LastUsedDate"]).total_seconds()) < 5


def test_session_acts_in_the_roles_account(
    aws_client: Callable[..., Any], sts: Any, name: Callable[[str], str]
) -> None:
    other = "222233334444"
    credentials = sts.assume_role(
        RoleArn=f"arn:aws:iam::{other}:role/{name('r')}", RoleSessionName="sx"
    )["Credentials"]
    role_name = name("made-by-session")
    session_client(aws_client, "iam", credentials).create_role(
        RoleName=role_name, AssumeRolePolicyDocument=TRUST
    )
    in_other = aws_client("iam", account=other).get_role(RoleName=role_name)["Role"]
    assert in_other["Arn"] == f"arn:aws:iam::{other}:role/{role_name}"


@pytest.mark.parametrize(
    ("duration", "message"),
    [
        (899, "have value greater than or equal to 900"),
        (43201, "have value less than or equal to 43200"),
    ],
)
def test_duration_bounds(
    aws_client: Callable[..., Any],
    duration: int,
    message: str,
    aws_error: Callable[[Any], tuple[str, str, int]],
) -> None:
    unchecked = aws_client("sts", parameter_validation=False)
    with pytest.raises(ClientError) as exc:
        unchecked.assume_role(
            RoleArn="arn:aws:iam::111122223333:role/r",
            RoleSessionName="s0",
            DurationSeconds=duration,
        )
    code, text, status = aws_error(exc.value)
    assert (code, status) == ("ValidationError", 400)
    assert text == (
        f"1 validation error detected: Value '{duration}' at 'durationSeconds' failed to "
        f"satisfy constraint: Member must {message}"
    )


def test_duration_above_the_roles_maximum(
    sts: Any, iam: Any, name: Callable[[str], str], aws_error: Callable[[Any], tuple[str, str, int]]
) -> None:
    role = iam.create_role(RoleName=name("r"), AssumeRolePolicyDocument=TRUST)["Role"]
    with pytest.raises(ClientError) as exc:
        sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s0", DurationSeconds=7200)
    assert aws_error(exc.value) == (
        "ValidationError",
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        400,
    )
    iam.update_role(RoleName=role["RoleName"], MaxSessionDuration=7200)
    sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s0", DurationSeconds=7200)


def test_role_chaining_is_limited_to_one_hour(
    aws_client: Callable[..., Any], sts: Any, aws_error: Callable[[Any], tuple[str, str, int]]
) -> None:
    first = sts.assume_role(RoleArn="arn:aws:iam::111122223333:role/a", RoleSessionName="s0")
    chained = session_client(aws_client, "sts", first["Credentials"])
    with pytest.raises(ClientError) as exc:
        chained.assume_role(
            RoleArn="arn:aws:iam::111122223333:role/b", RoleSessionName="s0", DurationSeconds=3601
        )
    assert aws_error(exc.value) == (
        "ValidationError",
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by "
        "role chaining.",
        400,
    )
    second = chained.assume_role(RoleArn="arn:aws:iam::111122223333:role/b", RoleSessionName="st")
    assert second["AssumedRoleUser"]["Arn"] == "arn:aws:sts::111122223333:assumed-role/b/st"


@pytest.mark.parametrize(
    "role_arn",
    [
        "arn:aws:iam::111122223333:user/someone",
        "arn:aws:iam::1111222233:role/short-account",
        "arn:aws:s3:::bucket/role/not-a-role",
    ],
)
def test_invalid_role_arn(
    sts: Any, role_arn: str, aws_error: Callable[[Any], tuple[str, str, int]]
) -> None:
    with pytest.raises(ClientError) as exc:
        sts.assume_role(RoleArn=role_arn, RoleSessionName="s0")
    assert aws_error(exc.value) == ("ValidationError", "Request ARN is invalid", 400)


def test_invalid_session_name(sts: Any, aws_error: Callable[[Any], tuple[str, str, int]]) -> None:
    with pytest.raises(ClientError) as exc:
        sts.assume_role(RoleArn="arn:aws:iam::111122223333:role/r", RoleSessionName="has space")
    assert aws_error(exc.value) == (
        "ValidationError",
        "1 validation error detected: Value 'has space' at 'roleSessionName' failed to satisfy "
        r"constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*",
        400,
    )


def test_malformed_session_policy(
    sts: Any, aws_error: Callable[[Any], tuple[str, str, int]]
) -> None:
    with pytest.raises(ClientError) as exc:
        sts.assume_role(
            RoleArn="arn:aws:iam::111122223333:role/r", RoleSessionName="s0", Policy="{not json"
        )
    assert aws_error(exc.value) == (
        "MalformedPolicyDocument",
        "The policy is not in the valid JSON format.",
        400,
    )


def _jwt(claims: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256'})}.{part(claims)}.signature"


def test_assume_role_with_web_identity(aws_client: Callable[..., Any]) -> None:
    # AssumeRoleWithWebIdentity is unsigned: boto3 sends no credentials at all.
    sts = aws_client("sts")
    token = _jwt({"sub": "user-42", "aud": "my-app", "iss": "https://issuer.example.com"})
    response = sts.assume_role_with_web_identity(
        RoleArn="arn:aws:iam::123456789012:role/web", RoleSessionName="app", WebIdentityToken=token
    )
    assert response["SubjectFromWebIdentityToken"] == "user-42"
    assert response["Audience"] == "my-app"
    assert response["Provider"] == "https://issuer.example.com"
    assert response["AssumedRoleUser"]["Arn"] == "arn:aws:sts::123456789012:assumed-role/web/app"
    identity = session_client(aws_client, "sts", response["Credentials"]).get_caller_identity()
    assert identity["Account"] == "123456789012"


def test_web_identity_token_must_be_a_jwt(
    aws_client: Callable[..., Any], aws_error: Callable[[Any], tuple[str, str, int]]
) -> None:
    with pytest.raises(ClientError) as exc:
        aws_client("sts").assume_role_with_web_identity(
            RoleArn="arn:aws:iam::123456789012:role/web",
            RoleSessionName="app",
            WebIdentityToken="not-a-jwt",
        )
    assert aws_error(exc.value) == (
        "InvalidIdentityToken",
        "The ID Token provided is not a valid JWT. (You may see this error if you sent an "
        "Access Token)",
        400,
    )
