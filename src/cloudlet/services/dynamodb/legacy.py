"""The legacy parameters, turned into the same trees the expressions parse to.

Expected, QueryFilter and ScanFilter (with ConditionalOperator) become conditions;
KeyConditions a key condition; AttributeUpdates an update; AttributesToGet a projection. Values
are `Literal` operands, so no placeholders are involved.
"""

from __future__ import annotations

from typing import Any

from cloudlet.services.dynamodb.errors import request_error, validation
from cloudlet.services.dynamodb.expressions import ast
from cloudlet.services.dynamodb.types import check_value

_ARGS = {
    "EQ": 1,
    "NE": 1,
    "LE": 1,
    "LT": 1,
    "GE": 1,
    "GT": 1,
    "NOT_NULL": 0,
    "NULL": 0,
    "CONTAINS": 1,
    "NOT_CONTAINS": 1,
    "BEGINS_WITH": 1,
    "BETWEEN": 2,
}
_COMPARE = {"EQ": "=", "NE": "<>", "LE": "<=", "LT": "<", "GE": ">=", "GT": ">"}


def _path(name: str) -> ast.Path:
    return ast.Path((name,))


def _values(spec: dict[str, Any]) -> list[ast.Literal]:
    return [ast.Literal(check_value(value)) for value in spec.get("AttributeValueList") or []]


def condition_for(name: str, spec: dict[str, Any], *, expected: bool = False) -> ast.Condition:
    """One attribute's legacy condition (an `ExpectedAttributeValue` when `expected`, else a
    `Condition` of QueryFilter or ScanFilter)."""
    op = spec.get("ComparisonOperator")
    if op is None:
        exists = spec.get("Exists", True)
        if not exists:
            if spec.get("Value") is not None:
                raise request_error(
                    "One or more parameter values were invalid: Value cannot be used when Exists "
                    "is false for Attribute: " + name
                )
            return ast.Function("attribute_not_exists", (_path(name),))
        if spec.get("Value") is None:
            raise request_error(
                "One or more parameter values were invalid: Value must be provided when Exists is "
                "true for Attribute: " + name
            )
        return ast.Compare("=", _path(name), ast.Literal(check_value(spec["Value"])))
    values = _values(spec)
    if spec.get("Value") is not None:
        if values:
            raise request_error(
                "One or more parameter values were invalid: Value and AttributeValueList cannot "
                f"be used together for Attribute: {name}"
            )
        values = [ast.Literal(check_value(spec["Value"]))]
    elif expected and not values and (op == "IN" or _ARGS.get(op)):
        raise request_error(
            "One or more parameter values were invalid: Value or AttributeValueList must be used "
            f"with ComparisonOperator: {op} for Attribute: {name}"
        )
    arity = _ARGS.get(op)
    if op == "IN":
        if not values:
            raise _arity(op)
        return ast.In(_path(name), tuple(values))
    if arity is None or len(values) != arity:
        raise _arity(op)
    if op in _COMPARE:
        return ast.Compare(_COMPARE[op], _path(name), values[0])
    if op == "NOT_NULL":
        return ast.Function("attribute_exists", (_path(name),))
    if op == "NULL":
        return ast.Function("attribute_not_exists", (_path(name),))
    if op == "CONTAINS":
        return ast.Function("contains", (_path(name), values[0]))
    if op == "NOT_CONTAINS":
        return ast.And(
            ast.Function("attribute_exists", (_path(name),)),
            ast.Not(ast.Function("contains", (_path(name), values[0]))),
        )
    if op == "BEGINS_WITH":
        return ast.Function("begins_with", (_path(name), values[0]))
    return ast.Between(_path(name), values[0], values[1])


def _arity(op: str) -> Exception:
    return request_error(
        "One or more parameter values were invalid: Invalid number of argument(s) for the "
        f"{op} ComparisonOperator"
    )


def conditions(
    specs: dict[str, Any] | None, operator: str | None, *, expected: bool = False
) -> ast.Condition | None:
    """Expected / QueryFilter / ScanFilter, joined with ConditionalOperator (AND by default)."""
    if not specs:
        return None
    nodes = [condition_for(name, spec, expected=expected) for name, spec in specs.items()]
    joined = nodes[0]
    for node in nodes[1:]:
        joined = ast.Or(joined, node) if operator == "OR" else ast.And(joined, node)
    return joined


def update_for(updates: dict[str, Any]) -> ast.Update:
    """AttributeUpdates as an update tree."""
    sets, removes, adds, deletes = [], [], [], []
    for name, spec in updates.items():
        action = spec.get("Action") or "PUT"
        value = spec.get("Value")
        literal = ast.Literal(check_value(value)) if value is not None else None
        if action == "PUT":
            if literal is None:
                raise validation(
                    "One or more parameter values were invalid: Only DELETE action is allowed "
                    "when no attribute value is specified"
                )
            sets.append((_path(name), literal))
        elif action == "DELETE":
            if literal is None:
                removes.append(_path(name))
            else:
                deletes.append((_path(name), literal))
        else:
            if literal is None:
                raise validation(
                    "One or more parameter values were invalid: Only DELETE action is allowed "
                    "when no attribute value is specified"
                )
            adds.append((_path(name), literal))
    return ast.Update(tuple(sets), tuple(removes), tuple(adds), tuple(deletes))


def projection_for(names: list[str] | None) -> tuple[ast.Path, ...] | None:
    if not names:
        return None
    return tuple(_path(name) for name in names)
