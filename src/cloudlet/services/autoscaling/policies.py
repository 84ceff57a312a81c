"""Scaling policies: PutScalingPolicy's checks, storage, and target tracking's own alarms.

Simple and step policies are run by whatever calls ExecutePolicy (a CloudWatch alarm action, or a
user); their arithmetic is in `scaling.py`. A target tracking policy creates and owns two
CloudWatch alarms (when CloudWatch is served), named as AWS names them:

    TargetTracking-<group>-AlarmHigh-<uuid>   3 of 3 one-minute datapoints above the target
    TargetTracking-<group>-AlarmLow-<uuid>    15 of 15 one-minute datapoints below 90 % of it
                                              (not created with DisableScaleIn)

AWS documents neither alarm's exact parameters; these are what its consoles show. Both alarms
run the policy; they are replaced when the policy is updated and deleted with it.
"""

from __future__ import annotations

import itertools
import logging
import uuid
from typing import TYPE_CHECKING, Any

from cloudlet.errors import ServiceError
from cloudlet.services.autoscaling.models import Group, validation

if TYPE_CHECKING:
    from cloudlet.platform.runtime import Platform

log = logging.getLogger(__name__)

TYPES = ("SimpleScaling", "StepScaling", "TargetTrackingScaling", "PredictiveScaling")
ADJUSTMENTS = ("ChangeInCapacity", "ExactCapacity", "PercentChangeInCapacity")
MAX_POLICIES = 50
"""Scaling policies per group (an AWS limit not listed in Service Quotas)."""
MAX_STEPS = 20

_PREDEFINED = {
    "ASGAverageCPUUtilization": ("AWS/EC2", "CPUUtilization", "Average"),
    "ASGAverageNetworkIn": ("AWS/EC2", "NetworkIn", "Average"),
    "ASGAverageNetworkOut": ("AWS/EC2", "NetworkOut", "Average"),
    "ALBRequestCountPerTarget": ("AWS/ApplicationELB", "RequestCountPerTarget", "Sum"),
}


def policy_arn(account: str, region: str, group: str, name: str) -> str:
    return (
        f"arn:aws:autoscaling:{region}:{account}:scalingPolicy:{uuid.uuid4()}:"
        f"autoScalingGroupName/{group}:policyName/{name}"
    )


def check(request: dict[str, Any]) -> str:
    """The policy type of a valid PutScalingPolicy request (raises AWS's ValidationError)."""
    kind = request.get("PolicyType") or "SimpleScaling"
    if kind not in TYPES:
        raise validation(f"Invalid policy type: {kind}")
    if kind == "PredictiveScaling":
        raise validation("cloudlet does not serve predictive scaling policies yet.")
    adjustment = request.get("AdjustmentType")
    if kind in ("SimpleScaling", "StepScaling"):
        if adjustment is None:
            raise validation(f"AdjustmentType is required for policy type {kind}.")
        if adjustment not in ADJUSTMENTS:
            raise validation(f"Invalid adjustment type: {adjustment}")
    elif adjustment is not None:
        raise validation(f"AdjustmentType is not supported for policy type {kind}.")
    if request.get("MinAdjustmentMagnitude") is not None:
        if adjustment != "PercentChangeInCapacity":
            raise validation(
                "MinAdjustmentMagnitude is only supported with the PercentChangeInCapacity"
                " adjustment type."
            )
        if request["MinAdjustmentMagnitude"] < 1:
            raise validation("MinAdjustmentMagnitude must be greater than or equal to 1.")
    if kind == "SimpleScaling":
        if request.get("ScalingAdjustment") is None:
            raise validation("ScalingAdjustment is required for policy type SimpleScaling.")
        if adjustment == "ExactCapacity" and request["ScalingAdjustment"] < 0:
            raise validation("ScalingAdjustment must be non-negative for ExactCapacity.")
    elif request.get("ScalingAdjustment") is not None:
        raise validation(f"ScalingAdjustment is not supported for policy type {kind}.")
    if kind != "SimpleScaling" and request.get("Cooldown") is not None:
        raise validation(f"Cooldown is not supported for policy type {kind}.")
    if kind == "StepScaling":
        check_steps(request.get("StepAdjustments") or [])
    elif request.get("StepAdjustments"):
        raise validation(f"StepAdjustments are not supported for policy type {kind}.")
    if kind == "TargetTrackingScaling":
        config = request.get("TargetTrackingConfiguration")
        if not config:
            raise validation(
                "TargetTrackingConfiguration is required for policy type TargetTrackingScaling."
            )
        predefined = config.get("PredefinedMetricSpecification")
        custom = config.get("CustomizedMetricSpecification")
        if bool(predefined) == bool(custom):
            raise validation(
                "Exactly one of PredefinedMetricSpecification and CustomizedMetricSpecification"
                " must be specified."
            )
        per_target = predefined and predefined["PredefinedMetricType"] == "ALBRequestCountPerTarget"
        if per_target and not predefined.get("ResourceLabel"):
            raise validation("ResourceLabel is required for ALBRequestCountPerTarget.")
    elif request.get("TargetTrackingConfiguration"):
        raise validation(f"TargetTrackingConfiguration is not supported for policy type {kind}.")
    return kind


def check_steps(steps: list[dict[str, Any]]) -> None:
    """AWS's rules: no overlap, no gap, one open end at most on each side."""
    if not steps:
        raise validation("StepAdjustments are required for policy type StepScaling.")
    if len(steps) > MAX_STEPS:
        raise validation(f"A policy can have at most {MAX_STEPS} step adjustments.")

    def lowest(step: dict[str, Any]) -> float:
        bound = step.get("MetricIntervalLowerBound")
        return float("-inf") if bound is None else float(bound)

    ordered = sorted(steps, key=lowest)
    for step in ordered:
        if (
            step.get("MetricIntervalLowerBound") is None
            and step.get("MetricIntervalUpperBound") is None
        ):
            raise validation("A step adjustment cannot have both bounds null.")
    if sum(1 for s in steps if s.get("MetricIntervalLowerBound") is None) > 1:
        raise validation("Only one step adjustment can have a null lower bound.")
    if sum(1 for s in steps if s.get("MetricIntervalUpperBound") is None) > 1:
        raise validation("Only one step adjustment can have a null upper bound.")
    for first, second in itertools.pairwise(ordered):
        upper = first.get("MetricIntervalUpperBound")
        lower = second.get("MetricIntervalLowerBound")
        if upper is None or lower is None or upper > lower:
            raise validation("Step adjustments must not overlap.")
        if upper < lower:
            raise validation("Step adjustments must not have gaps between them.")
    for step in ordered:
        low_bound = step.get("MetricIntervalLowerBound")
        high_bound = step.get("MetricIntervalUpperBound")
        if low_bound is not None and high_bound is not None and low_bound >= high_bound:
            raise validation("The lower bound of a step adjustment must be below its upper bound.")


def describe(policy: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in policy.items() if not k.startswith("_")}


def _metric(group: Group, config: dict[str, Any]) -> dict[str, Any]:
    predefined = config.get("PredefinedMetricSpecification")
    if predefined:
        namespace, name, statistic = _PREDEFINED[predefined["PredefinedMetricType"]]
        if predefined["PredefinedMetricType"] == "ALBRequestCountPerTarget":
            # ResourceLabel: app/<lb name>/<id>/targetgroup/<tg name>/<id>
            label = predefined["ResourceLabel"]
            dimensions = [{"Name": "TargetGroup", "Value": "/".join(label.split("/")[3:])}]
        else:
            dimensions = [{"Name": "AutoScalingGroupName", "Value": group.name}]
        return {
            "Namespace": namespace,
            "MetricName": name,
            "Statistic": statistic,
            "Dimensions": dimensions,
        }
    custom = config["CustomizedMetricSpecification"]
    metric = {
        "Namespace": custom.get("Namespace", ""),
        "MetricName": custom.get("MetricName", ""),
        "Statistic": custom.get("Statistic", "Average"),
        "Dimensions": custom.get("Dimensions") or [],
    }
    if custom.get("Unit"):
        metric["Unit"] = custom["Unit"]
    return metric


async def create_alarms(
    platform: Platform, account: str, region: str, group: Group, policy: dict[str, Any]
) -> list[dict[str, str]]:
    """Create the target tracking policy's alarms; returns their `Alarm` shapes."""
    from cloudlet.services.registry import SERVICES

    if "cloudwatch" not in SERVICES:
        return []
    config = policy["TargetTrackingConfiguration"]
    target = float(config["TargetValue"])
    metric = _metric(group, config)
    description = f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {policy['PolicyARN']}."
    alarms: list[dict[str, str]] = []
    specs = [("AlarmHigh", 3, target, "GreaterThanThreshold")]
    if not config.get("DisableScaleIn"):
        specs.append(("AlarmLow", 15, round(target * 0.9, 6), "LessThanThreshold"))
    for label, periods, threshold, operator in specs:
        name = f"TargetTracking-{group.name}-{label}-{uuid.uuid4()}"
        try:
            await platform.services.call(
                "cloudwatch",
                "PutMetricAlarm",
                {
                    "AlarmName": name,
                    "AlarmDescription": description,
                    "ActionsEnabled": True,
                    "AlarmActions": [policy["PolicyARN"]],
                    "Period": 60,
                    "EvaluationPeriods": periods,
                    "DatapointsToAlarm": periods,
                    "Threshold": threshold,
                    "ComparisonOperator": operator,
                    **metric,
                },
                account=account,
                region=region,
            )
        except ServiceError as exc:
            if exc.code == "NotImplemented":  # CloudWatch alarms not served yet
                return alarms
            raise validation(f"Could not create the alarms of the policy: {exc.message}") from exc
        alarms.append(
            {"AlarmName": name, "AlarmARN": f"arn:aws:cloudwatch:{region}:{account}:alarm:{name}"}
        )
    return alarms


async def delete_policy_alarms(
    platform: Platform, account: str, region: str, policy: dict[str, Any]
) -> None:
    """Delete the alarms a target tracking policy owns."""
    names = [a["AlarmName"] for a in policy.get("_owned_alarms") or []]
    if not names:
        return
    try:
        await platform.services.call(
            "cloudwatch", "DeleteAlarms", {"AlarmNames": names}, account=account, region=region
        )
    except ServiceError as exc:
        log.warning("could not delete alarms %s: %s", names, exc)
