"""The JSONPath subset ASL uses, and reference paths.

    path      := ("$" | "$$") step*
    step      := "." name | ".*" | ".." (name | "*") | "[" selector "]"
    selector  := index | 'name' | "name" | "*" | start:end:step | a,b,... | ?(filter)
    filter    := @.path [op literal] (("&&" | "||") ...)*

A path is *definite* when it has only names and indices: it selects one value, and a miss is an
error (AWS, like Jayway JsonPath, answers "No results for path: $['a']"). An indefinite path
(wildcards, slices, unions, filters, `..`) selects a list, possibly empty.

Reference paths (`ResultPath`, `ItemsPath`-style targets) are definite paths of names and
indices only; `assign` writes a value there, creating missing objects, copying only the
containers on the way so the original input is never mutated.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

_MISSING = object()


class PathError(Exception):
    """A syntactically invalid path."""


class PathNotFound(Exception):
    """A definite path that selects nothing in the given document."""

    def __init__(self, path: JsonPath) -> None:
        super().__init__(f"No results for path: {path.normalized()}")
        self.path = path


@dataclass(frozen=True)
class Step:
    kind: str
    """name | index | wildcard | slice | union | filter | descend"""
    value: Any = None


@dataclass(frozen=True)
class JsonPath:
    text: str
    context: bool
    """`$$...`: evaluated against the context object."""
    steps: tuple[Step, ...]
    definite: bool

    def normalized(self) -> str:
        out = "$"
        for step in self.steps:
            if step.kind == "name":
                out += f"['{step.value}']"
            elif step.kind == "index":
                out += f"[{step.value}]"
            elif step.kind == "wildcard":
                out += "[*]"
            elif step.kind == "descend":
                out += f"..['{step.value}']" if step.value != "*" else "..[*]"
            else:
                out += "[...]"
        return out

    def get(self, data: Any) -> Any:
        """The value (definite) or values (indefinite); `PathNotFound` on a definite miss."""
        if self.definite:
            value = data
            for step in self.steps:
                value = _child(value, step)
                if value is _MISSING:
                    raise PathNotFound(self)
            return value
        results = [data]
        for step in self.steps:
            results = [out for value in results for out in _select(value, step)]
        return results

    def find(self, data: Any) -> Any:
        """Like `get`, but a miss (definite or empty) answers `_MISSING` instead of raising."""
        try:
            value = self.get(data)
        except PathNotFound:
            return _MISSING
        return value


MISSING = _MISSING


def _child(value: Any, step: Step) -> Any:
    if step.kind == "name":
        if isinstance(value, dict):
            return value.get(step.value, _MISSING)
        return _MISSING
    if isinstance(value, list):
        index = step.value
        if -len(value) <= index < len(value):
            return value[index]
    return _MISSING


def _select(value: Any, step: Step) -> list[Any]:
    kind = step.kind
    if kind in ("name", "index"):
        child = _child(value, step)
        return [] if child is _MISSING else [child]
    if kind == "wildcard":
        if isinstance(value, dict):
            return list(value.values())
        return list(value) if isinstance(value, list) else []
    if kind == "slice":
        if not isinstance(value, list):
            return []
        start, end, stride = step.value
        return value[slice(start, end, stride)]
    if kind == "union":
        out = []
        for part in step.value:
            out += _select(value, Step("name" if isinstance(part, str) else "index", part))
        return out
    if kind == "filter":
        items = (
            value
            if isinstance(value, list)
            else list(value.values())
            if isinstance(value, dict)
            else []
        )
        return [item for item in items if step.value(item)]
    if kind == "descend":
        return _descend(value, step.value)
    raise AssertionError(kind)


def _descend(value: Any, name: str) -> list[Any]:
    out: list[Any] = []
    children: list[Any] = []
    if isinstance(value, dict):
        if name == "*":
            out += list(value.values())
        elif name in value:
            out.append(value[name])
        children = list(value.values())
    elif isinstance(value, list):
        if name == "*":
            out += value
        children = value
    for child in children:
        out += _descend(child, name)
    return out


# -- parsing ----------------------------------------------------------------------------------

_NAME_END = re.compile(r"[.\[]")


@lru_cache(maxsize=4096)
def compile_path(text: str) -> JsonPath:
    """Parse `text` (`$...` or `$$...`); raises `PathError` when it is not a JSONPath."""
    if not isinstance(text, str) or not text.startswith("$"):
        raise PathError(text)
    context = text.startswith("$$")
    pos = 2 if context else 1
    steps: list[Step] = []
    n = len(text)
    while pos < n:
        char = text[pos]
        if text.startswith("..", pos):
            pos += 2
            if pos < n and text[pos] == "*":
                steps.append(Step("descend", "*"))
                pos += 1
                continue
            if pos < n and text[pos] == "[":
                sel, pos = _bracket(text, pos)
                if sel.kind != "name":
                    raise PathError(text)
                steps.append(Step("descend", sel.value))
                continue
            name, pos = _name(text, pos)
            steps.append(Step("descend", name))
        elif char == ".":
            pos += 1
            if pos < n and text[pos] == "*":
                steps.append(Step("wildcard"))
                pos += 1
                continue
            name, pos = _name(text, pos)
            steps.append(Step("name", name))
        elif char == "[":
            step, pos = _bracket(text, pos)
            steps.append(step)
        else:
            raise PathError(text)
    definite = all(step.kind in ("name", "index") for step in steps)
    return JsonPath(text, context, tuple(steps), definite)


def _name(text: str, pos: int) -> tuple[str, int]:
    match = _NAME_END.search(text, pos)
    end = match.start() if match else len(text)
    name = text[pos:end]
    if not name:
        raise PathError(text)
    return name, end


def _bracket(text: str, pos: int) -> tuple[Step, int]:
    end = _closing(text, pos)
    inner = text[pos + 1 : end].strip()
    pos = end + 1
    if not inner:
        raise PathError(text)
    if inner == "*":
        return Step("wildcard"), pos
    if inner.startswith("?(") and inner.endswith(")"):
        return Step("filter", _filter(inner[2:-1].strip(), text)), pos
    parts = _split_top(inner, ",")
    values: list[Any] = []
    for part in parts:
        part = part.strip()
        if len(part) >= 2 and part[0] == part[-1] and part[0] in "'\"":
            values.append(part[1:-1])
        elif ":" in part and len(parts) == 1:
            bounds = [b.strip() for b in part.split(":")]
            if len(bounds) > 3:
                raise PathError(text)
            try:
                nums = [int(b) if b else None for b in bounds] + [None] * (3 - len(bounds))
            except ValueError as exc:
                raise PathError(text) from exc
            return Step("slice", tuple(nums)), pos
        else:
            try:
                values.append(int(part))
            except ValueError as exc:
                raise PathError(text) from exc
    if len(values) == 1:
        value = values[0]
        return Step("name" if isinstance(value, str) else "index", value), pos
    return Step("union", tuple(values)), pos


def _closing(text: str, pos: int) -> int:
    depth, quote = 0, ""
    for i in range(pos, len(text)):
        char = text[i]
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
            if depth == 0:
                return i
    raise PathError(text)


def _split_top(text: str, sep: str) -> list[str]:
    parts, depth, quote, current = [], 0, "", ""
    for char in text:
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == sep and depth == 0:
            parts.append(current)
            current = ""
            continue
        current += char
    parts.append(current)
    return parts


_COMPARE = re.compile(r"^(@[^=!<>]*?)\s*(==|!=|<=|>=|<|>)\s*(.+)$")
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _filter(expression: str, text: str) -> Callable[[Any], bool]:
    for sep, combine in (("||", any), ("&&", all)):
        parts = _split_logical(expression, sep)
        if len(parts) > 1:
            tests = [_filter(part.strip(), text) for part in parts]

            def combined(item: Any, tests: Any = tests, combine: Any = combine) -> bool:
                return bool(combine(t(item) for t in tests))

            return combined
    if expression.startswith("(") and expression.endswith(")"):
        return _filter(expression[1:-1].strip(), text)
    match = _COMPARE.match(expression)
    if match is None:
        if not expression.startswith("@"):
            raise PathError(text)
        sub = compile_path("$" + expression[1:])
        return lambda item: sub.find(item) is not _MISSING
    sub = compile_path("$" + match.group(1).strip()[1:])
    op = _OPS[match.group(2)]
    literal_text = match.group(3).strip()
    if literal_text[:1] == "'" and literal_text[-1:] == "'":
        literal: Any = literal_text[1:-1]
    else:
        try:
            literal = json.loads(literal_text)
        except ValueError as exc:
            raise PathError(text) from exc

    def test(item: Any) -> bool:
        value = sub.find(item)
        if value is _MISSING:
            return False
        try:
            return bool(op(value, literal))
        except TypeError:
            return False

    return test


def _split_logical(text: str, sep: str) -> list[str]:
    parts, depth, quote, start, i = [], 0, "", 0, 0
    while i < len(text):
        char = text[i]
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif depth == 0 and text.startswith(sep, i):
            parts.append(text[start:i])
            i += len(sep)
            start = i
            continue
        i += 1
    parts.append(text[start:])
    return parts


# -- reference paths --------------------------------------------------------------------------


def is_reference_path(path: JsonPath) -> bool:
    return path.definite and not path.context


def assign(data: Any, path: JsonPath, value: Any) -> Any:
    """`data` with `value` placed at reference path `path` (containers copied on the way).

    Raises `ValueError` when the path cannot be applied (a step through a non-object).
    """
    if not path.steps:
        return value
    root = _shallow(data, path.steps[0])
    node = root
    for i, step in enumerate(path.steps):
        last = i == len(path.steps) - 1
        if step.kind == "name":
            if not isinstance(node, dict):
                raise ValueError(step.value)
            if last:
                node[step.value] = value
                break
            child = node.get(step.value, _MISSING)
            child = {} if child is _MISSING else _shallow(child, path.steps[i + 1])
            node[step.value] = child
            node = child
        else:
            if not isinstance(node, list) or not -len(node) <= step.value < len(node):
                raise ValueError(step.value)
            if last:
                node[step.value] = value
                break
            child = _shallow(node[step.value], path.steps[i + 1])
            node[step.value] = child
            node = child
    return root


def _shallow(value: Any, step: Step) -> Any:
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list):
        return list(value)
    if step.kind == "name":
        raise ValueError(step.value)
    raise ValueError(step.value)


def deep_copy(value: Any) -> Any:
    return copy.deepcopy(value)
