"""Managed policies and their versions; AWS managed policies."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
from botocore.exceptions import ClientError

DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}],
}
Error = Callable[[Any], tuple[str, str, int]]


def version(n: int) -> dict[str, Any]:
    return {**DOCUMENT, "Statement": [{**DOCUMENT["Statement"][0], "Sid": f"v{n}"}]}


@pytest.fixture
def policy(iam: Any, name: Callable[[str], str]) -> dict[str, Any]:
    created: dict[str, Any] = iam.create_policy(
        PolicyName=name("pol"), PolicyDocument=json.dumps(version(1)), Description="queues"
    )["Policy"]
    return created


def test_create_and_get(iam: Any, account: str, policy: dict[str, Any]) -> None:
    assert re.fullmatch(r"ANPA[A-Z0-9]{17}", policy["PolicyId"])
    assert policy["Arn"] == f"arn:aws:iam::{account}:policy/{policy['PolicyName']}"
    assert (policy["DefaultVersionId"], policy["AttachmentCount"]) == ("v1", 0)
    assert policy["IsAttachable"] is True
    got = iam.get_policy(PolicyArn=policy["Arn"])["Policy"]
    assert got["PolicyId"] == policy["PolicyId"]
    assert got["Description"] == "queues"


def test_duplicate_name(iam: Any, policy: dict[str, Any], aws_error: Error) -> None:
    with pytest.raises(ClientError) as exc:
        iam.create_policy(
            PolicyName=policy["PolicyName"], Path="/other/", PolicyDocument=json.dumps(DOCUMENT)
        )
    assert aws_error(exc.value) == (
        "EntityAlreadyExists",
        f"A policy called {policy['PolicyName']} already exists. Duplicate names are not allowed.",
        409,
    )


def test_get_missing(iam: Any, account: str, aws_error: Error) -> None:
    arn = f"arn:aws:iam::{account}:policy/none"
    with pytest.raises(ClientError) as exc:
        iam.get_policy(PolicyArn=arn)
    assert aws_error(exc.value) == ("NoSuchEntity", f"Policy {arn} was not found.", 404)


def test_malformed_document(iam: Any, aws_error: Error) -> None:
    with pytest.raises(ClientError) as exc:
        iam.create_policy(PolicyName="bad", PolicyDocument="[1, 2")
    assert aws_error(exc.value) == ("MalformedPolicyDocument", "Syntax errors in policy.", 400)


def test_size_quota(iam: Any, aws_error: Error) -> None:
    actions = [f"service:Action{i:05d}" for i in range(400)]
    big = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}],
    }
    with pytest.raises(ClientError) as exc:
        iam.create_policy(PolicyName="big", PolicyDocument=json.dumps(big))
    assert aws_error(exc.value) == (
        "LimitExceeded",
        "Cannot exceed quota for PolicySize: 6144",
        409,
    )


def test_list_local_and_attached(iam: Any, name: Callable[[str], str]) -> None:
    names = sorted(name("p") for _ in range(3))
    arns = [
        iam.create_policy(PolicyName=n, PolicyDocument=json.dumps(DOCUMENT))["Policy"]["Arn"]
        for n in names
    ]
    local = iam.list_policies(Scope="Local")["Policies"]
    assert [p["PolicyName"] for p in local] == names
    assert all("Description" not in p and "Tags" not in p for p in local)
    iam.create_user(UserName=(user := name("u")))
    iam.attach_user_policy(UserName=user, PolicyArn=arns[1])
    attached = iam.list_policies(Scope="Local", OnlyAttached=True)["Policies"]
    assert [(p["PolicyName"], p["AttachmentCount"]) for p in attached] == [(names[1], 1)]
    paged = iam.get_paginator("list_policies").paginate(
        Scope="Local", PaginationConfig={"PageSize": 2}
    )
    assert [p["PolicyName"] for p in paged.build_full_result()["Policies"]] == names


def test_aws_managed_policies(iam: Any) -> None:
    listed = iam.list_policies(Scope="AWS", MaxItems=1000)["Policies"]
    arns = {p["Arn"] for p in listed}
    assert "arn:aws:iam::aws:policy/AdministratorAccess" in arns
    assert "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole" in arns
    arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    default = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    document = iam.get_policy_version(PolicyArn=arn, VersionId=default)["PolicyVersion"]["Document"]
    assert "logs:PutLogEvents" in document["Statement"][0]["Action"]


def test_delete(iam: Any, policy: dict[str, Any], aws_error: Error) -> None:
    iam.delete_policy(PolicyArn=policy["Arn"])
    with pytest.raises(ClientError) as exc:
        iam.get_policy(PolicyArn=policy["Arn"])
    assert aws_error(exc.value)[0] == "NoSuchEntity"


def test_delete_attached(
    iam: Any, policy: dict[str, Any], name: Callable[[str], str], aws_error: Error
) -> None:
    iam.create_user(UserName=(user := name("u")))
    iam.attach_user_policy(UserName=user, PolicyArn=policy["Arn"])
    with pytest.raises(ClientError) as exc:
        iam.delete_policy(PolicyArn=policy["Arn"])
    assert aws_error(exc.value) == (
        "DeleteConflict",
        "Cannot delete a policy attached to entities.",
        409,
    )
    entities = iam.list_entities_for_policy(PolicyArn=policy["Arn"])
    assert [u["UserName"] for u in entities["PolicyUsers"]] == [user]


def test_versions(iam: Any, policy: dict[str, Any]) -> None:
    arn = policy["Arn"]
    v2 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(version(2)))
    assert v2["PolicyVersion"]["VersionId"] == "v2"
    assert v2["PolicyVersion"]["IsDefaultVersion"] is False
    v3 = iam.create_policy_version(
        PolicyArn=arn, PolicyDocument=json.dumps(version(3)), SetAsDefault=True
    )["PolicyVersion"]
    assert v3["IsDefaultVersion"] is True
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v3"
    listed = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in listed] == [
        ("v3", True),
        ("v2", False),
        ("v1", False),
    ]
    got = iam.get_policy_version(PolicyArn=arn, VersionId="v2")["PolicyVersion"]
    assert got["Document"] == version(2)
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v1")
    iam.delete_policy_version(PolicyArn=arn, VersionId="v3")
    after = iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(version(4)))
    assert after["PolicyVersion"]["VersionId"] == "v4"


def test_policy_version_document_is_url_encoded_on_the_wire(
    iam: Any, policy: dict[str, Any]
) -> None:
    bodies: list[bytes] = []
    iam.meta.events.register(
        "before-parse.iam.GetPolicyVersion",
        lambda response_dict, **_: bodies.append(response_dict["body"]),
    )
    iam.get_policy_version(PolicyArn=policy["Arn"], VersionId="v1")
    assert f"<Document>{quote(json.dumps(version(1)), safe='')}</Document>".encode() in bodies[0]


def test_at_most_five_versions(iam: Any, policy: dict[str, Any], aws_error: Error) -> None:
    for n in range(2, 6):
        iam.create_policy_version(PolicyArn=policy["Arn"], PolicyDocument=json.dumps(version(n)))
    with pytest.raises(ClientError) as exc:
        iam.create_policy_version(PolicyArn=policy["Arn"], PolicyDocument=json.dumps(version(6)))
    assert aws_error(exc.value) == (
        "LimitExceeded",
        "A managed policy can have up to 5 versions. Before you create a new version, you must "
        "delete an existing version.",
        409,
    )


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ("delete_default", "Cannot delete the default version of a policy."),
        (
            "delete_policy",
            "This policy has more than one version. Before you delete a policy, you must delete "
            "the policy's versions. The default version is deleted with the policy.",
        ),
    ],
)
def test_version_delete_conflicts(
    iam: Any, policy: dict[str, Any], action: str, message: str, aws_error: Error
) -> None:
    iam.create_policy_version(PolicyArn=policy["Arn"], PolicyDocument=json.dumps(version(2)))
    with pytest.raises(ClientError) as exc:
        if action == "delete_default":
            iam.delete_policy_version(PolicyArn=policy["Arn"], VersionId="v1")
        else:
            iam.delete_policy(PolicyArn=policy["Arn"])
    assert aws_error(exc.value) == ("DeleteConflict", message, 409)


def test_missing_version(iam: Any, policy: dict[str, Any], aws_error: Error) -> None:
    with pytest.raises(ClientError) as exc:
        iam.get_policy_version(PolicyArn=policy["Arn"], VersionId="v9")
    assert aws_error(exc.value) == (
        "NoSuchEntity",
        f"Policy {policy['Arn']} version v9 does not exist or is not attachable.",
        404,
    )


def test_policy_tags(iam: Any, policy: dict[str, Any]) -> None:
    iam.tag_policy(PolicyArn=policy["Arn"], Tags=[{"Key": "k", "Value": "v"}])
    assert iam.list_policy_tags(PolicyArn=policy["Arn"])["Tags"] == [{"Key": "k", "Value": "v"}]
    iam.untag_policy(PolicyArn=policy["Arn"], TagKeys=["k"])
    assert iam.list_policy_tags(PolicyArn=policy["Arn"])["Tags"] == []
