"""Evaluation helpers the expression tree calls: paths, comparisons, functions, projections.

Everything works on canonical attribute values (see `types`): numbers are normalised when an item
or an ExpressionAttributeValue is read, so equality is plain equality except for set order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from cloudlet.errors import ServiceError
from cloudlet.services.dynamodb.errors import validation
from cloudlet.services.dynamodb.types import (
    NUMBER_CONTEXT,
    SET_TYPES,
    AttributeValue,
    Item,
    check_number,
    format_number,
)
from cloudlet.services.dynamodb.types import equal as equal

ATTRIBUTE_TYPES = ("B", "NULL", "SS", "BOOL", "L", "BS", "N", "NS", "S", "M")


def resolve(
    elements: Sequence[str | int], item: Item, names: dict[str, str]
) -> AttributeValue | None:
    """The value at a document path, or None where any step is missing or of the wrong type."""
    first = elements[0]
    if type(first) is str and first[:1] == "#":
        first = names[first]
    value = item.get(first)  # type: ignore[arg-type]  # a path starts with a name
    for element in elements[1:]:
        if value is None:
            return None
        if type(element) is int:
            items = value.get("L")
            if items is None or element >= len(items):
                return None
            value = items[element]
        else:
            members = value.get("M")
            if members is None:
                return None
            if element[:1] == "#":  # type: ignore[index]
                element = names[element]  # type: ignore[index]
            value = members.get(element)
    return value


def ordered(a: AttributeValue | None, b: AttributeValue | None) -> tuple[Any, Any] | None:
    """Comparable python values of two scalars of the same type (N, S or B), else None."""
    if a is None or b is None:
        return None
    ((kind, x),) = a.items()
    ((other, y),) = b.items()
    if kind != other:
        return None
    if kind == "N":
        return Decimal(x), Decimal(y)
    if kind == "S" or kind == "B":
        return x, y
    return None


def number(value: Decimal) -> AttributeValue:
    """The N value of an arithmetic result, with AWS's range and precision checks."""
    result = NUMBER_CONTEXT.plus(value) if len(value.as_tuple().digits) > 38 else value
    if result != value:
        raise validation(
            "Number overflow. Attempting to store a number with magnitude larger "
            "than supported range"
        )
    return {"N": format_number(check_number(result))}


def required(value: AttributeValue | None) -> AttributeValue:
    """An operand of SET that must exist in the item."""
    if value is None:
        raise validation(
            "The provided expression refers to an attribute that does not exist in the item"
        )
    return value


def wrong_operand_type() -> ServiceError:
    return validation("An operand in the update expression has an incorrect data type")


def size(value: AttributeValue | None) -> AttributeValue | None:
    if value is None:
        return None
    ((kind, inner),) = value.items()
    if kind in ("S", "B", "SS", "NS", "BS", "M", "L"):
        return {"N": str(len(inner))}
    return None


def _exists(value: AttributeValue | None) -> bool:
    return value is not None


def _not_exists(value: AttributeValue | None) -> bool:
    return value is None


def _type(value: AttributeValue | None, kind: AttributeValue | None) -> bool:
    return value is not None and kind is not None and kind.get("S") in value


def _begins_with(value: AttributeValue | None, prefix: AttributeValue | None) -> bool:
    if value is None or prefix is None:
        return False
    if "S" in value and "S" in prefix:
        return bool(value["S"].startswith(prefix["S"]))
    if "B" in value and "B" in prefix:
        return bool(value["B"].startswith(prefix["B"]))
    return False


def _contains(value: AttributeValue | None, operand: AttributeValue | None) -> bool:
    if value is None or operand is None:
        return False
    ((kind, inner),) = value.items()
    if kind == "S":
        return "S" in operand and operand["S"] in inner
    if kind == "B":
        return "B" in operand and operand["B"] in inner
    if kind in SET_TYPES:
        member = operand.get(SET_TYPES[kind])
        return member is not None and member in inner
    if kind == "L":
        return any(equal(element, operand) for element in inner)
    return False


FUNCTIONS: dict[str, Callable[..., bool]] = {
    "attribute_exists": _exists,
    "attribute_not_exists": _not_exists,
    "attribute_type": _type,
    "begins_with": _begins_with,
    "contains": _contains,
}
"""Condition functions by name, with the number of operands each takes."""

ARITY = {
    "attribute_exists": 1,
    "attribute_not_exists": 1,
    "attribute_type": 2,
    "begins_with": 2,
    "contains": 2,
    "size": 1,
}


def project(item: Item, paths: Sequence[Sequence[str | int]]) -> Item:
    """The parts of `item` the (concrete) document paths select, nested as in the item."""
    result: Item = {}
    for path in paths:
        value = item.get(path[0])  # type: ignore[arg-type]  # a path starts with a name
        if value is None:
            continue
        if len(path) == 1:
            result[path[0]] = value  # type: ignore[index]
            continue
        _project_into(result, path, value)
    return result


def _project_into(result: Item, path: Sequence[str | int], top: AttributeValue) -> None:
    # Walk the source first: a path that does not resolve projects nothing.
    chain: list[AttributeValue] = [top]
    value = top
    for element in path[1:]:
        if type(element) is int:
            items = value.get("L")
            if items is None or element >= len(items):
                return
            value = items[element]
        else:
            members = value.get("M")
            if members is None or element not in members:
                return
            value = members[element]
        chain.append(value)
    # Build (or extend) the nested result: list elements keep their relative order.
    container: Any = result
    key: Any = path[0]
    for depth, element in enumerate(path[1:]):
        source = chain[depth]
        if key not in container:
            container[key] = {"M": {}} if "M" in source else {"L": {}}
        node = container[key]
        container = node["M"] if "M" in node else node["L"]
        key = element
    container[key] = chain[-1]


def finish_projection(item: Item) -> Item:
    """Turn the index-keyed dicts `_project_into` builds for lists back into lists."""
    return {name: _finish(value) for name, value in item.items()}


def _finish(value: AttributeValue) -> AttributeValue:
    if "L" in value and isinstance(value["L"], dict):
        return {"L": [_finish(value["L"][index]) for index in sorted(value["L"])]}
    if "M" in value and value["M"] and any(isinstance(v, dict) for v in value["M"].values()):
        return {"M": {name: _finish(item) for name, item in value["M"].items()}}
    return value
