"""PutMetricAlarm's and PutCompositeAlarm's rules: the checks AWS makes, and the stored config.

A metric alarm watches one metric (MetricName, Namespace, Statistic or ExtendedStatistic,
Dimensions, Period, Unit) or a metric math result (`Metrics`, exactly one query returning
data, at most 10 metrics). Period is 10, 20, 30 or a multiple of 60; EvaluationPeriods * Period
is at most a day; DatapointsToAlarm is at most EvaluationPeriods. Actions are ARNs of the kinds
`actions` can run. Messages AWS is known to send are AWS's; the others are cloudlet's wording.
"""

from __future__ import annotations

import time
from typing import Any

from cloudlet.services.cloudwatch import errors
from cloudlet.services.cloudwatch.aggregate import parse_extended
from cloudlet.services.cloudwatch.math_parser import ExpressionError
from cloudlet.services.cloudwatch.metric_data import parse_queries, run
from cloudlet.services.cloudwatch.metrics import MetricStore
from cloudlet.services.cloudwatch.models import (
    STATISTICS,
    check_dimensions,
    check_namespace,
    check_unit,
)

OPERATORS = (
    "GreaterThanOrEqualToThreshold",
    "GreaterThanThreshold",
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
)
BAND_OPERATORS = (
    "LessThanLowerOrGreaterThanUpperThreshold",
    "LessThanLowerThreshold",
    "GreaterThanUpperThreshold",
)
TREAT_MISSING = ("breaching", "notBreaching", "ignore", "missing")
MAX_ALARM_METRICS = 10
MAX_TAGS = 50
_ACTION_KINDS = ("sns", "autoscaling", "lambda", "automate", "swf", "ssm", "ssm-incidents")
_COMPOSITE_ACTION_KINDS = ("sns", "lambda", "ssm", "ssm-incidents")
_SINGLE_METRIC = ("MetricName", "Namespace", "Statistic", "ExtendedStatistic", "Period", "Unit")


def check_actions(request: dict[str, Any], kinds: tuple[str, ...] = _ACTION_KINDS) -> None:
    for member in ("AlarmActions", "OKActions", "InsufficientDataActions"):
        for arn in request.get(member) or ():
            parts = arn.split(":")
            if len(parts) < 6 or parts[0] != "arn":
                raise errors.validation(f"Invalid arn syntax: {arn}")
            if parts[2] not in kinds:
                raise errors.validation(f"Invalid alarm action: {arn}")


def check_tags(tags: list[dict[str, str]] | None, member: str = "Tags") -> dict[str, str]:
    tags = tags or []
    if len(tags) > MAX_TAGS:
        raise errors.limit_exceeded(f"The number of tags must not exceed {MAX_TAGS}.")
    for index, tag in enumerate(tags, start=1):
        if tag["Key"].lower().startswith("aws:"):
            raise errors.invalid_value(
                f"The value {tag['Key']} for parameter {member}.member.{index}.Key is invalid."
            )
    return {tag["Key"]: tag["Value"] for tag in tags}


def _required(request: dict[str, Any], *members: str) -> None:
    for member in members:
        if request.get(member) is None:
            raise errors.missing_parameter(f"The parameter {member} is required.")


def _valid_period(period: int) -> bool:
    return period in (10, 20, 30) or (period >= 60 and period % 60 == 0)


def metric_alarm_config(request: dict[str, Any], metrics: MetricStore) -> dict[str, Any]:
    """The stored configuration of a PutMetricAlarm request; AWS's errors when it is invalid."""
    _required(request, "EvaluationPeriods", "ComparisonOperator")
    operator = request["ComparisonOperator"]
    if operator not in OPERATORS + BAND_OPERATORS:
        raise errors.validation(
            f"The value {operator} for parameter ComparisonOperator is invalid."
        )
    if operator in BAND_OPERATORS:
        if not request.get("ThresholdMetricId"):
            raise errors.validation(
                f"ThresholdMetricId must be specified for the comparison operator {operator}."
            )
    elif request.get("Threshold") is None:
        raise errors.missing_parameter("The parameter Threshold is required.")
    queries = request.get("Metrics")
    if queries:
        given = [m for m in (*_SINGLE_METRIC, "Dimensions") if request.get(m)]
        if given:
            raise errors.validation(
                f"The parameters Metrics and {given[0]} are mutually exclusive and you have "
                "specified both."
            )
        period = _check_math(request, metrics)
    else:
        period = _check_single(request)
    evaluation_periods = request["EvaluationPeriods"]
    datapoints = request.get("DatapointsToAlarm")
    if datapoints is not None and datapoints > evaluation_periods:
        raise errors.validation("DatapointsToAlarm must be less than or equal to EvaluationPeriods")
    if evaluation_periods * period > 86400:
        raise errors.validation(
            "Metrics cannot be checked across more than a day (EvaluationPeriods * Period must "
            "be <= 86400)"
        )
    treat = request.get("TreatMissingData")
    if treat is not None and treat not in TREAT_MISSING:
        raise errors.validation(f"The value {treat} for parameter TreatMissingData is invalid.")
    low = request.get("EvaluateLowSampleCountPercentile")
    if low is not None and low not in ("evaluate", "ignore"):
        raise errors.validation(
            f"The value {low} for parameter EvaluateLowSampleCountPercentile is invalid."
        )
    check_actions(request)
    config = {
        key: request[key]
        for key in (
            "AlarmDescription",
            "ActionsEnabled",
            "OKActions",
            "AlarmActions",
            "InsufficientDataActions",
            "MetricName",
            "Namespace",
            "Statistic",
            "ExtendedStatistic",
            "Dimensions",
            "Period",
            "Unit",
            "EvaluationPeriods",
            "DatapointsToAlarm",
            "Threshold",
            "ComparisonOperator",
            "TreatMissingData",
            "EvaluateLowSampleCountPercentile",
            "Metrics",
            "ThresholdMetricId",
        )
        if request.get(key) is not None
    }
    if "Threshold" in config:
        config["Threshold"] = float(config["Threshold"])
    return config


def _check_single(request: dict[str, Any]) -> int:
    _required(request, "MetricName", "Namespace", "Period")
    check_namespace(request["Namespace"])
    check_dimensions(request.get("Dimensions"), "Dimensions")
    check_unit(request.get("Unit"), "Unit")
    statistic, extended = request.get("Statistic"), request.get("ExtendedStatistic")
    if statistic is not None and extended is not None:
        raise errors.invalid_combination(
            "The parameters Statistic and ExtendedStatistic are mutually exclusive and you have "
            "specified both."
        )
    if statistic is None and extended is None:
        raise errors.invalid_combination("Must specify either Statistic or ExtendedStatistic.")
    if statistic is not None and statistic not in STATISTICS:
        raise errors.invalid_value(f"The value {statistic} for parameter Statistic is invalid.")
    if extended is not None and parse_extended(extended) is None:
        raise errors.invalid_value(
            f"The value {extended} for parameter ExtendedStatistic is invalid."
        )
    period = int(request["Period"])
    if not _valid_period(period):
        raise errors.validation("The parameter Period must be 10, 20, 30 or a multiple of 60.")
    return period


def _check_math(request: dict[str, Any], metrics: MetricStore) -> int:
    queries = parse_queries(request["Metrics"], "Metrics")
    threshold_id = request.get("ThresholdMetricId")
    returning = [q for q in queries if q.return_data and q.id != threshold_id]
    if len(returning) != 1:
        raise errors.validation("Exactly one element of the metrics list should return data.")
    if threshold_id is not None and threshold_id not in {q.id for q in queries}:
        raise errors.validation(
            f"The value {threshold_id} for parameter ThresholdMetricId is invalid."
        )
    if sum(1 for q in queries if q.stat) > MAX_ALARM_METRICS:
        raise errors.validation(
            f"The maximum number of metrics in an alarm is {MAX_ALARM_METRICS}."
        )
    periods = {q.stat.period for q in queries if q.stat} | {q.period for q in queries if q.period}
    for period in periods:
        if not _valid_period(period):
            raise errors.validation("The parameter Period must be 10, 20, 30 or a multiple of 60.")
    period = min(periods) if periods else 60
    now = time.time()
    try:  # a dry run over one period rejects expressions that cannot be evaluated
        run(metrics, "", "", queries, now - period, now, now=now, align=False)
    except ExpressionError as exc:  # pragma: no cover - run() reports these as ValidationError
        raise errors.validation(str(exc)) from exc
    return period


def composite_alarm_config(request: dict[str, Any]) -> dict[str, Any]:
    """The stored configuration of a PutCompositeAlarm request (the rule is checked elsewhere)."""
    check_actions(request, _COMPOSITE_ACTION_KINDS)
    if request.get("ActionsSuppressor") and (
        request.get("ActionsSuppressorWaitPeriod") is None
        or request.get("ActionsSuppressorExtensionPeriod") is None
    ):
        raise errors.validation(
            "ActionsSuppressorWaitPeriod and ActionsSuppressorExtensionPeriod must be specified "
            "with ActionsSuppressor."
        )
    return {
        key: request[key]
        for key in (
            "AlarmDescription",
            "ActionsEnabled",
            "OKActions",
            "AlarmActions",
            "InsufficientDataActions",
            "AlarmRule",
            "ActionsSuppressor",
            "ActionsSuppressorWaitPeriod",
            "ActionsSuppressorExtensionPeriod",
        )
        if request.get(key) is not None
    }
