"""The capacity step of a reconciliation pass: launching and terminating to match the desired
capacity, recording launches and failed launches, finishing a forced delete, and the group's
bookkeeping (a simple policy's cooldown, the launch back-off). A mixin of `reconcile.Engine`.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import TYPE_CHECKING, Any

from cloudlet.errors import ServiceError
from cloudlet.services.autoscaling import activities as act
from cloudlet.services.autoscaling.fleet import Fleet
from cloudlet.services.autoscaling.models import (
    COUNTED,
    IN_FLIGHT_LAUNCH,
    IN_FLIGHT_TERMINATE,
    Group,
    Member,
)
from cloudlet.services.autoscaling.termination import choose_many

if TYPE_CHECKING:
    from cloudlet.platform.runtime import Platform
    from cloudlet.services.autoscaling.store import AsgStore

YOUNG = 60.0
"""AWS seconds: an instance that dies younger than this counts as a failed launch."""


class CapacityMixin:
    platform: Platform
    store: AsgStore

    if TYPE_CHECKING:  # provided by Engine

        def kick(self, account: str, region: str, group: str) -> None: ...

        def begin_termination(
            self,
            account: str,
            region: str,
            group: Group,
            member: Member,
            cause: str,
            *,
            keep_activity: bool = False,
        ) -> None: ...

        def _failed_launch(self, account: str, region: str, name: str) -> None: ...

    async def _fix_capacity(self, fleet: Fleet, account: str, region: str, name: str) -> None:
        group = self.store.group(account, region, name)
        if group is None:
            return
        members = self.store.members(account, region, name)
        counted = [m for m in members if m.state in COUNTED]
        now = time.time()
        if group.deleting:
            await self._finish_delete(account, region, group, members, counted, now)
            return
        difference = group.desired - len(counted)
        if difference > 0 and "Launch" not in group.suspended:
            if now < group.retry_at:
                return
            await self._launch(fleet, account, region, group, counted, difference)
        elif difference < 0 and "Terminate" not in group.suspended:
            candidates = [m for m in counted if not m.protected]
            victims = choose_many(group, counted, candidates, -difference, now)
            for victim in victims:
                cause = act.join(
                    group.change,
                    act.shrinking(now, len(counted), group.desired, victim.instance_id),
                )
                self.begin_termination(account, region, group, victim, cause)
                self.store.save_member(account, region, victim)
            if victims:
                self._consume_change(account, region, name)
                self.kick(account, region, name)
        self._bookkeeping(account, region, name)

    def _consume_change(self, account: str, region: str, name: str) -> None:
        group = self.store.group(account, region, name)
        if group is not None and group.change:
            group.change = ""
            self.store.save_group(account, region, group)

    def _bookkeeping(self, account: str, region: str, name: str) -> None:
        """Start a pending cooldown once activities finished; end the back-off on success."""
        group = self.store.group(account, region, name)
        if group is None:
            return
        members = self.store.members(account, region, name)
        now = time.time()
        changed = False
        busy = any(m.state in IN_FLIGHT_LAUNCH + IN_FLIGHT_TERMINATE for m in members)
        if group.cooldown_pending is not None and not busy:
            group.cooldown_until = now + self.platform.clock.real_seconds(group.cooldown_pending)
            group.cooldown_pending = None
            changed = True
        survivor = any(
            m.state == "InService"
            and m.healthy
            and now - m.launched >= self.platform.clock.real_seconds(YOUNG)
            for m in members
        )
        if group.failures and survivor:
            group.failures, group.retry_at = 0, 0.0
            changed = True
        if changed:
            self.store.save_group(account, region, group)

    async def _launch(
        self,
        fleet: Fleet,
        account: str,
        region: str,
        group: Group,
        counted: list[Member],
        count: int,
    ) -> None:
        configuration = None
        if group.launch_configuration:
            configuration = self.store.get(account, region, "lc", group.launch_configuration)
        per_zone = Counter(m.zone for m in counted)
        placements = [(zone, subnet) for zone, subnet in group.placements]
        now = time.time()
        cause = act.join(group.change, act.started(now, len(counted), group.desired))
        self._consume_change(account, region, group.name)
        for _ in range(count):
            zone, subnet = min(placements, key=lambda p: (per_zone[p[0]], placements.index(p)))
            per_zone[zone] += 1
            try:
                if group.launch_configuration and configuration is None:
                    raise ServiceError(
                        f"Launch configuration name not found - Launch configuration"
                        f" {group.launch_configuration} not found"
                    )
                instance = await fleet.run(fleet.launch_params(group, configuration, subnet))
            except ServiceError as exc:
                self._launch_failed(account, region, group, cause, subnet, zone, exc.message)
                return
            await self._record_launch(
                fleet, account, region, group, configuration, instance, cause, subnet, zone
            )

    async def _record_launch(
        self,
        fleet: Fleet,
        account: str,
        region: str,
        group: Group,
        configuration: dict[str, Any] | None,
        instance: dict[str, Any],
        cause: str,
        subnet: str,
        zone: str,
    ) -> None:
        tags = {t["Key"]: t["Value"] for t in instance.get("Tags") or []}
        template = None
        created = float((configuration or {}).get("_created", 0.0))
        if group.launch_template:
            template = {
                "LaunchTemplateId": tags.get("aws:ec2launchtemplate:id", ""),
                "LaunchTemplateName": group.launch_template.get("LaunchTemplateName", ""),
                "Version": tags.get("aws:ec2launchtemplate:version", "1"),
            }
            created = await fleet.template_version_created(template)
        activity = act.new(
            group,
            act.launching(instance["InstanceId"]),
            cause,
            instance["SubnetId"],
            instance["Placement"]["AvailabilityZone"],
        )
        activity.status, activity.progress = "PreInService", 30
        member = Member(
            instance_id=instance["InstanceId"],
            group=group.name,
            zone=instance["Placement"]["AvailabilityZone"],
            subnet=instance["SubnetId"],
            instance_type=instance["InstanceType"],
            image_id=instance["ImageId"],
            launch_configuration=group.launch_configuration,
            launch_template=template,
            template_created=created,
        )
        member.activity = self.store.save_activity(account, region, activity)
        self.store.save_member(account, region, member)

    def _launch_failed(
        self,
        account: str,
        region: str,
        group: Group,
        cause: str,
        subnet: str,
        zone: str,
        message: str,
    ) -> None:
        reason = f"{message.rstrip('.')}. Launching EC2 instance failed."
        activity = act.new(
            group, f"Launching a new EC2 instance.  Status Reason: {reason}", cause, subnet, zone
        )
        activity.status, activity.progress, activity.end = "Failed", 100, time.time()
        activity.message = reason
        self.store.save_activity(account, region, activity)
        self._failed_launch(account, region, group.name)

    async def _finish_delete(
        self,
        account: str,
        region: str,
        group: Group,
        members: list[Member],
        counted: list[Member],
        now: float,
    ) -> None:
        for member in counted:
            cause = act.join(group.change, act.shrinking(now, len(counted), 0, member.instance_id))
            self.begin_termination(account, region, group, member, cause)
            self.store.save_member(account, region, member)
        if counted:
            self._consume_change(account, region, group.name)
            self.kick(account, region, group.name)
            return
        if not members:
            from cloudlet.services.autoscaling.groups import forget_group

            await forget_group(self.platform, self.store, account, region, group.name)
