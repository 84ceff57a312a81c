"""Constraint checks on parsed input: required members, lengths, sizes and value ranges.

Parsers produce python values of the right types (a wrong type is a parse error); this pass then
checks what the model constrains, like AWS's server-side validation: `required` members present,
`min`/`max` on string and blob lengths, list and map sizes, and number values. Enums and patterns
are not enforced (AWS accepts new enum values before SDKs know them, and patterns are advisory in
many models).

Each shape's checks are computed once (`_plan`) and walked with `_check_<type>` methods.
"""

from __future__ import annotations

import functools
from typing import Any

from botocore.model import Shape

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
def _required(shape: Shape) -> tuple[str, ...]:
    return tuple(shape.metadata.get("required", ()))


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
        if value is None or not _has_checks(shape):
            return
        getattr(self, f"_check_{shape.type_name}", self._check_scalar)(shape, value, path, issues)

    def _check_structure(self, shape: Shape, value: Any, path: Path, issues: list[Issue]) -> None:
        if shape.is_document_type or not isinstance(value, dict):
            return
        for name in _required(shape):
            if value.get(name) is None:
                issues.append(Issue((*path, name), "required"))
        members = shape.members
        for name, member_value in value.items():
            member = members.get(name)
            if member is not None:
                self.check(member, member_value, (*path, name), issues)

    def _check_list(self, shape: Shape, value: Any, path: Path, issues: list[Issue]) -> None:
        self._size(shape, value, path, issues)
        member = shape.member
        for index, item in enumerate(value):
            self.check(member, item, (*path, index), issues)

    def _check_map(self, shape: Shape, value: Any, path: Path, issues: list[Issue]) -> None:
        self._size(shape, value, path, issues)
        key_shape, value_shape = shape.key, shape.value
        for key, item in value.items():
            self.check(key_shape, key, (*path, str(key)), issues)
            self.check(value_shape, item, (*path, str(key)), issues)

    def _size(self, shape: Shape, value: Any, path: Path, issues: list[Issue]) -> None:
        low, high = _bounds(shape)
        size = len(value)
        if low is not None and size < low:
            issues.append(Issue(path, "min_length", low, value))
        elif high is not None and size > high:
            issues.append(Issue(path, "max_length", high, value))

    _check_string = _size
    _check_blob = _size

    def _check_scalar(self, shape: Shape, value: Any, path: Path, issues: list[Issue]) -> None:
        if shape.type_name not in ("integer", "long", "float", "double"):
            return
        low, high = _bounds(shape)
        if low is not None and value < low:
            issues.append(Issue(path, "min_value", low, value))
        elif high is not None and value > high:
            issues.append(Issue(path, "max_value", high, value))


_VALIDATOR = _Validator()
