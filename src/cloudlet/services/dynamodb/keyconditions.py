"""Key conditions: the partition key's value and the sort key's condition as byte bounds.

A KeyConditionExpression (or legacy KeyConditions) must be `hash = v` and at most one condition on
the sort key: `=`, `<`, `<=`, `>`, `>=`, `BETWEEN` or `begins_with`. `RangeBounds` turns the sort
condition into `low <= column < high` on the encoded range column; because every encoding is
self-delimiting and an index row appends the table key after the index sort key, `enc(v) + 0xFF`
is above every row whose sort key equals `v`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cloudlet.services.dynamodb import keys
from cloudlet.services.dynamodb.errors import expression_error, invalid, validation
from cloudlet.services.dynamodb.expressions import ast
from cloudlet.services.dynamodb.models import KeyDef, check_key_value
from cloudlet.services.dynamodb.types import AttributeValue, check_value, sort_value

_TOP = b"\xff"

_ORDERED = ("S", "N", "B")
_OPERAND_TYPES = {
    "<": _ORDERED,
    "<=": _ORDERED,
    ">": _ORDERED,
    ">=": _ORDERED,
    "BETWEEN": _ORDERED,
    "begins_with": ("S", "B"),
}
"""The operand types each operator can take on some key at all (`=` takes any)."""


@dataclass(frozen=True)
class RangeBounds:
    low: bytes | None = None
    high: bytes | None = None


def _bounds(op: str, values: list[AttributeValue]) -> RangeBounds:
    first = keys.encode(values[0]) if op != "begins_with" else keys.encode_prefix(values[0])
    if op == "=":
        return RangeBounds(first, first + _TOP)
    if op == "<":
        return RangeBounds(None, first)
    if op == "<=":
        return RangeBounds(None, first + _TOP)
    if op == ">":
        return RangeBounds(first + _TOP, None)
    if op == ">=":
        return RangeBounds(first, None)
    if op == "BETWEEN":
        return RangeBounds(first, keys.encode(values[1]) + _TOP)
    return RangeBounds(first, keys.prefix_end(first))


def _check_types(key: KeyDef, op: str, values: list[AttributeValue]) -> None:
    for value in values:
        if key.type not in value:
            raise invalid("Condition parameter type does not match schema type")
    if op == "begins_with" and key.type == "N":
        raise expression_error(
            "KeyCondition",
            "Incorrect operand type for operator or function; operator or function: begins_with, "
            "operand type: N",
        )
    if op == "BETWEEN" and sort_value(values[0]) > sort_value(values[1]):
        raise expression_error(
            "KeyCondition",
            "The BETWEEN operator requires upper bound to be greater than or equal to lower "
            f"bound; lower bound operand: AttributeValue: {{{key.type}:{values[0][key.type]}}}, "
            f"upper bound operand: AttributeValue: {{{key.type}:{values[1][key.type]}}}",
        )


def _finish(
    conditions: dict[str, tuple[str, list[AttributeValue]]],
    hash_key: KeyDef,
    range_key: KeyDef | None,
) -> tuple[AttributeValue, RangeBounds]:
    if hash_key.name not in conditions:
        raise validation(f"Query condition missed key schema element: {hash_key.name}")
    op, values = conditions.pop(hash_key.name)
    if op != "=":
        raise validation("Query key condition not supported")
    _check_types(hash_key, op, values)
    check_key_value(hash_key, values[0])
    if not conditions:
        return values[0], RangeBounds()
    name, (range_op, range_values) = next(iter(conditions.items()))
    if range_key is None or name != range_key.name:
        raise validation(
            "Query condition missed key schema element: " + (range_key.name if range_key else name)
        )
    _check_types(range_key, range_op, range_values)
    return values[0], _bounds(range_op, range_values)


def analyse(
    tree: ast.Condition, scope: ast.Scope, hash_key: KeyDef, range_key: KeyDef | None
) -> tuple[AttributeValue, RangeBounds]:
    """(partition key value, sort key bounds) of a KeyConditionExpression whose operand types
    passed `check_operand_types`."""
    conditions: dict[str, tuple[str, list[AttributeValue]]] = {}
    for part in ast.conjuncts(tree):
        op, operands = _part(part)
        path = operands[0].concrete(scope)
        if len(path) != 1:
            raise expression_error(
                "KeyCondition",
                "KeyConditionExpressions cannot have conditions on nested attributes",
            )
        if path[0] in conditions:
            raise expression_error(
                "KeyCondition", "KeyConditionExpressions must only contain one condition per key"
            )
        values = [
            v for v in (operand.value({}, scope) for operand in operands[1:]) if v is not None
        ]
        conditions[str(path[0])] = (op, values)
    key_count = 1 if range_key is None else 2
    if len(conditions) > key_count:
        raise validation(
            f"The number of query conditions ({len(conditions)}) exceeds the number of key "
            f"attributes defined in the schema ({key_count})"
        )
    return _finish(conditions, hash_key, range_key)


def check_operand_types(tree: ast.Condition, values: dict[str, Any]) -> None:
    """AWS's first pass over a KeyConditionExpression, made before its placeholders are resolved
    and its table is read: an operand value no key could match with its operator is refused even
    when another placeholder is undefined or the table does not exist."""
    for part in ast.conjuncts(tree):
        op, operands = _part(part)
        given = [
            values.get(operand.name) for operand in operands if isinstance(operand, ast.ValueRef)
        ]
        _check_operands(
            part.op if isinstance(part, ast.Compare) else op,
            [value for value in given if isinstance(value, dict) and len(value) == 1],
        )


def _check_operands(written: str, values: list[AttributeValue]) -> None:
    """AWS's first pass: an operand no key could match with this operator (`written` as the
    expression has it) is an expression error; one of another key type fails the schema check
    later."""
    allowed = _OPERAND_TYPES.get(written)
    if allowed is None:
        return
    for value in values:
        kind = next(iter(value))
        if kind not in allowed:
            raise expression_error(
                "KeyCondition",
                "Incorrect operand type for operator or function; operator or function: "
                f"{written}, operand type: {kind}",
            )


def _part(node: ast.Condition) -> tuple[str, list[Any]]:
    if isinstance(node, ast.Compare):
        if node.op == "<>":
            raise expression_error(
                "KeyCondition", "Unsupported operator in KeyConditionExpression: <>"
            )
        left, right = node.left, node.right
        if isinstance(right, ast.Path) and not isinstance(left, ast.Path):
            flipped = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}.get(node.op, node.op)
            return flipped, [right, left]
        if isinstance(left, ast.Path) and not isinstance(right, ast.Path):
            return node.op, [left, right]
    elif isinstance(node, ast.Between) and isinstance(node.subject, ast.Path):
        return "BETWEEN", [node.subject, node.low, node.high]
    elif isinstance(node, ast.Function) and node.name == "begins_with":
        return "begins_with", list(node.args)
    operator = {ast.Or: "OR", ast.Not: "NOT", ast.In: "IN"}.get(type(node))
    if operator is None and isinstance(node, ast.Function):
        operator = node.name
    raise expression_error(
        "KeyCondition",
        f"Invalid operator used in KeyConditionExpression: {operator or 'comparison'}",
    )


_LEGACY_OPS = {
    "EQ": "=",
    "LT": "<",
    "LE": "<=",
    "GT": ">",
    "GE": ">=",
    "BETWEEN": "BETWEEN",
    "BEGINS_WITH": "begins_with",
}


def bounds_for_legacy(
    key_conditions: dict[str, Any], hash_key: KeyDef, range_key: KeyDef | None
) -> tuple[AttributeValue, RangeBounds]:
    """The same from legacy KeyConditions."""
    conditions: dict[str, tuple[str, list[AttributeValue]]] = {}
    for name, spec in key_conditions.items():
        op = _LEGACY_OPS.get(spec["ComparisonOperator"])
        if op is None:
            raise validation("Attempted conditional constraint is not an indexable operation")
        values = [check_value(v) for v in spec.get("AttributeValueList") or ()]
        if len(values) != (2 if op == "BETWEEN" else 1):
            raise invalid(
                "Invalid number of argument(s) for the "
                f"{spec['ComparisonOperator']} ComparisonOperator"
            )
        conditions[name] = (op, values)
    return _finish(conditions, hash_key, range_key)
