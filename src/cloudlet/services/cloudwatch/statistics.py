"""GetMetricStatistics: AWS's validation, start-time rounding and the 1,440-datapoint limit.

Buckets start at StartTime rounded down as AWS rounds it (to the minute when it is less than 15
days ago, to 5 minutes up to 63 days, to the hour beyond; to the period for periods under a
minute) and step by Period up to EndTime (exclusive). One datapoint per bucket with data and unit;
AWS does not promise an order, cloudlet answers oldest first.
"""

from __future__ import annotations

import math
from typing import Any

from cloudlet.services.cloudwatch import errors
from cloudlet.services.cloudwatch.aggregate import collect, parse_extended
from cloudlet.services.cloudwatch.metrics import MetricStore
from cloudlet.services.cloudwatch.models import (
    STATISTICS,
    MetricKey,
    check_dimensions,
    check_namespace,
    check_unit,
    epoch,
    timestamp,
)

MAX_DATAPOINTS = 1440
HIGH_RESOLUTION_PERIODS = (1, 5, 10, 20, 30)
"""Periods under a minute a query may use; longer ones are multiples of 60."""


def valid_period(period: int, allowed: tuple[int, ...] = HIGH_RESOLUTION_PERIODS) -> bool:
    return period in allowed or (period >= 60 and period % 60 == 0)


def check_time_range(start: float, end: float) -> None:
    if start == end:
        raise errors.invalid_value("The parameter StartTime must not equal parameter EndTime.")
    if start > end:
        raise errors.invalid_value(
            "The parameter StartTime must be less than the parameter EndTime."
        )


def rounded_start(start: float, period: int, now: float) -> float:
    """StartTime as AWS rounds it before bucketing."""
    age = now - start
    if period < 60:
        step = float(period)
    elif age < 15 * 86400:
        step = 60.0
    elif age < 63 * 86400:
        step = 300.0
    else:
        step = 3600.0
    return math.floor(start / step) * step


def get_metric_statistics(
    metrics: MetricStore, account: str, region: str, request: dict[str, Any], now: float
) -> dict[str, Any]:
    check_namespace(request["Namespace"])
    dims = check_dimensions(request.get("Dimensions"), "Dimensions")
    period = request["Period"]
    if not valid_period(period):
        raise errors.invalid_value("The parameter Period must be a multiple of 60.")
    statistics = request.get("Statistics") or []
    extended = request.get("ExtendedStatistics") or []
    if not statistics and not extended:
        raise errors.invalid_combination("Must specify either Statistics or ExtendedStatistics.")
    if statistics and extended:
        raise errors.invalid_combination(
            "The parameters Statistics and ExtendedStatistics are mutually exclusive and you "
            "have specified both."
        )
    for index, name in enumerate(statistics, start=1):
        if name not in STATISTICS:
            raise errors.invalid_value(
                f"The value {name} for parameter Statistics.member.{index} is invalid."
            )
    for index, name in enumerate(extended, start=1):
        if parse_extended(name) is None:
            raise errors.invalid_value(
                f"The value {name} for parameter ExtendedStatistics.member.{index} is invalid."
            )
    unit = request.get("Unit")
    check_unit(unit, "Unit")
    start, end = epoch(request["StartTime"]), epoch(request["EndTime"])
    check_time_range(start, end)
    start = rounded_start(start, period, now)
    requested = math.ceil((end - start) / period)
    if requested > MAX_DATAPOINTS:
        raise errors.invalid_combination(
            f"You have requested up to {requested} datapoints, which exceeds the limit of "
            f"{MAX_DATAPOINTS}. You may reduce the datapoints requested by increasing Period, "
            "or decreasing the time range."
        )
    key = MetricKey(request["Namespace"], request["MetricName"], dims)
    buckets = collect(
        metrics, account, region, key, start, end, period, statistics + extended, unit=unit
    )
    datapoints = []
    for bucket, units in sorted(buckets.items()):
        for unit_name, aggregate in sorted(units.items()):
            point: dict[str, Any] = {"Timestamp": timestamp(bucket), "Unit": unit_name}
            for name in statistics:
                point[name] = aggregate.value(name)
            if extended:
                values = {name: aggregate.value(name) for name in extended}
                point["ExtendedStatistics"] = {k: v for k, v in values.items() if v is not None}
            datapoints.append(point)
    return {"Label": request["MetricName"], "Datapoints": datapoints}
