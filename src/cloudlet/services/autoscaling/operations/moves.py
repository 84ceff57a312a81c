"""Standby and attaching or detaching existing instances."""

from __future__ import annotations

from cloudlet.context import RequestContext
from cloudlet.services.autoscaling import standby
from cloudlet.services.autoscaling.operations.base import AsgBase, Request, Response


class MoveOperations(AsgBase):
    def enter_standby(self, ctx: RequestContext, request: Request) -> Response:
        group = self._group(ctx, request["AutoScalingGroupName"])
        activities = standby.enter(
            self.store,
            ctx.account,
            ctx.region,
            group,
            request.get("InstanceIds") or [],
            request["ShouldDecrementDesiredCapacity"],
        )
        self.engine.kick(ctx.account, ctx.region, group.name)
        return {"Activities": activities}

    def exit_standby(self, ctx: RequestContext, request: Request) -> Response:
        group = self._group(ctx, request["AutoScalingGroupName"])
        activities = standby.exit_(
            self.store, ctx.account, ctx.region, group, request.get("InstanceIds") or []
        )
        self.engine.kick(ctx.account, ctx.region, group.name)
        return {"Activities": activities}

    async def attach_instances(self, ctx: RequestContext, request: Request) -> Response:
        group = self._group(ctx, request["AutoScalingGroupName"])
        await standby.attach(self._fleet(ctx), self.store, group, request.get("InstanceIds") or [])
        self.engine.kick(ctx.account, ctx.region, group.name)
        return {}

    def detach_instances(self, ctx: RequestContext, request: Request) -> Response:
        group = self._group(ctx, request["AutoScalingGroupName"])
        activities = standby.detach(
            self.store,
            ctx.account,
            ctx.region,
            group,
            request.get("InstanceIds") or [],
            request["ShouldDecrementDesiredCapacity"],
        )
        self.engine.kick(ctx.account, ctx.region, group.name)
        return {"Activities": activities}
