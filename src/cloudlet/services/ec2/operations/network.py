"""Regions, zones, the default VPC and its subnets, security groups."""

from __future__ import annotations

from typing import Any

from cloudlet.context import RequestContext
from cloudlet.errors import ServiceError
from cloudlet.services.ec2.filters import check_filters, invalid, matches, new_id, tags_of
from cloudlet.services.ec2.network import group_values, select, subnet_values, vpc_values
from cloudlet.services.ec2.operations.base import Ec2Base, Request, Response, dry_run
from cloudlet.services.ec2.regions import REGIONS, describe_region, describe_zone, zone_names

_REGION_FILTERS = ("endpoint", "opt-in-status", "region-name")
_ZONE_FILTERS = (
    "group-name",
    "message",
    "opt-in-status",
    "region-name",
    "state",
    "zone-id",
    "zone-name",
    "zone-type",
)


def _public(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if not k.startswith("_")}


class NetworkOperations(Ec2Base):
    def describe_regions(self, ctx: RequestContext, request: Request) -> Response:
        dry_run(request)
        names = request.get("RegionNames") or []
        unknown = [n for n in names if n not in REGIONS]
        if unknown:
            raise ServiceError(f"Invalid region names: {unknown[0]}", code="InvalidParameterValue")
        check_filters(request.get("Filters"), _REGION_FILTERS)
        regions = []
        for name in sorted(REGIONS):
            region = describe_region(name)
            if names and name not in names:
                continue
            if (
                not names
                and not request.get("AllRegions")
                and region["OptInStatus"] == ("not-opted-in")
            ):
                continue
            values = {
                "endpoint": [region["Endpoint"]],
                "opt-in-status": [region["OptInStatus"]],
                "region-name": [name],
            }
            if matches(request.get("Filters"), values.get):
                regions.append(region)
        return {"Regions": regions}

    def describe_availability_zones(self, ctx: RequestContext, request: Request) -> Response:
        dry_run(request)
        check_filters(request.get("Filters"), _ZONE_FILTERS)
        zones = [describe_zone(z) for z in zone_names(ctx.region)]
        names, ids = request.get("ZoneNames") or [], request.get("ZoneIds") or []
        for name in names:
            if name not in {z["ZoneName"] for z in zones}:
                raise invalid(f"The zone '{name}' does not exist.")
        for zone_id in ids:
            if zone_id not in {z["ZoneId"] for z in zones}:
                raise invalid(f"The zone '{zone_id}' does not exist.")
        out = []
        for zone in zones:
            if (names or ids) and zone["ZoneName"] not in names and zone["ZoneId"] not in ids:
                continue
            values = {
                "group-name": [zone["GroupName"]],
                "opt-in-status": [zone["OptInStatus"]],
                "region-name": [zone["RegionName"]],
                "state": [zone["State"]],
                "zone-id": [zone["ZoneId"]],
                "zone-name": [zone["ZoneName"]],
                "zone-type": [zone["ZoneType"]],
                "message": [],
            }
            if matches(request.get("Filters"), values.get):
                out.append(zone)
        return {"AvailabilityZones": out}

    def describe_account_attributes(self, ctx: RequestContext, request: Request) -> Response:
        vpc = self.network.default_vpc(ctx.account, ctx.region)
        attributes = {
            "supported-platforms": ["VPC"],
            "default-vpc": [vpc["VpcId"]],
            "max-instances": ["20"],
            "vpc-max-security-groups-per-interface": ["5"],
            "max-elastic-ips": ["5"],
            "vpc-max-elastic-ips": ["5"],
        }
        wanted = request.get("AttributeNames") or list(attributes)
        return {
            "AccountAttributes": [
                {
                    "AttributeName": name,
                    "AttributeValues": [{"AttributeValue": v} for v in attributes[name]],
                }
                for name in wanted
                if name in attributes
            ]
        }

    def describe_vpcs(self, ctx: RequestContext, request: Request) -> Response:
        dry_run(request)
        vpcs = self.network.vpcs(ctx.account, ctx.region)
        ids = request.get("VpcIds") or []
        for vpc_id in ids:
            if vpc_id not in {v["VpcId"] for v in vpcs}:
                raise ServiceError(
                    f"The vpc ID '{vpc_id}' does not exist", code="InvalidVpcID.NotFound"
                )
        vpcs = [v for v in vpcs if not ids or v["VpcId"] in ids]
        return {"Vpcs": [_public(v) for v in select(vpcs, request.get("Filters"), vpc_values)]}

    def describe_subnets(self, ctx: RequestContext, request: Request) -> Response:
        dry_run(request)
        subnets = self.network.subnets(ctx.account, ctx.region)
        ids = request.get("SubnetIds") or []
        for subnet_id in ids:
            self.network.subnet(ctx.account, ctx.region, subnet_id)
        subnets = [s for s in subnets if not ids or s["SubnetId"] in ids]
        chosen = select(subnets, request.get("Filters"), subnet_values)
        return {"Subnets": [_public(s) for s in chosen]}

    def describe_security_groups(self, ctx: RequestContext, request: Request) -> Response:
        dry_run(request)
        groups = self.network.groups(ctx.account, ctx.region)
        ids = request.get("GroupIds") or []
        names = request.get("GroupNames") or []
        for group_id in ids:
            self.network.group(ctx.account, ctx.region, group_id)
        for name in names:
            self.network.group_by_name(ctx.account, ctx.region, name)
        if ids or names:
            groups = [g for g in groups if g["GroupId"] in ids or g["GroupName"] in names]
        chosen = select(groups, request.get("Filters"), group_values)
        return {"SecurityGroups": [_public(g) for g in chosen]}

    def create_security_group(self, ctx: RequestContext, request: Request) -> Response:
        dry_run(request)
        group = self.network.create_group(
            ctx.account,
            ctx.region,
            request["GroupName"],
            request["Description"],
            request.get("VpcId"),
            tags_of(request, "security-group"),
        )
        return {
            "GroupId": group["GroupId"],
            "Tags": group["Tags"],
            "SecurityGroupArn": group["SecurityGroupArn"],
        }

    def delete_security_group(self, ctx: RequestContext, request: Request) -> Response:
        dry_run(request)
        if request.get("GroupId"):
            group = self.network.group(ctx.account, ctx.region, request["GroupId"])
        elif request.get("GroupName"):
            group = self.network.group_by_name(ctx.account, ctx.region, request["GroupName"])
        else:
            raise ServiceError(
                "The request must contain the parameter groupName or groupId",
                code="MissingParameter",
            )
        if group["GroupName"] == "default":
            raise ServiceError(
                "cannot delete group default, default security group", code="CannotDelete"
            )
        for instance in self.store.all(ctx.account, ctx.region, "instance"):
            if instance["State"]["Name"] == "terminated":
                continue
            if any(g["GroupId"] == group["GroupId"] for g in instance["SecurityGroups"]):
                raise ServiceError(
                    f"resource {group['GroupId']} has a dependent object",
                    code="DependencyViolation",
                )
        self.store.delete(ctx.account, ctx.region, "sg", group["GroupId"])
        return {"Return": True, "GroupId": group["GroupId"]}

    def authorize_security_group_ingress(self, ctx: RequestContext, request: Request) -> Response:
        return self._change_rules(ctx, request, "IpPermissions", add=True)

    def authorize_security_group_egress(self, ctx: RequestContext, request: Request) -> Response:
        return self._change_rules(ctx, request, "IpPermissionsEgress", add=True)

    def revoke_security_group_ingress(self, ctx: RequestContext, request: Request) -> Response:
        return self._change_rules(ctx, request, "IpPermissions", add=False)

    def revoke_security_group_egress(self, ctx: RequestContext, request: Request) -> Response:
        return self._change_rules(ctx, request, "IpPermissionsEgress", add=False)

    def _change_rules(
        self, ctx: RequestContext, request: Request, member: str, *, add: bool
    ) -> Response:
        dry_run(request)
        if request.get("GroupId"):
            group = self.network.group(ctx.account, ctx.region, request["GroupId"])
        else:
            group = self.network.group_by_name(
                ctx.account, ctx.region, request.get("GroupName", "")
            )
        permissions = list(request.get("IpPermissions") or [])
        if not permissions and request.get("IpProtocol"):
            permission: dict[str, Any] = {"IpProtocol": request["IpProtocol"]}
            if request.get("FromPort") is not None:
                permission["FromPort"] = request["FromPort"]
                permission["ToPort"] = request.get("ToPort", request["FromPort"])
            if request.get("CidrIp"):
                permission["IpRanges"] = [{"CidrIp": request["CidrIp"]}]
            permissions = [permission]
        rules = [_rule(p) for p in permissions]
        existing = [_rule(p) for p in group[member]]
        if add:
            for rule in rules:
                if rule in existing:
                    raise ServiceError(
                        'the specified rule "peer: '
                        + ", ".join(r.get("CidrIp", "") for r in rule.get("IpRanges", []))
                        + f', {rule["IpProtocol"].upper()}, ALLOW" already exists',
                        code="InvalidPermission.Duplicate",
                    )
            group[member] = group[member] + rules
        else:
            for rule in rules:
                if rule not in existing:
                    raise ServiceError(
                        "The specified rule does not exist in this security group.",
                        code="InvalidPermission.NotFound",
                    )
            group[member] = [p for p in group[member] if _rule(p) not in rules]
        self.store.put(ctx.account, ctx.region, "sg", group["GroupId"], group)
        response: Response = {"Return": True}
        if add:
            response["SecurityGroupRules"] = [
                _rule_out(group, rule, member == "IpPermissionsEgress", ctx.account)
                for rule in rules
            ]
        return response


def _rule(permission: dict[str, Any]) -> dict[str, Any]:
    """A permission in a canonical form, for comparison and storage."""
    rule: dict[str, Any] = {"IpProtocol": str(permission.get("IpProtocol", "-1")).lower()}
    if rule["IpProtocol"] == "all":
        rule["IpProtocol"] = "-1"
    if permission.get("FromPort") is not None:
        rule["FromPort"] = permission["FromPort"]
    if permission.get("ToPort") is not None:
        rule["ToPort"] = permission["ToPort"]
    rule["IpRanges"] = [
        {k: v for k, v in r.items() if k in ("CidrIp", "Description")}
        for r in permission.get("IpRanges") or []
    ]
    rule["Ipv6Ranges"] = list(permission.get("Ipv6Ranges") or [])
    rule["PrefixListIds"] = list(permission.get("PrefixListIds") or [])
    rule["UserIdGroupPairs"] = [
        {k: v for k, v in p.items() if k in ("GroupId", "UserId", "Description")}
        for p in permission.get("UserIdGroupPairs") or []
    ]
    return rule


def _rule_out(group: dict[str, Any], rule: dict[str, Any], egress: bool, account: str) -> Any:
    out: dict[str, Any] = {
        "SecurityGroupRuleId": new_id("sgr"),
        "GroupId": group["GroupId"],
        "GroupOwnerId": account,
        "IsEgress": egress,
        "IpProtocol": rule["IpProtocol"],
        "FromPort": rule.get("FromPort", -1),
        "ToPort": rule.get("ToPort", -1),
    }
    if rule["IpRanges"]:
        out["CidrIpv4"] = rule["IpRanges"][0]["CidrIp"]
    if rule["UserIdGroupPairs"]:
        out["ReferencedGroupInfo"] = {"GroupId": rule["UserIdGroupPairs"][0].get("GroupId")}
    return out
