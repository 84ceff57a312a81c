"""Applying a parsed UpdateExpression to an item.

Every SET value is computed from the item as it was before the update (AWS's semantics), then the
actions are applied to a copy: containers along a modified path are copied, the rest is shared
with the old item, so an update costs what it changes. REMOVEs of list elements run from the
highest index down, so each index refers to the list as it was.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from cloudlet.errors import ServiceError
from cloudlet.services.dynamodb.errors import expression_error, validation
from cloudlet.services.dynamodb.expressions import ast
from cloudlet.services.dynamodb.expressions.evaluate import number
from cloudlet.services.dynamodb.types import SET_TYPES, AttributeValue, Item, in_set_order

Concrete = tuple[str | int, ...]

TYPE_NAMES = {
    "S": "STRING",
    "N": "NUMBER",
    "B": "BINARY",
    "BOOL": "BOOLEAN",
    "NULL": "NULL",
    "M": "MAP",
    "L": "LIST",
    "SS": "STRING_SET",
    "NS": "NUMBER_SET",
    "BS": "BINARY_SET",
}


def invalid_path() -> ServiceError:
    return validation("The document path provided in the update expression is invalid for update")


def check_overlaps(kind: str, paths: list[Concrete]) -> None:
    """AWS refuses two document paths where one contains the other."""
    for index, first in enumerate(paths):
        for second in paths[index + 1 :]:
            shorter = min(len(first), len(second))
            if first[:shorter] == second[:shorter]:
                raise expression_error(
                    kind,
                    "Two document paths overlap with each other; must remove or rewrite one of "
                    f"these paths; path one: {_show(first)}, path two: {_show(second)}",
                )


def _show(path: Concrete) -> str:
    return "[" + ", ".join(f"[{e}]" if isinstance(e, int) else e for e in path) + "]"


def apply(update: ast.Update, item: Item, scope: ast.Scope) -> Item:
    """The item after `update` (the input item is left as it was)."""
    values = [(path.concrete(scope), operand.value(item, scope)) for path, operand in update.set]
    result = dict(item)
    for path, value in values:
        assert value is not None
        _set(result, path, value)
    removals = sorted(
        (path.concrete(scope) for path in update.remove),
        key=lambda p: p[-1] if isinstance(p[-1], int) else -1,
        reverse=True,
    )
    for path in removals:
        _remove(result, path)
    for path_node, operand in update.add:
        _add(result, path_node.concrete(scope), _operand(operand, item, scope))
    for path_node, operand in update.delete:
        _delete(result, path_node.concrete(scope), _operand(operand, item, scope))
    return result


def _operand(operand: ast.Operand, item: Item, scope: ast.Scope) -> AttributeValue:
    value = operand.value(item, scope)
    assert value is not None
    return value


def _container(item: Item, path: Concrete, create: bool = True) -> Any:
    """The (copied) map dict or list holding the last element of `path`, or None if absent."""
    node: Any = item
    for element in path[:-1]:
        if isinstance(node, dict):
            child = node.get(element) if isinstance(element, str) else None
        else:
            child = node[element] if isinstance(element, int) and element < len(node) else None
        if child is None:
            return None
        copied: Any
        if "M" in child:
            copied = {"M": dict(child["M"])}
            inner: Any = copied["M"]
        elif "L" in child:
            copied = {"L": list(child["L"])}
            inner = copied["L"]
        else:
            return None
        node[element] = copied
        node = inner
    return node


def _set(item: Item, path: Concrete, value: AttributeValue) -> None:
    container = _container(item, path)
    last = path[-1]
    if isinstance(last, int):
        if not isinstance(container, list):
            raise invalid_path()
        if last >= len(container):
            container.append(value)
        else:
            container[last] = value
    else:
        if not isinstance(container, dict):
            raise invalid_path()
        container[last] = value


def _remove(item: Item, path: Concrete) -> None:
    container = _container(item, path)
    last = path[-1]
    if isinstance(last, int):
        if isinstance(container, list) and last < len(container):
            del container[last]
    elif isinstance(container, dict):
        container.pop(last, None)


def _get(container: Any, last: str | int) -> AttributeValue | None:
    if isinstance(last, int):
        return container[last] if isinstance(container, list) and last < len(container) else None
    return container.get(last) if isinstance(container, dict) else None


def _add(item: Item, path: Concrete, value: AttributeValue) -> None:
    ((kind, inner),) = value.items()
    if kind != "N" and kind not in SET_TYPES:
        raise expression_error(
            "Update",
            "Incorrect operand type for operator or function; operator: ADD, operand type: "
            + TYPE_NAMES[kind],
        )
    container = _container(item, path)
    if container is None:
        raise invalid_path()
    current = _get(container, path[-1])
    if current is None:
        result = value
    elif kind == "N" and "N" in current:
        result = number(Decimal(current["N"]) + Decimal(inner))
    elif kind in current:
        existing = current[kind]
        added = set(inner).difference(existing)
        result = {kind: in_set_order(kind, [*existing, *added]) if added else existing}
    else:
        raise validation("An operand in the update expression has an incorrect data type")
    _put(container, path[-1], result)


def _delete(item: Item, path: Concrete, value: AttributeValue) -> None:
    ((kind, inner),) = value.items()
    if kind not in SET_TYPES:
        raise expression_error(
            "Update",
            "Incorrect operand type for operator or function; operator: DELETE, operand type: "
            + TYPE_NAMES[kind],
        )
    container = _container(item, path)
    current = _get(container, path[-1]) if container is not None else None
    if current is None:
        return
    if kind not in current:
        raise validation("An operand in the update expression has an incorrect data type")
    removed = set(inner)
    remaining = [member for member in current[kind] if member not in removed]
    if remaining:
        _put(container, path[-1], {kind: remaining})
    else:
        del container[path[-1]]


def _put(container: Any, last: str | int, value: AttributeValue) -> None:
    if isinstance(last, int):
        if last >= len(container):
            container.append(value)
        else:
            container[last] = value
    else:
        container[last] = value
