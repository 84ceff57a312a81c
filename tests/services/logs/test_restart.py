"""State survives a restart: an IAM role, an access key, log groups and events come back after a
clean stop and after `kill -9`, from the same data directory."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest

from cloudlet.testing import CloudletProcess

TRUST = json.dumps({"Version": "2012-10-17", "Statement": []})
POLICY = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
)


def client(server: CloudletProcess, service: str, key: str = "123456789012", **kw: Any) -> Any:
    return boto3.session.Session().client(
        service,
        endpoint_url=server.endpoint,
        region_name="us-east-1",
        aws_access_key_id=key,
        aws_secret_access_key=kw.pop("secret", "test"),
        **kw,
    )


def populate(server: CloudletProcess) -> dict[str, Any]:
    iam = client(server, "iam")
    role = iam.create_role(RoleName="survivor", AssumeRolePolicyDocument=TRUST)["Role"]
    iam.put_role_policy(RoleName="survivor", PolicyName="p", PolicyDocument=POLICY)
    iam.create_user(UserName="keeper")
    key = iam.create_access_key(UserName="keeper")["AccessKey"]
    logs = client(server, "logs")
    logs.create_log_group(logGroupName="/persist")
    logs.create_log_stream(logGroupName="/persist", logStreamName="s")
    now = int(time.time() * 1000)
    logs.put_log_events(
        logGroupName="/persist",
        logStreamName="s",
        logEvents=[{"timestamp": now + i, "message": f"event {i}"} for i in range(100)],
    )
    return {"role": role, "key": key}


def verify(server: CloudletProcess, before: dict[str, Any]) -> None:
    iam = client(server, "iam")
    role = iam.get_role(RoleName="survivor")["Role"]
    assert (role["RoleId"], role["Arn"]) == (before["role"]["RoleId"], before["role"]["Arn"])
    assert iam.list_role_policies(RoleName="survivor")["PolicyNames"] == ["p"]
    key = before["key"]
    sts = client(server, "sts", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    assert sts.get_caller_identity()["Arn"] == "arn:aws:iam::123456789012:user/keeper"
    logs = client(server, "logs")
    events = logs.get_log_events(logGroupName="/persist", logStreamName="s", startFromHead=True)
    assert [e["message"] for e in events["events"]] == [f"event {i}" for i in range(100)]
    (stream,) = logs.describe_log_streams(logGroupName="/persist")["logStreams"]
    assert stream["storedBytes"] == sum(len(f"event {i}") for i in range(100))


@pytest.mark.parametrize("stop", ["sigterm", "kill -9"])
def test_state_survives(tmp_path: Path, stop: str) -> None:
    server = CloudletProcess(data_dir=tmp_path / "data")
    server.start()
    try:
        before = populate(server)
        if stop == "sigterm":
            assert server.stop() == 0
        else:
            server.kill()
        server.start()
        verify(server, before)
    finally:
        server.stop()


def test_reset_wipes_everything(
    cloudlet_server: Any, aws_client: Callable[..., Any], reset_cloudlet: Callable[[], None]
) -> None:
    iam = aws_client("iam", account="555555555555")
    iam.create_role(RoleName="temporary", AssumeRolePolicyDocument=TRUST)
    logs = aws_client("logs", account="555555555555")
    logs.create_log_group(logGroupName="temporary")
    reset_cloudlet()
    assert iam.list_roles()["Roles"] == []
    assert logs.describe_log_groups()["logGroups"] == []
