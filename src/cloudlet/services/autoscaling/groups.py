"""Creating, updating and deleting groups: AWS's checks, and what each change does to capacity.

Sizes: MinSize <= DesiredCapacity <= MaxSize (desired defaults to MinSize). Placement: the
`VPCZoneIdentifier` subnets (their zones become the group's zones) or the `AvailabilityZones`
(instances go to each zone's default subnet). Launch source: exactly one of a launch
configuration, a launch template (id or name, version `$Default` unless given) or a mixed
instances policy (its launch template is used; overrides and distribution are not served).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cloudlet.errors import ServiceError
from cloudlet.services.autoscaling import launch_configurations as configurations
from cloudlet.services.autoscaling.models import Group, validation

if TYPE_CHECKING:
    from cloudlet.platform.runtime import Platform
    from cloudlet.services.autoscaling.fleet import Fleet
    from cloudlet.services.autoscaling.store import AsgStore

QUOTA = ("autoscaling", "L-CDE20ADC")
"""Auto Scaling groups per Region."""

_SOURCES = "LaunchTemplate, LaunchConfigurationName, InstanceId or MixedInstancesPolicy"


def check_sizes(min_size: int, max_size: int, desired: int | None) -> None:
    if min_size > max_size:
        raise validation(
            f"Max bound, {max_size}, must be greater than or equal to min bound, {min_size}"
        )
    if desired is not None and not min_size <= desired <= max_size:
        raise validation(
            f"Desired capacity:{desired} must be between the specified min size:{min_size} and"
            f" max size:{max_size}"
        )


async def placements(
    fleet: Fleet, zones: list[str] | None, vpc_zone_identifier: str | None
) -> tuple[list[str], list[str], list[list[str]]]:
    """(zones, subnets, [zone, subnet] placements) of a group."""
    subnets = [s.strip() for s in (vpc_zone_identifier or "").split(",") if s.strip()]
    if subnets:
        try:
            found = await fleet.call("ec2", "DescribeSubnets", {"SubnetIds": subnets})
        except ServiceError as exc:
            raise validation(exc.message) from exc
        zone_of = {s["SubnetId"]: s["AvailabilityZone"] for s in found["Subnets"]}
        pairs = [[zone_of[s], s] for s in subnets]
        subnet_zones = list(dict.fromkeys(zone for zone, _ in pairs))
        if zones and set(zones) != set(subnet_zones):
            raise validation(
                "The availability zones of the specified subnets and the Auto Scaling group do"
                " not match"
            )
        return subnet_zones, subnets, pairs
    if not zones:
        raise validation("At least one Availability Zone or VPC Subnet is required.")
    defaults = await fleet.call(
        "ec2", "DescribeSubnets", {"Filters": [{"Name": "default-for-az", "Values": ["true"]}]}
    )
    subnet_of = {s["AvailabilityZone"]: s["SubnetId"] for s in defaults["Subnets"]}
    unknown = [z for z in zones if z not in subnet_of]
    if unknown:
        raise validation(f"Invalid Availability Zone: [{', '.join(unknown)}]")
    unique = list(dict.fromkeys(zones))
    return unique, [], [[zone, subnet_of[zone]] for zone in unique]


async def launch_source(
    fleet: Fleet, store: AsgStore, request: dict[str, Any]
) -> tuple[str | None, dict[str, str] | None]:
    """(launch configuration name, launch template spec) of a create or update request."""
    template = request.get("LaunchTemplate")
    mixed = request.get("MixedInstancesPolicy")
    if mixed and not template:
        template = ((mixed.get("LaunchTemplate") or {}).get("LaunchTemplateSpecification")) or None
    given = [
        k
        for k in ("LaunchConfigurationName", "LaunchTemplate", "MixedInstancesPolicy", "InstanceId")
        if request.get(k)
    ]
    if len(given) != 1:
        raise validation(f"Valid requests must contain either {_SOURCES} parameter.")
    if request.get("InstanceId"):
        raise validation("cloudlet does not create groups from an instance (InstanceId) yet.")
    name = request.get("LaunchConfigurationName")
    if name:
        if store.get(fleet.account, fleet.region, "lc", name) is None:
            raise configurations.not_found(name)
        return name, None
    assert template is not None
    return None, await check_template(fleet, template)


async def check_template(fleet: Fleet, spec: dict[str, Any]) -> dict[str, str]:
    """The template spec as the group keeps it (id, name, version), or AWS's ValidationError."""
    params: dict[str, Any] = {"Versions": [spec.get("Version") or "$Default"]}
    if spec.get("LaunchTemplateId"):
        params["LaunchTemplateId"] = spec["LaunchTemplateId"]
    if spec.get("LaunchTemplateName"):
        params["LaunchTemplateName"] = spec["LaunchTemplateName"]
    try:
        found = await fleet.call("ec2", "DescribeLaunchTemplateVersions", params)
    except ServiceError as exc:
        raise validation(
            f"You must use a valid fully-formed launch template. {exc.message}"
        ) from exc
    version = found["LaunchTemplateVersions"][0]
    return {
        "LaunchTemplateId": version["LaunchTemplateId"],
        "LaunchTemplateName": version["LaunchTemplateName"],
        "Version": spec.get("Version") or "$Default",
    }


def check_termination_policies(policies: list[str]) -> None:
    from cloudlet.services.autoscaling.termination import POLICIES

    for policy in policies:
        if policy not in POLICIES and not policy.startswith("arn:aws:lambda:"):
            raise validation(f"Termination policy {policy} is not supported.")
    if "Default" in policies and policies[-1] != "Default":
        raise validation("Default termination policy must be specified last.")


def check_tags(tags: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    out = []
    for tag in tags:
        if tag.get("ResourceId") not in (None, "", name):
            raise validation(f"Tag resource id {tag['ResourceId']} does not match group {name}")
        out.append(
            {
                "Key": tag["Key"],
                "Value": tag.get("Value", ""),
                "PropagateAtLaunch": bool(tag.get("PropagateAtLaunch", False)),
            }
        )
    return out


def counted(group: Group, store: AsgStore, account: str, region: str) -> int:
    from cloudlet.services.autoscaling.models import COUNTED

    return sum(1 for m in store.members(account, region, group.name) if m.state in COUNTED)


async def forget_group(
    platform: Platform, store: AsgStore, account: str, region: str, name: str
) -> None:
    """Remove a deleted group with its policies (and their alarms), schedules and hooks."""
    from cloudlet.services.autoscaling.policies import delete_policy_alarms

    for policy in store.all(account, region, "policy", name + "/"):
        await delete_policy_alarms(platform, account, region, policy)
        store.delete(account, region, "policy", f"{name}/{policy['PolicyName']}")
    for kind in ("scheduled", "hook"):
        for doc_id, _ in store.list(account, region, kind, name + "/"):
            store.delete(account, region, kind, doc_id)
    for member in store.members(account, region, name):
        store.drop_member(account, region, member)
    store.delete(account, region, "group", name)
