"""Instance records: what RunInstances creates and Describe* answers.

`build` turns a RunInstances request (merged over its launch template version, explicit
parameters winning, as AWS merges them) into instance documents after AWS's checks: image, type,
subnet or zone, key pair, security groups, instance profile, counts. `lifecycle.py` moves them
through their states and runs their processes.

Documents are AWS's `Instance` shape plus cloudlet's own keys: `_launch` (epoch seconds),
`_reservation`, `_user_data` (base64), `_shutdown` (InstanceInitiatedShutdownBehavior),
`_no_terminate` (DisableApiTermination), `_booted` (user data already ran), `_mac`, `_zone_id`,
`_public_key`, `_profile` (instance profile name), `_template` ({id, name, version}),
`_terminated_at`.
"""

from __future__ import annotations

import base64
import re
import secrets
import time
from datetime import UTC, datetime
from typing import Any

from cloudlet.errors import ServiceError
from cloudlet.services.ec2.filters import invalid, new_id, tag_values, tags_of
from cloudlet.services.ec2.instance_types import DEFAULT_INSTANCE_TYPE, instance_type

STATES = {
    "pending": 0,
    "running": 16,
    "shutting-down": 32,
    "terminated": 48,
    "stopping": 64,
    "stopped": 80,
}
"""State name → AWS's state code."""

_ID = re.compile(r"^i-[0-9a-f]{8,17}$")
_MAX_USER_DATA = 16 * 1024


def state(name: str) -> dict[str, Any]:
    return {"Code": STATES[name], "Name": name}


def check_ids(ids: list[str]) -> None:
    for instance_id in ids:
        if not _ID.match(instance_id):
            raise ServiceError(f'Invalid id: "{instance_id}"', code="InvalidInstanceID.Malformed")


def not_found(ids: list[str]) -> ServiceError:
    if len(ids) == 1:
        return ServiceError(
            f"The instance ID '{ids[0]}' does not exist", code="InvalidInstanceID.NotFound"
        )
    return ServiceError(
        f"The instance IDs '{', '.join(ids)}' do not exist", code="InvalidInstanceID.NotFound"
    )


def user_initiated(now: float) -> str:
    """StateTransitionReason of a user's stop or terminate."""
    return f"User initiated ({datetime.fromtimestamp(now, UTC):%Y-%m-%d %H:%M:%S} GMT)"


def merged_request(request: dict[str, Any], template_data: dict[str, Any] | None) -> dict[str, Any]:
    """RunInstances parameters over launch template data (explicit parameters win)."""
    if not template_data:
        return dict(request)
    merged: dict[str, Any] = {}
    for key, value in template_data.items():
        if key == "RamDiskId":
            key = "RamdiskId"
        merged[key] = value
    interfaces = template_data.get("NetworkInterfaces") or []
    if interfaces:
        first = interfaces[0]
        if first.get("SubnetId"):
            merged.setdefault("SubnetId", first["SubnetId"])
        if first.get("Groups"):
            merged.setdefault("SecurityGroupIds", first["Groups"])
    for key, value in request.items():
        if key == "TagSpecifications":
            merged[key] = list(merged.get(key) or []) + list(value)
        elif value is not None:
            merged[key] = value
    return merged


def describe(instance: dict[str, Any]) -> dict[str, Any]:
    """The `Instance` shape of a document."""
    out = {k: v for k, v in instance.items() if not k.startswith("_")}
    launched = datetime.fromtimestamp(instance["_launch"], UTC)
    out["LaunchTime"] = launched
    out["UsageOperationUpdateTime"] = launched
    for mapping in out.get("BlockDeviceMappings") or []:
        mapping["Ebs"] = {**mapping["Ebs"], "AttachTime": launched}
    for interface in out.get("NetworkInterfaces") or []:
        interface["Attachment"] = {**interface["Attachment"], "AttachTime": launched}
    if instance["State"]["Name"] == "terminated":
        out.pop("PrivateIpAddress", None)
        out["PrivateDnsName"] = ""
        out["NetworkInterfaces"] = []
        out["BlockDeviceMappings"] = []
        out.pop("SubnetId", None)
        out.pop("VpcId", None)
    return out


def build(
    account: str,
    region: str,
    params: dict[str, Any],
    *,
    image: dict[str, Any],
    subnet: dict[str, Any],
    groups: list[dict[str, Any]],
    key: dict[str, Any] | None,
    profile: dict[str, Any] | None,
    count: int,
) -> list[dict[str, Any]]:
    """`count` new pending instance documents (private addresses are leased by the caller)."""
    type_name = params.get("InstanceType") or DEFAULT_INSTANCE_TYPE
    kind = instance_type(type_name)
    if kind is None:
        raise invalid(f"Invalid value '{type_name}' for InstanceType.")
    user_data = params.get("UserData")
    if isinstance(user_data, bytes):
        user_data = base64.b64encode(user_data).decode()
    if user_data:
        try:
            decoded = base64.b64decode(user_data, validate=True)
        except ValueError as exc:
            raise invalid("Invalid BASE64 encoding of user data.") from exc
        if len(decoded) > _MAX_USER_DATA:
            raise invalid("User data is limited to 16384 bytes")
    shutdown = params.get("InstanceInitiatedShutdownBehavior") or "stop"
    monitoring = (params.get("Monitoring") or {}).get("Enabled", False)
    options = params.get("MetadataOptions") or {}
    tags = tags_of(params, "instance")
    reservation = new_id("r")
    now = time.time()
    zone = subnet["AvailabilityZone"]
    out = []
    for index in range(count):
        instance_id = new_id("i")
        mac = "0e:" + ":".join(f"{b:02x}" for b in secrets.token_bytes(5))
        eni = new_id("eni")
        sg_pairs = [{"GroupId": g["GroupId"], "GroupName": g["GroupName"]} for g in groups]
        doc: dict[str, Any] = {
            "InstanceId": instance_id,
            "ImageId": image["ImageId"],
            "State": state("pending"),
            "PrivateDnsName": "",
            "PublicDnsName": "",
            "StateTransitionReason": "",
            "AmiLaunchIndex": index,
            "ProductCodes": [],
            "InstanceType": type_name,
            "Placement": {"AvailabilityZone": zone, "GroupName": "", "Tenancy": "default"},
            "Monitoring": {"State": "enabled" if monitoring else "disabled"},
            "SubnetId": subnet["SubnetId"],
            "VpcId": subnet["VpcId"],
            "Architecture": image.get("Architecture", "x86_64"),
            "BlockDeviceMappings": [
                {
                    "DeviceName": "/dev/xvda",
                    "Ebs": {
                        "DeleteOnTermination": True,
                        "Status": "attached",
                        "VolumeId": new_id("vol"),
                    },
                }
            ],
            "ClientToken": params.get("ClientToken") or "",
            "EbsOptimized": bool(params.get("EbsOptimized", False)),
            "EnaSupport": True,
            "Hypervisor": "xen",
            "NetworkInterfaces": [
                {
                    "Attachment": {
                        "AttachmentId": new_id("eni-attach"),
                        "DeleteOnTermination": True,
                        "DeviceIndex": 0,
                        "Status": "attached",
                        "NetworkCardIndex": 0,
                    },
                    "Description": "",
                    "Groups": sg_pairs,
                    "Ipv6Addresses": [],
                    "MacAddress": mac,
                    "NetworkInterfaceId": eni,
                    "OwnerId": account,
                    "PrivateIpAddresses": [],
                    "SourceDestCheck": True,
                    "Status": "in-use",
                    "SubnetId": subnet["SubnetId"],
                    "VpcId": subnet["VpcId"],
                    "InterfaceType": "interface",
                }
            ],
            "RootDeviceName": "/dev/xvda",
            "RootDeviceType": "ebs",
            "SecurityGroups": sg_pairs,
            "SourceDestCheck": True,
            "Tags": list(tags),
            "VirtualizationType": "hvm",
            "CpuOptions": {
                "CoreCount": kind.describe()["VCpuInfo"]["DefaultCores"],
                "ThreadsPerCore": kind.describe()["VCpuInfo"]["DefaultThreadsPerCore"],
            },
            "CapacityReservationSpecification": {"CapacityReservationPreference": "open"},
            "HibernationOptions": {"Configured": False},
            "MetadataOptions": {
                "State": "applied",
                "HttpTokens": options.get("HttpTokens", "optional"),
                "HttpPutResponseHopLimit": options.get("HttpPutResponseHopLimit", 1),
                "HttpEndpoint": options.get("HttpEndpoint", "enabled"),
                "HttpProtocolIpv6": options.get("HttpProtocolIpv6", "disabled"),
                "InstanceMetadataTags": options.get("InstanceMetadataTags", "disabled"),
            },
            "EnclaveOptions": {"Enabled": False},
            "BootMode": "uefi-preferred",
            "PlatformDetails": "Linux/UNIX",
            "UsageOperation": "RunInstances",
            "PrivateDnsNameOptions": {
                "HostnameType": "ip-name",
                "EnableResourceNameDnsARecord": False,
                "EnableResourceNameDnsAAAARecord": False,
            },
            "MaintenanceOptions": {"AutoRecovery": "default"},
            "CurrentInstanceBootMode": "uefi",
            "_launch": now,
            "_reservation": reservation,
            "_owner": account,
            "_user_data": user_data or "",
            "_shutdown": shutdown,
            "_no_terminate": bool(params.get("DisableApiTermination", False)),
            "_booted": False,
            "_mac": mac,
            "_zone_id": subnet["AvailabilityZoneId"],
        }
        if key is not None:
            doc["KeyName"] = key["KeyName"]
            doc["_public_key"] = key.get("PublicKey", "")
        if profile is not None:
            doc["IamInstanceProfile"] = {"Arn": profile["Arn"], "Id": profile["Id"]}
            doc["_profile"] = profile["Name"]
        if params.get("_template"):
            doc["_template"] = params["_template"]
        out.append(doc)
    return out


def with_address(doc: dict[str, Any], address: str, region: str) -> None:
    """Give a new instance its private address (and the names and interface that follow)."""
    dns = f"ip-{address.replace('.', '-')}." + (
        "ec2.internal" if region == "us-east-1" else f"{region}.compute.internal"
    )
    doc["PrivateIpAddress"] = address
    doc["PrivateDnsName"] = dns
    interface = doc["NetworkInterfaces"][0]
    interface["PrivateIpAddress"] = address
    interface["PrivateDnsName"] = dns
    interface["PrivateIpAddresses"] = [
        {"Primary": True, "PrivateIpAddress": address, "PrivateDnsName": dns}
    ]


def instance_values(instance: dict[str, Any]) -> Any:
    def values(name: str) -> list[str] | None:
        groups = instance.get("SecurityGroups") or []
        profile = instance.get("IamInstanceProfile") or {}
        plain = {
            "instance-id": [instance["InstanceId"]],
            "image-id": [instance["ImageId"]],
            "instance-type": [instance["InstanceType"]],
            "instance-state-name": [instance["State"]["Name"]],
            "instance-state-code": [str(instance["State"]["Code"])],
            "availability-zone": [instance["Placement"]["AvailabilityZone"]],
            "subnet-id": [instance.get("SubnetId", "")],
            "vpc-id": [instance.get("VpcId", "")],
            "private-ip-address": [instance.get("PrivateIpAddress", "")],
            "private-dns-name": [instance.get("PrivateDnsName", "")],
            "key-name": [instance.get("KeyName", "")],
            "reservation-id": [instance["_reservation"]],
            "owner-id": [instance["_owner"]],
            "architecture": [instance["Architecture"]],
            "root-device-type": [instance["RootDeviceType"]],
            "monitoring-state": [instance["Monitoring"]["State"]],
            "iam-instance-profile.arn": [profile.get("Arn", "")],
            "instance.group-id": [g["GroupId"] for g in groups],
            "instance.group-name": [g["GroupName"] for g in groups],
            "group-id": [g["GroupId"] for g in groups],
            "group-name": [g["GroupName"] for g in groups],
            "client-token": [instance.get("ClientToken", "")],
            "ami-launch-index": [str(instance["AmiLaunchIndex"])],
            "launch-time": [
                datetime.fromtimestamp(instance["_launch"], UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
            ],
            "state-reason-code": [(instance.get("StateReason") or {}).get("Code", "")],
            "tenancy": ["default"],
            "platform-details": ["Linux/UNIX"],
            "hypervisor": [instance["Hypervisor"]],
            "virtualization-type": [instance["VirtualizationType"]],
        }
        return plain.get(name, tag_values(instance["Tags"], name))

    return values
