"""Inline role policies and attached managed policies."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

TRUST = json.dumps({"Version": "2012-10-17", "Statement": []})
DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}],
}
BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
Error = Callable[[Any], tuple[str, str, int]]


@pytest.fixture
def role(iam: Any, name: Callable[[str], str]) -> str:
    role_name = name("role")
    iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=TRUST)
    return role_name


def test_inline_policy_lifecycle(iam: Any, role: str, aws_error: Error) -> None:
    iam.put_role_policy(RoleName=role, PolicyName="logs", PolicyDocument=json.dumps(DOCUMENT))
    iam.put_role_policy(RoleName=role, PolicyName="Alpha", PolicyDocument=json.dumps(DOCUMENT))
    got = iam.get_role_policy(RoleName=role, PolicyName="logs")
    assert (got["RoleName"], got["PolicyName"], got["PolicyDocument"]) == (role, "logs", DOCUMENT)
    assert iam.list_role_policies(RoleName=role)["PolicyNames"] == ["Alpha", "logs"]
    iam.delete_role_policy(RoleName=role, PolicyName="logs")
    with pytest.raises(ClientError) as exc:
        iam.get_role_policy(RoleName=role, PolicyName="logs")
    assert aws_error(exc.value) == (
        "NoSuchEntity",
        "The role policy with name logs cannot be found.",
        404,
    )


def test_put_replaces(iam: Any, role: str) -> None:
    iam.put_role_policy(RoleName=role, PolicyName="p", PolicyDocument=json.dumps(DOCUMENT))
    changed = {**DOCUMENT, "Statement": [{**DOCUMENT["Statement"][0], "Action": "s3:*"}]}
    iam.put_role_policy(RoleName=role, PolicyName="p", PolicyDocument=json.dumps(changed))
    assert iam.get_role_policy(RoleName=role, PolicyName="p")["PolicyDocument"] == changed


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("not json", "Syntax errors in policy."),
        ('{"Version": "2012-10-17"}', "Missing required field Statement"),
    ],
)
def test_malformed_inline_policy(
    iam: Any, role: str, document: str, message: str, aws_error: Error
) -> None:
    with pytest.raises(ClientError) as exc:
        iam.put_role_policy(RoleName=role, PolicyName="p", PolicyDocument=document)
    assert aws_error(exc.value) == ("MalformedPolicyDocument", message, 400)


def test_inline_policies_of_missing_role(iam: Any, aws_error: Error) -> None:
    with pytest.raises(ClientError) as exc:
        iam.list_role_policies(RoleName="ghost")
    assert aws_error(exc.value) == (
        "NoSuchEntity",
        "The role with name ghost cannot be found.",
        404,
    )


def test_attach_and_detach(iam: Any, account: str, role: str, name: Callable[[str], str]) -> None:
    policy = iam.create_policy(
        PolicyName=(policy_name := name("pol")), Path="/app/", PolicyDocument=json.dumps(DOCUMENT)
    )["Policy"]
    iam.attach_role_policy(RoleName=role, PolicyArn=policy["Arn"])
    iam.attach_role_policy(RoleName=role, PolicyArn=BASIC_EXECUTION)
    iam.attach_role_policy(RoleName=role, PolicyArn=BASIC_EXECUTION)  # idempotent
    attached = iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
    assert attached == [
        {"PolicyName": "AWSLambdaBasicExecutionRole", "PolicyArn": BASIC_EXECUTION},
        {
            "PolicyName": policy_name,
            "PolicyArn": f"arn:aws:iam::{account}:policy/app/{policy_name}",
        },
    ]
    only_app = iam.list_attached_role_policies(RoleName=role, PathPrefix="/app/")
    assert [p["PolicyName"] for p in only_app["AttachedPolicies"]] == [policy_name]
    assert iam.get_policy(PolicyArn=policy["Arn"])["Policy"]["AttachmentCount"] == 1
    iam.detach_role_policy(RoleName=role, PolicyArn=policy["Arn"])
    assert iam.get_policy(PolicyArn=policy["Arn"])["Policy"]["AttachmentCount"] == 0


def test_attach_missing_policy(iam: Any, account: str, role: str, aws_error: Error) -> None:
    arn = f"arn:aws:iam::{account}:policy/missing"
    with pytest.raises(ClientError) as exc:
        iam.attach_role_policy(RoleName=role, PolicyArn=arn)
    assert aws_error(exc.value) == (
        "NoSuchEntity",
        f"Policy {arn} does not exist or is not attachable.",
        404,
    )


def test_detach_policy_not_attached(iam: Any, role: str, aws_error: Error) -> None:
    with pytest.raises(ClientError) as exc:
        iam.detach_role_policy(RoleName=role, PolicyArn=BASIC_EXECUTION)
    assert aws_error(exc.value) == ("NoSuchEntity", f"Policy {BASIC_EXECUTION} was not found.", 404)


def test_at_most_ten_attached_policies(
    iam: Any, role: str, name: Callable[[str], str], aws_error: Error
) -> None:
    for _ in range(10):
        arn = iam.create_policy(PolicyName=name("p"), PolicyDocument=json.dumps(DOCUMENT))
        iam.attach_role_policy(RoleName=role, PolicyArn=arn["Policy"]["Arn"])
    with pytest.raises(ClientError) as exc:
        iam.attach_role_policy(RoleName=role, PolicyArn=BASIC_EXECUTION)
    assert aws_error(exc.value) == (
        "LimitExceeded",
        "Cannot exceed quota for PoliciesPerRole: 10",
        409,
    )


def test_aws_managed_policy_under_the_wrong_path(iam: Any, role: str, aws_error: Error) -> None:
    arn = "arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole"  # lives under /service-role/
    with pytest.raises(ClientError) as exc:
        iam.attach_role_policy(RoleName=role, PolicyArn=arn)
    assert aws_error(exc.value) == (
        "NoSuchEntity",
        f"Policy {arn} does not exist or is not attachable.",
        404,
    )


def test_unlisted_aws_managed_policy_is_accepted(iam: Any, role: str) -> None:
    arn = "arn:aws:iam::aws:policy/AmazonKinesisFullAccess"
    iam.attach_role_policy(RoleName=role, PolicyArn=arn)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 1
