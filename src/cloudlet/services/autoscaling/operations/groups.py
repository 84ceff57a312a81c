"""Groups: create, update, delete, describe; their instances; desired capacity."""

from __future__ import annotations

import time
import uuid
from typing import Any

from cloudlet.context import RequestContext
from cloudlet.errors import ServiceError
from cloudlet.services.autoscaling import activities as act
from cloudlet.services.autoscaling import groups as checks
from cloudlet.services.autoscaling import hooks
from cloudlet.services.autoscaling.models import (
    COUNTED,
    IN_FLIGHT_LAUNCH,
    IN_FLIGHT_TERMINATE,
    Group,
    stamp,
    validation,
)
from cloudlet.services.autoscaling.operations.base import AsgBase, Request, Response, paged
from cloudlet.services.servicequotas.quotas import applied_value


class GroupOperations(AsgBase):
    async def create_auto_scaling_group(self, ctx: RequestContext, request: Request) -> Response:
        account, region = ctx.account, ctx.region
        name = request["AutoScalingGroupName"]
        if self.store.group(account, region, name) is not None:
            raise ServiceError(
                "AutoScalingGroup by this name already exists - A group with the name"
                f" {name} already exists",
                code="AlreadyExistsFault",
            )
        limit = applied_value(self.platform, account, region, *checks.QUOTA)
        if len(self.store.groups(account, region)) >= limit:
            raise ServiceError(
                f"You have reached your limit of {int(limit)} Auto Scaling groups in this region.",
                code="LimitExceededFault",
            )
        min_size, max_size = request["MinSize"], request["MaxSize"]
        desired = request.get("DesiredCapacity")
        checks.check_sizes(min_size, max_size, desired)
        fleet = self._fleet(ctx)
        configuration, template = await checks.launch_source(fleet, self.store, request)
        zones, subnets, placements = await checks.placements(
            fleet, request.get("AvailabilityZones"), request.get("VPCZoneIdentifier")
        )
        target_groups = list(request.get("TargetGroupARNs") or [])
        await fleet.check_target_groups(target_groups)
        policies = list(request.get("TerminationPolicies") or ["Default"])
        checks.check_termination_policies(policies)
        health = request.get("HealthCheckType") or "EC2"
        if health not in ("EC2", "ELB", "VPC_LATTICE", "EBS"):
            raise validation(f"Invalid health check type: {health}")
        desired = min_size if desired is None else desired
        now = time.time()
        group = Group(
            name=name,
            arn=f"arn:aws:autoscaling:{region}:{account}:autoScalingGroup:{uuid.uuid4()}:"
            f"autoScalingGroupName/{name}",
            min_size=min_size,
            max_size=max_size,
            desired=desired,
            zones=zones,
            subnets=subnets,
            placements=placements,
            launch_configuration=configuration,
            launch_template=template,
            default_cooldown=request.get("DefaultCooldown", 300),
            health_check_type=health,
            grace_period=request.get("HealthCheckGracePeriod", 0),
            target_groups=target_groups,
            termination_policies=policies,
            protect_new=bool(request.get("NewInstancesProtectedFromScaleIn", False)),
            tags=checks.check_tags(request.get("Tags") or [], name),
            warmup=request.get("DefaultInstanceWarmup"),
            max_lifetime=request.get("MaxInstanceLifetime"),
            capacity_rebalance=bool(request.get("CapacityRebalance", False)),
            created=now,
            change=act.created(now, desired) if desired else "",
        )
        self.store.save_group(account, region, group)
        for spec in request.get("LifecycleHookSpecificationList") or []:
            hooks.put_hook(self.store, account, region, {**spec, "AutoScalingGroupName": name})
        self.engine.kick(account, region, name)
        self.engine.ensure_sweeping()
        return {}

    async def update_auto_scaling_group(self, ctx: RequestContext, request: Request) -> Response:
        account, region = ctx.account, ctx.region
        group = self._group(ctx, request["AutoScalingGroupName"])
        if group.deleting:
            raise ServiceError("The group is being deleted.", code="ScalingActivityInProgressFault")
        fleet = self._fleet(ctx)
        min_size = request.get("MinSize", group.min_size)
        max_size = request.get("MaxSize", group.max_size)
        desired = request.get("DesiredCapacity")
        checks.check_sizes(min_size, max_size, desired)
        if any(
            request.get(k)
            for k in ("LaunchConfigurationName", "LaunchTemplate", "MixedInstancesPolicy")
        ):
            sources = {
                k: request.get(k)
                for k in ("LaunchConfigurationName", "LaunchTemplate", "MixedInstancesPolicy")
            }
            configuration, template = await checks.launch_source(fleet, self.store, sources)
            group.launch_configuration, group.launch_template = configuration, template
        if request.get("AvailabilityZones") or request.get("VPCZoneIdentifier"):
            group.zones, group.subnets, group.placements = await checks.placements(
                fleet, request.get("AvailabilityZones"), request.get("VPCZoneIdentifier")
            )
        if request.get("TerminationPolicies"):
            checks.check_termination_policies(request["TerminationPolicies"])
            group.termination_policies = list(request["TerminationPolicies"])
        simple = {
            "DefaultCooldown": "default_cooldown",
            "HealthCheckType": "health_check_type",
            "HealthCheckGracePeriod": "grace_period",
            "NewInstancesProtectedFromScaleIn": "protect_new",
            "DefaultInstanceWarmup": "warmup",
            "MaxInstanceLifetime": "max_lifetime",
            "CapacityRebalance": "capacity_rebalance",
        }
        for member, attribute in simple.items():
            if request.get(member) is not None:
                setattr(group, attribute, request[member])
        fresh = self.store.group(account, region, group.name)  # the awaits above may be stale
        before = fresh.desired if fresh is not None else group.desired
        group.min_size, group.max_size = min_size, max_size
        group.desired = before if desired is None else desired
        group.desired = max(min_size, min(max_size, group.desired))
        if fresh is not None:
            group.change, group.cooldown_pending = fresh.change, fresh.cooldown_pending
            group.cooldown_until, group.failures = fresh.cooldown_until, fresh.failures
            group.retry_at = fresh.retry_at
        if group.desired != before:
            group.change = act.updated(time.time(), group, before)
        self.store.save_group(account, region, group)
        self.engine.kick(account, region, group.name)
        return {}

    async def delete_auto_scaling_group(self, ctx: RequestContext, request: Request) -> Response:
        account, region = ctx.account, ctx.region
        group = self._group(ctx, request["AutoScalingGroupName"])
        members = self.store.members(account, region, group.name)
        if members and not request.get("ForceDelete"):
            if any(m.state in IN_FLIGHT_LAUNCH + IN_FLIGHT_TERMINATE for m in members):
                raise ServiceError(
                    "You cannot delete an AutoScalingGroup while there are scaling activities in"
                    " progress for that group.",
                    code="ScalingActivityInProgressFault",
                )
            raise ServiceError(
                "You cannot delete an AutoScalingGroup while there are instances or pending Spot"
                " instance request(s) still in the group.",
                code="ResourceInUseFault",
            )
        if not members:
            from cloudlet.services.autoscaling.groups import forget_group

            await forget_group(self.platform, self.store, account, region, group.name)
            return {}
        counted = sum(1 for m in members if m.state in COUNTED)
        group.deleting = True
        group.change = (
            f"At {stamp(time.time())} a user request force deleted AutoScalingGroup changing the"
            f" desired capacity from {counted} to 0."
        )
        group.desired = group.min_size = 0
        self.store.save_group(account, region, group)
        self.engine.kick(account, region, group.name)
        return {}

    def describe_auto_scaling_groups(self, ctx: RequestContext, request: Request) -> Response:
        names = request.get("AutoScalingGroupNames") or []
        groups = self.store.groups(ctx.account, ctx.region)
        if names:
            groups = [g for g in groups if g.name in names]
        for flt in request.get("Filters") or []:
            groups = [g for g in groups if _group_filter(g, flt)]
        groups.sort(key=lambda g: g.name)
        chosen, token = paged(groups, request, "MaxRecords", 50)
        response: Response = {
            "AutoScalingGroups": [
                g.describe(self.store.members(ctx.account, ctx.region, g.name)) for g in chosen
            ]
        }
        if token:
            response["NextToken"] = token
        return response

    def describe_auto_scaling_instances(self, ctx: RequestContext, request: Request) -> Response:
        ids = request.get("InstanceIds") or []
        members = []
        for group in self.store.groups(ctx.account, ctx.region):
            members += [
                m
                for m in self.store.members(ctx.account, ctx.region, group.name)
                if m.state != "Terminated" and (not ids or m.instance_id in ids)
            ]
        members.sort(key=lambda m: m.instance_id)
        chosen, token = paged(members, request, "MaxRecords", 50)
        response: Response = {"AutoScalingInstances": [m.describe(with_group=True) for m in chosen]}
        if token:
            response["NextToken"] = token
        return response

    def set_desired_capacity(self, ctx: RequestContext, request: Request) -> Response:
        self.scaler.set_desired_capacity(
            ctx.account,
            ctx.region,
            request["AutoScalingGroupName"],
            request["DesiredCapacity"],
            bool(request.get("HonorCooldown", False)),
        )
        return {}

    def terminate_instance_in_auto_scaling_group(
        self, ctx: RequestContext, request: Request
    ) -> Response:
        account, region = ctx.account, ctx.region
        instance_id = request["InstanceId"]
        member = self.store.find_member(account, region, instance_id)
        if member is None:
            raise validation(
                f"Instance Id not found - No managed instance found for instance ID {instance_id}"
            )
        group = self._group(ctx, member.group)
        decrement = request["ShouldDecrementDesiredCapacity"]
        now = time.time()
        counted = sum(
            1 for m in self.store.members(account, region, group.name) if m.state in COUNTED
        )
        if decrement:
            if group.desired - 1 < group.min_size:
                raise validation(
                    f"Currently, desiredSize equals minSize ({group.min_size}). Terminating"
                    " instance without replacement will violate group's min size constraint."
                    " Either set shouldDecrementDesiredCapacity flag to false or lower group's"
                    " min size."
                )
            group.desired -= 1
            self.store.save_group(account, region, group)
        cause = act.user_terminated(now, instance_id, counted if decrement else None, counted - 1)
        if member.state in COUNTED:
            self.engine.begin_termination(account, region, group, member, cause)
            self.store.save_member(account, region, member)
        self.engine.kick(account, region, group.name)
        activity = self.store.activity_at(account, region, member.activity)
        return {"Activity": activity.describe() if activity else {}}

    def set_instance_health(self, ctx: RequestContext, request: Request) -> Response:
        account, region = ctx.account, ctx.region
        member = self.store.find_member(account, region, request["InstanceId"])
        if member is None:
            raise validation(
                f"Instance Id not found - No managed instance found for instance ID"
                f" {request['InstanceId']}"
            )
        group = self._group(ctx, member.group)
        healthy = request["HealthStatus"] == "Healthy"
        if request["HealthStatus"] not in ("Healthy", "Unhealthy"):
            raise validation(f"Invalid health status: {request['HealthStatus']}")
        respect = request.get("ShouldRespectGracePeriod", True)
        in_grace = time.time() - member.in_service_at < self.platform.clock.real_seconds(
            group.grace_period
        )
        if not healthy and respect and member.state == "InService" and in_grace:
            return {}
        if not healthy and member.healthy:
            member.healthy = False
            member.health_cause = act.unhealthy(time.time(), act.HEALTH_USER)
        elif healthy:
            member.healthy = True
        self.store.save_member(account, region, member)
        self.engine.kick(account, region, group.name)
        return {}

    def set_instance_protection(self, ctx: RequestContext, request: Request) -> Response:
        account, region = ctx.account, ctx.region
        group = self._group(ctx, request["AutoScalingGroupName"])
        members = {m.instance_id: m for m in self.store.members(account, region, group.name)}
        for instance_id in request["InstanceIds"]:
            if instance_id not in members:
                raise validation(
                    f"The instance {instance_id} is not part of Auto Scaling group {group.name}."
                )
        for instance_id in request["InstanceIds"]:
            member = members[instance_id]
            member.protected = bool(request["ProtectedFromScaleIn"])
            self.store.save_member(account, region, member)
        self.engine.kick(account, region, group.name)
        return {}

    def describe_scaling_activities(self, ctx: RequestContext, request: Request) -> Response:
        name = request.get("AutoScalingGroupName")
        ids = request.get("ActivityIds") or []
        missing = name and self.store.group(ctx.account, ctx.region, name) is None
        if missing and not request.get("IncludeDeletedGroups"):
            return {"Activities": []}
        activities = self.store.activities(ctx.account, ctx.region, name)
        if not request.get("IncludeDeletedGroups"):
            live = {g.name for g in self.store.groups(ctx.account, ctx.region)}
            activities = [a for a in activities if a.group in live]
        if ids:
            activities = [a for a in activities if a.id in ids]
        chosen, token = paged(activities, request, "MaxRecords", 100)
        response: Response = {"Activities": [a.describe() for a in chosen]}
        if token:
            response["NextToken"] = token
        return response


def _group_filter(group: Group, flt: dict[str, Any]) -> bool:
    name, values = flt.get("Name", ""), flt.get("Values") or []
    tags = {t["Key"]: t["Value"] for t in group.tags}
    if name == "tag-key":
        return any(v in tags for v in values)
    if name == "tag-value":
        return any(v in tags.values() for v in values)
    if name.startswith("tag:"):
        return tags.get(name[4:]) in values
    raise validation(f"Filter {name} is not supported.")
