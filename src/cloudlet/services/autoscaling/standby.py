"""Instances moving in and out of a group without being launched or terminated by it:
EnterStandby / ExitStandby, AttachInstances / DetachInstances.

    InService ──EnterStandby──▶ EnteringStandby ──deregistered──▶ Standby
    Standby ──ExitStandby──▶ Pending ──(launch hooks, registration)──▶ InService
    running instance ──AttachInstances──▶ Pending ──▶ InService
    InService/Standby ──DetachInstances──▶ Detaching ──deregistered──▶ (gone; still running)

Standby and detached instances do not count toward the capacity: unless the request decrements
the desired capacity, the group launches replacements. Standby instances are not health-checked.
"""

from __future__ import annotations

import contextlib
import time
from typing import TYPE_CHECKING, Any

from cloudlet.errors import ServiceError
from cloudlet.services.autoscaling import activities as act
from cloudlet.services.autoscaling.fleet import GROUP_TAG
from cloudlet.services.autoscaling.models import COUNTED, Group, Member, stamp, validation

if TYPE_CHECKING:
    from cloudlet.services.autoscaling.fleet import Fleet
    from cloudlet.services.autoscaling.store import AsgStore

LEAVING = ("EnteringStandby", "Detaching")


def _counted(store: AsgStore, account: str, region: str, group: Group) -> int:
    return sum(1 for m in store.members(account, region, group.name) if m.state in COUNTED)


def _members(
    store: AsgStore,
    account: str,
    region: str,
    group: Group,
    ids: list[str],
    states: tuple[str, ...],
) -> list[Member]:
    members = {m.instance_id: m for m in store.members(account, region, group.name)}
    out = []
    for instance_id in ids:
        member = members.get(instance_id)
        if member is None:
            raise validation(
                f"The instance {instance_id} is not part of Auto Scaling group {group.name}."
            )
        if member.state not in states:
            raise validation(
                f"The instance {instance_id} is not in {' or '.join(states)}. Its current"
                f" lifecycle state is {member.state}."
            )
        out.append(member)
    return out


def _shrink(group: Group, count: int, decrement: bool) -> None:
    if decrement:
        if group.desired - count < group.min_size:
            raise validation(
                f"Cannot decrement desired capacity of group {group.name} below its min size"
                f" {group.min_size}."
            )
        group.desired -= count


def enter(
    store: AsgStore, account: str, region: str, group: Group, ids: list[str], decrement: bool
) -> list[dict[str, Any]]:
    members = _members(store, account, region, group, ids, ("InService",))
    before = _counted(store, account, region, group)
    _shrink(group, len(members), decrement)
    store.save_group(account, region, group)
    out = []
    now = time.time()
    for index, member in enumerate(members, 1):
        activity = act.new(
            group,
            f"Moving EC2 instance to Standby: {member.instance_id}",
            f"At {stamp(now)} instance {member.instance_id} was moved to standby in response to"
            f" a user request, shrinking the capacity from {before - index + 1} to"
            f" {before - index}.",
        )
        member.activity = store.save_activity(account, region, activity)
        member.state = "EnteringStandby"
        member.deregistered_at = 0.0
        store.save_member(account, region, member)
        out.append(activity.describe())
    return out


def exit_(
    store: AsgStore, account: str, region: str, group: Group, ids: list[str]
) -> list[dict[str, Any]]:
    members = _members(store, account, region, group, ids, ("Standby",))
    before = _counted(store, account, region, group)
    if group.desired + len(members) > group.max_size:
        raise validation(
            f"Cannot move instances out of standby: the desired capacity would exceed the group's"
            f" max size {group.max_size}."
        )
    group.desired += len(members)
    store.save_group(account, region, group)
    out = []
    now = time.time()
    for index, member in enumerate(members, 1):
        activity = act.new(
            group,
            f"Moving EC2 instance out of Standby: {member.instance_id}",
            f"At {stamp(now)} instance {member.instance_id} was moved out of standby in response"
            f" to a user request, increasing the capacity from {before + index - 1} to"
            f" {before + index}.",
        )
        activity.status, activity.progress = "PreInService", 30
        member.activity = store.save_activity(account, region, activity)
        member.state = "Pending"
        member.hooks_done = []
        store.save_member(account, region, member)
        out.append(activity.describe())
    return out


async def attach(
    fleet: Fleet, store: AsgStore, group: Group, ids: list[str]
) -> list[dict[str, Any]]:
    account, region = fleet.account, fleet.region
    found = await fleet.instances(ids)
    for instance_id in ids:
        instance = found.get(instance_id)
        if instance is None:
            raise validation(f"Instance {instance_id} does not exist.")
        if instance["State"]["Name"] != "running":
            raise validation(
                f"Instance {instance_id} is not in the running state and cannot be attached."
            )
        if store.find_member(account, region, instance_id) is not None:
            raise validation(
                f"The instance {instance_id} is already part of an Auto Scaling group."
            )
        if instance["Placement"]["AvailabilityZone"] not in group.zones:
            raise validation(
                f"Instance {instance_id} is in zone {instance['Placement']['AvailabilityZone']},"
                f" which the group {group.name} does not use."
            )
    if group.desired + len(ids) > group.max_size:
        raise validation(
            f"AttachInstances would make the desired capacity exceed the max size"
            f" {group.max_size} of the group."
        )
    before = _counted(store, account, region, group)
    group.desired += len(ids)
    store.save_group(account, region, group)
    now = time.time()
    for index, instance_id in enumerate(ids, 1):
        instance = found[instance_id]
        await fleet.call(
            "ec2",
            "CreateTags",
            {"Resources": [instance_id], "Tags": [{"Key": GROUP_TAG, "Value": group.name}]},
        )
        activity = act.new(
            group,
            f"Attaching an existing EC2 instance: {instance_id}",
            f"At {stamp(now)} an instance was added in response to a user request attaching it to"
            f" the group, increasing the capacity from {before + index - 1} to {before + index}.",
            instance["SubnetId"],
            instance["Placement"]["AvailabilityZone"],
        )
        activity.status, activity.progress = "PreInService", 30
        member = Member(
            instance_id=instance_id,
            group=group.name,
            zone=instance["Placement"]["AvailabilityZone"],
            subnet=instance["SubnetId"],
            instance_type=instance["InstanceType"],
            image_id=instance["ImageId"],
            launched=instance["LaunchTime"].timestamp(),
        )
        member.activity = store.save_activity(account, region, activity)
        store.save_member(account, region, member)
    return []


def detach(
    store: AsgStore, account: str, region: str, group: Group, ids: list[str], decrement: bool
) -> list[dict[str, Any]]:
    members = _members(store, account, region, group, ids, ("InService", "Standby"))
    before = _counted(store, account, region, group)
    _shrink(group, len(members), decrement)
    store.save_group(account, region, group)
    out = []
    now = time.time()
    for index, member in enumerate(members, 1):
        counted_before = before - index + 1 if member.state == "InService" else before
        activity = act.new(
            group,
            f"Detaching EC2 instance: {member.instance_id}",
            f"At {stamp(now)} instance {member.instance_id} was detached in response to a user"
            f" request, shrinking the capacity from {counted_before} to"
            f" {counted_before - 1 if member.state == 'InService' else counted_before}.",
        )
        member.activity = store.save_activity(account, region, activity)
        member.state = "Detaching"
        member.deregistered_at = 0.0
        store.save_member(account, region, member)
        out.append(activity.describe())
    return out


async def advance(
    fleet: Fleet, store: AsgStore, group: Group, member: Member, drained: bool
) -> None:
    """Finish a move once the instance is out of the target groups (`drained`)."""
    account, region = fleet.account, fleet.region
    if not drained:
        return
    activity = store.activity_at(account, region, member.activity)
    if activity is not None:
        activity.status, activity.progress, activity.end = "Successful", 100, time.time()
        store.save_activity(account, region, activity)
    if member.state == "EnteringStandby":
        member.state = "Standby"
        member.deregistered_at = 0.0
        store.save_member(account, region, member)
        return
    store.drop_member(account, region, member)
    with contextlib.suppress(ServiceError):  # terminated by its owner meanwhile
        await fleet.call(
            "ec2",
            "DeleteTags",
            {"Resources": [member.instance_id], "Tags": [{"Key": GROUP_TAG}]},
        )
