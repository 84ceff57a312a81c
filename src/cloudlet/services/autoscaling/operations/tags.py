"""Group tags, target group attachments, suspended processes, group metrics collection."""

from __future__ import annotations

from typing import Any

from cloudlet.context import RequestContext
from cloudlet.errors import ServiceError
from cloudlet.services.autoscaling.models import validation
from cloudlet.services.autoscaling.operations.base import AsgBase, Request, Response, paged
from cloudlet.services.autoscaling.operations.configurations import GROUP_METRICS, PROCESSES

MAX_TARGET_GROUPS = 50


def _tag_group(tag: dict[str, Any]) -> str:
    if tag.get("ResourceType", "auto-scaling-group") != "auto-scaling-group":
        raise validation(f"Invalid resource type: {tag.get('ResourceType')}")
    if not tag.get("ResourceId"):
        raise validation("ResourceId is required.")
    return str(tag["ResourceId"])


class TagOperations(AsgBase):
    def _tagged_group(self, ctx: RequestContext, name: str) -> Any:
        group = self.store.group(ctx.account, ctx.region, name)
        if group is None:
            raise validation(f"AutoScalingGroup not found - AutoScaling Group {name} not found")
        return group

    def create_or_update_tags(self, ctx: RequestContext, request: Request) -> Response:
        for tag in request["Tags"]:
            group = self._tagged_group(ctx, _tag_group(tag))
            kept = [t for t in group.tags if t["Key"] != tag["Key"]]
            kept.append(
                {
                    "Key": tag["Key"],
                    "Value": tag.get("Value", ""),
                    "PropagateAtLaunch": bool(tag.get("PropagateAtLaunch", False)),
                }
            )
            if len(kept) > 50:
                raise ServiceError("Too many tags on the group.", code="LimitExceededFault")
            group.tags = kept
            self.store.save_group(ctx.account, ctx.region, group)
        return {}

    def delete_tags(self, ctx: RequestContext, request: Request) -> Response:
        for tag in request["Tags"]:
            group = self._tagged_group(ctx, _tag_group(tag))
            group.tags = [
                t
                for t in group.tags
                if t["Key"] != tag["Key"] or ("Value" in tag and t["Value"] != tag["Value"])
            ]
            self.store.save_group(ctx.account, ctx.region, group)
        return {}

    def describe_tags(self, ctx: RequestContext, request: Request) -> Response:
        rows = []
        for group in sorted(self.store.groups(ctx.account, ctx.region), key=lambda g: g.name):
            for tag in group.tags:
                rows.append(
                    {
                        "ResourceId": group.name,
                        "ResourceType": "auto-scaling-group",
                        "Key": tag["Key"],
                        "Value": tag["Value"],
                        "PropagateAtLaunch": tag["PropagateAtLaunch"],
                    }
                )
        fields = {
            "auto-scaling-group": "ResourceId",
            "key": "Key",
            "value": "Value",
            "propagate-at-launch": "PropagateAtLaunch",
        }
        for flt in request.get("Filters") or []:
            field = fields.get(flt.get("Name", ""))
            if field is None:
                raise validation(f"Filter type {flt.get('Name')} is not supported.")
            values = flt.get("Values") or []
            rows = [
                r
                for r in rows
                if str(r[field]).lower() in [v.lower() for v in values] or str(r[field]) in values
            ]
        chosen, token = paged(rows, request, "MaxRecords", 50)
        response: Response = {"Tags": chosen}
        if token:
            response["NextToken"] = token
        return response

    # target groups

    async def attach_load_balancer_target_groups(
        self, ctx: RequestContext, request: Request
    ) -> Response:
        await self._attach(ctx, request["AutoScalingGroupName"], request["TargetGroupARNs"])
        return {}

    async def attach_traffic_sources(self, ctx: RequestContext, request: Request) -> Response:
        arns = [s["Identifier"] for s in request["TrafficSources"]]
        await self._attach(ctx, request["AutoScalingGroupName"], arns)
        return {}

    async def _attach(self, ctx: RequestContext, name: str, arns: list[str]) -> None:
        group = self._group(ctx, name)
        fleet = self._fleet(ctx)
        await fleet.check_target_groups(arns)
        new = [a for a in arns if a not in group.target_groups]
        if len(group.target_groups) + len(new) > MAX_TARGET_GROUPS:
            raise ServiceError(
                f"You can attach at most {MAX_TARGET_GROUPS} target groups to a group.",
                code="LimitExceededFault",
            )
        for member in self.store.members(ctx.account, ctx.region, group.name):
            if member.state == "InService":
                await fleet.register(new, member.instance_id)
        fresh = self._group(ctx, name)
        fresh.target_groups = fresh.target_groups + [a for a in new if a not in fresh.target_groups]
        self.store.save_group(ctx.account, ctx.region, fresh)

    async def detach_load_balancer_target_groups(
        self, ctx: RequestContext, request: Request
    ) -> Response:
        await self._detach(ctx, request["AutoScalingGroupName"], request["TargetGroupARNs"])
        return {}

    async def detach_traffic_sources(self, ctx: RequestContext, request: Request) -> Response:
        arns = [s["Identifier"] for s in request["TrafficSources"]]
        await self._detach(ctx, request["AutoScalingGroupName"], arns)
        return {}

    async def _detach(self, ctx: RequestContext, name: str, arns: list[str]) -> None:
        group = self._group(ctx, name)
        gone = [a for a in arns if a in group.target_groups]
        group.target_groups = [a for a in group.target_groups if a not in gone]
        self.store.save_group(ctx.account, ctx.region, group)
        fleet = self._fleet(ctx)
        for member in self.store.members(ctx.account, ctx.region, group.name):
            if member.state == "InService" and gone:
                await fleet.deregister(gone, member.instance_id)

    def describe_load_balancer_target_groups(
        self, ctx: RequestContext, request: Request
    ) -> Response:
        group = self._group(ctx, request["AutoScalingGroupName"])
        return {
            "LoadBalancerTargetGroups": [
                {"LoadBalancerTargetGroupARN": arn, "State": "InService"}
                for arn in group.target_groups
            ]
        }

    def describe_traffic_sources(self, ctx: RequestContext, request: Request) -> Response:
        group = self._group(ctx, request["AutoScalingGroupName"])
        return {
            "TrafficSources": [
                {"TrafficSource": arn, "State": "InService", "Identifier": arn, "Type": "elbv2"}
                for arn in group.target_groups
            ]
        }

    def describe_load_balancers(self, ctx: RequestContext, request: Request) -> Response:
        self._group(ctx, request["AutoScalingGroupName"])
        return {"LoadBalancers": []}

    # processes and metrics

    def suspend_processes(self, ctx: RequestContext, request: Request) -> Response:
        group = self._group(ctx, request["AutoScalingGroupName"])
        names = request.get("ScalingProcesses") or list(PROCESSES)
        for name in names:
            if name not in PROCESSES:
                raise validation(f"Invalid process name: {name}")
        group.suspended = sorted(set(group.suspended) | set(names))
        self.store.save_group(ctx.account, ctx.region, group)
        return {}

    def resume_processes(self, ctx: RequestContext, request: Request) -> Response:
        group = self._group(ctx, request["AutoScalingGroupName"])
        names = request.get("ScalingProcesses") or list(PROCESSES)
        group.suspended = [p for p in group.suspended if p not in names]
        self.store.save_group(ctx.account, ctx.region, group)
        self.engine.kick(ctx.account, ctx.region, group.name)
        return {}

    def enable_metrics_collection(self, ctx: RequestContext, request: Request) -> Response:
        group = self._group(ctx, request["AutoScalingGroupName"])
        if request["Granularity"] != "1Minute":
            raise validation(f"Invalid granularity: {request['Granularity']}")
        names = request.get("Metrics") or list(GROUP_METRICS[:13])
        group.metrics = sorted(set(group.metrics) | set(names))
        self.store.save_group(ctx.account, ctx.region, group)
        return {}

    def disable_metrics_collection(self, ctx: RequestContext, request: Request) -> Response:
        group = self._group(ctx, request["AutoScalingGroupName"])
        names = request.get("Metrics") or list(group.metrics)
        group.metrics = [m for m in group.metrics if m not in names]
        self.store.save_group(ctx.account, ctx.region, group)
        return {}

    def describe_auto_scaling_notification_types(
        self, ctx: RequestContext, request: Request
    ) -> Response:
        return {
            "AutoScalingNotificationTypes": [
                "autoscaling:EC2_INSTANCE_LAUNCH",
                "autoscaling:EC2_INSTANCE_LAUNCH_ERROR",
                "autoscaling:EC2_INSTANCE_TERMINATE",
                "autoscaling:EC2_INSTANCE_TERMINATE_ERROR",
                "autoscaling:TEST_NOTIFICATION",
            ]
        }
