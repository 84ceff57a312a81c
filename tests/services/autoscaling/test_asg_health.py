"""Health: instances that stop or crash are replaced at once, a crashing image backs off instead
of launching in a storm, SetInstanceHealth, and no process outlives its group."""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Callable
from typing import Any

from asg_support import TEMPLATES, activities, ec2_state, instances, wait_for, wait_in_service

STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"


def test_stopped_instance_is_replaced(
    asg: Any, ec2: Any, template: Callable[..., str], make_group: Callable[..., str]
) -> None:
    name = make_group(LaunchTemplate={"LaunchTemplateName": template()}, DesiredCapacity=1)
    (first,) = wait_in_service(asg, name, 1)
    ec2.stop_instances(InstanceIds=[first])
    (second,) = wait_for(
        lambda: (ids := wait_in_service(asg, name, 1)) != [first] and ids, timeout=30
    )
    assert second != first
    wait_for(lambda: ec2_state(ec2, first) == "terminated")
    termination = next(
        a for a in activities(asg, name) if a["Description"] == f"Terminating EC2 instance: {first}"
    )
    assert re.fullmatch(
        f"At {STAMP} an instance was taken out of service in response to an EC2 health check"
        " indicating it has been terminated or stopped.",
        termination["Cause"],
    ), termination["Cause"]


def test_set_instance_health(
    asg: Any, template: Callable[..., str], make_group: Callable[..., str]
) -> None:
    name = make_group(LaunchTemplate={"LaunchTemplateName": template()}, DesiredCapacity=1)
    (first,) = wait_in_service(asg, name, 1)
    asg.set_instance_health(InstanceId=first, HealthStatus="Unhealthy")
    wait_for(
        lambda: [i["InstanceId"] for i in instances(asg, name, "InService")] not in ([], [first])
    )
    termination = next(
        a for a in activities(asg, name) if a["Description"] == f"Terminating EC2 instance: {first}"
    )
    assert termination["Cause"].endswith("in response to a user health-check.")


def test_crashing_image_backs_off_instead_of_storming(
    scaled: Callable[[str], Any], scaled_group: Callable[..., str], name: Callable[[str], str]
) -> None:
    asg, ec2 = scaled("autoscaling"), scaled("ec2")
    image = ec2.register_image(Name=name("crash"), ImageLocation=str(TEMPLATES / "crashing_app"))
    group_name = scaled_group(image=image["ImageId"], DesiredCapacity=1)
    started = time.monotonic()
    time.sleep(6)
    launches = [a for a in activities(asg, group_name) if a["Description"].startswith("Launching")]
    # back-off after each early death: 10, 20, 40, 80, 160 AWS seconds (0.17 s ... 2.7 s here)
    assert 3 <= len(launches) <= 9, (len(launches), time.monotonic() - started)
    starts = sorted(a["StartTime"].timestamp() for a in launches)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert gaps[-1] > gaps[0]


def test_no_process_outlives_a_deleted_group(
    asg: Any,
    ec2: Any,
    images: dict[str, str],
    template: Callable[..., str],
    make_group: Callable[..., str],
) -> None:
    import psutil

    name = make_group(
        LaunchTemplate={"LaunchTemplateName": template("cloudlet-web-app")}, DesiredCapacity=2
    )
    ids = wait_in_service(asg, name, 2)

    def processes() -> list[psutil.Process]:
        found = []
        for process in psutil.process_iter(["cwd"]):
            try:
                cwd = process.info["cwd"] or ""
            except psutil.Error:
                continue
            if any(f"/ec2/instances/{i}" in cwd for i in ids):
                found.append(process)
        return found

    running = wait_for(lambda: len(processes()) >= 2 and processes())
    asg.delete_auto_scaling_group(AutoScalingGroupName=name, ForceDelete=True)
    wait_for(
        lambda: (
            not asg.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"]
        )
    )
    wait_for(lambda: not any(p.is_running() and p.status() != "zombie" for p in running))
    assert all(ec2_state(ec2, i) == "terminated" for i in ids)
