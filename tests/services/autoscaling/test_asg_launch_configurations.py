"""Launch configurations: create (image and type checked), describe, in use, delete; a group on
one launches with its parameters and detailed monitoring."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from asg_support import wait_in_service
from botocore.exceptions import ClientError

Error = Callable[[Any], tuple[str, str, int]]


def test_create_describe_delete(
    asg: Any, images: dict[str, str], name: Callable[[str], str], account: str
) -> None:
    config = name("lc")
    asg.create_launch_configuration(
        LaunchConfigurationName=config,
        ImageId=images["cloudlet-base"],
        InstanceType="t3.micro",
        UserData="#!/bin/sh\necho hi\n",
    )
    (described,) = asg.describe_launch_configurations(LaunchConfigurationNames=[config])[
        "LaunchConfigurations"
    ]
    assert described["LaunchConfigurationARN"].startswith(
        f"arn:aws:autoscaling:us-east-1:{account}:launchConfiguration:"
    )
    assert described["ImageId"] == images["cloudlet-base"]
    assert described["InstanceMonitoring"] == {"Enabled": True}
    assert described["UserData"] == "IyEvYmluL3NoCmVjaG8gaGkK"  # base64, as AWS answers
    asg.delete_launch_configuration(LaunchConfigurationName=config)
    assert (
        asg.describe_launch_configurations(LaunchConfigurationNames=[config])[
            "LaunchConfigurations"
        ]
        == []
    )


def test_group_on_a_launch_configuration(
    asg: Any,
    ec2: Any,
    images: dict[str, str],
    name: Callable[[str], str],
    make_group: Callable[..., str],
    aws_error: Error,
) -> None:
    config = name("lc")
    asg.create_launch_configuration(
        LaunchConfigurationName=config, ImageId=images["cloudlet-base"], InstanceType="t3.nano"
    )
    group_name = make_group(LaunchConfigurationName=config, DesiredCapacity=1)
    (instance_id,) = wait_in_service(asg, group_name, 1)
    reservations = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
    instance = reservations[0]["Instances"][0]
    assert instance["InstanceType"] == "t3.nano"
    assert instance["Monitoring"] == {"State": "enabled"}
    (detail,) = asg.describe_auto_scaling_instances(InstanceIds=[instance_id])[
        "AutoScalingInstances"
    ]
    assert detail["LaunchConfigurationName"] == config
    with pytest.raises(ClientError) as raised:
        asg.delete_launch_configuration(LaunchConfigurationName=config)
    assert aws_error(raised.value) == (
        "ResourceInUse",
        f"Cannot delete launch configuration {config} because it is attached to"
        f" AutoScalingGroup {group_name}",
        400,
    )


def test_errors(
    asg: Any, images: dict[str, str], name: Callable[[str], str], aws_error: Error
) -> None:
    config = name("lc")
    asg.create_launch_configuration(
        LaunchConfigurationName=config, ImageId=images["cloudlet-base"], InstanceType="t3.nano"
    )
    with pytest.raises(ClientError) as raised:
        asg.create_launch_configuration(
            LaunchConfigurationName=config, ImageId=images["cloudlet-base"], InstanceType="t3.nano"
        )
    assert aws_error(raised.value) == (
        "AlreadyExists",
        "Launch Configuration by this name already exists - A launch configuration already"
        f" exists with the name {config}",
        400,
    )
    with pytest.raises(ClientError) as raised:
        asg.create_launch_configuration(
            LaunchConfigurationName=name("lc"),
            ImageId="ami-0123456789abcdef0",
            InstanceType="t3.nano",
        )
    assert aws_error(raised.value) == (
        "ValidationError",
        "AMI ami-0123456789abcdef0 is invalid: The image id '[ami-0123456789abcdef0]' does not"
        " exist",
        400,
    )
    with pytest.raises(ClientError) as raised:
        asg.delete_launch_configuration(LaunchConfigurationName="nope")
    assert aws_error(raised.value) == (
        "ValidationError",
        "Launch configuration name not found - Launch configuration nope not found",
        400,
    )
