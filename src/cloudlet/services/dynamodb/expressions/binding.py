"""Binding one request's expressions to its ExpressionAttributeNames and Values.

AWS checks, in this order: each expression parses; every placeholder an expression uses is
defined (`Invalid <Kind>Expression: An expression attribute name used in the document path is not
defined; attribute name: #n`); every defined placeholder is used by some expression
(`Value provided in ExpressionAttributeNames unused in expressions: keys: {#n}`).
"""

from __future__ import annotations

from typing import Any

from cloudlet.errors import ServiceError
from cloudlet.services.dynamodb.errors import expression_error, request_error, validation
from cloudlet.services.dynamodb.expressions import ast
from cloudlet.services.dynamodb.expressions.ast import Scope
from cloudlet.services.dynamodb.expressions.parser import (
    Parsed,
    parse_condition,
    parse_projection,
    parse_update,
)
from cloudlet.services.dynamodb.expressions.update import check_overlaps
from cloudlet.services.dynamodb.types import AttributeValueError, NestingTooDeep, check_value

EMPTY_SCOPE = Scope({}, {})

MAX_EXPRESSION_BYTES = 4096
"""Each expression, measured as sent (placeholders not substituted)."""

_LEGACY = {
    "ConditionExpression": "Expected",
    "FilterExpression": "QueryFilter",
    "KeyConditionExpression": "KeyConditions",
    "ProjectionExpression": "AttributesToGet",
    "UpdateExpression": "AttributeUpdates",
}


def read_expressions(
    request: dict[str, Any], legacy: tuple[str, ...], members: tuple[str, ...]
) -> tuple[list[tuple[str, Parsed]], Scope]:
    """The request's expressions among `members`, parsed and bound to its placeholders, after
    AWS's checks: no `legacy` parameter beside them, no undefined or unused placeholder."""
    for member in members:
        if request.get(member) is not None:
            break
    else:
        names, values = (
            request.get("ExpressionAttributeNames"),
            request.get("ExpressionAttributeValues"),
        )
        if names is None and values is None:
            return [], EMPTY_SCOPE  # no expression at all: the common GetItem and PutItem
    check_mixing(request, legacy, members)
    parsed = parse_all(request, members)
    return parsed, bind(request, parsed)


def parse_all(request: dict[str, Any], members: tuple[str, ...]) -> list[tuple[str, Parsed]]:
    """Parse the expression members of `request` named in `members` (in AWS's order)."""
    parsed = []
    for member in members:
        source = request.get(member)
        if source is None:
            continue
        kind = member[: -len("Expression")]
        if not source.strip():
            raise request_error(f"Invalid {kind}Expression: The expression can not be empty;")
        size = len(source.encode())
        if size > MAX_EXPRESSION_BYTES:
            raise expression_error(
                kind,
                f"Expression size has exceeded the maximum allowed size; expression size: {size}",
            )
        if kind == "Update":
            parsed.append((kind, parse_update(source)))
        elif kind == "Projection":
            parsed.append((kind, parse_projection(source)))
        else:
            parsed.append((kind, parse_condition(source, kind)))
    return parsed


def check_mixing(
    request: dict[str, Any], legacy: tuple[str, ...], expressions: tuple[str, ...]
) -> None:
    """AWS refuses legacy and expression parameters in one request."""
    old = [name for name in legacy if request.get(name) is not None]
    if not old:
        return
    new = [name for name in expressions if request.get(name) is not None]
    if new:
        raise validation(
            "Can not use both expression and non-expression parameters in the same request: "
            f"Non-expression parameters: {{{', '.join(old)}}} "
            f"Expression parameters: {{{', '.join(new)}}}"
        )


def bind(request: dict[str, Any], parsed: list[tuple[str, Parsed]]) -> Scope:
    """The request's Scope, after AWS's checks of undefined and unused placeholders."""
    names: dict[str, str] | None = request.get("ExpressionAttributeNames")
    values: dict[str, Any] | None = request.get("ExpressionAttributeValues")
    if not parsed:
        if names is not None:
            raise request_error(
                "ExpressionAttributeNames can only be specified when using expressions"
            )
        if values is not None:
            raise request_error(
                "ExpressionAttributeValues can only be specified when using expressions"
            )
        return EMPTY_SCOPE
    if names is not None and not names:
        raise request_error("ExpressionAttributeNames must not be empty")
    if values is not None and not values:
        raise request_error("ExpressionAttributeValues must not be empty")
    names = names or {}
    values = values or {}
    used_names: set[str] = set()
    used_values: set[str] = set()
    for kind, expression in parsed:
        for name in sorted(expression.names):
            if name not in names:
                raise request_error(
                    f"Invalid {kind}Expression: An expression attribute name used in the "
                    f"document path is not defined; attribute name: {name}"
                )
        for value in sorted(expression.values):
            if value not in values:
                raise request_error(
                    f"Invalid {kind}Expression: An expression attribute value used in "
                    f"expression is not defined; attribute value: {value}"
                )
        used_names |= expression.names
        used_values |= expression.values
    unused = [name for name in names if name not in used_names]
    if unused:
        raise request_error(
            "Value provided in ExpressionAttributeNames unused in expressions: "
            f"keys: {{{', '.join(unused)}}}"
        )
    unused = [value for value in values if value not in used_values]
    if unused:
        raise request_error(
            "Value provided in ExpressionAttributeValues unused in expressions: "
            f"keys: {{{', '.join(unused)}}}"
        )
    scope = Scope(names, {key: _checked(key, value) for key, value in values.items()})
    for kind, expression in parsed:
        if kind in ("Condition", "Filter"):
            _check_distinct(kind, expression.tree, scope)
        elif kind == "Projection":
            check_overlaps(kind, [path.concrete(scope) for path in expression.tree])
    return scope


def _check_distinct(kind: str, node: ast.Condition, scope: Scope) -> None:
    """AWS refuses a comparison or function whose first operand, a path, is among the others."""
    if isinstance(node, ast.And | ast.Or):
        _check_distinct(kind, node.left, scope)
        _check_distinct(kind, node.right, scope)
        return
    if isinstance(node, ast.Not):
        _check_distinct(kind, node.inner, scope)
        return
    rest: tuple[ast.Operand, ...]
    if isinstance(node, ast.Compare):
        operator, first, rest = node.op, node.left, (node.right,)
    elif isinstance(node, ast.Between):
        operator, first, rest = "BETWEEN", node.subject, (node.low, node.high)
    elif isinstance(node, ast.In):
        operator, first, rest = "IN", node.subject, node.choices
    elif isinstance(node, ast.Function):
        operator, first, rest = node.name, node.args[0], node.args[1:]
    else:
        return
    if not isinstance(first, ast.Path):
        return
    path = first.concrete(scope)
    if any(isinstance(other, ast.Path) and other.concrete(scope) == path for other in rest):
        shown = ", ".join(str(element) for element in path)
        raise expression_error(
            kind,
            "The first operand must be distinct from the remaining operands for this operator or "
            f"function; operator: {operator}, first operand: [{shown}]",
        )


def _checked(key: str, value: Any) -> Any:
    try:
        return check_value(value)
    except NestingTooDeep:
        raise
    except AttributeValueError as error:  # the current layer names no placeholder
        raise AttributeValueError(error.message, _invalid_value(error.older, key)) from error
    except ServiceError as error:
        raise validation(_invalid_value(error.message, key)) from error


def _invalid_value(message: str, key: str) -> str:
    return f"ExpressionAttributeValues contains invalid value: {message} for key {key}"
