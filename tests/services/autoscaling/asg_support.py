"""Helpers of the Auto Scaling tests: bounded waits and group lookups."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cloudlet.testing import wait_for

TEMPLATES = Path(__file__).parent / "templates"


def group(asg: Any, name: str) -> dict[str, Any]:
    found = asg.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"]
    assert found, f"no group {name}"
    result: dict[str, Any] = found[0]
    return result


def instances(asg: Any, name: str, state: str | None = None) -> list[dict[str, Any]]:
    return [
        i for i in group(asg, name)["Instances"] if state is None or i["LifecycleState"] == state
    ]


def wait_in_service(asg: Any, name: str, count: int, timeout: float = 30.0) -> list[str]:
    """Ids of the group's instances once exactly `count` are InService and nothing else is."""

    def settled() -> list[str] | None:
        found = instances(asg, name)
        if len(found) == count and all(i["LifecycleState"] == "InService" for i in found):
            return [i["InstanceId"] for i in found]
        return None

    ids: list[str] = wait_for(settled, timeout)
    return ids


def activities(asg: Any, name: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = asg.describe_scaling_activities(AutoScalingGroupName=name)[
        "Activities"
    ]
    return found


def ec2_state(ec2: Any, instance_id: str) -> str:
    reservations = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
    return str(reservations[0]["Instances"][0]["State"]["Name"])
