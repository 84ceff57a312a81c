"""Changing a group's desired capacity: SetDesiredCapacity, policy runs (ExecutePolicy, alarm
actions), scheduled actions, and the arithmetic of adjustments.

Adjustments (simple and step policies), then clamped to [MinSize, MaxSize]:

    ChangeInCapacity          desired + N
    ExactCapacity             N
    PercentChangeInCapacity   desired + desired x N / 100, rounded as AWS rounds: above 1 down,
                              (0, 1) → 1, (-1, 0) → -1, below -1 toward zero; at least
                              MinAdjustmentMagnitude instances when given

Simple policies honour cooldowns: after they change the capacity, the group ignores further
simple-policy runs (alarm actions, or ExecutePolicy/SetDesiredCapacity with HonorCooldown) until
the activities finish and the cooldown (the policy's, else the group's DefaultCooldown) passes.
Step policies keep responding, but instances still warming up count toward the capacity a
scale-out starts from (so repeated breaches in one step do not stack) and block scale-in. Target
tracking: ceil(desired x metric / target), at least one more (AlarmHigh) or one fewer (AlarmLow).
"""

from __future__ import annotations

import json
import math
import time
from typing import TYPE_CHECKING, Any

from cloudlet.errors import ServiceError
from cloudlet.services.autoscaling import activities as act
from cloudlet.services.autoscaling.models import (
    COUNTED,
    IN_FLIGHT_LAUNCH,
    IN_FLIGHT_TERMINATE,
    Group,
    group_not_found,
    validation,
)

if TYPE_CHECKING:
    from cloudlet.platform.runtime import Platform
    from cloudlet.services.autoscaling.reconcile import Engine
    from cloudlet.services.autoscaling.store import AsgStore


def percent_change(desired: int, percent: float, magnitude: int | None) -> int:
    value = desired * percent / 100
    if value > 1:
        change = math.floor(value)
    elif value > 0:
        change = 1
    elif value > -1:
        change = -1 if value < 0 else 0
    else:
        change = math.ceil(value)
    if magnitude and change and abs(change) < magnitude:
        change = magnitude if change > 0 else -magnitude
    return change


def adjusted(group: Group, kind: str, adjustment: float, magnitude: int | None = None) -> int:
    if kind == "ExactCapacity":
        target = int(adjustment)
    elif kind == "PercentChangeInCapacity":
        target = group.desired + percent_change(group.desired, adjustment, magnitude)
    else:
        target = group.desired + int(adjustment)
    return max(group.min_size, min(group.max_size, target))


def step_for(steps: list[dict[str, Any]], metric: float, threshold: float) -> dict[str, Any] | None:
    """The step whose interval (relative to the threshold) holds the breach."""
    difference = metric - threshold
    for step in steps:
        low = step.get("MetricIntervalLowerBound")
        high = step.get("MetricIntervalUpperBound")
        if difference >= 0:
            inside = (low is None or difference >= low) and (high is None or difference < high)
        else:
            inside = (low is None or difference > low) and (high is None or difference <= high)
        if inside:
            return step
    return None


class Scaler:
    """Desired-capacity changes of every group."""

    def __init__(self, platform: Platform, store: AsgStore, engine: Engine) -> None:
        self.platform = platform
        self.store = store
        self.engine = engine

    def group(self, account: str, region: str, name: str) -> Group:
        group = self.store.group(account, region, name)
        if group is None or group.deleting:
            raise group_not_found(name)
        return group

    def blocking_activity(self, account: str, region: str, group: Group) -> str | None:
        """The id of the activity that blocks cooldown-honouring changes, if any."""
        members = self.store.members(account, region, group.name)
        busy = [m for m in members if m.state in IN_FLIGHT_LAUNCH + IN_FLIGHT_TERMINATE]
        if not busy and group.cooldown_pending is None and time.time() >= group.cooldown_until:
            return None
        recent = self.store.activities(account, region, group.name)
        return recent[0].id if recent else "00000000-0000-0000-0000-000000000000"

    def change(self, account: str, region: str, group: Group, desired: int, cause: str) -> None:
        """Set the desired capacity (already within bounds) and reconcile."""
        group.desired = desired
        group.change = cause
        self.store.save_group(account, region, group)
        self.engine.kick(account, region, group.name)

    def set_desired_capacity(
        self, account: str, region: str, name: str, desired: int, honor_cooldown: bool
    ) -> None:
        group = self.group(account, region, name)
        if desired > group.max_size:
            raise validation(
                f"New SetDesiredCapacity value {desired} is above max value {group.max_size}"
                " for the AutoScalingGroup."
            )
        if desired < group.min_size:
            raise validation(
                f"New SetDesiredCapacity value {desired} is below min value {group.min_size}"
                " for the AutoScalingGroup."
            )
        if honor_cooldown:
            blocking = self.blocking_activity(account, region, group)
            if blocking is not None:
                raise _in_progress(blocking)
        if desired != group.desired:
            cause = act.set_desired(time.time(), group.desired, desired)
            self.change(account, region, group, desired, cause)

    async def execute(
        self,
        account: str,
        region: str,
        policy: dict[str, Any],
        *,
        honor_cooldown: bool,
        metric: float | None,
        threshold: float | None,
        alarm: dict[str, Any] | None,
    ) -> None:
        """Run one policy (by a user, or by `alarm`)."""
        group = self.group(account, region, policy["AutoScalingGroupName"])
        kind = policy["PolicyType"]
        if policy.get("Enabled") is False:
            return
        if kind == "SimpleScaling":
            if honor_cooldown or alarm is not None:
                blocking = self.blocking_activity(account, region, group)
                if blocking is not None:
                    if alarm is not None:
                        return  # AWS ignores alarms during cooldown
                    raise _in_progress(blocking)
            desired = adjusted(
                group,
                policy["AdjustmentType"],
                policy["ScalingAdjustment"],
                policy.get("MinAdjustmentMagnitude"),
            )
            cooldown = policy.get("Cooldown")
            group.cooldown_pending = int(
                cooldown if cooldown is not None else group.default_cooldown
            )
        elif kind == "StepScaling":
            desired_or_none = self._step(account, region, group, policy, metric, threshold, alarm)
            if desired_or_none is None:
                return
            desired = desired_or_none
            if desired > group.desired:
                group.stepped_at = time.time()
        else:
            if alarm is None:
                raise validation(
                    "ExecutePolicy is not supported for a target tracking scaling policy."
                )
            target = self._target_tracking(group, policy, alarm, metric)
            if target is None:
                return
            desired = target
        if desired == group.desired:
            if kind == "SimpleScaling":
                group.cooldown_pending = None
            return
        cause = act.policy(
            time.time(),
            policy["PolicyName"],
            alarm["AlarmName"] if alarm else None,
            group.desired,
            desired,
        )
        self.change(account, region, group, desired, cause)

    def _step(
        self,
        account: str,
        region: str,
        group: Group,
        policy: dict[str, Any],
        metric: float | None,
        threshold: float | None,
        alarm: dict[str, Any] | None,
    ) -> int | None:
        if metric is None or threshold is None:
            if alarm is None:
                raise validation(
                    "MetricValue and BreachThreshold are required for a StepScaling policy."
                )
            metric, threshold = _breach(alarm)
        step = step_for(policy["StepAdjustments"], metric, threshold)
        if step is None:
            if alarm is None:
                raise validation(
                    f"No step adjustment of policy {policy['PolicyName']} holds the metric value"
                    f" {metric} for the breach threshold {threshold}."
                )
            return None
        warmup = policy.get("EstimatedInstanceWarmup") or group.warmup or group.default_cooldown
        now = time.time()
        members = [m for m in self.store.members(account, region, group.name) if m.state in COUNTED]
        warming = [
            m
            for m in members
            if m.launched >= group.stepped_at
            and group.stepped_at > 0
            and (
                m.state != "InService"
                or now - m.in_service_at < self.platform.clock.real_seconds(float(warmup))
            )
        ]
        adjustment = step["ScalingAdjustment"]
        kind = policy["AdjustmentType"]
        if kind == "ChangeInCapacity" and adjustment > 0 and warming:
            # instances still warming up already count toward this scale-out: the same step
            # breached again adds nothing, a larger step adds the difference
            settled = len(members) - len(warming)
            wanted = max(group.desired, settled + adjustment)
            return max(group.min_size, min(group.max_size, wanted))
        desired = adjusted(group, kind, adjustment, policy.get("MinAdjustmentMagnitude"))
        if desired < group.desired and warming:
            return None  # scale-in waits until a scale-out's instances have warmed up
        return desired

    def _target_tracking(
        self,
        group: Group,
        policy: dict[str, Any],
        alarm: dict[str, Any],
        metric: float | None,
    ) -> int | None:
        config = policy["TargetTrackingConfiguration"]
        target = float(config["TargetValue"])
        if metric is None:
            metric, _ = _breach(alarm)
        high = "-AlarmHigh-" in alarm["AlarmName"]
        if not high and config.get("DisableScaleIn"):
            return None
        wanted = math.ceil(max(group.desired, 1) * metric / target) if target > 0 else group.desired
        wanted = max(wanted, group.desired + 1) if high else min(wanted, group.desired - 1)
        return max(group.min_size, min(group.max_size, wanted))


def _in_progress(activity_id: str) -> ServiceError:
    return ServiceError(
        f"Scaling activity {activity_id} is in progress and blocks this action",
        code="ScalingActivityInProgressFault",
    )


def _breach(alarm: dict[str, Any]) -> tuple[float, float]:
    """(metric value, threshold) of the alarm's latest evaluation."""
    threshold = float(alarm.get("Threshold", 0.0))
    try:
        data = json.loads(alarm.get("StateReasonData") or "{}")
        points = data.get("recentDatapoints") or []
        value = float(points[-1]) if points else threshold
        threshold = float(data.get("threshold", threshold))
    except (ValueError, TypeError, IndexError):
        value = threshold
    return value, threshold
