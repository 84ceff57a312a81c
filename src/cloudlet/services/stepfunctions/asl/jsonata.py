"""JSONata in ASL: `{% expression %}` strings, evaluated with the jsonata-python package.

An expression sees `$states` (`input`, `context`, and `result` / `errorOutput` where AWS
defines them) and the workflow variables in scope as `$name`. Step Functions adds helper
functions (`$partition`, `$range`, `$hash`, `$random`, `$uuid`, `$parse`); they are bound here.
An expression that fails, or that returns nothing (undefined) where a value is needed, fails the
state with `States.QueryEvaluationError` and AWS's cause wording.

Templates (`Arguments`, `Output`, `Assign` values, `Items`, ...) are JSON values whose strings
may be `{% %}` expressions; they are compiled once per definition.
"""

from __future__ import annotations

import hashlib
import json
import random
import threading
import uuid
from functools import lru_cache
from typing import Any

from cloudlet.services.stepfunctions.asl.errors import QUERY_EVALUATION, StatesError

try:
    import jsonata as _jsonata
    from jsonata import utils as _utils
except ImportError:  # pragma: no cover - a declared dependency
    _jsonata = None
    _utils = None


class JsonataSyntaxError(ValueError):
    """An expression jsonata cannot parse."""


def is_expression(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("{%") and value.endswith("%}")


def expression_text(value: str) -> str:
    return value[2:-2].strip()


_LOCK = threading.Lock()


@lru_cache(maxsize=4096)
def compile_expression(text: str) -> Any:
    """A compiled expression (cached); raises `JsonataSyntaxError`."""
    if _jsonata is None:
        raise JsonataSyntaxError("the jsonata-python package is not installed")
    try:
        with _LOCK:
            expression = _jsonata.Jsonata(text)
    except Exception as exc:
        raise JsonataSyntaxError(str(exc)) from exc
    expression.set_output_convert_nulls(False)
    for name, function in _HELPERS.items():
        expression.register_lambda(name, function)
    return expression


def evaluate(text: str, bindings: dict[str, Any], field: str) -> Any:
    """Evaluate `text` with `bindings` (`states` and the variables); undefined → error."""
    try:
        expression = compile_expression(text)
        result = expression.evaluate(None, bindings)
    except StatesError:
        raise
    except JsonataSyntaxError as exc:
        raise StatesError(QUERY_EVALUATION, f"{exc}") from exc
    except Exception as exc:
        raise StatesError(
            QUERY_EVALUATION,
            f"An error occurred while evaluating the JSONata expression '{text}' specified for"
            f" the field '{field}': {exc}",
        ) from exc
    if result is None:
        raise StatesError(
            QUERY_EVALUATION,
            f"The JSONata expression '{text}' specified for the field '{field}' returned nothing"
            " (undefined).",
        )
    return to_json(result)


def to_json(value: Any) -> Any:
    """jsonata-python's result as plain JSON values (null sentinel → None, 2.0 → 2)."""
    if _utils is not None and value is _utils.Utils.NULL_VALUE:
        return None
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    if callable(value):
        return None
    return value


class JsonataTemplate:
    """A JSON value whose `{% %}` strings are evaluated at run time."""

    __slots__ = ("_node", "dynamic")

    def __init__(self, raw: Any) -> None:
        self._node = _compile(raw)
        self.dynamic = not isinstance(self._node, _Const)

    def evaluate(self, bindings: dict[str, Any], field: str) -> Any:
        return _evaluate(self._node, bindings, field)


class _Const:
    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class _Expr:
    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _compile(raw: Any) -> Any:
    if is_expression(raw):
        text = expression_text(raw)
        compile_expression(text)
        return _Expr(text)
    if isinstance(raw, dict):
        items = {key: _compile(value) for key, value in raw.items()}
        if all(isinstance(v, _Const) for v in items.values()):
            return _Const(raw)
        return items
    if isinstance(raw, list):
        compiled = [_compile(item) for item in raw]
        if all(isinstance(item, _Const) for item in compiled):
            return _Const(raw)
        return compiled
    return _Const(raw)


def _evaluate(node: Any, bindings: dict[str, Any], field: str) -> Any:
    if isinstance(node, _Const):
        return node.value
    if isinstance(node, _Expr):
        return evaluate(node.text, bindings, field)
    if isinstance(node, dict):
        return {k: _evaluate(v, bindings, f"{field}/{k}") for k, v in node.items()}
    return [_evaluate(v, bindings, f"{field}[{i}]") for i, v in enumerate(node)]


# -- Step Functions' helper functions ---------------------------------------------------------


def _partition(array: Any, size: Any) -> list[Any]:
    array = to_json(array)
    if not isinstance(array, list) or not isinstance(size, int | float) or size < 1:
        raise ValueError("$partition needs an array and a positive chunk size")
    step = int(size)
    return [array[i : i + step] for i in range(0, len(array), step)]


def _range(start: Any, end: Any, step: Any = 1) -> list[int]:
    values = list(range(int(start), int(end) + (1 if step > 0 else -1), int(step)))
    if len(values) > 1000:
        raise ValueError("$range may produce at most 1000 items")
    return values


_HASHES = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384"}
_HASHES["SHA-512"] = "sha512"


def _hash(value: Any, algorithm: Any) -> str:
    if algorithm not in _HASHES:
        raise ValueError(f"The hashing algorithm {algorithm} is not supported")
    text = value if isinstance(value, str) else json.dumps(to_json(value), separators=(",", ":"))
    return hashlib.new(_HASHES[algorithm], text.encode()).hexdigest()


def _random(seed: Any = None) -> float:
    return random.Random(seed).random() if seed is not None else random.random()


def _uuid() -> str:
    return str(uuid.uuid4())


def _parse(text: Any) -> Any:
    return json.loads(text)


_HELPERS = {
    "partition": _partition,
    "range": _range,
    "hash": _hash,
    "random": _random,
    "uuid": _uuid,
    "parse": _parse,
}
