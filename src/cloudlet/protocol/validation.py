"""Constraint checks on parsed input: required members, lengths, sizes and value ranges.

Parsers produce python values of the right types (a wrong type is a parse error); this pass then
checks what the model constrains, like AWS's server-side validation: `required` members present,
`min`/`max` on string and blob lengths, list and map sizes, and number values. Enums and patterns
are not enforced (AWS accepts new enum values before SDKs know them, and patterns are advisory in
many models).

Each structure's checks are computed once (`_structure_plan`: required members, and the members
that can break a constraint at all), and walked with `_handle_<type>` methods.
"""

from __future__ import annotations

import functools
from typing import Any

from botocore.model import Shape

from cloudlet.protocol.dispatch import Handler, handler_for
from cloudlet.protocol.faults import Issue

Path = tuple[str | int, ...]


def validate(shape: Shape, params: dict[str, Any]) -> list[Issue]:
    """Every constraint `params` (the parsed input of `shape`) breaks; empty when valid."""
    issues: list[Issue] = []
    _VALIDATOR.check(shape, params, (), issues)
    return issues


@functools.cache
def _bounds(shape: Shape) -> tuple[int | float | None, int | float | None]:
    metadata = shape.metadata
    return metadata.get("min"), metadata.get("max")


@functools.cache
def _has_checks(shape: Shape) -> bool:
    """Whether any value of `shape` could break a constraint (saves walking plain subtrees)."""
    return _walk_has_checks(shape, set())


def _walk_has_checks(shape: Shape, seen: set[str]) -> bool:
    if shape.metadata.get("min") is not None or shape.metadata.get("max") is not None:
        return True
    if shape.name in seen:
        return False
    seen.add(shape.name)
    type_name = shape.type_name
    if type_name == "structure":
        if shape.metadata.get("required") and not shape.is_document_type:
            return True
        return any(_walk_has_checks(member, seen) for member in shape.members.values())
    if type_name == "list":
        return _walk_has_checks(shape.member, seen)
    if type_name == "map":
        return _walk_has_checks(shape.key, seen) or _walk_has_checks(shape.value, seen)
    return False


class _Validator:
    def check(self, shape: Shape, value: Any, path: Path, issues: list[Issue]) -> None:
        if value is not None and _has_checks(shape):
            handler_for(self, shape.type_name)(self, shape, value, path, issues)

    def _handle_structure(self, shape: Shape, value: Any, path: Path, issues: list[Issue]) -> None:
        if shape.is_document_type or not isinstance(value, dict):
            return
        required, checked = _structure_plan(self, shape)
        for name in required:
            if value.get(name) is None:
                issues.append(Issue((*path, name), "required"))
        if checked:
            for name, item in value.items():
                entry = checked.get(name)
                if entry is not None and item is not None:
                    member, handler = entry
                    handler(self, member, item, (*path, name), issues)

    def _handle_list(self, shape: Shape, value: Any, path: Path, issues: list[Issue]) -> None:
        self._size(shape, value, path, issues)
        member = shape.member
        if _has_checks(member):
            handler = handler_for(self, member.type_name)
            for index, item in enumerate(value):
                if item is not None:
                    handler(self, member, item, (*path, index), issues)

    def _handle_map(self, shape: Shape, value: Any, path: Path, issues: list[Issue]) -> None:
        self._size(shape, value, path, issues)
        for part in (shape.key, shape.value):
            if _has_checks(part):
                handler = handler_for(self, part.type_name)
                checks_keys = part is shape.key
                for key, item in value.items():
                    target = key if checks_keys else item
                    if target is not None:
                        handler(self, part, target, (*path, str(key)), issues)

    def _size(self, shape: Shape, value: Any, path: Path, issues: list[Issue]) -> None:
        low, high = _bounds(shape)
        size = len(value)
        if low is not None and size < low:
            issues.append(Issue(path, "min_length", low, value))
        elif high is not None and size > high:
            issues.append(Issue(path, "max_length", high, value))

    _handle_string = _size
    _handle_blob = _size

    def _handle_number(self, shape: Shape, value: Any, path: Path, issues: list[Issue]) -> None:
        low, high = _bounds(shape)
        if low is not None and value < low:
            issues.append(Issue(path, "min_value", low, value))
        elif high is not None and value > high:
            issues.append(Issue(path, "max_value", high, value))

    _handle_integer = _handle_number
    _handle_long = _handle_number
    _handle_float = _handle_number
    _handle_double = _handle_number

    def _handle_other(self, shape: Shape, value: Any, path: Path, issues: list[Issue]) -> None:
        return

    _handle_boolean = _handle_other
    _handle_timestamp = _handle_other


@functools.cache
def _structure_plan(
    validator: _Validator, shape: Shape
) -> tuple[tuple[str, ...], dict[str, tuple[Shape, Handler]]]:
    """(required member names, member name → (shape, handler) for members that have checks)."""
    checked = {
        name: (member, handler_for(validator, member.type_name))
        for name, member in shape.members.items()
        if _has_checks(member)
    }
    return tuple(shape.metadata.get("required", ())), checked


_VALIDATOR = _Validator()
