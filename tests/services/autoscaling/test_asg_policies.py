"""Scaling policies: PutScalingPolicy's checks, simple policies (adjustment types, cooldowns),
step policies (steps relative to the threshold, warm-up), target tracking's alarms."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from asg_support import activities, group, wait_for, wait_in_service
from botocore.exceptions import ClientError

from cloudlet.services.autoscaling.scaling import percent_change, step_for

Error = Callable[[Any], tuple[str, str, int]]
STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
STEPS = [
    {"MetricIntervalLowerBound": 0, "MetricIntervalUpperBound": 10, "ScalingAdjustment": 1},
    {"MetricIntervalLowerBound": 10, "ScalingAdjustment": 3},
]


@pytest.mark.parametrize(
    ("desired", "percent", "magnitude", "change"),
    [
        (4, 25, None, 1),
        (4, 25, 2, 2),  # MinAdjustmentMagnitude: 25 % of 4 is 1, at least 2
        (10, 15, None, 1),  # 1.5 rounds down
        (2, 10, None, 1),  # 0.2 becomes 1
        (2, -10, None, -1),  # -0.2 becomes -1
        (15, -44.5, None, -6),  # -6.675 rounds toward zero
        (3, 0, None, 0),
    ],
)
def test_percent_change_rounding(
    desired: int, percent: float, magnitude: int | None, change: int
) -> None:
    assert percent_change(desired, percent, magnitude) == change


@pytest.mark.parametrize(
    ("metric", "adjustment"),
    [(80.0, 1), (89.99, 1), (90.0, 3), (500.0, 3), (79.0, None)],
)
def test_steps_are_relative_to_the_threshold(metric: float, adjustment: int | None) -> None:
    step = step_for(STEPS, metric, 80.0)
    assert (step["ScalingAdjustment"] if step else None) == adjustment


def test_simple_policy(
    asg: Any, account: str, template: Callable[..., str], make_group: Callable[..., str]
) -> None:
    name = make_group(LaunchTemplate={"LaunchTemplateName": template()}, DesiredCapacity=1)
    response = asg.put_scaling_policy(
        AutoScalingGroupName=name,
        PolicyName="add-two",
        AdjustmentType="ChangeInCapacity",
        ScalingAdjustment=2,
        Cooldown=60,
    )
    assert re.fullmatch(
        f"arn:aws:autoscaling:us-east-1:{account}:scalingPolicy:[0-9a-f-]{{36}}:"
        f"autoScalingGroupName/{name}:policyName/add-two",
        response["PolicyARN"],
    )
    assert response["Alarms"] == []
    (policy,) = asg.describe_policies(AutoScalingGroupName=name)["ScalingPolicies"]
    assert policy["PolicyType"] == "SimpleScaling"
    assert policy["Cooldown"] == 60
    assert policy["Enabled"] is True
    asg.execute_policy(AutoScalingGroupName=name, PolicyName="add-two")
    assert group(asg, name)["DesiredCapacity"] == 3
    wait_in_service(asg, name, 3)
    launch = activities(asg, name)[0]
    assert re.match(
        f"At {STAMP} a user request executed policy add-two changing the desired capacity from"
        " 1 to 3.  ",
        launch["Cause"],
    ), launch["Cause"]
    asg.delete_policy(AutoScalingGroupName=name, PolicyName=response["PolicyARN"])
    assert asg.describe_policies(AutoScalingGroupName=name)["ScalingPolicies"] == []


@pytest.mark.parametrize(
    ("adjustment_type", "adjustment", "magnitude", "desired"),
    [
        ("ExactCapacity", 3, None, 3),
        ("ExactCapacity", 9, None, 5),  # clamped to MaxSize
        ("PercentChangeInCapacity", 50, None, 3),
        ("PercentChangeInCapacity", -50, None, 1),
        ("PercentChangeInCapacity", 10, 2, 4),
        ("ChangeInCapacity", -5, None, 1),  # clamped to MinSize
    ],
)
def test_adjustment_types(
    asg: Any,
    template: Callable[..., str],
    make_group: Callable[..., str],
    adjustment_type: str,
    adjustment: int,
    magnitude: int | None,
    desired: int,
) -> None:
    name = make_group(
        LaunchTemplate={"LaunchTemplateName": template()}, MinSize=1, MaxSize=5, DesiredCapacity=2
    )
    extra = {"MinAdjustmentMagnitude": magnitude} if magnitude else {}
    asg.put_scaling_policy(
        AutoScalingGroupName=name,
        PolicyName="p",
        AdjustmentType=adjustment_type,
        ScalingAdjustment=adjustment,
        **extra,
    )
    asg.execute_policy(AutoScalingGroupName=name, PolicyName="p")
    assert group(asg, name)["DesiredCapacity"] == desired


def test_simple_policy_cooldown(
    scaled: Callable[[str], Any], scaled_group: Callable[..., str], aws_error: Error
) -> None:
    asg = scaled("autoscaling")
    name = scaled_group(DesiredCapacity=1, DefaultCooldown=300)
    wait_in_service(asg, name, 1)
    asg.put_scaling_policy(
        AutoScalingGroupName=name,
        PolicyName="up",
        AdjustmentType="ChangeInCapacity",
        ScalingAdjustment=1,
    )
    asg.execute_policy(AutoScalingGroupName=name, PolicyName="up", HonorCooldown=True)
    wait_in_service(asg, name, 2)
    # 300 AWS seconds of cooldown (5 s here) from the end of the activity
    with pytest.raises(ClientError) as raised:
        asg.execute_policy(AutoScalingGroupName=name, PolicyName="up", HonorCooldown=True)
    assert aws_error(raised.value)[0] == "ScalingActivityInProgress"
    asg.execute_policy(AutoScalingGroupName=name, PolicyName="up")  # without HonorCooldown
    assert group(asg, name)["DesiredCapacity"] == 3
    wait_in_service(asg, name, 3)
    started = time.monotonic()

    def accepted() -> bool:
        try:
            asg.execute_policy(AutoScalingGroupName=name, PolicyName="up", HonorCooldown=True)
        except ClientError:
            return False
        return True

    wait_for(accepted, timeout=30, every=0.25)
    assert time.monotonic() - started > 3  # the cooldown really held for most of its 5 s
    assert group(asg, name)["DesiredCapacity"] == 4


def test_step_policy_with_warm_up(
    scaled: Callable[[str], Any], scaled_group: Callable[..., str]
) -> None:
    asg = scaled("autoscaling")
    name = scaled_group(DesiredCapacity=1)
    wait_in_service(asg, name, 1)
    asg.put_scaling_policy(
        AutoScalingGroupName=name,
        PolicyName="steps",
        PolicyType="StepScaling",
        AdjustmentType="ChangeInCapacity",
        StepAdjustments=STEPS,
        EstimatedInstanceWarmup=600,
    )
    (policy,) = asg.describe_policies(AutoScalingGroupName=name)["ScalingPolicies"]
    assert policy["MetricAggregationType"] == "Average"

    def run(metric: float) -> int:
        asg.execute_policy(
            AutoScalingGroupName=name, PolicyName="steps", MetricValue=metric, BreachThreshold=80
        )
        return int(group(asg, name)["DesiredCapacity"])

    assert run(85) == 2  # first step: +1
    assert run(85) == 2  # same step while the new instance warms up: nothing more
    assert run(95) == 4  # a larger step adds the difference: 1 settled + 3
    with pytest.raises(ClientError) as raised:
        run(50)
    assert "No step adjustment" in raised.value.response["Error"]["Message"]


def test_target_tracking_creates_and_deletes_its_alarms(
    asg: Any,
    aws_client: Callable[..., Any],
    account: str,
    template: Callable[..., str],
    make_group: Callable[..., str],
) -> None:
    name = make_group(LaunchTemplate={"LaunchTemplateName": template()})
    response = asg.put_scaling_policy(
        AutoScalingGroupName=name,
        PolicyName="cpu50",
        PolicyType="TargetTrackingScaling",
        TargetTrackingConfiguration={
            "PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"},
            "TargetValue": 50.0,
        },
    )
    cloudwatch = aws_client("cloudwatch", account=account)
    names = [a["AlarmName"] for a in response["Alarms"]]
    if not names:
        pytest.skip("CloudWatch alarms are not served yet")
    assert [n.split("-")[0:1] for n in names] == [["TargetTracking"], ["TargetTracking"]]
    assert names[0].startswith(f"TargetTracking-{name}-AlarmHigh-")
    assert names[1].startswith(f"TargetTracking-{name}-AlarmLow-")
    alarms = cloudwatch.describe_alarms(AlarmNames=names)["MetricAlarms"]
    high = next(a for a in alarms if "AlarmHigh" in a["AlarmName"])
    assert high["Threshold"] == 50.0
    assert high["MetricName"] == "CPUUtilization"
    assert high["Dimensions"] == [{"Name": "AutoScalingGroupName", "Value": name}]
    assert high["AlarmActions"] == [response["PolicyARN"]]
    with pytest.raises(ClientError):
        asg.execute_policy(AutoScalingGroupName=name, PolicyName="cpu50")
    asg.delete_policy(AutoScalingGroupName=name, PolicyName="cpu50")
    assert cloudwatch.describe_alarms(AlarmNames=names)["MetricAlarms"] == []


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"ScalingAdjustment": 1}, "AdjustmentType is required for policy type SimpleScaling."),
        (
            {"AdjustmentType": "ChangeInCapacity"},
            "ScalingAdjustment is required for policy type SimpleScaling.",
        ),
        (
            {"AdjustmentType": "Sideways", "ScalingAdjustment": 1},
            "Invalid adjustment type: Sideways",
        ),
        (
            {
                "AdjustmentType": "ChangeInCapacity",
                "ScalingAdjustment": 1,
                "MinAdjustmentMagnitude": 2,
            },
            "MinAdjustmentMagnitude is only supported with the PercentChangeInCapacity adjustment"
            " type.",
        ),
        (
            {"PolicyType": "StepScaling", "AdjustmentType": "ChangeInCapacity"},
            "StepAdjustments are required for policy type StepScaling.",
        ),
        (
            {
                "PolicyType": "StepScaling",
                "AdjustmentType": "ChangeInCapacity",
                "StepAdjustments": [
                    {
                        "MetricIntervalLowerBound": 0,
                        "MetricIntervalUpperBound": 10,
                        "ScalingAdjustment": 1,
                    },
                    {"MetricIntervalLowerBound": 5, "ScalingAdjustment": 2},
                ],
            },
            "Step adjustments must not overlap.",
        ),
        (
            {
                "PolicyType": "StepScaling",
                "AdjustmentType": "ChangeInCapacity",
                "StepAdjustments": [
                    {
                        "MetricIntervalLowerBound": 0,
                        "MetricIntervalUpperBound": 10,
                        "ScalingAdjustment": 1,
                    },
                    {"MetricIntervalLowerBound": 20, "ScalingAdjustment": 2},
                ],
            },
            "Step adjustments must not have gaps between them.",
        ),
        (
            {
                "PolicyType": "StepScaling",
                "AdjustmentType": "ChangeInCapacity",
                "Cooldown": 30,
                "StepAdjustments": STEPS,
            },
            "Cooldown is not supported for policy type StepScaling.",
        ),
        (
            {"PolicyType": "TargetTrackingScaling"},
            "TargetTrackingConfiguration is required for policy type TargetTrackingScaling.",
        ),
    ],
)
def test_bad_policies(
    asg: Any,
    template: Callable[..., str],
    make_group: Callable[..., str],
    params: dict[str, Any],
    message: str,
    aws_error: Error,
) -> None:
    name = make_group(LaunchTemplate={"LaunchTemplateName": template()})
    with pytest.raises(ClientError) as raised:
        asg.put_scaling_policy(AutoScalingGroupName=name, PolicyName="bad", **params)
    assert aws_error(raised.value) == ("ValidationError", message, 400)


def test_policies_on_unknown_groups(asg: Any, aws_error: Error) -> None:
    with pytest.raises(ClientError) as raised:
        asg.put_scaling_policy(
            AutoScalingGroupName="none",
            PolicyName="p",
            AdjustmentType="ChangeInCapacity",
            ScalingAdjustment=1,
        )
    assert aws_error(raised.value) == (
        "ValidationError",
        "AutoScalingGroup name not found - AutoScalingGroup none not found",
        400,
    )
