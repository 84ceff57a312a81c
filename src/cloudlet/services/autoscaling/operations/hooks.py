"""Lifecycle hooks and lifecycle actions."""

from __future__ import annotations

from cloudlet.context import RequestContext
from cloudlet.services.autoscaling import hooks
from cloudlet.services.autoscaling.models import validation
from cloudlet.services.autoscaling.operations.base import AsgBase, Request, Response


class HookOperations(AsgBase):
    def put_lifecycle_hook(self, ctx: RequestContext, request: Request) -> Response:
        self._group(ctx, request["AutoScalingGroupName"])
        hooks.put_hook(self.store, ctx.account, ctx.region, request)
        return {}

    def describe_lifecycle_hooks(self, ctx: RequestContext, request: Request) -> Response:
        group = self._group(ctx, request["AutoScalingGroupName"])
        found = self.store.all(ctx.account, ctx.region, "hook", group.name + "/")
        names = request.get("LifecycleHookNames") or []
        if names:
            found = [h for h in found if h["LifecycleHookName"] in names]
        return {
            "LifecycleHooks": [{k: v for k, v in h.items() if not k.startswith("_")} for h in found]
        }

    def delete_lifecycle_hook(self, ctx: RequestContext, request: Request) -> Response:
        group = self._group(ctx, request["AutoScalingGroupName"])
        name = request["LifecycleHookName"]
        if not self.store.delete(ctx.account, ctx.region, "hook", f"{group.name}/{name}"):
            raise validation(f"No Lifecycle Hook found with name {name} for group {group.name}")
        return {}

    def complete_lifecycle_action(self, ctx: RequestContext, request: Request) -> Response:
        group = self._group(ctx, request["AutoScalingGroupName"])
        result = request["LifecycleActionResult"]
        if result not in ("CONTINUE", "ABANDON"):
            raise validation(f"Invalid lifecycle action result: {result}")
        member = hooks.find_action(
            self.store.members(ctx.account, ctx.region, group.name),
            request["LifecycleHookName"],
            request.get("LifecycleActionToken"),
            request.get("InstanceId"),
        )
        member.hook_result = result
        self.store.save_member(ctx.account, ctx.region, member)
        self.engine.kick(ctx.account, ctx.region, group.name)
        return {}

    def record_lifecycle_action_heartbeat(self, ctx: RequestContext, request: Request) -> Response:
        group = self._group(ctx, request["AutoScalingGroupName"])
        member = hooks.find_action(
            self.store.members(ctx.account, ctx.region, group.name),
            request["LifecycleHookName"],
            request.get("LifecycleActionToken"),
            request.get("InstanceId"),
        )
        hook = self.store.get(ctx.account, ctx.region, "hook", f"{group.name}/{member.hook_name}")
        if hook is not None:
            hooks.heartbeat(self.platform, ctx.account, ctx.region, member, hook)
            self.store.save_member(ctx.account, ctx.region, member)
        return {}
