"""The default VPC (172.31.0.0/16) with one default subnet per zone, and security groups.

Every account and region gets its default VPC, its three default subnets and the VPC's `default`
security group on first use, as a new AWS account has them. Security groups are stored with
their rules; cloudlet does not filter traffic by them (every instance listens on its own loopback
address, reachable from the whole host).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from cloudlet.errors import ServiceError
from cloudlet.services.ec2.filters import invalid, matches, new_id, tag_values
from cloudlet.services.ec2.regions import zone_id, zone_names
from cloudlet.services.ec2.store import Ec2Store

VPC_CIDR = "172.31.0.0/16"


class Network:
    """Default VPCs, subnets and security groups of every account and region."""

    def __init__(self, store: Ec2Store) -> None:
        self.store = store
        self._ready: set[tuple[str, str]] = set()

    def forget(self) -> None:
        self._ready.clear()

    def ensure(self, account: str, region: str) -> None:
        """Create the default VPC, subnets and security group unless they exist."""
        if (account, region) in self._ready:
            return
        if not self.store.all(account, region, "vpc"):
            self._create_defaults(account, region)
        self._ready.add((account, region))

    def _create_defaults(self, account: str, region: str) -> None:
        vpc_id = new_id("vpc")
        vpc = {
            "VpcId": vpc_id,
            "OwnerId": account,
            "InstanceTenancy": "default",
            "CidrBlock": VPC_CIDR,
            "CidrBlockAssociationSet": [
                {
                    "AssociationId": new_id("vpc-cidr-assoc"),
                    "CidrBlock": VPC_CIDR,
                    "CidrBlockState": {"State": "associated"},
                }
            ],
            "IsDefault": True,
            "State": "available",
            "DhcpOptionsId": new_id("dopt"),
            "Tags": [],
        }
        with self.store.store.atomic():
            self.store.put(account, region, "vpc", vpc_id, vpc)
            blocks = list(ipaddress.IPv4Network(VPC_CIDR).subnets(new_prefix=20))
            for zone, block in zip(zone_names(region), blocks, strict=False):
                subnet_id = new_id("subnet")
                self.store.put(
                    account,
                    region,
                    "subnet",
                    subnet_id,
                    {
                        "SubnetId": subnet_id,
                        "SubnetArn": f"arn:aws:ec2:{region}:{account}:subnet/{subnet_id}",
                        "VpcId": vpc_id,
                        "OwnerId": account,
                        "CidrBlock": str(block),
                        "AvailabilityZone": zone,
                        "AvailabilityZoneId": zone_id(zone),
                        "AvailableIpAddressCount": block.num_addresses - 5,
                        "DefaultForAz": True,
                        "MapPublicIpOnLaunch": True,
                        "MapCustomerOwnedIpOnLaunch": False,
                        "AssignIpv6AddressOnCreation": False,
                        "Ipv6CidrBlockAssociationSet": [],
                        "EnableDns64": False,
                        "Ipv6Native": False,
                        "PrivateDnsNameOptionsOnLaunch": {
                            "HostnameType": "ip-name",
                            "EnableResourceNameDnsARecord": False,
                            "EnableResourceNameDnsAAAARecord": False,
                        },
                        "State": "available",
                        "Tags": [],
                    },
                )
            group_id = new_id("sg")
            self.store.put(
                account,
                region,
                "sg",
                group_id,
                {
                    "GroupId": group_id,
                    "GroupName": "default",
                    "Description": "default VPC security group",
                    "VpcId": vpc_id,
                    "OwnerId": account,
                    "SecurityGroupArn": f"arn:aws:ec2:{region}:{account}:security-group/{group_id}",
                    "IpPermissions": [
                        {
                            "IpProtocol": "-1",
                            "IpRanges": [],
                            "Ipv6Ranges": [],
                            "PrefixListIds": [],
                            "UserIdGroupPairs": [{"GroupId": group_id, "UserId": account}],
                        }
                    ],
                    "IpPermissionsEgress": [_all_out()],
                    "Tags": [],
                },
            )

    # VPCs and subnets

    def default_vpc(self, account: str, region: str) -> dict[str, Any]:
        self.ensure(account, region)
        return self.store.all(account, region, "vpc")[0]

    def vpcs(self, account: str, region: str) -> list[dict[str, Any]]:
        self.ensure(account, region)
        return self.store.all(account, region, "vpc")

    def subnets(self, account: str, region: str) -> list[dict[str, Any]]:
        self.ensure(account, region)
        subnets = self.store.all(account, region, "subnet")
        return sorted(subnets, key=lambda s: s["AvailabilityZone"])

    def subnet(self, account: str, region: str, subnet_id: str) -> dict[str, Any]:
        self.ensure(account, region)
        subnet = self.store.get(account, region, "subnet", subnet_id)
        if subnet is None:
            raise ServiceError(
                f"The subnet ID '{subnet_id}' does not exist", code="InvalidSubnetID.NotFound"
            )
        return subnet

    def subnet_for_zone(self, account: str, region: str, zone: str) -> dict[str, Any]:
        for subnet in self.subnets(account, region):
            if subnet["AvailabilityZone"] == zone:
                return subnet
        raise invalid(f"Invalid availability zone: [{zone}]", code="InvalidParameterValue")

    # security groups

    def groups(self, account: str, region: str) -> list[dict[str, Any]]:
        self.ensure(account, region)
        return self.store.all(account, region, "sg")

    def group(self, account: str, region: str, group_id: str) -> dict[str, Any]:
        self.ensure(account, region)
        group = self.store.get(account, region, "sg", group_id)
        if group is None:
            raise ServiceError(
                f"The security group '{group_id}' does not exist",
                code="InvalidGroup.NotFound",
            )
        return group

    def group_by_name(self, account: str, region: str, name: str) -> dict[str, Any]:
        vpc = self.default_vpc(account, region)
        for group in self.groups(account, region):
            if group["GroupName"] == name and group["VpcId"] == vpc["VpcId"]:
                return group
        raise ServiceError(
            f"The security group '{name}' does not exist in default VPC '{vpc['VpcId']}'",
            code="InvalidGroup.NotFound",
        )

    def create_group(
        self,
        account: str,
        region: str,
        name: str,
        description: str,
        vpc_id: str | None,
        tags: list[dict[str, str]],
    ) -> dict[str, Any]:
        vpc = self.default_vpc(account, region)
        if vpc_id and vpc_id != vpc["VpcId"]:
            raise ServiceError(
                f"The vpc ID '{vpc_id}' does not exist", code="InvalidVpcID.NotFound"
            )
        if name == "default":
            raise invalid("Cannot use reserved security group name: default")
        if name.startswith("sg-"):
            raise invalid("Group names may not be in the format sg-*.")
        if any(g["GroupName"] == name for g in self.groups(account, region)):
            raise ServiceError(
                f"The security group '{name}' already exists for VPC '{vpc['VpcId']}'",
                code="InvalidGroup.Duplicate",
            )
        group_id = new_id("sg")
        group = {
            "GroupId": group_id,
            "GroupName": name,
            "Description": description,
            "VpcId": vpc["VpcId"],
            "OwnerId": account,
            "SecurityGroupArn": f"arn:aws:ec2:{region}:{account}:security-group/{group_id}",
            "IpPermissions": [],
            "IpPermissionsEgress": [_all_out()],
            "Tags": tags,
        }
        self.store.put(account, region, "sg", group_id, group)
        return group


def _all_out() -> dict[str, Any]:
    return {
        "IpProtocol": "-1",
        "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
        "Ipv6Ranges": [],
        "PrefixListIds": [],
        "UserIdGroupPairs": [],
    }


def vpc_values(vpc: dict[str, Any]) -> Any:
    def values(name: str) -> list[str] | None:
        plain = {
            "vpc-id": [vpc["VpcId"]],
            "cidr": [vpc["CidrBlock"]],
            "cidr-block-association.cidr-block": [vpc["CidrBlock"]],
            "is-default": ["true" if vpc["IsDefault"] else "false"],
            "owner-id": [vpc["OwnerId"]],
            "state": [vpc["State"]],
            "dhcp-options-id": [vpc["DhcpOptionsId"]],
        }
        return plain.get(name, tag_values(vpc["Tags"], name))

    return values


def subnet_values(subnet: dict[str, Any]) -> Any:
    def values(name: str) -> list[str] | None:
        plain = {
            "subnet-id": [subnet["SubnetId"]],
            "vpc-id": [subnet["VpcId"]],
            "availability-zone": [subnet["AvailabilityZone"]],
            "availability-zone-id": [subnet["AvailabilityZoneId"]],
            "cidr-block": [subnet["CidrBlock"]],
            "cidrBlock": [subnet["CidrBlock"]],
            "default-for-az": ["true" if subnet["DefaultForAz"] else "false"],
            "defaultForAz": ["true" if subnet["DefaultForAz"] else "false"],
            "owner-id": [subnet["OwnerId"]],
            "state": [subnet["State"]],
            "subnet-arn": [subnet["SubnetArn"]],
            "map-public-ip-on-launch": ["true" if subnet["MapPublicIpOnLaunch"] else "false"],
        }
        return plain.get(name, tag_values(subnet["Tags"], name))

    return values


def group_values(group: dict[str, Any]) -> Any:
    def values(name: str) -> list[str] | None:
        plain = {
            "group-id": [group["GroupId"]],
            "group-name": [group["GroupName"]],
            "description": [group["Description"]],
            "vpc-id": [group["VpcId"]],
            "owner-id": [group["OwnerId"]],
        }
        return plain.get(name, tag_values(group["Tags"], name))

    return values


def select(items: list[dict[str, Any]], filters: Any, values: Any) -> list[dict[str, Any]]:
    return [item for item in items if matches(filters, values(item))]
