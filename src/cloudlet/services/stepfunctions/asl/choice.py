"""Choice rules: compiled once into predicates over an `Env`.

JSONPath rules compare `Variable` (a path into the input, the context object or a variable) with
a literal or, for the `...Path` twins, with another path; `And`/`Or`/`Not` combine rules. A value
of the wrong type makes a comparison false; a `Variable` that selects nothing fails the state with
`States.Runtime`, except for `IsPresent`. JSONata rules carry one `Condition` expression.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cloudlet.services.stepfunctions.asl import jsonata
from cloudlet.services.stepfunctions.asl.errors import QUERY_EVALUATION, RUNTIME, StatesError
from cloudlet.services.stepfunctions.asl.payload import Env, Ref, compile_ref

Predicate = Callable[[Env], bool]

_TIMESTAMP = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
)


def parse_timestamp(value: Any) -> datetime | None:
    """An RFC 3339 timestamp (uppercase `T`, `Z` or an offset), else None."""
    if not isinstance(value, str):
        return None
    match = _TIMESTAMP.match(value)
    if match is None:
        return None
    text = value.replace("Z", "+00:00")
    fraction = match.group(7)
    if fraction and len(fraction) > 7:
        text = text.replace(fraction, fraction[:7])
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _string(op: Callable[[str, str], bool]) -> Callable[[Any, Any], bool]:
    return lambda a, b: isinstance(a, str) and isinstance(b, str) and op(a, b)


def _numeric(op: Callable[[float, float], bool]) -> Callable[[Any, Any], bool]:
    return lambda a, b: _is_number(a) and _is_number(b) and op(a, b)


def _timestamp(op: Callable[[datetime, datetime], bool]) -> Callable[[Any, Any], bool]:
    def compare(a: Any, b: Any) -> bool:
        left, right = parse_timestamp(a), parse_timestamp(b)
        return left is not None and right is not None and op(left, right)

    return compare


def _matches(value: Any, pattern: Any) -> bool:
    if not isinstance(value, str) or not isinstance(pattern, str):
        return False
    regex, i = "", 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            regex += re.escape(pattern[i + 1])
            i += 2
            continue
        regex += ".*" if char == "*" else re.escape(char)
        i += 1
    return re.fullmatch(regex, value, re.DOTALL) is not None


_EQ, _LT, _GT = (lambda a, b: a == b), (lambda a, b: a < b), (lambda a, b: a > b)
_LE, _GE = (lambda a, b: a <= b), (lambda a, b: a >= b)

COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "StringEquals": _string(_EQ),
    "StringLessThan": _string(_LT),
    "StringGreaterThan": _string(_GT),
    "StringLessThanEquals": _string(_LE),
    "StringGreaterThanEquals": _string(_GE),
    "NumericEquals": _numeric(_EQ),
    "NumericLessThan": _numeric(_LT),
    "NumericGreaterThan": _numeric(_GT),
    "NumericLessThanEquals": _numeric(_LE),
    "NumericGreaterThanEquals": _numeric(_GE),
    "BooleanEquals": lambda a, b: isinstance(a, bool) and isinstance(b, bool) and a == b,
    "TimestampEquals": _timestamp(_EQ),
    "TimestampLessThan": _timestamp(_LT),
    "TimestampGreaterThan": _timestamp(_GT),
    "TimestampLessThanEquals": _timestamp(_LE),
    "TimestampGreaterThanEquals": _timestamp(_GE),
}
PATH_COMPARISONS = {f"{name}Path": op for name, op in COMPARISONS.items()}
COMPARISONS["StringMatches"] = _matches

TYPE_TESTS: dict[str, Callable[[Any], bool]] = {
    "IsNull": lambda v: v is None,
    "IsNumeric": _is_number,
    "IsString": lambda v: isinstance(v, str),
    "IsBoolean": lambda v: isinstance(v, bool),
    "IsTimestamp": lambda v: parse_timestamp(v) is not None,
}

OPERATORS = frozenset(COMPARISONS) | frozenset(PATH_COMPARISONS) | frozenset(TYPE_TESTS)
OPERATORS = OPERATORS | {"IsPresent"}


@dataclass
class Rule:
    """One top-level choice rule."""

    next: str
    test: Predicate
    assign: Any = None
    output: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


_UNSET = object()


def _lookup(ref: Ref, env: Env) -> Any:
    """The value `ref` selects, or `_UNSET` when it selects nothing."""
    try:
        return ref.resolve(env, "Variable")
    except StatesError:
        return _UNSET


def compile_rule(raw: dict[str, Any]) -> Predicate:
    """A predicate for one (possibly nested) JSONPath rule."""
    if "And" in raw:
        parts = [compile_rule(r) for r in raw["And"]]
        return lambda env: all(p(env) for p in parts)
    if "Or" in raw:
        parts = [compile_rule(r) for r in raw["Or"]]
        return lambda env: any(p(env) for p in parts)
    if "Not" in raw:
        inner = compile_rule(raw["Not"])
        return lambda env: not inner(env)
    variable_text = raw["Variable"]
    variable = compile_ref(variable_text)
    operator = next(key for key in raw if key in OPERATORS)
    operand = raw[operator]

    def value_of(env: Env) -> Any:
        value = _lookup(variable, env)
        if value is _UNSET:
            raise StatesError(
                RUNTIME,
                f"Invalid path '{variable_text}': The choice state's condition path references"
                " an invalid value.",
            )
        return value

    if operator == "IsPresent":
        return lambda env: (_lookup(variable, env) is not _UNSET) == operand
    if operator in TYPE_TESTS:
        check = TYPE_TESTS[operator]

        def type_test(env: Env) -> bool:
            value = _lookup(variable, env)
            if value is _UNSET:
                return False
            return check(value) == operand

        return type_test
    if operator in PATH_COMPARISONS:
        compare = PATH_COMPARISONS[operator]
        other = compile_ref(operand)

        def path_test(env: Env) -> bool:
            right = _lookup(other, env)
            if right is _UNSET:
                raise StatesError(
                    RUNTIME,
                    f"Invalid path '{operand}': The choice state's condition path references"
                    " an invalid value.",
                )
            return compare(value_of(env), right)

        return path_test
    compare = COMPARISONS[operator]
    return lambda env: compare(value_of(env), operand)


def compile_condition(text: str) -> Callable[[dict[str, Any]], bool]:
    """A JSONata `Condition`: must evaluate to a boolean."""
    expression = jsonata.expression_text(text)
    jsonata.compile_expression(expression)

    def test(bindings: dict[str, Any]) -> bool:
        value = jsonata.evaluate(expression, bindings, "Condition")
        if not isinstance(value, bool):
            raise StatesError(
                QUERY_EVALUATION,
                f"The JSONata expression '{expression}' specified for the field 'Condition' must"
                f" return a boolean value.",
            )
        return value

    return test
