"""Event filtering for event source mappings: the EventBridge pattern grammar Lambda accepts.

A mapping's `FilterCriteria` holds up to five `Filters`, each a JSON `Pattern`; a record goes to
the function when it matches any of them, and a record that matches none is dropped (counted as
processed, so the checkpoint moves past it). `compile_criteria` validates every pattern once
(AWS's error for any malformed one: `InvalidParameterValueException` "Invalid filter pattern
definition.") and returns a `Criteria` whose `matches(record)` is called per record.

The grammar is the subset AWS documents for Lambda event filtering
(https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html):

    pattern   {"key": [rule, ...], "key": {nested pattern}, "$or": [pattern, pattern, ...]}
    rule      "text" | 12.5 | true | null                 equals (null: the value is null)
              {"equals-ignore-case": "text"}
              {"prefix": "text"}   {"suffix": "text"}     begins / ends with
              {"anything-but": value | [values] | {"prefix"|"suffix"|"equals-ignore-case": ...}}
              {"numeric": ["=", 5]}  {"numeric": [">", 0, "<=", 10]}
              {"exists": true | false}

Matching follows EventBridge: the keys of one pattern are ANDed, the rules of one key ORed; a
value that is a list matches when any element does; a missing field only matches
`{"exists": false}`; numeric rules only match JSON numbers (DynamoDB's `{"N": "5"}` is a string,
so AWS's numeric rules do not apply to it either); `[]` matches nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cloudlet.errors import ServiceError

Rule = Callable[[bool, Any], bool]
"""A compiled rule: (field present, value) → match."""

MAX_FILTERS = 5
"""Filters per event source mapping (AWS's default quota)."""

_NUMERIC_OPS = {
    "=": lambda a, b: a == b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
}
_MISSING = object()


class InvalidPattern(ValueError):
    """A pattern outside the grammar."""


def invalid_filter() -> ServiceError:
    return ServiceError(
        "Invalid filter pattern definition.",
        code="InvalidParameterValueException",
        fields={"Type": "User"},
    )


@dataclass(frozen=True)
class Criteria:
    """The compiled filters of one mapping (no filters: everything matches)."""

    patterns: tuple[Callable[[Any], bool], ...] = ()

    def matches(self, event: Any) -> bool:
        return not self.patterns or any(pattern(event) for pattern in self.patterns)


def compile_criteria(criteria: dict[str, Any] | None) -> Criteria:
    """Compile a `FilterCriteria` member; raises AWS's error for a malformed pattern."""
    filters = (criteria or {}).get("Filters") or []
    compiled = []
    for entry in filters:
        text = entry.get("Pattern")
        try:
            pattern = json.loads(text) if isinstance(text, str) else None
            compiled.append(compile_pattern(pattern))
        except (InvalidPattern, ValueError, TypeError) as exc:
            raise invalid_filter() from exc
    return Criteria(tuple(compiled))


def compile_pattern(pattern: Any) -> Callable[[Any], bool]:
    """One pattern object → a predicate over an event (a JSON value)."""
    if not isinstance(pattern, dict) or not pattern:
        raise InvalidPattern("a pattern is a non-empty JSON object")
    checks: list[Callable[[Any], bool]] = []
    for key, spec in pattern.items():
        if key == "$or":
            if not isinstance(spec, list) or len(spec) < 2:
                raise InvalidPattern("$or takes a list of at least two patterns")
            checks.append(_any_of([compile_pattern(part) for part in spec]))
        elif isinstance(spec, dict):
            checks.append(_nested(key, compile_pattern(spec)))
        elif isinstance(spec, list):
            checks.append(_field(key, [_compile_rule(rule) for rule in spec]))
        else:
            raise InvalidPattern(f"the value of {key!r} must be a list or an object")
    return lambda event: all(check(event) for check in checks)


def _any_of(alternatives: list[Callable[[Any], bool]]) -> Callable[[Any], bool]:
    return lambda event: any(alternative(event) for alternative in alternatives)


def _nested(key: str, pattern: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda event: pattern(_child(event, key, {}))


def _field(key: str, rules: list[Rule]) -> Callable[[Any], bool]:
    return lambda event: _match_field(_child(event, key), rules)


def _child(event: Any, key: str, default: Any = _MISSING) -> Any:
    if isinstance(event, dict) and key in event:
        return event[key]
    return default


def _match_field(value: Any, rules: list[Rule]) -> bool:
    if value is _MISSING:
        return any(rule(False, None) for rule in rules)
    if isinstance(value, list):
        return any(rule(True, item) for item in value for rule in rules)
    return any(rule(True, value) for rule in rules)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _equals(expected: Any) -> Rule:
    if expected is None:
        return lambda present, value: present and value is None
    if _is_number(expected):
        return lambda present, value: present and _is_number(value) and value == expected
    if isinstance(expected, bool):
        return lambda present, value: present and value is expected
    return lambda present, value: present and isinstance(value, str) and value == expected


def _compile_rule(rule: Any) -> Rule:
    if not isinstance(rule, dict):
        if isinstance(rule, list):
            raise InvalidPattern("rules are values or single-operator objects")
        return _equals(rule)
    if len(rule) != 1:
        raise InvalidPattern("a rule object has exactly one operator")
    ((operator, operand),) = rule.items()
    if operator == "exists":
        if not isinstance(operand, bool):
            raise InvalidPattern("exists takes true or false")
        return lambda present, value: present is operand
    if operator in ("prefix", "suffix", "equals-ignore-case"):
        return _string_rule(operator, operand)
    if operator == "numeric":
        return _numeric_rule(operand)
    if operator == "anything-but":
        return _anything_but(operand)
    raise InvalidPattern(f"unsupported operator {operator!r}")


def _string_rule(operator: str, operand: Any) -> Rule:
    if operator == "prefix" and isinstance(operand, dict):
        # {"prefix": {"equals-ignore-case": "abc"}}: begins with, ignoring case.
        if list(operand) != ["equals-ignore-case"] or not isinstance(
            operand["equals-ignore-case"], str
        ):
            raise InvalidPattern("prefix takes a string")
        folded = operand["equals-ignore-case"].casefold()
        return lambda p, v: p and isinstance(v, str) and v.casefold().startswith(folded)
    if not isinstance(operand, str):
        raise InvalidPattern(f"{operator} takes a string")
    if operator == "prefix":
        return lambda p, v: p and isinstance(v, str) and v.startswith(operand)
    if operator == "suffix":
        return lambda p, v: p and isinstance(v, str) and v.endswith(operand)
    folded = operand.casefold()
    return lambda p, v: p and isinstance(v, str) and v.casefold() == folded


def _numeric_rule(operand: Any) -> Rule:
    if not isinstance(operand, list) or len(operand) not in (2, 4):
        raise InvalidPattern("numeric takes [op, n] or [op, n, op, n]")
    comparisons: list[tuple[str, float]] = []
    for index in range(0, len(operand), 2):
        op, number = operand[index], operand[index + 1]
        if op not in _NUMERIC_OPS or not _is_number(number):
            raise InvalidPattern("numeric takes comparison operators and numbers")
        comparisons.append((op, number))
    if len(comparisons) == 2:
        (low_op, low), (high_op, high) = comparisons
        if low_op not in (">", ">=") or high_op not in ("<", "<=") or low > high:
            raise InvalidPattern("a numeric range is a lower then an upper bound")
    return lambda p, v: p and _is_number(v) and all(_NUMERIC_OPS[op](v, n) for op, n in comparisons)


def _anything_but(operand: Any) -> Rule:
    if isinstance(operand, dict):
        operator, value = _single(operand)
        listed = operator == "equals-ignore-case" and isinstance(value, list)
        inner = [_string_rule(operator, item) for item in (value if listed else [value])]
        if not inner:
            raise InvalidPattern("anything-but takes at least one value")
        return lambda p, v: p and isinstance(v, str) and not any(r(True, v) for r in inner)
    values = operand if isinstance(operand, list) else [operand]
    if not values or any(isinstance(value, dict | list) or value is None for value in values):
        raise InvalidPattern("anything-but takes values or one string operator")
    excluded = [_equals(value) for value in values]
    return lambda p, v: p and v is not None and not any(rule(True, v) for rule in excluded)


def _single(operand: dict[str, Any]) -> tuple[str, Any]:
    if len(operand) != 1 or next(iter(operand)) not in ("prefix", "suffix", "equals-ignore-case"):
        raise InvalidPattern("anything-but takes prefix, suffix or equals-ignore-case")
    ((operator, value),) = operand.items()
    if operator == "prefix" and not isinstance(value, str):
        raise InvalidPattern("prefix takes a string")
    return operator, value
