"""Desired capacity: SetDesiredCapacity (bounds, HonorCooldown), terminating an instance of a
group, instance protection, suspended processes, and the activities' AWS wording."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from asg_support import activities, ec2_state, group, instances, wait_for, wait_in_service
from botocore.exceptions import ClientError

Error = Callable[[Any], tuple[str, str, int]]
STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"


def test_scale_out_and_in_with_aws_wording(
    asg: Any, account: str, template: Callable[..., str], make_group: Callable[..., str]
) -> None:
    name = make_group(LaunchTemplate={"LaunchTemplateName": template()}, DesiredCapacity=1)
    wait_in_service(asg, name, 1)
    asg.set_desired_capacity(AutoScalingGroupName=name, DesiredCapacity=3)
    wait_in_service(asg, name, 3)
    asg.set_desired_capacity(AutoScalingGroupName=name, DesiredCapacity=2)
    wait_in_service(asg, name, 2)
    found = activities(asg, name)
    wait_for(lambda: all(a["StatusCode"] == "Successful" for a in activities(asg, name)))
    found = activities(asg, name)
    assert [a["Description"].split(":")[0] for a in found] == [
        "Terminating EC2 instance",
        "Launching a new EC2 instance",
        "Launching a new EC2 instance",
        "Launching a new EC2 instance",
    ]
    terminated = found[0]
    victim = terminated["Description"].removeprefix("Terminating EC2 instance: ")
    assert re.fullmatch(
        f"At {STAMP} a user request explicitly set group desired capacity changing the desired"
        f" capacity from 3 to 2.  At {STAMP} an instance was taken out of service in response to"
        f" a difference between desired and actual capacity, shrinking the capacity from 3 to"
        f" 2.  At {STAMP} instance {victim} was selected for termination.",
        terminated["Cause"],
    ), terminated["Cause"]
    assert re.fullmatch(
        f"At {STAMP} a user request explicitly set group desired capacity changing the desired"
        f" capacity from 1 to 3.  At {STAMP} an instance was started in response to a"
        " difference between desired and actual capacity, increasing the capacity from 1 to 3.",
        found[1]["Cause"],
    ), found[1]["Cause"]
    assert re.fullmatch(
        f"At {STAMP} a user request created an AutoScalingGroup changing the desired capacity"
        f" from 0 to 1.  At {STAMP} an instance was started in response to a difference between"
        " desired and actual capacity, increasing the capacity from 0 to 1.",
        found[3]["Cause"],
    ), found[3]["Cause"]
    assert found[3]["Details"] == (
        '{"Subnet ID":"' + instances_subnet(asg, found) + '","Availability Zone":"us-east-1a"}'
    )
    assert all(a["Progress"] == 100 and "EndTime" in a for a in found)
    assert found[0]["AutoScalingGroupARN"] == group(asg, name)["AutoScalingGroupARN"]


def instances_subnet(asg: Any, found: list[dict[str, Any]]) -> str:
    detail = found[-1]["Details"]
    match = re.search(r'"Subnet ID":"(subnet-[0-9a-f]+)"', detail)
    assert match, detail
    return match.group(1)


@pytest.mark.parametrize(
    ("desired", "message"),
    [
        (7, "New SetDesiredCapacity value 7 is above max value 6 for the AutoScalingGroup."),
        (0, "New SetDesiredCapacity value 0 is below min value 1 for the AutoScalingGroup."),
    ],
)
def test_desired_capacity_bounds(
    asg: Any,
    template: Callable[..., str],
    make_group: Callable[..., str],
    desired: int,
    message: str,
    aws_error: Error,
) -> None:
    name = make_group(LaunchTemplate={"LaunchTemplateName": template()}, MinSize=1)
    with pytest.raises(ClientError) as raised:
        asg.set_desired_capacity(AutoScalingGroupName=name, DesiredCapacity=desired)
    assert aws_error(raised.value) == ("ValidationError", message, 400)


def test_honor_cooldown_while_an_activity_is_in_progress(
    asg: Any, template: Callable[..., str], make_group: Callable[..., str], aws_error: Error
) -> None:
    name = make_group(
        LaunchTemplate={"LaunchTemplateName": template()},
        LifecycleHookSpecificationList=[
            {
                "LifecycleHookName": "hold",
                "LifecycleTransition": "autoscaling:EC2_INSTANCE_LAUNCHING",
            }
        ],
    )
    asg.set_desired_capacity(AutoScalingGroupName=name, DesiredCapacity=1)
    (waiting,) = wait_for(lambda: instances(asg, name, "Pending:Wait"))
    with pytest.raises(ClientError) as raised:
        asg.set_desired_capacity(AutoScalingGroupName=name, DesiredCapacity=2, HonorCooldown=True)
    code, message, status = aws_error(raised.value)
    assert (code, status) == ("ScalingActivityInProgress", 400)
    assert re.fullmatch(
        r"Scaling activity [0-9a-f-]{36} is in progress and blocks this action", message
    )
    asg.complete_lifecycle_action(
        AutoScalingGroupName=name,
        LifecycleHookName="hold",
        InstanceId=waiting["InstanceId"],
        LifecycleActionResult="CONTINUE",
    )
    wait_in_service(asg, name, 1)
    asg.set_desired_capacity(AutoScalingGroupName=name, DesiredCapacity=2, HonorCooldown=True)
    assert group(asg, name)["DesiredCapacity"] == 2


def test_terminate_instance_in_group(
    asg: Any, ec2: Any, template: Callable[..., str], make_group: Callable[..., str]
) -> None:
    name = make_group(LaunchTemplate={"LaunchTemplateName": template()}, DesiredCapacity=2)
    first, second = wait_in_service(asg, name, 2)
    activity = asg.terminate_instance_in_auto_scaling_group(
        InstanceId=first, ShouldDecrementDesiredCapacity=True
    )["Activity"]
    assert activity["Description"] == f"Terminating EC2 instance: {first}"
    assert re.fullmatch(
        f"At {STAMP} instance {first} was taken out of service in response to a user request,"
        " shrinking the capacity from 2 to 1.",
        activity["Cause"],
    )
    assert wait_in_service(asg, name, 1) == [second]
    assert group(asg, name)["DesiredCapacity"] == 1
    wait_for(lambda: ec2_state(ec2, first) == "terminated")
    activity = asg.terminate_instance_in_auto_scaling_group(
        InstanceId=second, ShouldDecrementDesiredCapacity=False
    )["Activity"]
    assert activity["Cause"].endswith("in response to a user request.")
    (replacement,) = wait_in_service(asg, name, 1)
    assert replacement != second


def test_protected_instances_stay(
    asg: Any, template: Callable[..., str], make_group: Callable[..., str]
) -> None:
    name = make_group(
        LaunchTemplate={"LaunchTemplateName": template()},
        DesiredCapacity=2,
        NewInstancesProtectedFromScaleIn=True,
    )
    ids = wait_in_service(asg, name, 2)
    assert all(i["ProtectedFromScaleIn"] for i in instances(asg, name))
    asg.set_desired_capacity(AutoScalingGroupName=name, DesiredCapacity=1)
    asg.set_instance_protection(
        AutoScalingGroupName=name, InstanceIds=[ids[1]], ProtectedFromScaleIn=False
    )
    assert wait_in_service(asg, name, 1) == [ids[0]]


def test_suspended_launches(
    asg: Any, template: Callable[..., str], make_group: Callable[..., str]
) -> None:
    name = make_group(LaunchTemplate={"LaunchTemplateName": template()})
    asg.suspend_processes(AutoScalingGroupName=name, ScalingProcesses=["Launch"])
    asg.set_desired_capacity(AutoScalingGroupName=name, DesiredCapacity=1)
    assert group(asg, name)["SuspendedProcesses"][0]["ProcessName"] == "Launch"
    assert instances(asg, name) == []
    asg.resume_processes(AutoScalingGroupName=name)
    wait_in_service(asg, name, 1)
