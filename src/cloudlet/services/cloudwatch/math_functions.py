"""Metric math functions, as AWS's metric math reference defines them (see `math_eval`)."""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from cloudlet.services.cloudwatch.math_parser import ExpressionError
from cloudlet.services.cloudwatch.math_values import (
    Environment,
    Series,
    Value,
    as_array,
    as_series,
    map_value,
    one_argument,
)

_Function = Callable[[list[Value | str], Environment], Value]


def _elementwise(fn: Callable[[float], float | None], name: str) -> _Function:
    def apply(args: list[Value | str], env: Environment) -> Value:
        value = one_argument(args, name)
        if isinstance(value, float):
            raise ExpressionError(f"{name} expects a time series")
        return map_value(value, fn)

    return apply


def _reduction(fn: Callable[[list[float]], float], name: str, missing_zero: bool) -> _Function:
    def apply(args: list[Value | str], env: Environment) -> Value:
        value = one_argument(args, name)
        if isinstance(value, float):
            raise ExpressionError(f"{name} expects a time series")
        if isinstance(value, Series):
            values = list(value.points.values())
            return fn(values) if values else math.nan
        timestamps = set().union(*(s.points.keys() for s in value)) if value else set()
        points = {}
        for ts in timestamps:
            values = [s.points[ts] for s in value if ts in s.points]
            if missing_zero:
                values += [0.0] * (len(value) - len(values))
            points[ts] = fn(values)
        return Series(label=name, points=points, period=env.period)

    return apply


def _stddev(values: list[float]) -> float:
    return statistics.pstdev(values) if len(values) > 1 else 0.0


def _consecutive(fn: Callable[[float, float, float, float], float | None], name: str) -> _Function:
    def peras_series(series: Series) -> Series:
        points = {}
        ordered = series.sorted_points()
        for (t0, v0), (t1, v1) in itertools.pairwise(ordered):
            result = fn(t0, v0, t1, v1)
            if result is not None:
                points[t1] = result
        return replace(series, points=points)

    def apply(args: list[Value | str], env: Environment) -> Value:
        value = one_argument(args, name)
        if isinstance(value, float):
            raise ExpressionError(f"{name} expects a time series")
        return [peras_series(s) for s in value] if isinstance(value, list) else peras_series(value)

    return apply


def _running_sum(args: list[Value | str], env: Environment) -> Value:
    def peras_series(series: Series) -> Series:
        total, points = 0.0, {}
        for ts, v in series.sorted_points():
            total += v
            points[ts] = total
        return replace(series, points=points)

    value = one_argument(args, "RUNNING_SUM")
    if isinstance(value, float):
        raise ExpressionError("RUNNING_SUM expects a time series")
    return [peras_series(s) for s in value] if isinstance(value, list) else peras_series(value)


def _fill(args: list[Value | str], env: Environment) -> Value:
    if len(args) != 2:
        raise ExpressionError("Wrong number of arguments for FILL")
    target, filler = args[0], args[1]
    if isinstance(target, float | str):
        raise ExpressionError("FILL expects a time series")

    def peras_series(series: Series) -> Series:
        points = dict(series.points)
        known = series.sorted_points()
        for ts in env.grid:
            if ts in points:
                continue
            if isinstance(filler, float):
                points[ts] = filler
            elif isinstance(filler, Series):
                if ts in filler.points:
                    points[ts] = filler.points[ts]
            elif filler == "REPEAT":
                earlier = [v for t, v in known if t < ts]
                if earlier:
                    points[ts] = earlier[-1]
            elif filler == "LINEAR":
                before = [(t, v) for t, v in known if t < ts]
                after = [(t, v) for t, v in known if t > ts]
                if before and after:
                    (t0, v0), (t1, v1) = before[-1], after[0]
                    points[ts] = v0 + (v1 - v0) * (ts - t0) / (t1 - t0)
            else:
                raise ExpressionError(f"Invalid FILL value: {filler}")
        return replace(series, points=points)

    return [peras_series(s) for s in target] if isinstance(target, list) else peras_series(target)


def _if(args: list[Value | str], env: Environment) -> Value:
    if len(args) not in (2, 3) or any(isinstance(a, str | list) for a in args):
        raise ExpressionError("IF expects (condition, value[, value])")
    condition, when_true = args[0], args[1]
    when_false = args[2] if len(args) == 3 else None
    if isinstance(condition, float):
        chosen = when_true if condition else when_false
        if chosen is None:
            return Series(label="IF", period=env.period)
        if isinstance(chosen, float):
            return Series("IF", {ts: chosen for ts in env.grid}, env.period)
        return chosen  # type: ignore[return-value]  # a Series: lists were rejected above
    assert isinstance(condition, Series)
    points = {}
    for ts, flag in condition.points.items():
        chosen = when_true if flag else when_false
        if isinstance(chosen, float):
            points[ts] = chosen
        elif isinstance(chosen, Series):
            if ts in chosen.points:
                points[ts] = chosen.points[ts]
            elif flag:
                points[ts] = 0.0
    return replace(condition, points=points)


def _metrics(args: list[Value | str], env: Environment) -> Value:
    if len(args) > 1 or (args and not isinstance(args[0], str)):
        raise ExpressionError("METRICS expects an optional string")
    needle = args[0] if args else ""
    assert isinstance(needle, str)
    return [
        env.results[query_id]  # type: ignore[misc]  # metric queries hold one Series each
        for query_id in env.metric_ids
        if needle in query_id
    ]


_SORT_KEYS: dict[str, Callable[[list[float]], float]] = {
    "AVG": lambda v: sum(v) / len(v),
    "SUM": sum,
    "MIN": min,
    "MAX": max,
}


def _sort(args: list[Value | str], env: Environment) -> Value:
    if len(args) not in (3, 4) or args[1] not in _SORT_KEYS or args[2] not in ("ASC", "DESC"):
        raise ExpressionError("SORT expects (array, AVG|MIN|MAX|SUM, ASC|DESC[, limit])")
    series = as_array(args[0], "SORT")
    key = _SORT_KEYS[str(args[1])]
    ordered = sorted(
        series,
        key=lambda s: key(list(s.points.values())) if s.points else -math.inf,
        reverse=args[2] == "DESC",
    )
    if len(args) == 4:
        ordered = ordered[: int(float(args[3]))]  # type: ignore[arg-type]
    return ordered


def _slice(args: list[Value | str], env: Environment) -> Value:
    if len(args) not in (2, 3) or not all(isinstance(a, float) for a in args[1:]):
        raise ExpressionError("SLICE expects (array, start[, end])")
    series = as_array(args[0], "SLICE")
    start = int(args[1])  # type: ignore[arg-type]
    end = int(args[2]) if len(args) == 3 else len(series)  # type: ignore[arg-type]
    return series[start:end]


def _pick(index: int, name: str) -> _Function:
    def apply(args: list[Value | str], env: Environment) -> Value:
        series = as_array(one_argument(args, name), name)
        if not series:
            raise ExpressionError(f"{name} of an empty array")
        return series[index]

    return apply


def _time_function(fn: Callable[[datetime], float], name: str) -> _Function:
    def apply(args: list[Value | str], env: Environment) -> Value:
        as_series(one_argument(args, name))
        points = {ts: fn(datetime.fromtimestamp(ts, UTC)) for ts in env.grid}
        return Series(name, points, env.period)

    return apply


def _time_series(args: list[Value | str], env: Environment) -> Value:
    value = one_argument(args, "TIME_SERIES")
    if not isinstance(value, float):
        raise ExpressionError("TIME_SERIES expects a scalar")
    return Series("TIME_SERIES", {ts: value for ts in env.grid if math.isfinite(value)}, env.period)


def _period(args: list[Value | str], env: Environment) -> Value:
    return float(as_series(one_argument(args, "PERIOD")).period)


def _count(args: list[Value | str], env: Environment) -> Value:
    value = one_argument(args, "DATAPOINT_COUNT")
    if isinstance(value, Series):
        return float(len(value.points))
    return _reduction(lambda v: float(len(v)), "DATAPOINT_COUNT", False)(args, env)


FUNCTIONS: dict[str, _Function] = {
    "ABS": _elementwise(abs, "ABS"),
    "CEIL": _elementwise(lambda v: float(math.ceil(v)), "CEIL"),
    "FLOOR": _elementwise(lambda v: float(math.floor(v)), "FLOOR"),
    "LOG": _elementwise(lambda v: math.log(v) if v > 0 else None, "LOG"),
    "LOG10": _elementwise(lambda v: math.log10(v) if v > 0 else None, "LOG10"),
    "AVG": _reduction(lambda v: sum(v) / len(v), "AVG", True),
    "SUM": _reduction(sum, "SUM", False),
    "MIN": _reduction(min, "MIN", False),
    "MAX": _reduction(max, "MAX", False),
    "STDDEV": _reduction(_stddev, "STDDEV", False),
    "DATAPOINT_COUNT": _count,
    "METRIC_COUNT": lambda args, env: float(
        len(as_array(one_argument(args, "METRIC_COUNT"), "METRIC_COUNT"))
    ),
    "DIFF": _consecutive(lambda t0, v0, t1, v1: v1 - v0, "DIFF"),
    "DIFF_TIME": _consecutive(lambda t0, v0, t1, v1: t1 - t0, "DIFF_TIME"),
    "RATE": _consecutive(lambda t0, v0, t1, v1: (v1 - v0) / (t1 - t0), "RATE"),
    "RUNNING_SUM": _running_sum,
    "FILL": _fill,
    "IF": _if,
    "METRICS": _metrics,
    "SORT": _sort,
    "SLICE": _slice,
    "FIRST": _pick(0, "FIRST"),
    "LAST": _pick(-1, "LAST"),
    "REMOVE_EMPTY": lambda args, env: [
        s for s in as_array(one_argument(args, "REMOVE_EMPTY"), "REMOVE_EMPTY") if s.points
    ],
    "TIME_SERIES": _time_series,
    "PERIOD": _period,
    "MINUTE": _time_function(lambda d: float(d.minute), "MINUTE"),
    "HOUR": _time_function(lambda d: float(d.hour), "HOUR"),
    "DAY": _time_function(lambda d: float(d.isoweekday()), "DAY"),
    "DATE": _time_function(lambda d: float(d.day), "DATE"),
    "MONTH": _time_function(lambda d: float(d.month), "MONTH"),
    "YEAR": _time_function(lambda d: float(d.year), "YEAR"),
    "EPOCH": _time_function(lambda d: d.timestamp(), "EPOCH"),
}
