"""Users and user groups become ACL users on the engines, at creation and live."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import redis
from botocore.exceptions import ClientError

PASSWORD = "a-password-of-16+chars"


@pytest.fixture
def user_group(elasticache: Any, name: Callable[[str], str]) -> dict[str, Any]:
    default_id, app_id = name("dflt"), name("app")
    elasticache.create_user(
        UserId=default_id,
        UserName="default",
        Engine="valkey",
        AccessString="off ~* +@all",
        NoPasswordRequired=True,
    )
    app = elasticache.create_user(
        UserId=app_id,
        UserName="app",
        Engine="valkey",
        AccessString="on ~app:* +@all",
        Passwords=[PASSWORD],
    )
    assert app["Authentication"] == {"Type": "password", "PasswordCount": 1}
    group = elasticache.create_user_group(
        UserGroupId=name("ug"), Engine="valkey", UserIds=[default_id, app_id]
    )
    return {**group, "app": app_id, "default": default_id}


def test_replication_group_engines_enforce_the_users_acls(
    elasticache: Any, create_group: Callable[..., Any], user_group: dict[str, Any]
) -> None:
    group = create_group(
        NumCacheClusters=2, UserGroupIds=[user_group["UserGroupId"]], TransitEncryptionEnabled=True
    )
    assert group["UserGroupIds"] == [user_group["UserGroupId"]]
    port = group["NodeGroups"][0]["PrimaryEndpoint"]["Port"]
    with pytest.raises(redis.exceptions.AuthenticationError):
        redis.Redis(port=port).ping()  # the default user is off
    app = redis.Redis(port=port, username="app", password=PASSWORD)
    app.set("app:1", "ok")
    with pytest.raises(redis.exceptions.NoPermissionError):
        app.set("other", "no")
    described = elasticache.describe_user_groups(UserGroupId=user_group["UserGroupId"])
    assert described["UserGroups"][0]["ReplicationGroups"] == [group["ReplicationGroupId"]]


def test_modify_user_changes_the_running_engines(
    elasticache: Any, create_group: Callable[..., Any], user_group: dict[str, Any]
) -> None:
    group = create_group(NumCacheClusters=1, UserGroupIds=[user_group["UserGroupId"]])
    port = group["NodeGroups"][0]["PrimaryEndpoint"]["Port"]
    elasticache.modify_user(UserId=user_group["app"], AccessString="on ~* +@all")
    redis.Redis(port=port, username="app", password=PASSWORD).set("anything", "now")
    elasticache.modify_user(UserId=user_group["default"], AccessString="on ~* +@all")
    assert redis.Redis(port=port).ping()


def test_user_group_needs_a_default_user(
    elasticache: Any, name: Callable[[str], str], aws_error: Any
) -> None:
    user_id = name("u")
    elasticache.create_user(
        UserId=user_id,
        UserName=name("n"),
        Engine="valkey",
        AccessString="on ~* +@all",
        Passwords=[PASSWORD],
    )
    with pytest.raises(ClientError) as raised:
        elasticache.create_user_group(UserGroupId=name("g"), Engine="valkey", UserIds=[user_id])
    assert aws_error(raised.value) == (
        "DefaultUserRequired",
        "User group needs to contain a user with the user name default.",
        400,
    )


def test_the_built_in_default_user_is_listed(elasticache: Any) -> None:
    users = elasticache.describe_users(UserId="default")["Users"]
    assert users[0]["AccessString"] == "on ~* +@all"
    assert users[0]["Authentication"]["Type"] == "no-password"


def test_users_and_groups_are_deleted(
    elasticache: Any, user_group: dict[str, Any], aws_error: Any
) -> None:
    answer = elasticache.delete_user_group(UserGroupId=user_group["UserGroupId"])
    assert answer["Status"] == "deleting"
    elasticache.delete_user(UserId=user_group["app"])
    with pytest.raises(ClientError) as raised:
        elasticache.describe_users(UserId=user_group["app"])
    assert aws_error(raised.value)[0] == "UserNotFound"
