"""PutMetricData's rules: what AWS accepts in MetricData, and the `Datum`s it becomes.

At most 1,000 data per request; a datum carries exactly one of Value, StatisticValues or
Values (with Counts of the same size, at most 150); values within ±2^360 (and not NaN); a
timestamp at most two weeks old and two hours ahead; StorageResolution 1 or 60; a known Unit;
dimension names not starting with a colon and not repeated. Namespaces starting with `AWS/` are
AWS's own (allowed to in-process publishers only). Messages are AWS's where known.
"""

from __future__ import annotations

import math
import time
from typing import Any

from cloudlet.services.cloudwatch import errors
from cloudlet.services.cloudwatch.models import (
    Datum,
    Dims,
    MetricKey,
    check_dimensions,
    check_namespace,
    check_unit,
    epoch,
)

MAX_METRIC_DATA = 1000
MAX_VALUES = 150
MAX_AGE = 14 * 86400.0
"""Datapoints may be up to two weeks old..."""
MAX_AHEAD = 2 * 3600.0
"""...and up to two hours in the future."""
VALUE_LIMIT = 2.0**360
"""AWS rejects values whose magnitude is above 2^360 or (non-zero) below 2^-360."""


def parse_metric_data(
    namespace: str,
    data: list[dict[str, Any]],
    *,
    now: float | None = None,
    reserved_ok: bool = False,
) -> list[Datum]:
    """Validate PutMetricData's input as AWS does; the data ready to store."""
    check_namespace(namespace, publishing=not reserved_ok)
    if len(data) > MAX_METRIC_DATA:
        raise errors.invalid_value(
            f"The collection MetricData must not have a size greater than {MAX_METRIC_DATA}."
        )
    now = time.time() if now is None else now
    return [
        _datum(namespace, datum, f"MetricData.member.{i}", now) for i, datum in enumerate(data, 1)
    ]


def _datum(namespace: str, datum: dict[str, Any], member: str, now: float) -> Datum:
    dims: Dims = check_dimensions(datum.get("Dimensions"), f"{member}.Dimensions")
    key = MetricKey(namespace, datum["MetricName"], dims)
    unit = datum.get("Unit")
    check_unit(unit, f"{member}.Unit")
    resolution = datum.get("StorageResolution", 60)
    if resolution not in (1, 60):
        raise errors.invalid_value(
            f"The value {resolution} for parameter {member}.StorageResolution is invalid."
        )
    ts = now if datum.get("Timestamp") is None else epoch(datum["Timestamp"])
    if ts < now - MAX_AGE:
        raise errors.invalid_value(
            f"The parameter {member}.Timestamp must specify a time within the past two weeks."
        )
    if ts > now + MAX_AHEAD:
        raise errors.invalid_value(
            f"The parameter {member}.Timestamp must specify a time no more than two hours in "
            "the future."
        )
    value, stats, values = datum.get("Value"), datum.get("StatisticValues"), datum.get("Values")
    given = [
        n
        for n, v in (("Value", value), ("StatisticValues", stats), ("Values", values))
        if v is not None
    ]
    if len(given) > 1:
        raise errors.invalid_combination(
            f"The parameters {member}.{given[0]} and {member}.{given[1]} are mutually exclusive "
            "and you have specified both."
        )
    common = {"key": key, "ts": ts, "unit": unit or "None", "resolution": resolution}
    if value is not None:
        _check_value(value, f"{member}.Value")
        return Datum(**common, count=1.0, sum=value, min=value, max=value)
    if stats is not None:
        return _statistic_set(stats, f"{member}.StatisticValues", common)
    if values is not None:
        return _values_counts(values, datum.get("Counts"), member, common)
    raise errors.missing_parameter(f"The parameter {member}.Value is required.")


def _check_value(value: float, member: str) -> None:
    magnitude = abs(value)
    if math.isnan(value) or magnitude > VALUE_LIMIT or 0 < magnitude < 1 / VALUE_LIMIT:
        raise errors.invalid_value(f"The value {value} for parameter {member} is invalid.")


def _statistic_set(stats: dict[str, float], member: str, common: dict[str, Any]) -> Datum:
    for field in ("SampleCount", "Sum", "Minimum", "Maximum"):
        _check_value(stats[field], f"{member}.{field}")
    if stats["SampleCount"] <= 0:
        raise errors.invalid_value(
            f"The value {stats['SampleCount']} for parameter {member}.SampleCount is invalid."
        )
    if stats["Minimum"] > stats["Maximum"]:
        raise errors.invalid_value(
            f"The parameter {member}.Maximum must be greater than or equal to {member}.Minimum."
        )
    return Datum(
        **common,
        count=float(stats["SampleCount"]),
        sum=float(stats["Sum"]),
        min=float(stats["Minimum"]),
        max=float(stats["Maximum"]),
    )


def _values_counts(
    values: list[float], counts: list[float] | None, member: str, common: dict[str, Any]
) -> Datum:
    if len(values) > MAX_VALUES:
        raise errors.invalid_value(
            f"The collection {member}.Values must not have a size greater than {MAX_VALUES}."
        )
    if counts is None or not counts:
        counts = [1.0] * len(values)
    elif len(counts) != len(values):
        raise errors.invalid_value(
            f"The parameters {member}.Values and {member}.Counts must be of the same size."
        )
    for index, (value, count) in enumerate(zip(values, counts, strict=True), start=1):
        _check_value(value, f"{member}.Values.member.{index}")
        if count < 0 or math.isnan(count):
            raise errors.invalid_value(
                f"The value {count} for parameter {member}.Counts.member.{index} is invalid."
            )
    pairs = [(float(v), float(c)) for v, c in zip(values, counts, strict=True) if c > 0]
    if not pairs:
        raise errors.invalid_value(f"The parameter {member}.Values must contain a value.")
    return Datum(
        **common,
        count=sum(c for _, c in pairs),
        sum=sum(v * c for v, c in pairs),
        min=min(v for v, _ in pairs),
        max=max(v for v, _ in pairs),
        values=pairs,
    )
