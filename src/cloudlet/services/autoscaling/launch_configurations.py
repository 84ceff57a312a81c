"""Launch configurations: what a group launches when it has no launch template.

Stored in AWS's `LaunchConfiguration` shape (plus `_created`). The image and instance type are
checked against EC2 when the configuration is created, as AWS does. Launch configurations made
through the API get detailed monitoring unless `InstanceMonitoring.Enabled` is false (AWS's
default), so their instances publish 1-minute CPU metrics.
"""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING, Any

from cloudlet.errors import ServiceError
from cloudlet.services.autoscaling.models import validation, when

if TYPE_CHECKING:
    from cloudlet.services.autoscaling.fleet import Fleet
    from cloudlet.services.autoscaling.store import AsgStore

QUOTA = ("autoscaling", "L-6B80B8FA")
"""Launch configurations per Region."""

_COPIED = (
    "ImageId",
    "KeyName",
    "InstanceType",
    "UserData",
    "IamInstanceProfile",
    "EbsOptimized",
    "AssociatePublicIpAddress",
    "MetadataOptions",
    "PlacementTenancy",
    "SpotPrice",
)


def not_found(name: str) -> ServiceError:
    return validation(
        f"Launch configuration name not found - Launch configuration {name} not found"
    )


async def create(
    fleet: Fleet, store: AsgStore, limit: float, request: dict[str, Any]
) -> dict[str, Any]:
    account, region = fleet.account, fleet.region
    name = request["LaunchConfigurationName"]
    if store.get(account, region, "lc", name) is not None:
        raise ServiceError(
            "Launch Configuration by this name already exists - A launch configuration already"
            f" exists with the name {name}",
            code="AlreadyExistsFault",
        )
    if len(store.all(account, region, "lc")) >= limit:
        raise ServiceError(
            f"You have reached your limit of {int(limit)} launch configurations in this region.",
            code="LimitExceededFault",
        )
    if request.get("InstanceId"):
        raise validation("cloudlet does not create launch configurations from an instance yet.")
    for member in ("ImageId", "InstanceType"):
        if not request.get(member):
            raise validation(f"{member} is required.")
    try:
        await fleet.call("ec2", "DescribeImages", {"ImageIds": [request["ImageId"]]})
    except ServiceError as exc:
        raise validation(f"AMI {request['ImageId']} is invalid: {exc.message}") from exc
    try:
        await fleet.call(
            "ec2", "DescribeInstanceTypes", {"InstanceTypes": [request["InstanceType"]]}
        )
    except ServiceError as exc:
        raise validation(f"Invalid instance type: {request['InstanceType']}") from exc
    configuration: dict[str, Any] = {
        "LaunchConfigurationName": name,
        "LaunchConfigurationARN": f"arn:aws:autoscaling:{region}:{account}:launchConfiguration:"
        f"{uuid.uuid4()}:launchConfigurationName/{name}",
        "KeyName": "",
        "SecurityGroups": list(request.get("SecurityGroups") or []),
        "ClassicLinkVPCSecurityGroups": [],
        "UserData": "",
        "KernelId": "",
        "RamdiskId": "",
        "BlockDeviceMappings": list(request.get("BlockDeviceMappings") or []),
        "InstanceMonitoring": {
            "Enabled": (request.get("InstanceMonitoring") or {}).get("Enabled", True)
        },
        "EbsOptimized": False,
        "_created": time.time(),
    }
    for member in _COPIED:
        if request.get(member) is not None:
            configuration[member] = request[member]
    store.put(account, region, "lc", name, configuration)
    return configuration


def describe(configuration: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in configuration.items() if not k.startswith("_")}
    out["CreatedTime"] = when(configuration["_created"])
    return out


def delete(store: AsgStore, account: str, region: str, name: str) -> None:
    if store.get(account, region, "lc", name) is None:
        raise not_found(name)
    for group in store.groups(account, region):
        if group.launch_configuration == name:
            raise ServiceError(
                f"Cannot delete launch configuration {name} because it is attached to"
                f" AutoScalingGroup {group.name}",
                code="ResourceInUseFault",
            )
    store.delete(account, region, "lc", name)
