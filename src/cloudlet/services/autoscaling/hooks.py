"""Lifecycle hooks: instances wait in `Pending:Wait` / `Terminating:Wait` until the user completes
the lifecycle action (CONTINUE or ABANDON) or its heartbeat times out (the hook's DefaultResult).

A lifecycle action is the waiting member's `hook_name`, `hook_token`, `hook_deadline` (heartbeat
time-out, real time) and `hook_limit` (global time-out: min(48 h, 100 x heartbeat)). Time-outs
are durable clock timers (`autoscaling:hook-timeout`); `RecordLifecycleActionHeartbeat` pushes the
deadline out (never past the global limit) and schedules a new timer; a timer that finds a later
deadline or another token is stale and does nothing.
"""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING, Any

from cloudlet.services.autoscaling.models import Member, validation

if TYPE_CHECKING:
    from cloudlet.platform.runtime import Platform
    from cloudlet.services.autoscaling.store import AsgStore

LAUNCHING = "autoscaling:EC2_INSTANCE_LAUNCHING"
TERMINATING = "autoscaling:EC2_INSTANCE_TERMINATING"
WAIT_STATE = {LAUNCHING: "Pending:Wait", TERMINATING: "Terminating:Wait"}
GLOBAL_MAX = 48 * 3600
TIMER = "autoscaling:hook-timeout"


def hooks_for(
    store: AsgStore, account: str, region: str, group: str, transition: str
) -> list[dict[str, Any]]:
    """The group's hooks of one transition, in the order they were put."""
    hooks = [
        h
        for h in store.all(account, region, "hook", group + "/")
        if h["LifecycleTransition"] == transition
    ]
    return sorted(hooks, key=lambda h: h.get("_created", 0.0))


def next_hook(
    store: AsgStore, account: str, region: str, member: Member, transition: str
) -> dict[str, Any] | None:
    for hook in hooks_for(store, account, region, member.group, transition):
        if hook["LifecycleHookName"] not in member.hooks_done:
            return hook
    return None


def begin(
    platform: Platform, account: str, region: str, member: Member, hook: dict[str, Any]
) -> None:
    """Put the member in the hook's wait state with a new lifecycle action."""
    now = time.time()
    heartbeat = float(hook["HeartbeatTimeout"])
    member.state = WAIT_STATE[hook["LifecycleTransition"]]
    member.hook_name = hook["LifecycleHookName"]
    member.hook_token = str(uuid.uuid4())
    member.hook_result = ""
    member.hook_deadline = now + platform.clock.real_seconds(heartbeat)
    member.hook_limit = now + platform.clock.real_seconds(float(hook["GlobalTimeout"]))
    _arm(platform, account, region, member, heartbeat)


def heartbeat(
    platform: Platform, account: str, region: str, member: Member, hook: dict[str, Any]
) -> None:
    now = time.time()
    seconds = float(hook["HeartbeatTimeout"])
    member.hook_deadline = min(member.hook_limit, now + platform.clock.real_seconds(seconds))
    remaining = (member.hook_deadline - now) * platform.clock.time_scale
    _arm(platform, account, region, member, remaining)


def _arm(platform: Platform, account: str, region: str, member: Member, seconds: float) -> None:
    platform.clock.schedule(
        TIMER,
        seconds,
        {
            "account": account,
            "region": region,
            "group": member.group,
            "instance": member.instance_id,
            "token": member.hook_token,
        },
    )


def timed_out(member: Member, token: str, now: float) -> bool:
    """Whether a time-out timer for `token` is due (not stale)."""
    waiting = member.state in WAIT_STATE.values() and not member.hook_result
    return waiting and member.hook_token == token and now >= member.hook_deadline - 0.001


def find_action(
    members: list[Member], hook_name: str, token: str | None, instance_id: str | None
) -> Member:
    """The member waiting on `hook_name` with this token or instance id, or AWS's error."""
    for member in members:
        if member.state not in WAIT_STATE.values() or member.hook_result:
            continue
        if member.hook_name != hook_name:
            continue
        if (token and member.hook_token == token) or (
            not token and instance_id and member.instance_id == instance_id
        ):
            return member
    if token:
        raise validation(f"No active Lifecycle Action found with token {token}")
    raise validation(f"No active Lifecycle Action found with instance ID {instance_id}")


TRANSITIONS = (LAUNCHING, TERMINATING)
MAX_HOOKS = 50
"""Lifecycle hooks per group (an AWS limit not listed in Service Quotas)."""


def put_hook(store: AsgStore, account: str, region: str, request: dict[str, Any]) -> None:
    """Create or update a hook (PutLifecycleHook, or a group's LifecycleHookSpecificationList)."""
    group = request["AutoScalingGroupName"]
    name = request["LifecycleHookName"]
    key = f"{group}/{name}"
    existing = store.get(account, region, "hook", key)
    transition = request.get("LifecycleTransition") or (existing or {}).get("LifecycleTransition")
    if transition is None:
        raise validation("LifecycleTransition is required to create a lifecycle hook.")
    if transition not in TRANSITIONS:
        raise validation(f"Invalid Lifecycle Transition: {transition}")
    if existing is None and len(store.all(account, region, "hook", group + "/")) >= MAX_HOOKS:
        raise validation(f"You can have at most {MAX_HOOKS} lifecycle hooks per group.")
    heartbeat = request.get("HeartbeatTimeout") or (existing or {}).get("HeartbeatTimeout", 3600)
    if not 30 <= heartbeat <= 7200:
        raise validation(
            f"Heartbeat timeout must be between 30 and 7200 seconds (got {heartbeat})."
        )
    result = request.get("DefaultResult") or (existing or {}).get("DefaultResult", "ABANDON")
    if result not in ("CONTINUE", "ABANDON"):
        raise validation(f"Invalid default result: {result}")
    hook: dict[str, Any] = {
        "LifecycleHookName": name,
        "AutoScalingGroupName": group,
        "LifecycleTransition": transition,
        "HeartbeatTimeout": heartbeat,
        "GlobalTimeout": min(GLOBAL_MAX, 100 * heartbeat),
        "DefaultResult": result,
        "_created": (existing or {}).get("_created") or time.time(),
    }
    for member in ("NotificationTargetARN", "RoleARN", "NotificationMetadata"):
        value = request.get(member, (existing or {}).get(member))
        if value is not None:
            hook[member] = value
    store.put(account, region, "hook", key, hook)
