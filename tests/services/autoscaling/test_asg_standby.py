"""Standby (in and out, with and without decrementing), attaching and detaching instances."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from asg_support import ec2_state, group, instances, wait_for, wait_in_service
from botocore.exceptions import ClientError

Error = Callable[[Any], tuple[str, str, int]]
STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"


def test_standby_and_back(
    asg: Any, template: Callable[..., str], make_group: Callable[..., str]
) -> None:
    name = make_group(
        LaunchTemplate={"LaunchTemplateName": template()}, MinSize=1, DesiredCapacity=2
    )
    first, second = wait_in_service(asg, name, 2)
    (activity,) = asg.enter_standby(
        AutoScalingGroupName=name, InstanceIds=[first], ShouldDecrementDesiredCapacity=True
    )["Activities"]
    assert activity["Description"] == f"Moving EC2 instance to Standby: {first}"
    assert re.fullmatch(
        f"At {STAMP} instance {first} was moved to standby in response to a user request,"
        " shrinking the capacity from 2 to 1.",
        activity["Cause"],
    )
    wait_for(lambda: [i["InstanceId"] for i in instances(asg, name, "Standby")] == [first])
    assert group(asg, name)["DesiredCapacity"] == 1
    assert [i["InstanceId"] for i in instances(asg, name, "InService")] == [second]
    (back,) = asg.exit_standby(AutoScalingGroupName=name, InstanceIds=[first])["Activities"]
    assert back["Description"] == f"Moving EC2 instance out of Standby: {first}"
    assert sorted(wait_in_service(asg, name, 2)) == sorted([first, second])
    assert group(asg, name)["DesiredCapacity"] == 2


def test_standby_without_decrement_launches_a_replacement(
    asg: Any, template: Callable[..., str], make_group: Callable[..., str]
) -> None:
    name = make_group(LaunchTemplate={"LaunchTemplateName": template()}, DesiredCapacity=1)
    (first,) = wait_in_service(asg, name, 1)
    asg.enter_standby(
        AutoScalingGroupName=name, InstanceIds=[first], ShouldDecrementDesiredCapacity=False
    )
    (replacement,) = wait_for(
        lambda: (
            [i["InstanceId"] for i in instances(asg, name, "InService")]
            and instances(asg, name, "InService")
        )
    )
    assert replacement["InstanceId"] != first
    assert [i["InstanceId"] for i in instances(asg, name, "Standby")] == [first]


def test_detach_keeps_the_instance_running(
    asg: Any, ec2: Any, template: Callable[..., str], make_group: Callable[..., str]
) -> None:
    name = make_group(LaunchTemplate={"LaunchTemplateName": template()}, DesiredCapacity=2)
    first, second = wait_in_service(asg, name, 2)
    (activity,) = asg.detach_instances(
        AutoScalingGroupName=name, InstanceIds=[first], ShouldDecrementDesiredCapacity=True
    )["Activities"]
    assert activity["Description"] == f"Detaching EC2 instance: {first}"
    assert activity["Cause"].endswith(
        f"instance {first} was detached in response to a user request, shrinking the capacity"
        " from 2 to 1."
    )
    assert wait_in_service(asg, name, 1) == [second]
    assert ec2_state(ec2, first) == "running"
    tags = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [first]}])["Tags"]
    assert "aws:autoscaling:groupName" not in {t["Key"] for t in tags}
    ec2.terminate_instances(InstanceIds=[first])


def test_attach_an_existing_instance(
    asg: Any,
    ec2: Any,
    images: dict[str, str],
    template: Callable[..., str],
    make_group: Callable[..., str],
) -> None:
    name = make_group(LaunchTemplate={"LaunchTemplateName": template()}, DesiredCapacity=1)
    wait_in_service(asg, name, 1)
    instance_id = ec2.run_instances(
        ImageId=images["cloudlet-base"],
        MinCount=1,
        MaxCount=1,
        Placement={"AvailabilityZone": "us-east-1a"},
    )["Instances"][0]["InstanceId"]
    wait_for(lambda: ec2_state(ec2, instance_id) == "running")
    asg.attach_instances(AutoScalingGroupName=name, InstanceIds=[instance_id])
    assert instance_id in wait_in_service(asg, name, 2)
    assert group(asg, name)["DesiredCapacity"] == 2
    activity = asg.describe_scaling_activities(AutoScalingGroupName=name)["Activities"][0]
    assert activity["Description"] == f"Attaching an existing EC2 instance: {instance_id}"


def test_move_errors(
    asg: Any, template: Callable[..., str], make_group: Callable[..., str], aws_error: Error
) -> None:
    name = make_group(
        LaunchTemplate={"LaunchTemplateName": template()}, MinSize=1, DesiredCapacity=1
    )
    (only,) = wait_in_service(asg, name, 1)
    with pytest.raises(ClientError) as raised:
        asg.enter_standby(
            AutoScalingGroupName=name, InstanceIds=[only], ShouldDecrementDesiredCapacity=True
        )
    assert aws_error(raised.value) == (
        "ValidationError",
        f"Cannot decrement desired capacity of group {name} below its min size 1.",
        400,
    )
    with pytest.raises(ClientError) as raised:
        asg.exit_standby(AutoScalingGroupName=name, InstanceIds=[only])
    assert aws_error(raised.value) == (
        "ValidationError",
        f"The instance {only} is not in Standby. Its current lifecycle state is InService.",
        400,
    )
