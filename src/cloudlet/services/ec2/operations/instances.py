"""Instances: RunInstances, Describe*, Start/Stop/Reboot/Terminate, monitoring, attributes."""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime
from typing import Any

from cloudlet.context import RequestContext
from cloudlet.errors import ServiceError
from cloudlet.services.ec2 import instances as records
from cloudlet.services.ec2.filters import check_filters, invalid, matches, page, paged_response
from cloudlet.services.ec2.instance_types import INSTANCE_TYPES
from cloudlet.services.ec2.operations.base import Ec2Base, Request, Response, dry_run

_STATUS_FILTERS = (
    "availability-zone",
    "instance-state-code",
    "instance-state-name",
    "instance-status.reachability",
    "instance-status.status",
    "system-status.reachability",
    "system-status.status",
)


class InstanceOperations(Ec2Base):
    # launching

    def run_instances(self, ctx: RequestContext, request: Request) -> Response:
        account, region = ctx.account, ctx.region
        params = dict(request)
        template_ref = request.get("LaunchTemplate")
        if template_ref:
            template, version = self.templates.resolve(account, region, template_ref)
            params = records.merged_request(request, version["LaunchTemplateData"])
            params["_template"] = {
                "LaunchTemplateId": template["LaunchTemplateId"],
                "LaunchTemplateName": template["LaunchTemplateName"],
                "Version": str(version["VersionNumber"]),
            }
            # AWS tags what it launches from a template with the template and version used
            params["TagSpecifications"] = [
                *(params.get("TagSpecifications") or []),
                {
                    "ResourceType": "instance",
                    "Tags": [
                        {"Key": "aws:ec2launchtemplate:id", "Value": template["LaunchTemplateId"]},
                        {
                            "Key": "aws:ec2launchtemplate:version",
                            "Value": str(version["VersionNumber"]),
                        },
                    ],
                },
            ]
        low, high = request["MinCount"], request["MaxCount"]
        if low < 1 or high < 1:
            raise invalid(f"Invalid value '{min(low, high)}' for minCount. Must be positive.")
        if low > high:
            raise invalid(
                f"Invalid value '{low}' for minCount. Must be less than or equal to maxCount",
            )
        if not params.get("ImageId"):
            raise ServiceError(
                "The request must contain the parameter ImageId", code="MissingParameter"
            )
        image = self.images.get(account, region, params["ImageId"])
        token = request.get("ClientToken")
        if token:
            same = self._launched_with(account, region, token)
            if same:
                return self._reservation(account, same)
        subnet = self._subnet(account, region, params)
        groups = self._groups(account, region, params)
        key = None
        if params.get("KeyName"):
            key = self.store.get(account, region, "key", params["KeyName"])
            if key is None:
                raise ServiceError(
                    f"The key pair '{params['KeyName']}' does not exist",
                    code="InvalidKeyPair.NotFound",
                )
        profile = self._profile(account, params.get("IamInstanceProfile"))
        docs = records.build(
            account,
            region,
            params,
            image=image,
            subnet=subnet,
            groups=groups,
            key=key,
            profile=profile,
            count=high,
        )
        dry_run(request)
        with self.store.store.atomic():
            for doc in docs:
                address = self.store.addresses.lease(doc["InstanceId"])
                records.with_address(doc, address, region)
                self.store.put(account, region, "instance", doc["InstanceId"], doc)
            if token:
                launched = {"instances": [doc["InstanceId"] for doc in docs]}
                self.store.put(account, region, "token", token, launched)
        self.lifecycle.launch(account, region, docs)
        return self._reservation(account, docs)

    def _launched_with(self, account: str, region: str, token: str) -> list[dict[str, Any]]:
        """The instances a RunInstances with this ClientToken launched (none: a new request)."""
        launched = self.store.get(account, region, "token", token)
        if launched is None:
            return []
        docs = (self.store.get(account, region, "instance", i) for i in launched["instances"])
        return [doc for doc in docs if doc is not None]

    def _reservation(self, account: str, docs: list[dict[str, Any]]) -> Response:
        return {
            "ReservationId": docs[0]["_reservation"],
            "OwnerId": account,
            "Groups": [],
            "Instances": [records.describe(d) for d in docs],
        }

    def _subnet(self, account: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
        zone = (params.get("Placement") or {}).get("AvailabilityZone")
        if params.get("SubnetId"):
            subnet = self.network.subnet(account, region, params["SubnetId"])
            if zone and subnet["AvailabilityZone"] != zone:
                raise invalid(f"Invalid availability zone: [{zone}]", code="InvalidParameterValue")
            return subnet
        if zone:
            return self.network.subnet_for_zone(account, region, zone)
        return self.network.subnets(account, region)[0]

    def _groups(self, account: str, region: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        groups = [
            self.network.group(account, region, g) for g in params.get("SecurityGroupIds") or []
        ]
        groups += [
            self.network.group_by_name(account, region, name)
            for name in params.get("SecurityGroups") or []
        ]
        if not groups:
            groups = [self.network.group_by_name(account, region, "default")]
        return groups

    def _profile(self, account: str, spec: dict[str, Any] | None) -> dict[str, Any] | None:
        if not spec:
            return None
        from cloudlet.services.iam.lookup import instance_profile

        if spec.get("Arn"):
            profile = instance_profile(self.platform.store, account, spec["Arn"])
            if profile is None:
                raise invalid(
                    f"Value ({spec['Arn']}) for parameter iamInstanceProfile.arn is invalid."
                    " Invalid IAM Instance Profile ARN"
                )
        else:
            profile = instance_profile(self.platform.store, account, spec.get("Name", ""))
            if profile is None:
                raise invalid(
                    f"Value ({spec.get('Name', '')}) for parameter iamInstanceProfile.name is"
                    " invalid. Invalid IAM Instance Profile name"
                )
        return {"Arn": profile.arn, "Id": profile.id, "Name": profile.name}

    # describing

    def _select(self, ctx: RequestContext, request: Request) -> list[dict[str, Any]]:
        ids = request.get("InstanceIds") or []
        if ids:
            docs = self.lifecycle.require(ctx.account, ctx.region, ids)
        else:
            docs = self.store.all(ctx.account, ctx.region, "instance")
            docs.sort(key=lambda d: (d["_launch"], d["AmiLaunchIndex"]))
        return [d for d in docs if matches(request.get("Filters"), records.instance_values(d))]

    def describe_instances(self, ctx: RequestContext, request: Request) -> Response:
        dry_run(request)
        if request.get("InstanceIds") and request.get("MaxResults") is not None:
            raise invalid(
                "The parameter instancesSet cannot be used with the parameter maxResults",
                code="InvalidParameterCombination",
            )
        docs = self._select(ctx, request)
        chosen, token = page(docs, request)
        reservations: dict[str, Response] = {}
        for doc in chosen:
            reservation = reservations.setdefault(
                doc["_reservation"],
                {
                    "ReservationId": doc["_reservation"],
                    "OwnerId": doc["_owner"],
                    "Groups": [],
                    "Instances": [],
                },
            )
            reservation["Instances"].append(records.describe(doc))
        response: Response = {"Reservations": list(reservations.values())}
        if token:
            response["NextToken"] = token
        return response

    def describe_instance_status(self, ctx: RequestContext, request: Request) -> Response:
        dry_run(request)
        check_filters(request.get("Filters"), _STATUS_FILTERS)
        ids = request.get("InstanceIds") or []
        docs = (
            self.lifecycle.require(ctx.account, ctx.region, ids)
            if ids
            else sorted(
                self.store.all(ctx.account, ctx.region, "instance"), key=lambda d: d["_launch"]
            )
        )
        statuses = []
        for doc in docs:
            name = doc["State"]["Name"]
            if not request.get("IncludeAllInstances") and name != "running":
                continue
            check = "ok" if name == "running" else "not-applicable"
            detail = [{"Name": "reachability", "Status": "passed"}] if name == "running" else []
            status = {
                "InstanceId": doc["InstanceId"],
                "AvailabilityZone": doc["Placement"]["AvailabilityZone"],
                "AvailabilityZoneId": doc["_zone_id"],
                "InstanceState": doc["State"],
                "InstanceStatus": {"Status": check, "Details": detail},
                "SystemStatus": {"Status": check, "Details": detail},
                "AttachedEbsStatus": {"Status": check, "Details": detail},
            }
            values = {
                "availability-zone": [status["AvailabilityZone"]],
                "instance-state-code": [str(doc["State"]["Code"])],
                "instance-state-name": [name],
                "instance-status.status": [check],
                "system-status.status": [check],
                "instance-status.reachability": [d["Status"] for d in detail],
                "system-status.reachability": [d["Status"] for d in detail],
            }
            if matches(request.get("Filters"), values.get):
                statuses.append(status)
        return paged_response("InstanceStatuses", statuses, request)

    def describe_instance_types(self, ctx: RequestContext, request: Request) -> Response:
        dry_run(request)
        names = request.get("InstanceTypes") or []
        unknown = [n for n in names if n not in INSTANCE_TYPES]
        if unknown:
            raise invalid(
                "The following supplied instance types do not exist: [" + ", ".join(unknown) + "]"
            )
        types = [INSTANCE_TYPES[n] for n in names] if names else list(INSTANCE_TYPES.values())

        def values(info: dict[str, Any]) -> Any:
            return {
                "instance-type": [info["InstanceType"]],
                "current-generation": [str(info["CurrentGeneration"]).lower()],
                "free-tier-eligible": [str(info["FreeTierEligible"]).lower()],
                "vcpu-info.default-vcpus": [str(info["VCpuInfo"]["DefaultVCpus"])],
                "memory-info.size-in-mib": [str(info["MemoryInfo"]["SizeInMiB"])],
                "processor-info.supported-architecture": info["ProcessorInfo"][
                    "SupportedArchitectures"
                ],
                "burstable-performance-supported": [
                    str(info["BurstablePerformanceSupported"]).lower()
                ],
                "hypervisor": [info["Hypervisor"]],
            }.get

        infos = [t.describe() for t in types]
        infos = [i for i in infos if matches(request.get("Filters"), values(i))]
        return paged_response("InstanceTypes", infos, request, default=100)

    # state changes

    def start_instances(self, ctx: RequestContext, request: Request) -> Response:
        self.lifecycle.require(ctx.account, ctx.region, request["InstanceIds"])
        dry_run(request)
        changes = self.lifecycle.start(ctx.account, ctx.region, request["InstanceIds"])
        return {"StartingInstances": changes}

    def stop_instances(self, ctx: RequestContext, request: Request) -> Response:
        self.lifecycle.require(ctx.account, ctx.region, request["InstanceIds"])
        dry_run(request)
        changes = self.lifecycle.stop(
            ctx.account, ctx.region, request["InstanceIds"], bool(request.get("Force"))
        )
        return {"StoppingInstances": changes}

    def reboot_instances(self, ctx: RequestContext, request: Request) -> Response:
        self.lifecycle.require(ctx.account, ctx.region, request["InstanceIds"])
        dry_run(request)
        self.lifecycle.reboot(ctx.account, ctx.region, request["InstanceIds"])
        return {}

    def terminate_instances(self, ctx: RequestContext, request: Request) -> Response:
        self.lifecycle.require(ctx.account, ctx.region, request["InstanceIds"])
        dry_run(request)
        changes = self.lifecycle.terminate(ctx.account, ctx.region, request["InstanceIds"])
        return {"TerminatingInstances": changes}

    def monitor_instances(self, ctx: RequestContext, request: Request) -> Response:
        return self._monitoring(ctx, request, "enabled", "pending")

    def unmonitor_instances(self, ctx: RequestContext, request: Request) -> Response:
        return self._monitoring(ctx, request, "disabled", "disabling")

    def _monitoring(
        self, ctx: RequestContext, request: Request, state: str, shown: str
    ) -> Response:
        docs = self.lifecycle.require(ctx.account, ctx.region, request["InstanceIds"])
        dry_run(request)
        for doc in docs:
            doc["Monitoring"] = {"State": state}
            self.store.put(ctx.account, ctx.region, "instance", doc["InstanceId"], doc)
        return {
            "InstanceMonitorings": [
                {"InstanceId": d["InstanceId"], "Monitoring": {"State": shown}} for d in docs
            ]
        }

    def get_console_output(self, ctx: RequestContext, request: Request) -> Response:
        (doc,) = self.lifecycle.require(ctx.account, ctx.region, [request["InstanceId"]])
        dry_run(request)
        output = self.lifecycle.machines.console_output(doc["InstanceId"])
        response: Response = {
            "InstanceId": doc["InstanceId"],
            "Timestamp": datetime.fromtimestamp(time.time(), UTC),
        }
        if output:
            response["Output"] = base64.b64encode(output).decode()
        return response

    # attributes

    def describe_instance_attribute(self, ctx: RequestContext, request: Request) -> Response:
        (doc,) = self.lifecycle.require(ctx.account, ctx.region, [request["InstanceId"]])
        dry_run(request)
        attribute = request["Attribute"]
        response: Response = {"InstanceId": doc["InstanceId"]}
        simple = {
            "instanceType": ("InstanceType", doc["InstanceType"]),
            "instanceInitiatedShutdownBehavior": (
                "InstanceInitiatedShutdownBehavior",
                doc.get("_shutdown", "stop"),
            ),
            "disableApiTermination": ("DisableApiTermination", bool(doc.get("_no_terminate"))),
            "userData": ("UserData", doc.get("_user_data") or None),
            "rootDeviceName": ("RootDeviceName", doc["RootDeviceName"]),
            "ebsOptimized": ("EbsOptimized", doc["EbsOptimized"]),
            "sourceDestCheck": ("SourceDestCheck", doc["SourceDestCheck"]),
            "enaSupport": ("EnaSupport", doc["EnaSupport"]),
            "disableApiStop": ("DisableApiStop", False),
        }
        if attribute == "groupSet":
            response["Groups"] = doc["SecurityGroups"]
        elif attribute == "blockDeviceMapping":
            response["BlockDeviceMappings"] = records.describe(doc)["BlockDeviceMappings"]
        elif attribute in simple:
            member, value = simple[attribute]
            if value is not None:
                response[member] = {"Value": value}
            elif member == "UserData":
                response[member] = {}
        else:
            raise invalid(f"Value ({attribute}) for parameter attribute is invalid.")
        return response

    def modify_instance_attribute(self, ctx: RequestContext, request: Request) -> Response:
        (doc,) = self.lifecycle.require(ctx.account, ctx.region, [request["InstanceId"]])
        dry_run(request)
        stopped = doc["State"]["Name"] == "stopped"

        def needs_stopped(name: str) -> None:
            if not stopped:
                raise ServiceError(
                    f"The instance '{doc['InstanceId']}' is not in the 'stopped' state.",
                    code="IncorrectInstanceState",
                )

        value = lambda member: (request.get(member) or {}).get("Value")  # noqa: E731
        attribute, plain = request.get("Attribute"), request.get("Value")
        if value("InstanceType") is not None or attribute == "instanceType":
            needs_stopped("instanceType")
            new_type = value("InstanceType") or plain
            if new_type not in INSTANCE_TYPES:
                raise invalid(f"Invalid value '{new_type}' for InstanceType.")
            doc["InstanceType"] = new_type
        if value("InstanceInitiatedShutdownBehavior") is not None:
            doc["_shutdown"] = value("InstanceInitiatedShutdownBehavior")
        if value("DisableApiTermination") is not None:
            doc["_no_terminate"] = bool(value("DisableApiTermination"))
        if value("UserData") is not None:
            needs_stopped("userData")
            data = value("UserData")
            doc["_user_data"] = (
                base64.b64encode(data).decode() if isinstance(data, bytes) else str(data)
            )
        if request.get("Groups"):
            groups = [self.network.group(ctx.account, ctx.region, g) for g in request["Groups"]]
            doc["SecurityGroups"] = [
                {"GroupId": g["GroupId"], "GroupName": g["GroupName"]} for g in groups
            ]
        self.store.put(ctx.account, ctx.region, "instance", doc["InstanceId"], doc)
        return {}
