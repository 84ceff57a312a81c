"""What Auto Scaling asks of EC2 and Elastic Load Balancing, through the internal client.

Launches go through `RunInstances` exactly as a user's would (launch template, or the launch
configuration's parameters), one instance per call in the chosen subnet, tagged with
`aws:autoscaling:groupName` and the group's tags marked PropagateAtLaunch. Target group
(de)registration and target health go to ELBv2 when it is served.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cloudlet.errors import ServiceError
from cloudlet.services.autoscaling.models import Group

if TYPE_CHECKING:
    from cloudlet.platform.runtime import Platform

GROUP_TAG = "aws:autoscaling:groupName"


class Fleet:
    """EC2 and ELB calls on behalf of groups of one account and region."""

    def __init__(self, platform: Platform, account: str, region: str) -> None:
        self.platform = platform
        self.account = account
        self.region = region

    async def call(self, service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        return await self.platform.services.call(
            service, operation, params, account=self.account, region=self.region
        )

    def elb_served(self) -> bool:
        from cloudlet.services.registry import SERVICES

        return "elbv2" in SERVICES

    # launching

    def launch_params(
        self, group: Group, configuration: dict[str, Any] | None, subnet: str
    ) -> dict[str, Any]:
        tags = [{"Key": GROUP_TAG, "Value": group.name}] + [
            {"Key": t["Key"], "Value": t.get("Value", "")}
            for t in group.tags
            if t.get("PropagateAtLaunch")
        ]
        params: dict[str, Any] = {
            "MinCount": 1,
            "MaxCount": 1,
            "SubnetId": subnet,
            "TagSpecifications": [{"ResourceType": "instance", "Tags": tags}],
        }
        if group.launch_template:
            spec = {k: v for k, v in group.launch_template.items() if k != "Version"}
            if "LaunchTemplateId" in spec:
                spec.pop("LaunchTemplateName", None)
            spec["Version"] = group.launch_template.get("Version") or "$Default"
            params["LaunchTemplate"] = spec
            return params
        assert configuration is not None
        params["ImageId"] = configuration["ImageId"]
        params["InstanceType"] = configuration["InstanceType"]
        if configuration.get("KeyName"):
            params["KeyName"] = configuration["KeyName"]
        groups = configuration.get("SecurityGroups") or []
        if groups:
            params["SecurityGroupIds"] = [g for g in groups if g.startswith("sg-")]
            names = [g for g in groups if not g.startswith("sg-")]
            if names:
                params["SecurityGroups"] = names
        if configuration.get("UserData"):
            params["UserData"] = configuration["UserData"]
        profile = configuration.get("IamInstanceProfile")
        if profile:
            params["IamInstanceProfile"] = (
                {"Arn": profile} if profile.startswith("arn:") else {"Name": profile}
            )
        monitoring = (configuration.get("InstanceMonitoring") or {}).get("Enabled", True)
        params["Monitoring"] = {"Enabled": bool(monitoring)}
        if configuration.get("EbsOptimized"):
            params["EbsOptimized"] = True
        if configuration.get("MetadataOptions"):
            params["MetadataOptions"] = configuration["MetadataOptions"]
        return params

    async def run(self, params: dict[str, Any]) -> dict[str, Any]:
        """Launch one instance; returns its `Instance` shape (raises `ServiceError`)."""
        response = await self.call("ec2", "RunInstances", params)
        instance: dict[str, Any] = response["Instances"][0]
        return instance

    async def instances(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        """The EC2 view of these instances (purged ones are absent)."""
        if not ids:
            return {}
        response = await self.call(
            "ec2", "DescribeInstances", {"Filters": [{"Name": "instance-id", "Values": ids}]}
        )
        return {i["InstanceId"]: i for r in response["Reservations"] for i in r["Instances"]}

    async def terminate(self, instance_id: str) -> None:
        try:
            await self.call("ec2", "TerminateInstances", {"InstanceIds": [instance_id]})
        except ServiceError as exc:
            if exc.code != "InvalidInstanceID.NotFound":
                raise

    async def template_version_created(self, spec: dict[str, str]) -> float:
        """When a launch template version was created (0 when it is gone)."""
        params: dict[str, Any] = {"Versions": [spec.get("Version") or "$Default"]}
        if spec.get("LaunchTemplateId"):
            params["LaunchTemplateId"] = spec["LaunchTemplateId"]
        else:
            params["LaunchTemplateName"] = spec.get("LaunchTemplateName", "")
        try:
            response = await self.call("ec2", "DescribeLaunchTemplateVersions", params)
        except ServiceError:
            return 0.0
        versions = response["LaunchTemplateVersions"]
        return versions[0]["CreateTime"].timestamp() if versions else 0.0

    # load balancers

    async def register(self, target_groups: list[str], instance_id: str) -> None:
        for arn in target_groups:
            await self.call(
                "elbv2",
                "RegisterTargets",
                {"TargetGroupArn": arn, "Targets": [{"Id": instance_id}]},
            )

    async def deregister(self, target_groups: list[str], instance_id: str) -> float:
        """Deregister from every target group; returns the longest deregistration delay."""
        delay = 0.0
        for arn in target_groups:
            try:
                await self.call(
                    "elbv2",
                    "DeregisterTargets",
                    {"TargetGroupArn": arn, "Targets": [{"Id": instance_id}]},
                )
                attributes = await self.call(
                    "elbv2", "DescribeTargetGroupAttributes", {"TargetGroupArn": arn}
                )
            except ServiceError:
                continue
            for attribute in attributes["Attributes"]:
                if attribute["Key"] == "deregistration_delay.timeout_seconds":
                    delay = max(delay, float(attribute["Value"]))
        return delay

    async def unhealthy_targets(self, target_groups: list[str]) -> set[str]:
        """Instance ids some target group reports `unhealthy`."""
        bad: set[str] = set()
        for arn in target_groups:
            try:
                response = await self.call("elbv2", "DescribeTargetHealth", {"TargetGroupArn": arn})
            except ServiceError:
                continue
            for description in response["TargetHealthDescriptions"]:
                if description["TargetHealth"]["State"] == "unhealthy":
                    bad.add(description["Target"]["Id"])
        return bad

    async def check_target_groups(self, arns: list[str]) -> None:
        """Raise AWS's ValidationError when a target group does not exist."""
        if not arns:
            return
        if not self.elb_served():
            raise ServiceError(
                f"The target group ARN(s) {arns[0]} are not valid.", code="ValidationError"
            )
        try:
            await self.call("elbv2", "DescribeTargetGroups", {"TargetGroupArns": arns})
        except ServiceError as exc:
            raise ServiceError(
                f"The target group ARN(s) {', '.join(arns)} are not valid: {exc.message}",
                code="ValidationError",
            ) from exc
