"""Launch configurations, and the fixed lists Auto Scaling describes (types, limits)."""

from __future__ import annotations

from cloudlet.context import RequestContext
from cloudlet.services.autoscaling import groups as checks
from cloudlet.services.autoscaling import launch_configurations as configurations
from cloudlet.services.autoscaling.operations.base import AsgBase, Request, Response, paged
from cloudlet.services.autoscaling.termination import POLICIES
from cloudlet.services.servicequotas.quotas import applied_value

PROCESSES = (
    "Launch",
    "Terminate",
    "AddToLoadBalancer",
    "AlarmNotification",
    "AZRebalance",
    "HealthCheck",
    "InstanceRefresh",
    "ReplaceUnhealthy",
    "ScheduledActions",
)
GROUP_METRICS = (
    "GroupMinSize",
    "GroupMaxSize",
    "GroupDesiredCapacity",
    "GroupInServiceInstances",
    "GroupPendingInstances",
    "GroupStandbyInstances",
    "GroupTerminatingInstances",
    "GroupTotalInstances",
    "GroupInServiceCapacity",
    "GroupPendingCapacity",
    "GroupStandbyCapacity",
    "GroupTerminatingCapacity",
    "GroupTotalCapacity",
    "WarmPoolDesiredCapacity",
    "WarmPoolWarmedCapacity",
    "WarmPoolPendingCapacity",
    "WarmPoolTerminatingCapacity",
    "WarmPoolTotalCapacity",
    "GroupAndWarmPoolDesiredCapacity",
    "GroupAndWarmPoolTotalCapacity",
)


class ConfigurationOperations(AsgBase):
    async def create_launch_configuration(self, ctx: RequestContext, request: Request) -> Response:
        limit = applied_value(self.platform, ctx.account, ctx.region, *configurations.QUOTA)
        await configurations.create(self._fleet(ctx), self.store, limit, request)
        return {}

    def describe_launch_configurations(self, ctx: RequestContext, request: Request) -> Response:
        found = self.store.all(ctx.account, ctx.region, "lc")
        names = request.get("LaunchConfigurationNames") or []
        if names:
            found = [c for c in found if c["LaunchConfigurationName"] in names]
        chosen, token = paged(found, request, "MaxRecords", 50)
        response: Response = {"LaunchConfigurations": [configurations.describe(c) for c in chosen]}
        if token:
            response["NextToken"] = token
        return response

    def delete_launch_configuration(self, ctx: RequestContext, request: Request) -> Response:
        configurations.delete(
            self.store, ctx.account, ctx.region, request["LaunchConfigurationName"]
        )
        return {}

    def describe_account_limits(self, ctx: RequestContext, request: Request) -> Response:
        return {
            "MaxNumberOfAutoScalingGroups": int(
                applied_value(self.platform, ctx.account, ctx.region, *checks.QUOTA)
            ),
            "MaxNumberOfLaunchConfigurations": int(
                applied_value(self.platform, ctx.account, ctx.region, *configurations.QUOTA)
            ),
            "NumberOfAutoScalingGroups": len(self.store.groups(ctx.account, ctx.region)),
            "NumberOfLaunchConfigurations": len(self.store.all(ctx.account, ctx.region, "lc")),
        }

    def describe_adjustment_types(self, ctx: RequestContext, request: Request) -> Response:
        return {
            "AdjustmentTypes": [
                {"AdjustmentType": t}
                for t in ("ChangeInCapacity", "ExactCapacity", "PercentChangeInCapacity")
            ]
        }

    def describe_termination_policy_types(self, ctx: RequestContext, request: Request) -> Response:
        return {"TerminationPolicyTypes": sorted(POLICIES)}

    def describe_lifecycle_hook_types(self, ctx: RequestContext, request: Request) -> Response:
        return {
            "LifecycleHookTypes": [
                "autoscaling:EC2_INSTANCE_LAUNCHING",
                "autoscaling:EC2_INSTANCE_TERMINATING",
            ]
        }

    def describe_scaling_process_types(self, ctx: RequestContext, request: Request) -> Response:
        return {"Processes": [{"ProcessName": p} for p in PROCESSES]}

    def describe_metric_collection_types(self, ctx: RequestContext, request: Request) -> Response:
        return {
            "Metrics": [{"Metric": m} for m in GROUP_METRICS],
            "Granularities": [{"Granularity": "1Minute"}],
        }
