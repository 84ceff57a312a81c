"""Scheduled actions: one-time (`StartTime`) or recurring (`Recurrence` cron in `TimeZone`),
run through the clock.

Each action keeps a cursor: the (AWS-time) moment of its last due firing. The next firing is the
first occurrence after the cursor, and the clock timer waits for the difference, so under
`--time-scale 60` an hourly action fires every minute of real time, in order, never skipping.
A one-time action is deleted once it ran, as AWS does. Putting an action again replaces its
schedule (a generation counter makes the old timer stale). Actions do not wait for cooldowns.
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cloudlet.services.autoscaling import activities as act
from cloudlet.services.autoscaling.cron import Cron, CronError
from cloudlet.services.autoscaling.models import validation, when

if TYPE_CHECKING:
    from cloudlet.platform.runtime import Platform
    from cloudlet.services.autoscaling.scaling import Scaler
    from cloudlet.services.autoscaling.store import AsgStore

TIMER = "autoscaling:scheduled"
MAX_ACTIONS = 125
"""Scheduled actions per group (an AWS limit not listed in Service Quotas)."""


def _epoch(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.timestamp()
    return float(value)


class Schedules:
    """Scheduled actions of every group."""

    def __init__(self, platform: Platform, store: AsgStore, scaler: Scaler) -> None:
        self.platform = platform
        self.store = store
        self.scaler = scaler
        platform.clock.on(TIMER, self._fire)

    def put(self, account: str, region: str, request: dict[str, Any]) -> None:
        group = self.scaler.group(account, region, request["AutoScalingGroupName"])
        name = request["ScheduledActionName"]
        key = f"{group.name}/{name}"
        existing = self.store.get(account, region, "scheduled", key)
        if existing is None and len(
            self.store.all(account, region, "scheduled", group.name + "/")
        ) >= (MAX_ACTIONS):
            raise validation(f"You can have at most {MAX_ACTIONS} scheduled actions per group.")
        start = _epoch(request.get("StartTime") or request.get("Time"))
        end = _epoch(request.get("EndTime"))
        recurrence = request.get("Recurrence")
        zone = request.get("TimeZone") or "UTC"
        sizes = [request.get(k) for k in ("MinSize", "MaxSize", "DesiredCapacity")]
        if all(v is None for v in sizes):
            raise validation(
                "At least one of MinSize, MaxSize or DesiredCapacity must be specified."
            )
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise validation(f"Invalid time zone: {zone}") from exc
        now = time.time()
        if recurrence:
            try:
                cron = Cron.parse(recurrence)
            except CronError as exc:
                raise validation(f"Given recurrence string is invalid: {recurrence}") from exc
            first = cron.next_after(max(now, start - 1) if start else now, zone)
            if first is None:
                raise validation(f"Given recurrence string never fires: {recurrence}")
        else:
            if start is None:
                raise validation("Either StartTime or Recurrence must be specified.")
            if start < now - 1:
                raise validation("Given start time is in the past")
            first = start
        if end is not None and (end < now or (start is not None and end <= start)):
            raise validation("Given end time is in the past or before the start time")
        action: dict[str, Any] = {
            "AutoScalingGroupName": group.name,
            "ScheduledActionName": name,
            "ScheduledActionARN": (existing or {}).get("ScheduledActionARN")
            or f"arn:aws:autoscaling:{region}:{account}:scheduledUpdateGroupAction:"
            f"{uuid.uuid4()}:autoScalingGroupName/{group.name}:scheduledActionName/{name}",
            "_start": start,
            "_end": end,
            "_next": first,
            "_generation": ((existing or {}).get("_generation") or 0) + 1,
        }
        for member in ("Recurrence", "MinSize", "MaxSize", "DesiredCapacity"):
            if request.get(member) is not None:
                action[member] = request[member]
        action["TimeZone"] = zone if request.get("TimeZone") else None
        self.store.put(account, region, "scheduled", key, action)
        self._arm(account, region, action, first - now)

    def _arm(self, account: str, region: str, action: dict[str, Any], aws_seconds: float) -> None:
        self.platform.clock.schedule(
            TIMER,
            max(0.0, aws_seconds),
            {
                "account": account,
                "region": region,
                "group": action["AutoScalingGroupName"],
                "name": action["ScheduledActionName"],
                "generation": action["_generation"],
                "due": action["_next"],
            },
        )

    def _fire(self, payload: dict[str, Any]) -> None:
        account, region = payload["account"], payload["region"]
        key = f"{payload['group']}/{payload['name']}"
        action = self.store.get(account, region, "scheduled", key)
        if action is None or action["_generation"] != payload["generation"]:
            return
        self._apply(account, region, action)
        due = float(payload["due"])
        recurrence = action.get("Recurrence")
        following = None
        if recurrence:
            following = Cron.parse(recurrence).next_after(due, action.get("TimeZone") or "UTC")
        if following is None or (action.get("_end") and following > action["_end"]):
            if not recurrence:
                self.store.delete(account, region, "scheduled", key)
            return
        action["_next"] = following
        self.store.put(account, region, "scheduled", key, action)
        self._arm(account, region, action, following - due)

    def _apply(self, account: str, region: str, action: dict[str, Any]) -> None:
        group = self.store.group(account, region, action["AutoScalingGroupName"])
        if group is None or group.deleting:
            return
        new_min = action.get("MinSize", group.min_size)
        new_max = action.get("MaxSize", group.max_size)
        desired = action.get("DesiredCapacity")
        if new_min > new_max:
            return
        if desired is None:
            desired = max(new_min, min(new_max, group.desired))
        desired = max(new_min, min(new_max, desired))
        before = group.desired
        group.min_size, group.max_size = new_min, new_max
        if desired != before:
            group.desired = desired
            self.scaler.change(
                account, region, group, desired, act.scheduled(time.time(), group, before)
            )
        else:
            self.store.save_group(account, region, group)


def describe(action: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in action.items() if not k.startswith("_") and v is not None}
    start = action.get("_next") if action.get("Recurrence") else action.get("_start")
    if start is not None:
        out["StartTime"] = when(start)
        out["Time"] = when(start)
    if action.get("_end") is not None:
        out["EndTime"] = when(action["_end"])
    return out
