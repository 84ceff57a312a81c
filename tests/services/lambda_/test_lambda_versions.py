"""Versions, aliases with weighted routing, tags and resource policies."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

Error = Callable[[Any], tuple[str, str, int]]
Create = Callable[..., dict[str, Any]]
Call = Callable[..., tuple[dict[str, Any], Any]]


def test_publish_snapshots_and_skips_unchanged(
    lambda_client: Any, create_function: Create, call: Call
) -> None:
    config = create_function(handler="state.environment", files=["state.py"])
    name = config["FunctionName"]
    first = lambda_client.publish_version(FunctionName=name, Description="one")
    assert first["Version"] == "1" and first["FunctionArn"].endswith(f":{name}:1")
    assert first["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert lambda_client.publish_version(FunctionName=name)["Version"] == "1"
    lambda_client.update_function_configuration(
        FunctionName=name, Environment={"Variables": {"V": "2"}}
    )
    assert lambda_client.publish_version(FunctionName=name)["Version"] == "2"
    versions = [
        v["Version"] for v in lambda_client.list_versions_by_function(FunctionName=name)["Versions"]
    ]
    assert versions == ["$LATEST", "1", "2"]
    response, env = call(name, Qualifier="1")
    assert response["ExecutedVersion"] == "1"
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "1" and "V" not in env
    assert call(f"{name}:2")[1]["V"] == "2"


def test_aliases(
    lambda_client: Any, create_function: Create, call: Call, account: str, aws_error: Error
) -> None:
    name = create_function()["FunctionName"]
    lambda_client.publish_version(FunctionName=name)
    alias = lambda_client.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    assert alias["AliasArn"] == f"arn:aws:lambda:us-east-1:{account}:function:{name}:live"
    assert lambda_client.get_alias(FunctionName=name, Name="live")["FunctionVersion"] == "1"
    response, body = call(name, Qualifier="live")
    assert response["ExecutedVersion"] == "1"
    assert body["function_arn"].endswith(f":{name}:live")
    with pytest.raises(ClientError) as caught:
        lambda_client.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    assert aws_error(caught.value)[0::2] == ("ResourceConflictException", 409)
    with pytest.raises(ClientError) as caught:
        lambda_client.delete_function(FunctionName=name, Qualifier="1")
    assert aws_error(caught.value)[0] == "ResourceConflictException"
    assert [a["Name"] for a in lambda_client.list_aliases(FunctionName=name)["Aliases"]] == ["live"]
    lambda_client.delete_alias(FunctionName=name, Name="live")
    with pytest.raises(ClientError) as caught:
        lambda_client.get_alias(FunctionName=name, Name="live")
    assert aws_error(caught.value) == (
        "ResourceNotFoundException",
        f"Alias not found: arn:aws:lambda:us-east-1:{account}:function:{name}:live",
        404,
    )


def test_weighted_alias_routes_between_two_versions(
    lambda_client: Any, create_function: Create, call: Call
) -> None:
    name = create_function()["FunctionName"]
    lambda_client.publish_version(FunctionName=name)
    lambda_client.update_function_configuration(FunctionName=name, Description="second")
    lambda_client.publish_version(FunctionName=name)
    lambda_client.create_alias(
        FunctionName=name,
        Name="canary",
        FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}},
    )
    executed = Counter(call(name, Qualifier="canary")[0]["ExecutedVersion"] for _ in range(40))
    assert set(executed) == {"1", "2"}
    updated = lambda_client.update_alias(FunctionName=name, Name="canary", RoutingConfig={})
    assert "RoutingConfig" not in updated
    assert {call(name, Qualifier="canary")[0]["ExecutedVersion"] for _ in range(5)} == {"1"}


def test_tags(lambda_client: Any, create_function: Create, aws_error: Error) -> None:
    arn = create_function(Tags={"team": "a"})["FunctionArn"]
    lambda_client.tag_resource(Resource=arn, Tags={"env": "dev"})
    assert lambda_client.list_tags(Resource=arn)["Tags"] == {"team": "a", "env": "dev"}
    lambda_client.untag_resource(Resource=arn, TagKeys=["team"])
    assert lambda_client.list_tags(Resource=arn)["Tags"] == {"env": "dev"}
    assert lambda_client.get_function(FunctionName=arn)["Tags"] == {"env": "dev"}


def test_permissions_and_policy(
    lambda_client: Any, create_function: Create, account: str, aws_error: Error
) -> None:
    config = create_function()
    name = config["FunctionName"]
    with pytest.raises(ClientError) as caught:
        lambda_client.get_policy(FunctionName=name)
    assert aws_error(caught.value) == (
        "ResourceNotFoundException",
        "The resource you requested does not exist.",
        404,
    )
    added = lambda_client.add_permission(
        FunctionName=name,
        StatementId="s3-invoke",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceArn="arn:aws:s3:::my-bucket",
        SourceAccount=account,
    )
    statement = json.loads(added["Statement"])
    assert statement == {
        "Sid": "s3-invoke",
        "Effect": "Allow",
        "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "lambda:InvokeFunction",
        "Resource": config["FunctionArn"],
        "Condition": {
            "ArnLike": {"AWS:SourceArn": "arn:aws:s3:::my-bucket"},
            "StringEquals": {"AWS:SourceAccount": account},
        },
    }
    policy = json.loads(lambda_client.get_policy(FunctionName=name)["Policy"])
    assert policy["Version"] == "2012-10-17" and policy["Statement"] == [statement]
    with pytest.raises(ClientError) as caught:
        lambda_client.add_permission(
            FunctionName=name,
            StatementId="s3-invoke",
            Action="lambda:InvokeFunction",
            Principal="*",
        )
    assert aws_error(caught.value)[0::2] == ("ResourceConflictException", 409)
    lambda_client.remove_permission(FunctionName=name, StatementId="s3-invoke")
    with pytest.raises(ClientError) as caught:
        lambda_client.remove_permission(FunctionName=name, StatementId="s3-invoke")
    assert aws_error(caught.value) == (
        "ResourceNotFoundException",
        "Statement s3-invoke is not found in resource policy.",
        404,
    )
