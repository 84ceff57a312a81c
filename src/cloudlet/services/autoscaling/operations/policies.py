"""Scaling policies (put, describe, delete, execute) and scheduled actions."""

from __future__ import annotations

from typing import Any

from cloudlet.context import RequestContext
from cloudlet.errors import ServiceError
from cloudlet.services.autoscaling import policies
from cloudlet.services.autoscaling import scheduled as scheduling
from cloudlet.services.autoscaling.models import group_not_found, validation
from cloudlet.services.autoscaling.operations.base import AsgBase, Request, Response, paged


class PolicyOperations(AsgBase):
    async def put_scaling_policy(self, ctx: RequestContext, request: Request) -> Response:
        account, region = ctx.account, ctx.region
        group = self.store.group(account, region, request["AutoScalingGroupName"])
        if group is None:
            raise group_not_found(request["AutoScalingGroupName"])
        kind = policies.check(request)
        key = f"{group.name}/{request['PolicyName']}"
        existing = self.store.get(account, region, "policy", key)
        if (
            existing is None
            and len(self.store.all(account, region, "policy", group.name + "/"))
            >= policies.MAX_POLICIES
        ):
            raise ServiceError(
                f"You have reached the maximum of {policies.MAX_POLICIES} scaling policies for"
                " this group.",
                code="LimitExceededFault",
            )
        policy: dict[str, Any] = {
            "AutoScalingGroupName": group.name,
            "PolicyName": request["PolicyName"],
            "PolicyARN": (existing or {}).get("PolicyARN")
            or policies.policy_arn(account, region, group.name, request["PolicyName"]),
            "PolicyType": kind,
            "Enabled": request.get("Enabled", True),
            "Alarms": [],
        }
        for member in (
            "AdjustmentType",
            "MinAdjustmentMagnitude",
            "ScalingAdjustment",
            "Cooldown",
            "StepAdjustments",
            "EstimatedInstanceWarmup",
            "TargetTrackingConfiguration",
        ):
            if request.get(member) is not None:
                policy[member] = request[member]
        if kind == "StepScaling":
            policy["MetricAggregationType"] = request.get("MetricAggregationType") or "Average"
        if kind == "TargetTrackingScaling":
            policy["TargetTrackingConfiguration"].setdefault("DisableScaleIn", False)
            if existing is not None:
                await policies.delete_policy_alarms(self.platform, account, region, existing)
            alarms = await policies.create_alarms(self.platform, account, region, group, policy)
            policy["Alarms"] = alarms
            policy["_owned_alarms"] = alarms
        self.store.put(account, region, "policy", key, policy)
        return {"PolicyARN": policy["PolicyARN"], "Alarms": policy["Alarms"]}

    async def describe_policies(self, ctx: RequestContext, request: Request) -> Response:
        name = request.get("AutoScalingGroupName")
        if name:
            found = self.store.all(ctx.account, ctx.region, "policy", name + "/")
        else:
            found = self.store.all(ctx.account, ctx.region, "policy")
        names = request.get("PolicyNames") or []
        if names:
            found = [p for p in found if p["PolicyName"] in names or p["PolicyARN"] in names]
        types = request.get("PolicyTypes") or []
        if types:
            found = [p for p in found if p["PolicyType"] in types]
        chosen, token = paged(found, request, "MaxRecords", 50)
        alarms = await self._alarms_by_action(ctx, chosen)
        out = []
        for policy in chosen:
            described = policies.describe(policy)
            if policy["PolicyType"] != "TargetTrackingScaling" and alarms is not None:
                described["Alarms"] = alarms.get(policy["PolicyARN"], [])
            out.append(described)
        response: Response = {"ScalingPolicies": out}
        if token:
            response["NextToken"] = token
        return response

    async def _alarms_by_action(
        self, ctx: RequestContext, found: list[dict[str, Any]]
    ) -> dict[str, list[dict[str, str]]] | None:
        """Policy ARN → the CloudWatch alarms whose actions run it (None: not served)."""
        from cloudlet.services.registry import SERVICES

        if "cloudwatch" not in SERVICES or not found:
            return None
        by_policy: dict[str, list[dict[str, str]]] = {}
        try:
            result = await self.platform.services.call(
                "cloudwatch",
                "DescribeAlarms",
                {"ActionPrefix": "arn:aws:autoscaling:"},
                account=ctx.account,
                region=ctx.region,
            )
        except ServiceError:
            return None
        for alarm in result.get("MetricAlarms") or []:
            for action in alarm.get("AlarmActions") or []:
                by_policy.setdefault(action, []).append(
                    {"AlarmName": alarm["AlarmName"], "AlarmARN": alarm["AlarmArn"]}
                )
        return by_policy

    async def delete_policy(self, ctx: RequestContext, request: Request) -> Response:
        policy = self._policy(ctx, request.get("AutoScalingGroupName"), request["PolicyName"])
        await policies.delete_policy_alarms(self.platform, ctx.account, ctx.region, policy)
        self.store.delete(
            ctx.account,
            ctx.region,
            "policy",
            f"{policy['AutoScalingGroupName']}/{policy['PolicyName']}",
        )
        return {}

    async def execute_policy(self, ctx: RequestContext, request: Request) -> Response:
        policy = self._policy(ctx, request.get("AutoScalingGroupName"), request["PolicyName"])
        alarm = None
        if ctx.request is None:  # an internal call: a CloudWatch alarm's action
            alarm = await self._alarm_of(ctx, policy["PolicyARN"])
        await self.scaler.execute(
            ctx.account,
            ctx.region,
            policy,
            honor_cooldown=bool(request.get("HonorCooldown", False)),
            metric=request.get("MetricValue"),
            threshold=request.get("BreachThreshold"),
            alarm=alarm,
        )
        return {}

    async def _alarm_of(self, ctx: RequestContext, policy_arn: str) -> dict[str, Any] | None:
        """The alarm in ALARM state whose actions run this policy (None if there is none)."""
        from cloudlet.services.registry import SERVICES

        if "cloudwatch" not in SERVICES:
            return None
        try:
            result = await self.platform.services.call(
                "cloudwatch",
                "DescribeAlarms",
                {"ActionPrefix": policy_arn, "StateValue": "ALARM"},
                account=ctx.account,
                region=ctx.region,
            )
        except ServiceError:
            return None
        alarms = [
            a
            for a in result.get("MetricAlarms") or []
            if policy_arn in (a.get("AlarmActions") or [])
        ]
        if not alarms:
            return None
        latest: dict[str, Any] = max(alarms, key=lambda a: a.get("StateUpdatedTimestamp") or 0)
        return latest

    def _policy(self, ctx: RequestContext, group: str | None, name: str) -> dict[str, Any]:
        if name.startswith("arn:"):
            for policy in self.store.all(ctx.account, ctx.region, "policy"):
                if policy["PolicyARN"] == name:
                    return policy
            raise validation(f"No scaling policy found for ARN {name}")
        if group is None:
            raise validation("AutoScalingGroupName is required when PolicyName is not an ARN.")
        if self.store.group(ctx.account, ctx.region, group) is None:
            raise group_not_found(group)
        found = self.store.get(ctx.account, ctx.region, "policy", f"{group}/{name}")
        if found is None:
            raise validation(f"No scaling policy found for group {group} with name {name}")
        return found

    # scheduled actions

    def put_scheduled_update_group_action(self, ctx: RequestContext, request: Request) -> Response:
        self.schedules.put(ctx.account, ctx.region, request)
        return {}

    def batch_put_scheduled_update_group_action(
        self, ctx: RequestContext, request: Request
    ) -> Response:
        failed = []
        for action in request["ScheduledUpdateGroupActions"]:
            try:
                self.schedules.put(
                    ctx.account,
                    ctx.region,
                    {**action, "AutoScalingGroupName": request["AutoScalingGroupName"]},
                )
            except ServiceError as exc:
                failed.append(
                    {
                        "ScheduledActionName": action["ScheduledActionName"],
                        "ErrorCode": exc.code,
                        "ErrorMessage": exc.message,
                    }
                )
        return {"FailedScheduledUpdateGroupActions": failed}

    def describe_scheduled_actions(self, ctx: RequestContext, request: Request) -> Response:
        name = request.get("AutoScalingGroupName")
        found = self.store.all(ctx.account, ctx.region, "scheduled", name + "/" if name else "")
        names = request.get("ScheduledActionNames") or []
        if names:
            found = [a for a in found if a["ScheduledActionName"] in names]
        found.sort(key=lambda a: a.get("_next") or 0)
        chosen, token = paged(found, request, "MaxRecords", 50)
        response: Response = {
            "ScheduledUpdateGroupActions": [scheduling.describe(a) for a in chosen]
        }
        if token:
            response["NextToken"] = token
        return response

    def delete_scheduled_action(self, ctx: RequestContext, request: Request) -> Response:
        group, name = request["AutoScalingGroupName"], request["ScheduledActionName"]
        if not self.store.delete(ctx.account, ctx.region, "scheduled", f"{group}/{name}"):
            raise validation(f"Scheduled action name not found - {name}")
        return {}

    def batch_delete_scheduled_action(self, ctx: RequestContext, request: Request) -> Response:
        group = request["AutoScalingGroupName"]
        failed = []
        for name in request["ScheduledActionNames"]:
            if not self.store.delete(ctx.account, ctx.region, "scheduled", f"{group}/{name}"):
                failed.append(
                    {
                        "ScheduledActionName": name,
                        "ErrorCode": "ValidationError",
                        "ErrorMessage": f"Scheduled action name not found - {name}",
                    }
                )
        return {"FailedScheduledActions": failed}
