"""Lifecycle hooks: Pending:Wait and Terminating:Wait, CONTINUE and ABANDON, heartbeats and
time-outs (on a time-scaled cloudlet), AWS's errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from asg_support import activities, ec2_state, group, instances, wait_for, wait_in_service
from botocore.exceptions import ClientError

Error = Callable[[Any], tuple[str, str, int]]
LAUNCHING = "autoscaling:EC2_INSTANCE_LAUNCHING"
TERMINATING = "autoscaling:EC2_INSTANCE_TERMINATING"


def test_launch_hook_continue(
    asg: Any, template: Callable[..., str], make_group: Callable[..., str]
) -> None:
    name = make_group(LaunchTemplate={"LaunchTemplateName": template()})
    asg.put_lifecycle_hook(
        AutoScalingGroupName=name,
        LifecycleHookName="warm",
        LifecycleTransition=LAUNCHING,
        NotificationMetadata="hello",
    )
    (hook,) = asg.describe_lifecycle_hooks(AutoScalingGroupName=name)["LifecycleHooks"]
    assert hook["HeartbeatTimeout"] == 3600
    assert hook["GlobalTimeout"] == 172800
    assert hook["DefaultResult"] == "ABANDON"
    assert hook["NotificationMetadata"] == "hello"
    asg.set_desired_capacity(AutoScalingGroupName=name, DesiredCapacity=1)
    (waiting,) = wait_for(lambda: instances(asg, name, "Pending:Wait"))
    wait_for(lambda: activities(asg, name)[0]["StatusCode"] == "MidLifecycleAction")
    asg.record_lifecycle_action_heartbeat(
        AutoScalingGroupName=name, LifecycleHookName="warm", InstanceId=waiting["InstanceId"]
    )
    asg.complete_lifecycle_action(
        AutoScalingGroupName=name,
        LifecycleHookName="warm",
        InstanceId=waiting["InstanceId"],
        LifecycleActionResult="CONTINUE",
    )
    assert wait_in_service(asg, name, 1) == [waiting["InstanceId"]]
    assert activities(asg, name)[0]["StatusCode"] == "Successful"


def test_launch_hook_abandon_replaces_the_instance(
    asg: Any, ec2: Any, template: Callable[..., str], make_group: Callable[..., str]
) -> None:
    name = make_group(
        LaunchTemplate={"LaunchTemplateName": template()},
        LifecycleHookSpecificationList=[
            {"LifecycleHookName": "check", "LifecycleTransition": LAUNCHING}
        ],
    )
    asg.set_desired_capacity(AutoScalingGroupName=name, DesiredCapacity=1)
    (first,) = wait_for(lambda: instances(asg, name, "Pending:Wait"))
    asg.complete_lifecycle_action(
        AutoScalingGroupName=name,
        LifecycleHookName="check",
        InstanceId=first["InstanceId"],
        LifecycleActionResult="ABANDON",
    )
    wait_for(lambda: ec2_state(ec2, first["InstanceId"]) == "terminated")
    (second,) = wait_for(lambda: instances(asg, name, "Pending:Wait"))
    assert second["InstanceId"] != first["InstanceId"]
    cancelled = next(
        a
        for a in activities(asg, name)
        if a["Description"].startswith(f"Launching a new EC2 instance: {first['InstanceId']}")
    )
    assert cancelled["StatusCode"] == "Cancelled"
    assert cancelled["Description"].startswith(
        f"Launching a new EC2 instance: {first['InstanceId']}.  Status Reason: Instance failed"
        " to complete user's Lifecycle Action: Lifecycle Action with token "
    )
    assert cancelled["Description"].endswith(
        "was abandoned: Lifecycle Action Completed with ABANDON Result"
    )


def test_terminate_hook(
    asg: Any, ec2: Any, template: Callable[..., str], make_group: Callable[..., str]
) -> None:
    name = make_group(LaunchTemplate={"LaunchTemplateName": template()}, DesiredCapacity=1)
    (instance_id,) = wait_in_service(asg, name, 1)
    asg.put_lifecycle_hook(
        AutoScalingGroupName=name, LifecycleHookName="drain", LifecycleTransition=TERMINATING
    )
    asg.set_desired_capacity(AutoScalingGroupName=name, DesiredCapacity=0)
    wait_for(lambda: instances(asg, name, "Terminating:Wait"))
    assert ec2_state(ec2, instance_id) == "running"
    with pytest.raises(ClientError) as raised:
        asg.complete_lifecycle_action(
            AutoScalingGroupName=name,
            LifecycleHookName="drain",
            LifecycleActionToken="00000000-0000-0000-0000-000000000000",
            LifecycleActionResult="CONTINUE",
        )
    assert raised.value.response["Error"]["Message"] == (
        "No active Lifecycle Action found with token 00000000-0000-0000-0000-000000000000"
    )
    asg.complete_lifecycle_action(
        AutoScalingGroupName=name,
        LifecycleHookName="drain",
        InstanceId=instance_id,
        LifecycleActionResult="CONTINUE",
    )
    wait_for(lambda: ec2_state(ec2, instance_id) == "terminated")
    wait_for(lambda: group(asg, name)["Instances"] == [])


def test_heartbeat_timeout_applies_the_default_result(
    scaled: Callable[[str], Any], scaled_group: Callable[..., str]
) -> None:
    asg = scaled("autoscaling")
    name = scaled_group()
    asg.put_lifecycle_hook(
        AutoScalingGroupName=name,
        LifecycleHookName="slow",
        LifecycleTransition=LAUNCHING,
        HeartbeatTimeout=60,
        DefaultResult="CONTINUE",
    )
    asg.set_desired_capacity(AutoScalingGroupName=name, DesiredCapacity=1)
    wait_for(lambda: instances(asg, name, "Pending:Wait"))
    # 60 AWS seconds are one second here: the CONTINUE default puts it in service
    wait_in_service(asg, name, 1, timeout=20)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"LifecycleTransition": "autoscaling:EC2_INSTANCE_REBOOTING"},
            "Invalid Lifecycle Transition: autoscaling:EC2_INSTANCE_REBOOTING",
        ),
        (
            {"LifecycleTransition": LAUNCHING, "HeartbeatTimeout": 10},
            "Heartbeat timeout must be between 30 and 7200 seconds (got 10).",
        ),
    ],
)
def test_bad_hooks(
    asg: Any,
    template: Callable[..., str],
    make_group: Callable[..., str],
    params: dict[str, Any],
    message: str,
    aws_error: Error,
) -> None:
    name = make_group(LaunchTemplate={"LaunchTemplateName": template()})
    with pytest.raises(ClientError) as raised:
        asg.put_lifecycle_hook(AutoScalingGroupName=name, LifecycleHookName="h", **params)
    assert aws_error(raised.value) == ("ValidationError", message, 400)


def test_no_active_action(
    asg: Any, template: Callable[..., str], make_group: Callable[..., str], aws_error: Error
) -> None:
    name = make_group(LaunchTemplate={"LaunchTemplateName": template()})
    asg.put_lifecycle_hook(
        AutoScalingGroupName=name, LifecycleHookName="h", LifecycleTransition=LAUNCHING
    )
    with pytest.raises(ClientError) as raised:
        asg.complete_lifecycle_action(
            AutoScalingGroupName=name,
            LifecycleHookName="h",
            InstanceId="i-0123456789abcdef0",
            LifecycleActionResult="CONTINUE",
        )
    assert aws_error(raised.value) == (
        "ValidationError",
        "No active Lifecycle Action found with instance ID i-0123456789abcdef0",
        400,
    )
    asg.delete_lifecycle_hook(AutoScalingGroupName=name, LifecycleHookName="h")
    assert asg.describe_lifecycle_hooks(AutoScalingGroupName=name)["LifecycleHooks"] == []
