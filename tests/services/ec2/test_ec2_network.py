"""Regions, zones, the default VPC with a subnet per zone, security groups."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

Error = Callable[[Any], tuple[str, str, int]]


def test_regions_leave_out_opt_in_regions_unless_asked(ec2: Any) -> None:
    names = [r["RegionName"] for r in ec2.describe_regions()["Regions"]]
    assert "us-east-1" in names and "eu-west-1" in names
    assert "af-south-1" not in names
    everything = ec2.describe_regions(AllRegions=True)["Regions"]
    opt_in = next(r for r in everything if r["RegionName"] == "af-south-1")
    assert opt_in == {
        "RegionName": "af-south-1",
        "Endpoint": "ec2.af-south-1.amazonaws.com",
        "OptInStatus": "not-opted-in",
    }


def test_region_filter(ec2: Any) -> None:
    regions = ec2.describe_regions(Filters=[{"Name": "region-name", "Values": ["eu-*"]}])
    assert {r["RegionName"][:3] for r in regions["Regions"]} == {"eu-"}


@pytest.mark.parametrize(
    ("region", "zone_ids"),
    [
        ("us-east-1", ["use1-az1", "use1-az2", "use1-az3"]),
        ("eu-west-2", ["euw2-az1", "euw2-az2", "euw2-az3"]),
        ("ap-southeast-2", ["apse2-az1", "apse2-az2", "apse2-az3"]),
    ],
)
def test_three_zones_per_region(
    aws_client: Callable[..., Any], account: str, region: str, zone_ids: list[str]
) -> None:
    ec2 = aws_client("ec2", account=account, region_name=region)
    zones = ec2.describe_availability_zones()["AvailabilityZones"]
    assert [z["ZoneName"] for z in zones] == [f"{region}{x}" for x in "abc"]
    assert [z["ZoneId"] for z in zones] == zone_ids
    assert {z["State"] for z in zones} == {"available"}


def test_unknown_filter_is_rejected(ec2: Any, aws_error: Error) -> None:
    with pytest.raises(ClientError) as raised:
        ec2.describe_availability_zones(Filters=[{"Name": "colour", "Values": ["red"]}])
    assert aws_error(raised.value) == (
        "InvalidParameterValue",
        "The filter 'colour' is invalid",
        400,
    )


def test_default_vpc_and_subnets(ec2: Any, account: str) -> None:
    (vpc,) = ec2.describe_vpcs()["Vpcs"]
    assert vpc["IsDefault"] is True
    assert vpc["CidrBlock"] == "172.31.0.0/16"
    assert vpc["OwnerId"] == account
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])
    subnets = subnets["Subnets"]
    assert [s["AvailabilityZone"] for s in subnets] == ["us-east-1a", "us-east-1b", "us-east-1c"]
    assert [s["CidrBlock"] for s in subnets] == [
        "172.31.0.0/20",
        "172.31.16.0/20",
        "172.31.32.0/20",
    ]
    assert all(s["DefaultForAz"] and s["AvailableIpAddressCount"] == 4091 for s in subnets)
    assert subnets[0]["SubnetArn"] == (
        f"arn:aws:ec2:us-east-1:{account}:subnet/{subnets[0]['SubnetId']}"
    )
    attributes = ec2.describe_account_attributes(AttributeNames=["default-vpc"])
    (attribute,) = attributes["AccountAttributes"]
    assert attribute["AttributeValues"] == [{"AttributeValue": vpc["VpcId"]}]


def test_each_account_and_region_has_its_own_default_vpc(
    aws_client: Callable[..., Any], account: str
) -> None:
    here = aws_client("ec2", account=account).describe_vpcs()["Vpcs"][0]["VpcId"]
    there = aws_client("ec2", account=account, region_name="eu-west-1").describe_vpcs()
    assert there["Vpcs"][0]["VpcId"] != here


def test_unknown_subnet(ec2: Any, aws_error: Error) -> None:
    with pytest.raises(ClientError) as raised:
        ec2.describe_subnets(SubnetIds=["subnet-0123456789abcdef0"])
    assert aws_error(raised.value) == (
        "InvalidSubnetID.NotFound",
        "The subnet ID 'subnet-0123456789abcdef0' does not exist",
        400,
    )


def test_default_security_group(ec2: Any, account: str) -> None:
    (group,) = ec2.describe_security_groups(GroupNames=["default"])["SecurityGroups"]
    assert group["Description"] == "default VPC security group"
    assert group["IpPermissions"][0]["UserIdGroupPairs"] == [
        {"GroupId": group["GroupId"], "UserId": account}
    ]
    assert group["IpPermissionsEgress"][0]["IpRanges"] == [{"CidrIp": "0.0.0.0/0"}]


def test_security_group_rules(ec2: Any, name: Callable[[str], str]) -> None:
    group_name = name("web")
    created = ec2.create_security_group(GroupName=group_name, Description="web servers")
    group_id = created["GroupId"]
    rule = {
        "IpProtocol": "tcp",
        "FromPort": 80,
        "ToPort": 80,
        "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
    }
    added = ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[rule])
    assert added["Return"] is True
    assert added["SecurityGroupRules"][0]["CidrIpv4"] == "0.0.0.0/0"
    (group,) = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"]
    assert group["GroupName"] == group_name
    assert group["IpPermissions"][0]["FromPort"] == 80
    ec2.revoke_security_group_ingress(GroupId=group_id, IpPermissions=[rule])
    (group,) = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"]
    assert group["IpPermissions"] == []
    ec2.delete_security_group(GroupId=group_id)
    filtered = ec2.describe_security_groups(
        Filters=[{"Name": "group-name", "Values": [group_name]}]
    )
    assert filtered["SecurityGroups"] == []


def test_duplicate_rule(ec2: Any, name: Callable[[str], str], aws_error: Error) -> None:
    group_id = ec2.create_security_group(GroupName=name("g"), Description="d")["GroupId"]
    rule = {
        "IpProtocol": "tcp",
        "FromPort": 22,
        "ToPort": 22,
        "IpRanges": [{"CidrIp": "10.0.0.0/8"}],
    }
    ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[rule])
    with pytest.raises(ClientError) as raised:
        ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[rule])
    assert aws_error(raised.value) == (
        "InvalidPermission.Duplicate",
        'the specified rule "peer: 10.0.0.0/8, TCP, ALLOW" already exists',
        400,
    )


def test_security_group_errors(ec2: Any, name: Callable[[str], str], aws_error: Error) -> None:
    vpc_id = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    group_name = name("dup")
    ec2.create_security_group(GroupName=group_name, Description="d")
    with pytest.raises(ClientError) as raised:
        ec2.create_security_group(GroupName=group_name, Description="d")
    assert aws_error(raised.value) == (
        "InvalidGroup.Duplicate",
        f"The security group '{group_name}' already exists for VPC '{vpc_id}'",
        400,
    )
    with pytest.raises(ClientError) as raised:
        ec2.create_security_group(GroupName="default", Description="d")
    assert aws_error(raised.value) == (
        "InvalidParameterValue",
        "Cannot use reserved security group name: default",
        400,
    )
    with pytest.raises(ClientError) as raised:
        ec2.describe_security_groups(GroupIds=["sg-0123456789abcdef0"])
    assert aws_error(raised.value) == (
        "InvalidGroup.NotFound",
        "The security group 'sg-0123456789abcdef0' does not exist",
        400,
    )
    with pytest.raises(ClientError) as raised:
        ec2.delete_security_group(GroupName="missing")
    assert aws_error(raised.value) == (
        "InvalidGroup.NotFound",
        f"The security group 'missing' does not exist in default VPC '{vpc_id}'",
        400,
    )


def test_dry_run(ec2: Any, aws_error: Error) -> None:
    with pytest.raises(ClientError) as raised:
        ec2.describe_vpcs(DryRun=True)
    assert aws_error(raised.value) == (
        "DryRunOperation",
        "Request would have succeeded, but DryRun flag is set.",
        412,
    )
