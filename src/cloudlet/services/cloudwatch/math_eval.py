"""Metric math evaluation: the AST walk and the operators (functions: `math_functions`; value
types: `math_values`).

Values are `float` (scalar, S), `Series` (TS: sparse points on the query's period grid) and
`list[Series]` (TS[]). Rules from AWS's metric math reference:

- Arithmetic between two series uses every timestamp either has, a missing value counting as 0;
  a division by zero drops the point. Comparisons (== != < <= > >=) and logic (AND OR) give 1 or
  0 per point, missing values counting as 0.
- An operator or function applied to an array applies to each of its series.
- SUM, AVG, MIN, MAX, STDDEV and DATAPOINT_COUNT of one series give a scalar over its points; of
  an array, a series over the series' points at each timestamp (AVG counting missing as 0).
- FILL, RATE, DIFF, DIFF_TIME, RUNNING_SUM, IF, TIME_SERIES, METRICS, SORT, SLICE, FIRST, LAST,
  REMOVE_EMPTY, METRIC_COUNT, PERIOD and the time functions (MINUTE … EPOCH) as documented.

Unsupported functions (SEARCH, ANOMALY_DETECTION_BAND, INSIGHT_RULE_METRIC, SERVICE_QUOTA, ...)
are reported as errors naming them.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import replace

from cloudlet.services.cloudwatch.math_functions import FUNCTIONS
from cloudlet.services.cloudwatch.math_parser import (
    Array,
    Binary,
    ExpressionError,
    Keyword,
    Negate,
    Node,
    Number,
    Ref,
    String,
)
from cloudlet.services.cloudwatch.math_values import (
    Environment,
    Series,
    Value,
    as_series,
    map_series,
    map_value,
)

__all__ = ["Environment", "Series", "Value", "evaluate"]


def evaluate(node: Node, env: Environment) -> Value | str:
    """The value of `node`; bare keywords evaluate to their name."""
    if isinstance(node, Number):
        return node.value
    if isinstance(node, String | Keyword):
        return node.value if isinstance(node, String) else node.name
    if isinstance(node, Ref):
        if node.id not in env.results:
            raise ExpressionError(f"Unrecognized metric id: {node.id}")
        return env.results[node.id]
    if isinstance(node, Negate):
        return map_value(_value(evaluate(node.operand, env)), operator.neg)
    if isinstance(node, Binary):
        left = _value(evaluate(node.left, env))
        right = _value(evaluate(node.right, env))
        return _binary(node.op, left, right)
    if isinstance(node, Array):
        items: list[Series] = []
        for item in node.items:
            value = _value(evaluate(item, env))
            if isinstance(value, float):
                raise ExpressionError("An array can only contain time series")
            items.extend(value if isinstance(value, list) else [value])
        return items
    function = FUNCTIONS.get(node.name)
    if function is None:
        raise ExpressionError(f"Unsupported function: {node.name}")
    return function([evaluate(arg, env) for arg in node.args], env)


def _value(value: Value | str) -> Value:
    if isinstance(value, str):
        raise ExpressionError(f"Unexpected keyword: {value}")
    return value


def _divide(a: float, b: float) -> float | None:
    return None if b == 0 else a / b


def _power(a: float, b: float) -> float | None:
    try:
        result = a**b
    except (OverflowError, ZeroDivisionError):
        return None
    return result if isinstance(result, float | int) else None


_ARITHMETIC: dict[str, Callable[[float, float], float | None]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": _divide,
    "^": _power,
    "==": lambda a, b: float(a == b),
    "!=": lambda a, b: float(a != b),
    "<": lambda a, b: float(a < b),
    "<=": lambda a, b: float(a <= b),
    ">": lambda a, b: float(a > b),
    ">=": lambda a, b: float(a >= b),
    "AND": lambda a, b: float(bool(a) and bool(b)),
    "OR": lambda a, b: float(bool(a) or bool(b)),
}


def _binary(op: str, left: Value, right: Value) -> Value:
    fn = _ARITHMETIC[op]
    if isinstance(left, list):
        return [as_series(_binary(op, s, right)) for s in left]
    if isinstance(right, list):
        return [as_series(_binary(op, left, s)) for s in right]
    if isinstance(left, Series) and isinstance(right, Series):
        points = {}
        for ts in left.points.keys() | right.points.keys():
            result = fn(left.points.get(ts, 0.0), right.points.get(ts, 0.0))
            if result is not None and math.isfinite(result):
                points[ts] = float(result)
        return replace(left, points=points)
    if isinstance(left, Series):
        assert isinstance(right, float)
        scalar = right
        return map_series(left, lambda v: fn(v, scalar))
    if isinstance(right, Series):
        return map_series(right, lambda v: fn(left, v))
    result = fn(left, right)
    return math.nan if result is None else float(result)
