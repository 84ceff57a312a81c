"""Groups: create (launch template or configuration, zones or subnets), AWS's checks, update,
describe, tags, delete (refused with instances, forced), zone balance of launches."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from asg_support import ec2_state, group, instances, wait_for, wait_in_service
from botocore.exceptions import ClientError

Error = Callable[[Any], tuple[str, str, int]]


def test_create_launches_the_desired_capacity(
    asg: Any, ec2: Any, account: str, template: Callable[..., str], make_group: Callable[..., str]
) -> None:
    template_name = template()
    name = make_group(
        LaunchTemplate={"LaunchTemplateName": template_name},
        MinSize=1,
        MaxSize=4,
        DesiredCapacity=2,
        Tags=[
            {"Key": "team", "Value": "web", "PropagateAtLaunch": True},
            {"Key": "private", "Value": "x", "PropagateAtLaunch": False},
        ],
    )
    described = group(asg, name)
    assert described["AutoScalingGroupARN"].startswith(
        f"arn:aws:autoscaling:us-east-1:{account}:autoScalingGroup:"
    )
    assert described["AutoScalingGroupARN"].endswith(f":autoScalingGroupName/{name}")
    assert described["LaunchTemplate"]["LaunchTemplateName"] == template_name
    assert described["LaunchTemplate"]["Version"] == "$Default"
    assert (described["MinSize"], described["MaxSize"], described["DesiredCapacity"]) == (1, 4, 2)
    assert described["DefaultCooldown"] == 300
    assert described["HealthCheckType"] == "EC2"
    assert described["HealthCheckGracePeriod"] == 0
    assert described["TerminationPolicies"] == ["Default"]
    ids = wait_in_service(asg, name, 2)
    for instance_id in ids:
        assert ec2_state(ec2, instance_id) == "running"
    reservations = ec2.describe_instances(
        Filters=[{"Name": "tag:aws:autoscaling:groupName", "Values": [name]}]
    )["Reservations"]
    launched = [i for r in reservations for i in r["Instances"]]
    assert sorted(i["InstanceId"] for i in launched) == sorted(ids)
    tags = {t["Key"]: t["Value"] for t in launched[0]["Tags"]}
    assert tags["team"] == "web"
    assert "private" not in tags
    (detail,) = asg.describe_auto_scaling_instances(InstanceIds=[ids[0]])["AutoScalingInstances"]
    assert detail["AutoScalingGroupName"] == name
    assert detail["HealthStatus"] == "Healthy"
    assert detail["LaunchTemplate"]["Version"] == "1"


def test_launches_are_balanced_across_zones(
    asg: Any, ec2: Any, template: Callable[..., str], make_group: Callable[..., str]
) -> None:
    subnets = ec2.describe_subnets()["Subnets"]
    name = make_group(
        LaunchTemplate={"LaunchTemplateName": template()},
        DesiredCapacity=4,
        VPCZoneIdentifier=",".join(s["SubnetId"] for s in subnets[:2]),
    )
    wait_in_service(asg, name, 4)
    zones = Counter(i["AvailabilityZone"] for i in instances(asg, name))
    assert zones == {"us-east-1a": 2, "us-east-1b": 2}
    described = group(asg, name)
    assert described["AvailabilityZones"] == ["us-east-1a", "us-east-1b"]
    assert described["VPCZoneIdentifier"] == ",".join(s["SubnetId"] for s in subnets[:2])


def test_update_changes_sizes_and_launches(
    asg: Any, template: Callable[..., str], make_group: Callable[..., str]
) -> None:
    name = make_group(LaunchTemplate={"LaunchTemplateName": template()}, DesiredCapacity=1)
    wait_in_service(asg, name, 1)
    asg.update_auto_scaling_group(AutoScalingGroupName=name, MinSize=2, MaxSize=5)
    described = group(asg, name)
    assert (described["MinSize"], described["MaxSize"], described["DesiredCapacity"]) == (2, 5, 2)
    wait_in_service(asg, name, 2)
    launches = [
        a
        for a in asg.describe_scaling_activities(AutoScalingGroupName=name)["Activities"]
        if a["Description"].startswith("Launching")
    ]
    assert (
        launches[0]["Cause"]
        .split("  ")[0]
        .endswith(
            "a user request update of AutoScalingGroup constraints to min: 2, max: 5, desired: 2"
            " changing the desired capacity from 1 to 2."
        )
    )


def test_tags(asg: Any, template: Callable[..., str], make_group: Callable[..., str]) -> None:
    name = make_group(LaunchTemplate={"LaunchTemplateName": template()})
    asg.create_or_update_tags(
        Tags=[
            {
                "ResourceId": name,
                "ResourceType": "auto-scaling-group",
                "Key": "env",
                "Value": "dev",
                "PropagateAtLaunch": True,
            }
        ]
    )
    tags = asg.describe_tags(Filters=[{"Name": "auto-scaling-group", "Values": [name]}])["Tags"]
    assert tags == [
        {
            "ResourceId": name,
            "ResourceType": "auto-scaling-group",
            "Key": "env",
            "Value": "dev",
            "PropagateAtLaunch": True,
        }
    ]
    asg.delete_tags(Tags=[{"ResourceId": name, "ResourceType": "auto-scaling-group", "Key": "env"}])
    assert group(asg, name)["Tags"] == []
    with pytest.raises(ClientError) as raised:
        asg.create_or_update_tags(
            Tags=[{"ResourceId": "nope-" + name, "ResourceType": "auto-scaling-group", "Key": "k"}]
        )
    assert raised.value.response["Error"]["Message"] == (
        f"AutoScalingGroup not found - AutoScaling Group nope-{name} not found"
    )


def test_delete_refused_while_instances_remain(
    asg: Any, template: Callable[..., str], make_group: Callable[..., str], aws_error: Error
) -> None:
    name = make_group(LaunchTemplate={"LaunchTemplateName": template()}, DesiredCapacity=1)
    wait_in_service(asg, name, 1)
    with pytest.raises(ClientError) as raised:
        asg.delete_auto_scaling_group(AutoScalingGroupName=name)
    assert aws_error(raised.value) == (
        "ResourceInUse",
        "You cannot delete an AutoScalingGroup while there are instances or pending Spot"
        " instance request(s) still in the group.",
        400,
    )


def test_force_delete_terminates_everything(
    asg: Any, ec2: Any, template: Callable[..., str], make_group: Callable[..., str]
) -> None:
    name = make_group(LaunchTemplate={"LaunchTemplateName": template()}, DesiredCapacity=2)
    ids = wait_in_service(asg, name, 2)
    asg.delete_auto_scaling_group(AutoScalingGroupName=name, ForceDelete=True)
    assert group(asg, name)["Status"] == "Delete in progress"
    wait_for(
        lambda: (
            not asg.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"]
        )
    )
    assert [ec2_state(ec2, i) for i in ids] == ["terminated", "terminated"]


def test_delete_empty_group(
    asg: Any, template: Callable[..., str], make_group: Callable[..., str]
) -> None:
    name = make_group(LaunchTemplate={"LaunchTemplateName": template()})
    asg.delete_auto_scaling_group(AutoScalingGroupName=name)
    assert asg.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"] == []


def test_duplicate_group(
    asg: Any, template: Callable[..., str], make_group: Callable[..., str], aws_error: Error
) -> None:
    template_name = template()
    name = make_group(LaunchTemplate={"LaunchTemplateName": template_name})
    with pytest.raises(ClientError) as raised:
        make_group(AutoScalingGroupName=name, LaunchTemplate={"LaunchTemplateName": template_name})
    assert aws_error(raised.value) == (
        "AlreadyExists",
        f"AutoScalingGroup by this name already exists - A group with the name {name} already"
        " exists",
        400,
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"MinSize": 3, "MaxSize": 2},
            "Max bound, 2, must be greater than or equal to min bound, 3",
        ),
        (
            {"MinSize": 1, "MaxSize": 2, "DesiredCapacity": 5},
            "Desired capacity:5 must be between the specified min size:1 and max size:2",
        ),
        (
            {"LaunchTemplate": None},
            "Valid requests must contain either LaunchTemplate, LaunchConfigurationName,"
            " InstanceId or MixedInstancesPolicy parameter.",
        ),
        (
            {"LaunchConfigurationName": "no-such-configuration"},
            "Valid requests must contain either LaunchTemplate, LaunchConfigurationName,"
            " InstanceId or MixedInstancesPolicy parameter.",
        ),
        (
            {"LaunchTemplate": {"LaunchTemplateName": "no-such-template"}},
            "You must use a valid fully-formed launch template. The specified launch template,"
            " with template name no-such-template, does not exist.",
        ),
        (
            {"AvailabilityZones": None},
            "At least one Availability Zone or VPC Subnet is required.",
        ),
        (
            {"AvailabilityZones": ["us-east-1z"]},
            "Invalid Availability Zone: [us-east-1z]",
        ),
        (
            {"AvailabilityZones": None, "VPCZoneIdentifier": "subnet-0123456789abcdef0"},
            "The subnet ID 'subnet-0123456789abcdef0' does not exist",
        ),
        (
            {"TerminationPolicies": ["Default", "NewestInstance"]},
            "Default termination policy must be specified last.",
        ),
    ],
)
def test_bad_groups(
    asg: Any,
    template: Callable[..., str],
    name: Callable[[str], str],
    params: dict[str, Any],
    message: str,
    aws_error: Error,
) -> None:
    request: dict[str, Any] = {
        "AutoScalingGroupName": name("bad"),
        "LaunchTemplate": {"LaunchTemplateName": template()},
        "MinSize": 0,
        "MaxSize": 2,
        "AvailabilityZones": ["us-east-1a"],
        **params,
    }
    request = {k: v for k, v in request.items() if v is not None}
    with pytest.raises(ClientError) as raised:
        asg.create_auto_scaling_group(**request)
    assert aws_error(raised.value) == ("ValidationError", message, 400)


def test_unknown_group(asg: Any, aws_error: Error) -> None:
    assert (
        asg.describe_auto_scaling_groups(AutoScalingGroupNames=["none"])["AutoScalingGroups"] == []
    )
    with pytest.raises(ClientError) as raised:
        asg.update_auto_scaling_group(AutoScalingGroupName="none", MaxSize=3)
    assert aws_error(raised.value) == (
        "ValidationError",
        "AutoScalingGroup name not found - AutoScalingGroup none not found",
        400,
    )


def test_group_quota_comes_from_service_quotas(
    asg: Any, aws_client: Callable[..., Any], account: str
) -> None:
    limits = asg.describe_account_limits()
    assert limits["MaxNumberOfAutoScalingGroups"] == 500
    assert limits["MaxNumberOfLaunchConfigurations"] == 200
    quotas = aws_client("service-quotas", account=account)
    quotas.request_service_quota_increase(
        ServiceCode="autoscaling", QuotaCode="L-CDE20ADC", DesiredValue=600
    )
    assert asg.describe_account_limits()["MaxNumberOfAutoScalingGroups"] == 600
