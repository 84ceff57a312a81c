"""Metric math values: scalars, time series (`Series`) and arrays of them, and the
`Environment` an expression is evaluated in; helpers shared by the operators and functions."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from cloudlet.services.cloudwatch.math_parser import ExpressionError


@dataclass
class Series:
    """One time series: values by bucket timestamp (epoch seconds)."""

    label: str
    points: dict[float, float] = field(default_factory=dict)
    period: int = 60
    id: str = ""

    def sorted_points(self) -> list[tuple[float, float]]:
        return sorted(self.points.items())


Value = float | Series | list[Series]


@dataclass
class Environment:
    """What an expression can see."""

    grid: list[float]
    """Every bucket timestamp of the query range, oldest first."""
    period: int
    results: dict[str, Value]
    """Results of the other queries, by Id."""
    metric_ids: list[str]
    """Ids of the MetricStat queries, in request order (METRICS())."""


def map_value(value: Value, fn: Callable[[float], float | None]) -> Value:
    if isinstance(value, list):
        return [map_series(series, fn) for series in value]
    if isinstance(value, Series):
        return map_series(value, fn)
    result = fn(value)
    return math.nan if result is None else result


def map_series(series: Series, fn: Callable[[float], float | None]) -> Series:
    points = {}
    for ts, v in series.points.items():
        result = fn(v)
        if result is not None and math.isfinite(result):
            points[ts] = result
    return replace(series, points=points)


def as_series(value: Value) -> Series:
    if not isinstance(value, Series):
        raise ExpressionError("Expected a time series")
    return value


def as_array(value: Value | str, function: str) -> list[Series]:
    if isinstance(value, list):
        return value
    if isinstance(value, Series):
        return [value]
    raise ExpressionError(f"{function} expects an array of time series")


def one_argument(args: list[Value | str], function: str, count: tuple[int, int] = (1, 1)) -> Value:
    if not count[0] <= len(args) <= count[1]:
        raise ExpressionError(f"Wrong number of arguments for {function}")
    value = args[0]
    if isinstance(value, str):
        raise ExpressionError(f"{function} expects a time series")
    return value
