"""Constraint checks on parsed input: required members, lengths, sizes and value ranges.

Parsers produce python values of the right types (a wrong type is a parse error); this pass then
checks what the model constrains, like AWS's server-side validation: `required` members present,
`min`/`max` on string and blob lengths, list and map sizes, and number values. Patterns are not
enforced (advisory in many models), and enums only for the services whose servers enforce them
(`CORAL_SERVICES`: most AWS services accept new enum values before SDKs know them). For those,
several faults are also listed in the order DynamoDB's Coral lists them: a structure's members in
the iteration order of a `java.util.HashMap` keyed by their lowerCamel names (`_coral_ranks`;
checked against AWS's messages for Query, Scan, UpdateItem and CreateTable), and each enum's
values as AWS prints them (`CORAL_ENUM_ORDER`).

Each input shape is compiled once into a tree of small closures (`_compile`) that visit only the
members that can break a constraint at all, so a request costs a few dictionary lookups per
member it sends. Recursive shapes (DynamoDB's `AttributeValue`) compile once per shape name and
refer to themselves through a cell.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from botocore.model import Shape

from cloudlet.protocol.faults import Issue, MapKey

Path = tuple[str | int, ...]
Check = Callable[[Any, Path, list[Issue]], None]
"""Checks one non-None value at a path, appending what it breaks."""


CORAL_SERVICES = frozenset({"dynamodb", "dynamodbstreams"})
"""Services whose servers refuse a string outside its shape's enum and list faults in Coral's
order, as DynamoDB's do."""

CORAL_ENUM_ORDER = {
    "ComparisonOperator": (
        "IN", "NULL", "BETWEEN", "LT", "NOT_CONTAINS", "EQ", "GT", "NOT_NULL", "NE", "LE",
        "BEGINS_WITH", "GE", "CONTAINS",
    ),
    "ConditionalOperator": ("OR", "AND"),
    "ReturnValue": ("ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW"),
}  # fmt: skip
"""Enums whose values DynamoDB prints in an order of its own (the others: the model's order)."""


def validate(shape: Shape, params: dict[str, Any], *, coral: bool = False) -> list[Issue]:
    """Every constraint `params` (the parsed input of `shape`) breaks; empty when valid. With
    `coral`, strings must also be one of their shape's enum values, and faults come in Coral's
    order."""
    issues: list[Issue] = []
    check = _checker(shape, coral)
    if check is not None:
        check(params, (), issues)
    return issues


@functools.cache
def _checker(shape: Shape, coral: bool) -> Check | None:
    return _compile(shape, Cells(coral))


@functools.cache
def _has_checks(shape: Shape, enums: bool) -> bool:
    """Whether any value of `shape` could break a constraint (saves walking plain subtrees)."""
    return _walk_has_checks(shape, enums, set())


def _walk_has_checks(shape: Shape, enums: bool, seen: set[str]) -> bool:
    if shape.metadata.get("min") is not None or shape.metadata.get("max") is not None:
        return True
    if enums and shape.metadata.get("enum"):
        return True
    if shape.name in seen:
        return False
    seen.add(shape.name)
    type_name = shape.type_name
    if type_name == "structure":
        if shape.metadata.get("required") and not shape.is_document_type:
            return True
        return any(_walk_has_checks(member, enums, seen) for member in shape.members.values())
    if type_name == "list":
        return _walk_has_checks(shape.member, enums, seen)
    if type_name == "map":
        return _walk_has_checks(shape.key, enums, seen) or _walk_has_checks(
            shape.value, enums, seen
        )
    return False


class Cells(dict[str, list[Check]]):
    """The checker of each shape name compiled so far in one input tree (recursion goes through
    it), and whether that tree is checked as Coral does (enums, order of faults)."""

    def __init__(self, coral: bool) -> None:
        super().__init__()
        self.coral = coral


def _compile(shape: Shape, cells: Cells) -> Check | None:
    """The checker of `shape`, or None when no value of it can break a constraint."""
    if not _has_checks(shape, cells.coral):
        return None
    compiled = cells.get(shape.name)
    if compiled is not None:
        cell = compiled
        return lambda value, path, issues: cell[0](value, path, issues)
    cell = cells[shape.name] = [_nothing]
    builder = _BUILDERS.get(shape.type_name)
    cell[0] = (builder(shape, cells) if builder else None) or _nothing
    return cell[0]


def _nothing(value: Any, path: Path, issues: list[Issue]) -> None:
    return


def _structure(shape: Shape, cells: Cells) -> Check | None:
    if shape.is_document_type:
        return None
    required = tuple(shape.metadata.get("required", ()))
    members = {
        name: member_check
        for name, member in shape.members.items()
        if (member_check := _compile(member, cells)) is not None
    }

    ranks = _coral_ranks(shape) if cells.coral else None

    def check(value: Any, path: Path, issues: list[Issue]) -> None:
        if not isinstance(value, dict):
            return
        before = len(issues)
        for name in required:
            if value.get(name) is None:
                issues.append(Issue((*path, name), "required"))
        if members:
            for name, item in value.items():
                member = members.get(name)
                if member is not None and item is not None:
                    member(item, (*path, name), issues)
        if ranks is not None and len(issues) - before > 1:
            depth = len(path)
            issues[before:] = sorted(issues[before:], key=lambda issue: ranks[issue.path[depth]])

    return check


def _list(shape: Shape, cells: Cells) -> Check:
    size = _size(shape)
    member = _compile(shape.member, cells)
    skip = _skippable(shape.member, cells.coral)

    def check(value: Any, path: Path, issues: list[Issue]) -> None:
        if size is not None:
            size(value, path, issues)
        if member is not None:
            for index, item in enumerate(value):
                if item is not None and (skip is None or not skip.isdisjoint(item)):
                    member(item, (*path, index), issues)

    return check


def _coral_ranks(shape: Shape) -> dict[str | int, int]:
    """Each member's place in Coral's list of faults: iteration order of a java.util.HashMap of
    the members by lowerCamel name (String.hashCode, spread by `h ^ h >>> 16`, a table of 16
    buckets doubled while over 3/4 full); within a bucket, the model's order."""
    names = list(shape.members)
    buckets = 16
    while len(names) > buckets * 3 // 4:
        buckets *= 2

    def bucket(name: str) -> int:
        code = 0
        for char in name[0].lower() + name[1:]:
            code = (31 * code + ord(char)) & 0xFFFFFFFF
        return (code ^ (code >> 16)) & (buckets - 1)

    return {name: rank for rank, name in enumerate(sorted(names, key=bucket))}


def _skippable(shape: Shape, enums: bool) -> frozenset[str] | None:
    """For a structure with no required members: the members that have checks (a value with none
    of them needs no visit: DynamoDB's `{"S": ...}` of a shape that could hold an `M`); None for
    shapes whose every value needs its checker."""
    if shape.type_name != "structure" or shape.is_document_type or shape.metadata.get("required"):
        return None
    return frozenset(name for name, member in shape.members.items() if _has_checks(member, enums))


def _map(shape: Shape, cells: Cells) -> Check:
    size = _size(shape)
    key_check = _size(shape.key)
    shortest = shape.key.metadata.get("min") or 0
    longest = shape.key.metadata.get("max") or float("inf")
    value_check = _compile(shape.value, cells)
    skip = _skippable(shape.value, cells.coral)

    def check(value: Any, path: Path, issues: list[Issue]) -> None:
        if size is not None:
            size(value, path, issues)
        if key_check is not None:
            for key in value:
                if not shortest <= len(key) <= longest:
                    key_check(key, (*path, key), issues)
        if value_check is not None:
            for key, item in value.items():
                if item is not None and (skip is None or not skip.isdisjoint(item)):
                    value_check(item, (*path, MapKey(key)), issues)

    return check


def _size(shape: Shape) -> Check | None:
    """The length check of a string, blob, list or map (None when unbounded)."""
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is None and high is None:
        return None

    def check(value: Any, path: Path, issues: list[Issue]) -> None:
        size = len(value)
        if low is not None and size < low:
            issues.append(Issue(path, "min_length", low, value))
        elif high is not None and size > high:
            issues.append(Issue(path, "max_length", high, value))

    return check


def _number(shape: Shape, cells: Cells) -> Check | None:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")

    def check(value: Any, path: Path, issues: list[Issue]) -> None:
        if low is not None and value < low:
            issues.append(Issue(path, "min_value", low, value))
        elif high is not None and value > high:
            issues.append(Issue(path, "max_value", high, value))

    return check


def _length(shape: Shape, cells: Cells) -> Check | None:
    return _size(shape)


def _string(shape: Shape, cells: Cells) -> Check | None:
    size = _size(shape)
    values = shape.metadata.get("enum") if cells.coral else None
    allowed = frozenset(values) if values else None
    if allowed is None:
        return size
    shown = "[" + ", ".join(CORAL_ENUM_ORDER.get(shape.name, values or ())) + "]"

    def check(value: Any, path: Path, issues: list[Issue]) -> None:
        if value not in allowed:
            issues.append(Issue(path, "enum", shown, value))
        elif size is not None:
            size(value, path, issues)

    return check


_BUILDERS: dict[str, Callable[[Shape, Cells], Check | None]] = {
    "structure": _structure,
    "list": _list,
    "map": _map,
    "string": _string,
    "blob": _length,
    "integer": _number,
    "long": _number,
    "float": _number,
    "double": _number,
}
"""Shape types that carry constraints; booleans and timestamps have none."""
