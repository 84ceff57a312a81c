"""Scaling activities and AWS's wording of their causes and descriptions.

A cause is sentences separated by two spaces, each stamped `At 2020-02-11T18:34:10Z ...`:
first what changed the desired capacity (a user request, a policy run by an alarm or by a user, a
scheduled action), then what the group did about it, then, on scale-in, which instance was chosen:

    At <t> a monitor alarm <alarm> in state ALARM triggered policy <policy> changing the desired
    capacity from 3 to 2.  At <t> an instance was taken out of service in response to a
    difference between desired and actual capacity, shrinking the capacity from 3 to 2.  At <t>
    instance i-06c4794c2499af1df was selected for termination.

A group keeps the sentence of its latest desired-capacity change (`Group.change`) until the next
launches or terminations use it.
"""

from __future__ import annotations

import json
import time
import uuid

from cloudlet.services.autoscaling.models import Activity, Group, stamp

# what changed the desired capacity


def created(now: float, desired: int) -> str:
    return (
        f"At {stamp(now)} a user request created an AutoScalingGroup changing the desired"
        f" capacity from 0 to {desired}."
    )


def updated(now: float, group: Group, before: int) -> str:
    return (
        f"At {stamp(now)} a user request update of AutoScalingGroup constraints to min:"
        f" {group.min_size}, max: {group.max_size}, desired: {group.desired} changing the desired"
        f" capacity from {before} to {group.desired}."
    )


def set_desired(now: float, before: int, after: int) -> str:
    return (
        f"At {stamp(now)} a user request explicitly set group desired capacity changing the"
        f" desired capacity from {before} to {after}."
    )


def policy(now: float, name: str, alarm: str | None, before: int, after: int) -> str:
    who = (
        f"a monitor alarm {alarm} in state ALARM triggered" if alarm else "a user request executed"
    )
    return (
        f"At {stamp(now)} {who} policy {name} changing the desired capacity from {before} to"
        f" {after}."
    )


def scheduled(now: float, group: Group, before: int) -> str:
    return (
        f"At {stamp(now)} a scheduled action update of AutoScalingGroup constraints to min:"
        f" {group.min_size}, max: {group.max_size}, desired: {group.desired} changing the desired"
        f" capacity from {before} to {group.desired}."
    )


# what the group did about it


def started(now: float, before: int, after: int) -> str:
    return (
        f"At {stamp(now)} an instance was started in response to a difference between desired"
        f" and actual capacity, increasing the capacity from {before} to {after}."
    )


def shrinking(now: float, before: int, after: int, instance_id: str) -> str:
    return (
        f"At {stamp(now)} an instance was taken out of service in response to a difference"
        f" between desired and actual capacity, shrinking the capacity from {before} to"
        f" {after}.  At {stamp(now)} instance {instance_id} was selected for termination."
    )


def user_terminated(now: float, instance_id: str, before: int | None, after: int) -> str:
    text = (
        f"At {stamp(now)} instance {instance_id} was taken out of service in response to a user"
        " request"
    )
    if before is None:
        return text + "."
    return text + f", shrinking the capacity from {before} to {after}."


HEALTH_EC2_STOPPED = "an EC2 health check indicating it has been terminated or stopped"
HEALTH_EC2_STATUS = "an EC2 instance status check failure"
HEALTH_ELB = "an ELB system health check failure"
HEALTH_USER = "a user health-check"


def unhealthy(now: float, reason: str) -> str:
    return f"At {stamp(now)} an instance was taken out of service in response to {reason}."


def join(*sentences: str) -> str:
    return "  ".join(s for s in sentences if s)


# records


def new(group: Group, description: str, cause: str, subnet: str = "", zone: str = "") -> Activity:
    details = {"Subnet ID": subnet, "Availability Zone": zone} if subnet else {}
    return Activity(
        id=str(uuid.uuid4()),
        group=group.name,
        group_arn=group.arn,
        description=description,
        cause=cause,
        start=time.time(),
        details=json.dumps(details, separators=(",", ":")),
    )


def launching(instance_id: str) -> str:
    return f"Launching a new EC2 instance: {instance_id}"


def terminating(instance_id: str) -> str:
    return f"Terminating EC2 instance: {instance_id}"
