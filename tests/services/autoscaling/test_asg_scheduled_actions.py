"""Scheduled actions: one-time and recurring (cron, time zones), run through the clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from asg_support import activities, group, wait_for
from botocore.exceptions import ClientError

from cloudlet.services.autoscaling.cron import Cron, CronError

Error = Callable[[Any], tuple[str, str, int]]


def _at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("expression", "after", "zone", "expected"),
    [
        ("30 6 * * 2", "2026-03-02T00:00:00", "UTC", "2026-03-03T06:30:00"),  # Tuesday
        ("*/15 * * * *", "2026-03-02T10:07:00", "UTC", "2026-03-02T10:15:00"),
        ("0 0 1 JAN *", "2026-03-02T00:00:00", "UTC", "2027-01-01T00:00:00"),
        ("0 9 * * MON-FRI", "2026-03-06T10:00:00", "UTC", "2026-03-09T09:00:00"),  # Fri → Mon
        ("0 12 * * 7", "2026-03-02T00:00:00", "UTC", "2026-03-08T12:00:00"),  # 7 is Sunday
        ("0 9 * * *", "2026-03-02T00:00:00", "America/New_York", "2026-03-02T14:00:00"),
        ("0 9 * * *", "2026-03-09T00:00:00", "America/New_York", "2026-03-09T13:00:00"),  # DST
        ("0 0 13 * 5", "2026-03-01T00:00:00", "UTC", "2026-03-06T00:00:00"),  # 13th or Friday
    ],
)
def test_cron_next(expression: str, after: str, zone: str, expected: str) -> None:
    assert Cron.parse(expression).next_after(_at(after), zone) == _at(expected)


@pytest.mark.parametrize("expression", ["* * * *", "61 * * * *", "* * * * FUNDAY", "*/0 * * * *"])
def test_bad_cron(expression: str) -> None:
    with pytest.raises(CronError):
        Cron.parse(expression)


def test_one_time_action_runs_then_disappears(
    asg: Any, template: Callable[..., str], make_group: Callable[..., str]
) -> None:
    name = make_group(LaunchTemplate={"LaunchTemplateName": template()})
    start = datetime.now(UTC) + timedelta(seconds=2)
    asg.put_scheduled_update_group_action(
        AutoScalingGroupName=name,
        ScheduledActionName="morning",
        StartTime=start,
        MinSize=1,
        DesiredCapacity=2,
    )
    (action,) = asg.describe_scheduled_actions(AutoScalingGroupName=name)[
        "ScheduledUpdateGroupActions"
    ]
    assert action["ScheduledActionName"] == "morning"
    assert action["ScheduledActionARN"].endswith(
        f":autoScalingGroupName/{name}:scheduledActionName/morning"
    )
    assert abs(action["StartTime"].timestamp() - start.timestamp()) < 1
    wait_for(lambda: group(asg, name)["DesiredCapacity"] == 2, timeout=30)
    assert group(asg, name)["MinSize"] == 1
    wait_for(
        lambda: (
            not asg.describe_scheduled_actions(AutoScalingGroupName=name)[
                "ScheduledUpdateGroupActions"
            ]
        )
    )
    launch = wait_for(lambda: [a for a in activities(asg, name) if "Launching" in a["Description"]])
    assert (
        "a scheduled action update of AutoScalingGroup constraints to min: 1, max: 6,"
        in (launch[0]["Cause"])
    )


def test_recurring_action_on_a_scaled_clock(
    scaled: Callable[[str], Any], scaled_group: Callable[..., str]
) -> None:
    asg = scaled("autoscaling")
    name = scaled_group()
    asg.put_scheduled_update_group_action(
        AutoScalingGroupName=name,
        ScheduledActionName="every-minute",
        Recurrence="* * * * *",
        DesiredCapacity=1,
    )
    # a minute of AWS time is a second here: the action runs within about a second
    wait_for(lambda: group(asg, name)["DesiredCapacity"] == 1, timeout=20)
    asg.set_desired_capacity(AutoScalingGroupName=name, DesiredCapacity=0)
    wait_for(lambda: group(asg, name)["DesiredCapacity"] == 1, timeout=20)
    (action,) = asg.describe_scheduled_actions(AutoScalingGroupName=name)[
        "ScheduledUpdateGroupActions"
    ]
    assert action["Recurrence"] == "* * * * *"
    asg.delete_scheduled_action(AutoScalingGroupName=name, ScheduledActionName="every-minute")
    asg.set_desired_capacity(AutoScalingGroupName=name, DesiredCapacity=0)
    time.sleep(2.5)
    assert group(asg, name)["DesiredCapacity"] == 0


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"Recurrence": "* * * * *"},
            "At least one of MinSize, MaxSize or DesiredCapacity must be specified.",
        ),
        (
            {"Recurrence": "every day", "DesiredCapacity": 1},
            "Given recurrence string is invalid: every day",
        ),
        ({"DesiredCapacity": 1}, "Either StartTime or Recurrence must be specified."),
        (
            {"StartTime": datetime(2020, 1, 1, tzinfo=UTC), "DesiredCapacity": 1},
            "Given start time is in the past",
        ),
        (
            {"Recurrence": "0 * * * *", "TimeZone": "Mars/Olympus", "DesiredCapacity": 1},
            "Invalid time zone: Mars/Olympus",
        ),
    ],
)
def test_bad_actions(
    asg: Any,
    template: Callable[..., str],
    make_group: Callable[..., str],
    params: dict[str, Any],
    message: str,
    aws_error: Error,
) -> None:
    name = make_group(LaunchTemplate={"LaunchTemplateName": template()})
    with pytest.raises(ClientError) as raised:
        asg.put_scheduled_update_group_action(
            AutoScalingGroupName=name, ScheduledActionName="bad", **params
        )
    assert aws_error(raised.value) == ("ValidationError", message, 400)


def test_batch_put_and_delete(
    asg: Any, template: Callable[..., str], make_group: Callable[..., str]
) -> None:
    name = make_group(LaunchTemplate={"LaunchTemplateName": template()})
    failed = asg.batch_put_scheduled_update_group_action(
        AutoScalingGroupName=name,
        ScheduledUpdateGroupActions=[
            {"ScheduledActionName": "a", "Recurrence": "0 8 * * *", "DesiredCapacity": 2},
            {"ScheduledActionName": "b", "Recurrence": "0 20 * * *", "DesiredCapacity": 0},
            {"ScheduledActionName": "c", "Recurrence": "bad", "DesiredCapacity": 0},
        ],
    )["FailedScheduledUpdateGroupActions"]
    assert [f["ScheduledActionName"] for f in failed] == ["c"]
    names = {
        a["ScheduledActionName"]
        for a in asg.describe_scheduled_actions(AutoScalingGroupName=name)[
            "ScheduledUpdateGroupActions"
        ]
    }
    assert names == {"a", "b"}
    failed = asg.batch_delete_scheduled_action(
        AutoScalingGroupName=name, ScheduledActionNames=["a", "b", "zzz"]
    )["FailedScheduledActions"]
    assert [f["ScheduledActionName"] for f in failed] == ["zzz"]
