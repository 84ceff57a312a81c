"""Fixtures of the Auto Scaling tests: clients in a fresh account, launch templates, groups that
are force-deleted at the end (so no instance process stays behind)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError


@pytest.fixture
def ec2(aws_client: Callable[..., Any], account: str) -> Any:
    return aws_client("ec2", account=account)


@pytest.fixture
def asg(aws_client: Callable[..., Any], account: str) -> Any:
    return aws_client("autoscaling", account=account)


@pytest.fixture
def images(ec2: Any) -> dict[str, str]:
    found = ec2.describe_images(Owners=["amazon"])["Images"]
    return {image["Name"]: image["ImageId"] for image in found}


@pytest.fixture
def template(ec2: Any, images: dict[str, str], name: Callable[[str], str]) -> Callable[..., str]:
    """Create a launch template (the base image unless told); returns its name."""

    def create(image: str = "cloudlet-base", **data: Any) -> str:
        template_name = name("lt")
        ec2.create_launch_template(
            LaunchTemplateName=template_name,
            LaunchTemplateData={
                "ImageId": images.get(image, image),
                "InstanceType": "t2.micro",
                **data,
            },
        )
        return template_name

    return create


@pytest.fixture
def make_group(asg: Any, name: Callable[[str], str]) -> Iterator[Callable[..., str]]:
    """Create a group (zone us-east-1a unless told); returns its name."""
    created: list[str] = []

    def create(**params: Any) -> str:
        group_name = params.pop("AutoScalingGroupName", None) or name("asg")
        params.setdefault("MinSize", 0)
        params.setdefault("MaxSize", 6)
        if "VPCZoneIdentifier" not in params:
            params.setdefault("AvailabilityZones", ["us-east-1a"])
        asg.create_auto_scaling_group(AutoScalingGroupName=group_name, **params)
        created.append(group_name)
        return group_name

    yield create
    for group_name in created:
        with contextlib.suppress(ClientError):  # the test deleted it already
            asg.delete_auto_scaling_group(AutoScalingGroupName=group_name, ForceDelete=True)


@pytest.fixture
def scaled_group(
    scaled: Callable[[str], Any], name: Callable[[str], str]
) -> Iterator[Callable[..., str]]:
    """Create a group of base-image instances on the time-scaled cloudlet; returns its name."""
    asg, ec2 = scaled("autoscaling"), scaled("ec2")
    created: list[str] = []

    def create(image: str = "cloudlet-base", **params: Any) -> str:
        found = ec2.describe_images(Owners=["amazon"])["Images"]
        ids = {i["Name"]: i["ImageId"] for i in found}
        template_name = name("lt")
        ec2.create_launch_template(
            LaunchTemplateName=template_name,
            LaunchTemplateData={"ImageId": ids.get(image, image), "InstanceType": "t2.micro"},
        )
        group_name = name("asg")
        params.setdefault("MinSize", 0)
        params.setdefault("MaxSize", 6)
        params.setdefault("AvailabilityZones", ["us-east-1a"])
        asg.create_auto_scaling_group(
            AutoScalingGroupName=group_name,
            LaunchTemplate={"LaunchTemplateName": template_name},
            **params,
        )
        created.append(group_name)
        return group_name

    yield create
    for group_name in created:
        with contextlib.suppress(ClientError):
            asg.delete_auto_scaling_group(AutoScalingGroupName=group_name, ForceDelete=True)
