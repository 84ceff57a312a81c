"""The group reconciliation loop: what makes a group's instances match its desired capacity.

A pass over one group (`Engine.kick` schedules one; passes of a group never overlap and a kick
during a pass runs another after it) advances every member one step at a time, then fixes the
capacity:

    Pending ──EC2 running──▶ [Pending:Wait ─hook─▶] Pending:Proceed ──registered──▶ InService
    InService ─unhealthy / scale-in─▶ Terminating ──deregistered, drained──▶
        [Terminating:Wait ─hook─▶] Terminating:Proceed ──EC2 terminated──▶ Terminated (dropped)

Health: an instance whose EC2 state is not running (stopped, crashed, terminated) is Unhealthy at
once; with `HealthCheckType: ELB`, one a target group reports unhealthy is Unhealthy once its
grace period is over. Unhealthy instances are replaced without waiting for cooldowns. A launch
that fails, or an instance that dies within `YOUNG` seconds of its launch, counts as a failure:
launches then back off (10 s, 20 s, 40 s, ... up to 5 min, AWS time) until one survives, so an
image whose app crashes at boot never causes a launch storm.

Passes are kicked by API calls, by EC2 instance state changes, by durable timers
(`autoscaling:kick`: the end of a back-off, a drain) and by a periodic health sweep every `SWEEP`
AWS seconds (a durable timer chain, so a restart brings the groups back; ELB health is read
there). Between awaits a pass never writes back a stale group: it re-reads it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any

from cloudlet.errors import ServiceError
from cloudlet.services.autoscaling import activities as act
from cloudlet.services.autoscaling import hooks, standby
from cloudlet.services.autoscaling.capacity import YOUNG, CapacityMixin
from cloudlet.services.autoscaling.fleet import Fleet
from cloudlet.services.autoscaling.models import (
    COUNTED,
    Group,
    Member,
)

if TYPE_CHECKING:
    from cloudlet.platform.runtime import Platform
    from cloudlet.services.autoscaling.store import AsgStore

log = logging.getLogger(__name__)

Key = tuple[str, str, str]
SWEEP = 15.0
"""AWS seconds between health sweeps of every group."""
BACKOFF_FIRST, BACKOFF_MAX = 10.0, 300.0
KICK = "autoscaling:kick"
SWEEP_TIMER = "autoscaling:sweep"
_DOWN = ("stopping", "stopped", "shutting-down", "terminated")


class Engine(CapacityMixin):
    """Reconciliation of every group of one cloudlet."""

    def __init__(self, platform: Platform, store: AsgStore) -> None:
        self.platform = platform
        self.store = store
        self._running: dict[Key, asyncio.Task[None]] = {}
        self._dirty: set[Key] = set()
        self._sweep_armed = False
        self._last_sweep = 0.0
        platform.clock.on(KICK, lambda p: self.kick(p["account"], p["region"], p["group"]))
        platform.clock.on(SWEEP_TIMER, self._sweep)
        platform.clock.on(hooks.TIMER, self._hook_timeout)

    # scheduling

    def start(self) -> None:
        groups = self.store.every("group")
        for account, region, doc in groups:
            self.kick(account, region, doc["name"])
        if groups:
            self.ensure_sweeping()

    def ensure_sweeping(self) -> None:
        """Arm the next health sweep unless this process armed one already."""
        if not self._sweep_armed:
            self._sweep_armed = True
            self.platform.clock.schedule(SWEEP_TIMER, SWEEP, {})

    async def stop(self) -> None:
        tasks = list(self._running.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._running.clear()
        self._dirty.clear()
        self._sweep_armed = False

    def kick(self, account: str, region: str, group: str) -> None:
        """Reconcile `group` soon (once more after the pass under way, if any)."""
        key = (account, region, group)
        self._dirty.add(key)
        if key not in self._running:
            self._running[key] = asyncio.ensure_future(self._run(key))

    def kick_later(self, account: str, region: str, group: str, aws_seconds: float) -> None:
        self.platform.clock.schedule(
            KICK, aws_seconds, {"account": account, "region": region, "group": group}
        )

    async def _run(self, key: Key) -> None:
        try:
            while key in self._dirty:
                self._dirty.discard(key)
                try:
                    await self._pass(*key)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("reconciling Auto Scaling group %s failed", key[2])
        finally:
            self._running.pop(key, None)

    def _sweep(self, payload: dict[str, Any]) -> None:
        """Kick every group; the chain of durable timers brings Auto Scaling back after a
        restart (a chain armed by the previous process is told apart by its timing)."""
        now = time.time()
        if now - self._last_sweep < self.platform.clock.real_seconds(SWEEP) * 0.5:
            return
        self._last_sweep = now
        self._sweep_armed = False
        groups = self.store.every("group")
        for account, region, doc in groups:
            self.kick(account, region, doc["name"])
        if groups:
            self.ensure_sweeping()

    def instance_changed(self, account: str, region: str, instance: dict[str, Any], _: str) -> None:
        """EC2 listener: an instance of some group changed state."""
        for tag in instance.get("Tags") or []:
            if tag["Key"] == "aws:autoscaling:groupName":
                self.kick(account, region, tag["Value"])

    def _hook_timeout(self, payload: dict[str, Any]) -> None:
        account, region = payload["account"], payload["region"]
        member = self.store.member(account, region, payload["group"], payload["instance"])
        if member is None or not hooks.timed_out(member, payload["token"], time.time()):
            return
        hook = self.store.get(account, region, "hook", f"{member.group}/{member.hook_name}")
        member.hook_result = (hook or {}).get("DefaultResult", "ABANDON")
        self.store.save_member(account, region, member)
        self.kick(account, region, member.group)

    # one pass

    async def _pass(self, account: str, region: str, name: str) -> None:
        group = self.store.group(account, region, name)
        if group is None:
            return
        fleet = Fleet(self.platform, account, region)
        members = self.store.members(account, region, name)
        states = await fleet.instances([m.instance_id for m in members])
        unhealthy_elb: set[str] = set()
        if group.health_check_type == "ELB" and group.target_groups and fleet.elb_served():
            unhealthy_elb = await fleet.unhealthy_targets(group.target_groups)
        for member in members:
            await self._advance(fleet, account, region, member, states, unhealthy_elb)
        await self._fix_capacity(fleet, account, region, name)

    async def _advance(
        self,
        fleet: Fleet,
        account: str,
        region: str,
        member: Member,
        states: dict[str, dict[str, Any]],
        unhealthy_elb: set[str],
    ) -> None:
        group = self.store.group(account, region, member.group)
        fresh = self.store.member(account, region, member.group, member.instance_id)
        if group is None or fresh is None:
            return
        member = fresh
        now = time.time()
        ec2_state = (
            (states.get(member.instance_id) or {}).get("State", {}).get("Name", "terminated")
        )
        if member.state in standby.LEAVING:
            drained = await self._drained(fleet, account, region, group, member)
            await standby.advance(fleet, self.store, group, member, drained)
            if not drained:
                self.store.save_member(account, region, member)
            return
        if member.state == "Standby":
            return
        self._check_health(account, region, group, member, ec2_state, unhealthy_elb, now)
        if not member.healthy and member.state in COUNTED:
            self.begin_termination(account, region, group, member, member.health_cause)
        if member.state == "Pending" and ec2_state == "running":
            self._after_launch_hooks(account, region, member)
        if member.state == "Pending:Wait" and member.hook_result:
            if member.hook_result == "CONTINUE":
                member.hooks_done.append(member.hook_name)
                self._after_launch_hooks(account, region, member)
            else:
                self._abandon_launch(account, region, group, member)
        if member.state == "Pending:Proceed":
            await self._put_in_service(fleet, account, region, group, member)
        if member.state == "Terminating":
            if not await self._drained(fleet, account, region, group, member):
                self.store.save_member(account, region, member)
                return
            member.hooks_done = []
            self._before_terminate_hooks(account, region, member)
        if member.state == "Terminating:Wait" and member.hook_result:
            if member.hook_result == "CONTINUE":
                member.hooks_done.append(member.hook_name)
                self._before_terminate_hooks(account, region, member)
            else:
                member.state = "Terminating:Proceed"
        if member.state == "Terminating:Proceed":
            if not member.terminate_sent:
                await fleet.terminate(member.instance_id)
                member.terminate_sent = True
            if ec2_state == "terminated":
                self._terminated(account, region, member)
                return
        self._activity_status(account, region, member)
        self.store.save_member(account, region, member)

    def _check_health(
        self,
        account: str,
        region: str,
        group: Group,
        member: Member,
        ec2_state: str,
        unhealthy_elb: set[str],
        now: float,
    ) -> None:
        if not member.healthy or member.state not in COUNTED:
            return
        reason = None
        if ec2_state in _DOWN:
            reason = act.HEALTH_EC2_STOPPED
        elif (
            member.state == "InService"
            and member.instance_id in unhealthy_elb
            and now - member.in_service_at >= self.platform.clock.real_seconds(group.grace_period)
        ):
            reason = act.HEALTH_ELB
        if reason is None:
            return
        member.healthy = False
        member.health_cause = act.unhealthy(now, reason)
        if now - member.launched < self.platform.clock.real_seconds(YOUNG):
            self._failed_launch(account, region, group.name)

    def _failed_launch(self, account: str, region: str, name: str) -> None:
        group = self.store.group(account, region, name)
        if group is None:
            return
        group.failures += 1
        delay = min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** (group.failures - 1))
        group.retry_at = time.time() + self.platform.clock.real_seconds(delay)
        self.store.save_group(account, region, group)
        self.kick_later(account, region, name, delay)

    def _after_launch_hooks(self, account: str, region: str, member: Member) -> None:
        hook = hooks.next_hook(self.store, account, region, member, hooks.LAUNCHING)
        if hook is None:
            member.state = "Pending:Proceed"
        else:
            hooks.begin(self.platform, account, region, member, hook)

    def _before_terminate_hooks(self, account: str, region: str, member: Member) -> None:
        hook = hooks.next_hook(self.store, account, region, member, hooks.TERMINATING)
        if hook is None:
            member.state = "Terminating:Proceed"
        else:
            hooks.begin(self.platform, account, region, member, hook)

    def _abandon_launch(self, account: str, region: str, group: Group, member: Member) -> None:
        activity = self.store.activity_at(account, region, member.activity)
        if activity is not None:
            reason = (
                "Instance failed to complete user's Lifecycle Action: Lifecycle Action with"
                f" token {member.hook_token} was abandoned: Lifecycle Action Completed with"
                " ABANDON Result"
            )
            activity.description = f"{act.launching(member.instance_id)}.  Status Reason: {reason}"
            activity.status, activity.message = "Cancelled", reason
            activity.progress, activity.end = 100, time.time()
            self.store.save_activity(account, region, activity)
        member.healthy = False
        member.hooks_done = []
        self.begin_termination(
            account,
            region,
            group,
            member,
            act.unhealthy(time.time(), "a lifecycle hook being abandoned"),
            keep_activity=False,
        )

    async def _put_in_service(
        self, fleet: Fleet, account: str, region: str, group: Group, member: Member
    ) -> None:
        if group.target_groups and fleet.elb_served():
            try:
                await fleet.register(group.target_groups, member.instance_id)
            except ServiceError as exc:
                log.warning("could not register %s: %s", member.instance_id, exc)
        member.state = "InService"
        member.in_service_at = time.time()
        member.protected = member.protected or group.protect_new
        activity = self.store.activity_at(account, region, member.activity)
        if activity is not None and activity.status != "Successful":
            activity.status, activity.progress, activity.end = "Successful", 100, time.time()
            self.store.save_activity(account, region, activity)

    async def _drained(
        self, fleet: Fleet, account: str, region: str, group: Group, member: Member
    ) -> bool:
        """Deregistered from the target groups and past the deregistration delay."""
        if not group.target_groups or not fleet.elb_served():
            return True
        now = time.time()
        if not member.deregistered_at:
            delay = await fleet.deregister(group.target_groups, member.instance_id)
            member.deregistered_at = now + self.platform.clock.real_seconds(delay)
            if delay > 0:
                self.kick_later(account, region, group.name, delay)
                activity = self.store.activity_at(account, region, member.activity)
                if activity is not None:
                    activity.status = "WaitingForELBConnectionDraining"
                    self.store.save_activity(account, region, activity)
        return now >= member.deregistered_at

    def _terminated(self, account: str, region: str, member: Member) -> None:
        activity = self.store.activity_at(account, region, member.activity)
        if activity is not None and activity.status not in ("Successful", "Cancelled", "Failed"):
            activity.status, activity.progress, activity.end = "Successful", 100, time.time()
            activity.message = None
            self.store.save_activity(account, region, activity)
        self.store.drop_member(account, region, member)

    def _activity_status(self, account: str, region: str, member: Member) -> None:
        activity = self.store.activity_at(account, region, member.activity)
        if activity is None or activity.end is not None:
            return
        status = {
            "Pending": ("PreInService", 30),
            "Pending:Wait": ("MidLifecycleAction", 40),
            "Pending:Proceed": ("PreInService", 50),
            "Terminating:Wait": ("MidLifecycleAction", 50),
            "Terminating:Proceed": ("InProgress", 75),
        }.get(member.state)
        if status is not None and (activity.status, activity.progress) != status:
            activity.status, activity.progress = status
            self.store.save_activity(account, region, activity)

    # termination

    def begin_termination(
        self,
        account: str,
        region: str,
        group: Group,
        member: Member,
        cause: str,
        *,
        keep_activity: bool = False,
    ) -> None:
        """Take a member out of service (the caller saves it)."""
        if not keep_activity:
            activity = act.new(group, act.terminating(member.instance_id), cause)
            member.activity = self.store.save_activity(account, region, activity)
        member.state = "Terminating"
        member.hook_result = ""
        member.hook_name = ""
        member.hooks_done = []
