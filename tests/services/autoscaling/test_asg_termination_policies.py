"""Which instance goes on scale-in: each termination policy, combinations in order, zone balance
first, protection. Instances are launched one at a time so their order is known."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from asg_support import group, instances, wait_in_service


def _grow(asg: Any, name: str, count: int) -> list[str]:
    """Launch one more instance at a time; returns all ids in launch order."""
    ids: list[str] = list(i["InstanceId"] for i in instances(asg, name))
    for size in range(len(ids) + 1, count + 1):
        asg.set_desired_capacity(AutoScalingGroupName=name, DesiredCapacity=size)
        now = wait_in_service(asg, name, size)
        ids += [i for i in now if i not in ids]
    return ids


def _shrink_to(asg: Any, name: str, size: int) -> set[str]:
    before = {i["InstanceId"] for i in instances(asg, name)}
    asg.set_desired_capacity(AutoScalingGroupName=name, DesiredCapacity=size)
    after = set(wait_in_service(asg, name, size))
    return before - after


@pytest.mark.parametrize(
    ("policies", "expected"),
    [
        (["OldestInstance"], 0),
        (["NewestInstance"], 2),
        (["ClosestToNextInstanceHour"], 0),  # all younger than an hour: the oldest is closest
        (["Default"], 0),  # same template version: closest to the next instance hour
        (["AllocationStrategy", "NewestInstance"], 2),
    ],
)
def test_single_zone_policies(
    asg: Any,
    template: Callable[..., str],
    make_group: Callable[..., str],
    policies: list[str],
    expected: int,
) -> None:
    name = make_group(
        LaunchTemplate={"LaunchTemplateName": template()}, TerminationPolicies=policies
    )
    ids = _grow(asg, name, 3)
    assert _shrink_to(asg, name, 2) == {ids[expected]}


@pytest.mark.parametrize(
    ("policies", "expected"),
    [
        (["OldestLaunchTemplate"], 0),  # v1 goes before the current version's instances
        (["NewestInstance"], 2),
        (["OldestLaunchTemplate", "NewestInstance"], 1),  # both v1: the newer of them
    ],
)
def test_launch_template_versions(
    asg: Any,
    ec2: Any,
    template: Callable[..., str],
    make_group: Callable[..., str],
    policies: list[str],
    expected: int,
) -> None:
    template_name = template()
    name = make_group(
        LaunchTemplate={"LaunchTemplateName": template_name, "Version": "1"},
        TerminationPolicies=policies,
    )
    ids = _grow(asg, name, 2)
    ec2.create_launch_template_version(
        LaunchTemplateName=template_name,
        SourceVersion="1",
        LaunchTemplateData={"InstanceType": "t3.nano"},
    )
    asg.update_auto_scaling_group(
        AutoScalingGroupName=name,
        LaunchTemplate={"LaunchTemplateName": template_name, "Version": "2"},
    )
    ids = _grow(asg, name, 3)
    versions = {i["InstanceId"]: i["LaunchTemplate"]["Version"] for i in instances(asg, name)}
    assert [versions[i] for i in ids] == ["1", "1", "2"]
    assert _shrink_to(asg, name, 2) == {ids[expected]}


def test_default_removes_launch_configuration_instances_first(
    asg: Any,
    images: dict[str, str],
    name: Callable[[str], str],
    template: Callable[..., str],
    make_group: Callable[..., str],
) -> None:
    config = name("lc")
    asg.create_launch_configuration(
        LaunchConfigurationName=config, ImageId=images["cloudlet-base"], InstanceType="t2.micro"
    )
    group_name = make_group(LaunchConfigurationName=config)
    ids = _grow(asg, group_name, 1)
    asg.update_auto_scaling_group(
        AutoScalingGroupName=group_name, LaunchTemplate={"LaunchTemplateName": template()}
    )
    ids = _grow(asg, group_name, 3)
    assert "LaunchConfigurationName" in next(
        i for i in instances(asg, group_name) if i["InstanceId"] == ids[0]
    )
    # the Default policy would otherwise pick by the next instance hour (the oldest): make the
    # launch-configuration instance the newest-but-one to see the rule at work
    assert _shrink_to(asg, group_name, 2) == {ids[0]}


def test_oldest_launch_configuration(
    asg: Any,
    images: dict[str, str],
    name: Callable[[str], str],
    make_group: Callable[..., str],
) -> None:
    first, second = name("lc"), name("lc")
    for config in (first, second):
        asg.create_launch_configuration(
            LaunchConfigurationName=config, ImageId=images["cloudlet-base"], InstanceType="t2.micro"
        )
    group_name = make_group(
        LaunchConfigurationName=second, TerminationPolicies=["OldestLaunchConfiguration"]
    )
    ids = _grow(asg, group_name, 2)
    asg.update_auto_scaling_group(AutoScalingGroupName=group_name, LaunchConfigurationName=first)
    ids = _grow(asg, group_name, 3)
    # the group is now on `first`: instances on `second` (not current) go first, oldest first
    assert _shrink_to(asg, group_name, 2) == {ids[0]}


def test_zone_balance_comes_first(
    asg: Any, ec2: Any, template: Callable[..., str], make_group: Callable[..., str]
) -> None:
    subnets = ec2.describe_subnets()["Subnets"]
    name = make_group(
        LaunchTemplate={"LaunchTemplateName": template()},
        VPCZoneIdentifier=",".join(s["SubnetId"] for s in subnets[:2]),
        TerminationPolicies=["NewestInstance"],
    )
    ids = _grow(asg, name, 4)
    zones = {i["InstanceId"]: i["AvailabilityZone"] for i in instances(asg, name)}
    assert [zones[i] for i in ids] == ["us-east-1a", "us-east-1b", "us-east-1a", "us-east-1b"]
    assert _shrink_to(asg, name, 3) == {ids[3]}
    # now 1a has two and 1b one: the newest instance of 1a goes, not the newest overall
    assert _shrink_to(asg, name, 2) == {ids[2]}
    assert group(asg, name)["DesiredCapacity"] == 2


def test_protection_skips_the_chosen_instance(
    asg: Any, template: Callable[..., str], make_group: Callable[..., str]
) -> None:
    name = make_group(
        LaunchTemplate={"LaunchTemplateName": template()}, TerminationPolicies=["NewestInstance"]
    )
    ids = _grow(asg, name, 3)
    asg.set_instance_protection(
        AutoScalingGroupName=name, InstanceIds=[ids[2]], ProtectedFromScaleIn=True
    )
    assert _shrink_to(asg, name, 2) == {ids[1]}
