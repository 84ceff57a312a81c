"""An instance is a real process tree: user data at first boot, its app on its own loopback
address, the instance metadata service, role credentials, shutdown by itself, nothing left over."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

import psutil
from ec2_support import TEMPLATES, console, http_get, instance, user_data, wait_for, wait_state

TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ec2.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


def _instance_processes(instance_id: str) -> list[psutil.Process]:
    """Processes of this machine started for the instance (they run in its directory)."""
    found = []
    for process in psutil.process_iter(["cwd", "environ"]):
        try:
            cwd = process.info["cwd"] or ""
        except psutil.Error:
            continue
        if f"/ec2/instances/{instance_id}/" in cwd + "/":
            found.append(process)
    return found


def test_web_app_listens_on_its_private_address(run: Callable[..., dict[str, Any]]) -> None:
    started = run()
    ip = started["PrivateIpAddress"]
    status, body = wait_for(lambda: _get(ip, "/"))
    assert status == 200
    assert body.decode() == f"Hello from {started['InstanceId']} ({ip})\n"
    status, body = _get(ip, "/burn?ms=20") or (0, b"")
    assert status == 200
    assert json.loads(body)["cpu_ms"] == 20


def test_user_data_runs_once_like_cloud_init(ec2: Any, run: Callable[..., dict[str, Any]]) -> None:
    started = run("cloudlet-base", UserData=user_data("hello.sh"))
    instance_id = started["InstanceId"]
    wait_for(lambda: "hello from user data" in console(ec2, instance_id))
    ec2.reboot_instances(InstanceIds=[instance_id])
    ec2.stop_instances(InstanceIds=[instance_id])
    wait_state(ec2, instance_id, "stopped")
    ec2.start_instances(InstanceIds=[instance_id])
    wait_state(ec2, instance_id, "running")
    assert console(ec2, instance_id).count("hello from user data") == 1


def test_metadata_service(ec2: Any, run: Callable[..., dict[str, Any]]) -> None:
    script = user_data("metadata.sh")
    started = run("cloudlet-base", UserData=script, Placement={"AvailabilityZone": "us-east-1c"})
    output = wait_for(lambda: "done" in (text := console(ec2, started["InstanceId"])) and text)
    lines = dict(line.split("=", 1) for line in output.splitlines() if "=" in line)
    assert lines["instance-id"] == started["InstanceId"]
    assert lines["ami-id"] == started["ImageId"]
    assert lines["instance-type"] == "t2.micro"
    assert lines["zone"] == "us-east-1c"
    assert lines["region"] == "us-east-1"
    assert lines["local-ipv4"] == started["PrivateIpAddress"]
    assert lines["user-data-first-line"] == "#!/bin/sh"


def test_instance_profile_credentials_reach_cloudlet(
    ec2: Any,
    aws_client: Callable[..., Any],
    account: str,
    name: Callable[[str], str],
    run: Callable[..., dict[str, Any]],
) -> None:
    iam = aws_client("iam", account=account)
    role = name("role")
    profile = name("profile")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=TRUST)
    iam.create_instance_profile(InstanceProfileName=profile)
    iam.add_role_to_instance_profile(InstanceProfileName=profile, RoleName=role)
    started = run(
        "cloudlet-base",
        UserData=user_data("caller_identity.sh"),
        IamInstanceProfile={"Name": profile},
    )
    assert started["IamInstanceProfile"]["Arn"] == (
        f"arn:aws:iam::{account}:instance-profile/{profile}"
    )
    output = wait_for(lambda: "done" in (text := console(ec2, started["InstanceId"])) and text)
    assert f"caller=arn:aws:sts::{account}:assumed-role/{role}/{started['InstanceId']}" in output


def test_app_that_exits_shuts_the_instance_down(
    ec2: Any, name: Callable[[str], str], run: Callable[..., dict[str, Any]]
) -> None:
    image_id = ec2.register_image(
        Name=name("crash"), ImageLocation=str(TEMPLATES / "crashing_app")
    )["ImageId"]
    started = run(image_id, wait=False)
    stopped = wait_state(ec2, started["InstanceId"], "stopped")
    assert stopped["StateReason"] == {
        "Code": "Client.InstanceInitiatedShutdown",
        "Message": "Client.InstanceInitiatedShutdown: Instance initiated shutdown",
    }
    assert "app is crashing" in console(ec2, started["InstanceId"])


def test_instance_initiated_shutdown_can_terminate(
    ec2: Any, run: Callable[..., dict[str, Any]]
) -> None:
    started = run(InstanceInitiatedShutdownBehavior="terminate")
    wait_for(lambda: _get(started["PrivateIpAddress"], "/health"))
    assert _get(started["PrivateIpAddress"], "/crash") is None
    gone = wait_state(ec2, started["InstanceId"], "terminated")
    assert gone["StateReason"]["Code"] == "Client.InstanceInitiatedShutdown"


def test_reboot_restarts_the_app(ec2: Any, run: Callable[..., dict[str, Any]]) -> None:
    started = run(UserData=user_data("forever.sh"))
    instance_id = started["InstanceId"]
    wait_for(lambda: "worker started" in console(ec2, instance_id))
    before = {p.pid for p in _instance_processes(instance_id)}
    assert before
    ec2.reboot_instances(InstanceIds=[instance_id])
    wait_for(lambda: before.isdisjoint(p.pid for p in _instance_processes(instance_id)))
    assert wait_for(lambda: _get(started["PrivateIpAddress"], "/health"))[0] == 200
    assert instance(ec2, instance_id)["State"]["Name"] == "running"


def test_nothing_is_left_after_terminate(ec2: Any, run: Callable[..., dict[str, Any]]) -> None:
    started = run(UserData=user_data("forever.sh"))
    instance_id = started["InstanceId"]
    wait_for(lambda: "worker started" in console(ec2, instance_id))
    processes = _instance_processes(instance_id)
    assert len(processes) >= 2  # the app and the user data's worker
    ec2.terminate_instances(InstanceIds=[instance_id])
    wait_state(ec2, instance_id, "terminated")
    wait_for(lambda: not any(p.is_running() and p.status() != "zombie" for p in processes))
    assert os.path.exists("/proc")


def _get(ip: str, path: str) -> tuple[int, bytes] | None:
    try:
        return http_get(ip, _port(), path)
    except OSError:
        return None


def _port() -> int:
    from cloudlet.services.ec2.ports import host_port

    return host_port(80)
