"""Payload templates and value references in JSONPath mode.

A payload template (`Parameters`, `ResultSelector`, `ItemSelector`, JSONPath `Assign`) is JSON
whose object keys ending in `.$` take their value from a reference: a path into the input (`$.x`),
the context object (`$$.Execution.Id`), a variable (`$name.x`) or an intrinsic function
(`States.Format(...)`). Templates are compiled once per definition; evaluation builds fresh
containers only where something is dynamic, and shares constant sub-trees.

`Env` is what a reference sees: the document `$` means, the context object (built lazily: most
states never read it) and the variables in scope.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from cloudlet.services.stepfunctions.asl import intrinsics
from cloudlet.services.stepfunctions.asl.errors import RUNTIME, StatesError
from cloudlet.services.stepfunctions.asl.paths import (
    JsonPath,
    PathError,
    PathNotFound,
    compile_path,
)

_VARIABLE = re.compile(r"^\$([A-Za-z_][A-Za-z0-9_]*)(.*)$")


class Env:
    """What `$`, `$$` and `$name` mean while one state evaluates a reference."""

    __slots__ = ("_context", "_context_fn", "document", "variables")

    def __init__(
        self,
        document: Any,
        context: Callable[[], dict[str, Any]],
        variables: dict[str, Any],
    ) -> None:
        self.document = document
        self._context_fn = context
        self._context: dict[str, Any] | None = None
        self.variables = variables

    @property
    def context(self) -> dict[str, Any]:
        if self._context is None:
            self._context = self._context_fn()
        return self._context

    def with_document(self, document: Any) -> Env:
        env = Env(document, self._context_fn, self.variables)
        env._context = self._context
        return env


def dumps(value: Any) -> str:
    """Compact JSON, as AWS writes payloads into history and outputs."""
    try:
        return str(orjson.dumps(value).decode())
    except TypeError:  # integers beyond 64 bits
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class Ref:
    """A compiled `.$` value: path, context path, variable or intrinsic call."""

    text: str
    kind: str
    """path | context | variable | intrinsic"""
    path: JsonPath | None = None
    variable: str = ""
    call: intrinsics.Call | None = None

    def resolve(self, env: Env, field: str) -> Any:
        if self.kind == "path":
            assert self.path is not None
            try:
                return self.path.get(env.document)
            except PathNotFound:
                raise StatesError(
                    RUNTIME,
                    f"The JSONPath '{self.text}' specified for the field '{field}' could not be"
                    f" found in the input '{dumps(env.document)}'",
                ) from None
        if self.kind == "context":
            assert self.path is not None
            try:
                return self.path.get(env.context)
            except PathNotFound:
                raise StatesError(
                    RUNTIME,
                    f"The JSONPath '{self.text}' specified for the field '{field}' could not be"
                    f" found in the context object",
                ) from None
        if self.kind == "variable":
            return resolve_variable(self, env, field)
        assert self.call is not None
        return intrinsics.evaluate(self.call, lambda text: resolve_text(text, env, field))


def resolve_variable(ref: Ref, env: Env, field: str) -> Any:
    if ref.variable not in env.variables:
        raise StatesError(
            RUNTIME,
            f"The JSONPath '{ref.text}' specified for the field '{field}' could not be found:"
            f" the variable '${ref.variable}' is not defined",
        )
    value = env.variables[ref.variable]
    if ref.path is None or not ref.path.steps:
        return value
    try:
        return ref.path.get(value)
    except PathNotFound:
        raise StatesError(
            RUNTIME,
            f"The JSONPath '{ref.text}' specified for the field '{field}' could not be found in"
            f" the variable '${ref.variable}'",
        ) from None


def compile_ref(text: str) -> Ref:
    """Compile a reference; raises `ValueError` when `text` is none of the allowed forms."""
    if not isinstance(text, str):
        raise ValueError(text)
    text = text.strip()
    if text.startswith("States."):
        try:
            return Ref(text, "intrinsic", call=intrinsics.parse(text))
        except intrinsics.IntrinsicSyntaxError as exc:
            raise ValueError(text) from exc
    if text.startswith("$$"):
        try:
            return Ref(text, "context", path=compile_path(text))
        except PathError as exc:
            raise ValueError(text) from exc
    match = _VARIABLE.match(text)
    if match is not None:
        rest = match.group(2)
        if rest and rest[0] not in ".[":
            raise ValueError(text)
        try:
            path = compile_path("$" + rest)
        except PathError as exc:
            raise ValueError(text) from exc
        return Ref(text, "variable", path=path, variable=match.group(1))
    try:
        return Ref(text, "path", path=compile_path(text))
    except PathError as exc:
        raise ValueError(text) from exc


def resolve_text(text: str, env: Env, field: str) -> Any:
    return compile_ref(text).resolve(env, field)


# -- templates --------------------------------------------------------------------------------


class Template:
    """A compiled payload template; `evaluate(env)` builds the effective value."""

    __slots__ = ("_node", "dynamic")

    def __init__(self, raw: Any) -> None:
        self._node = _compile(raw)
        self.dynamic = _is_dynamic(self._node)

    def evaluate(self, env: Env) -> Any:
        return _evaluate(self._node, env)


class _Obj:
    __slots__ = ("items",)

    def __init__(self, items: list[tuple[str, Any, bool]]) -> None:
        self.items = items
        """(key, compiled value, is a `.$` reference)"""


class _Arr:
    __slots__ = ("items",)

    def __init__(self, items: list[Any]) -> None:
        self.items = items


class _Const:
    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


def _compile(raw: Any) -> Any:
    if isinstance(raw, dict):
        items: list[tuple[str, Any, bool]] = []
        for key, value in raw.items():
            if key.endswith(".$"):
                items.append((key, compile_ref(value), True))
            else:
                items.append((key, _compile(value), False))
        if not any(is_ref or not isinstance(v, _Const) for _, v, is_ref in items):
            return _Const(raw)
        return _Obj(items)
    if isinstance(raw, list):
        compiled = [_compile(item) for item in raw]
        if all(isinstance(item, _Const) for item in compiled):
            return _Const(raw)
        return _Arr(compiled)
    return _Const(raw)


def _is_dynamic(node: Any) -> bool:
    return not isinstance(node, _Const)


def _evaluate(node: Any, env: Env) -> Any:
    if isinstance(node, _Const):
        return node.value
    if isinstance(node, _Obj):
        out: dict[str, Any] = {}
        for key, value, is_ref in node.items:
            if is_ref:
                out[key[:-2]] = value.resolve(env, key)
            else:
                out[key] = _evaluate(value, env)
        return out
    return [_evaluate(item, env) for item in node.items]
