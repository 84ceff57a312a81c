"""Intrinsic functions (`States.Format(...)`, ...): parsed once, evaluated per use.

An intrinsic call appears as the value of a `.$` field (Parameters, ResultSelector, ItemSelector,
Assign in JSONPath mode, Fail's ErrorPath/CausePath). Arguments are string literals in single
quotes (`\\'`, `\\{`, `\\}` and `\\\\` escaped), numbers, `true`/`false`/`null`, paths (`$.x`,
`$$.x`, `$var.x`) or nested calls (AWS allows 10 levels). A failure raises
`StatesError("States.IntrinsicFailure", ...)`, or `States.Runtime` when a path argument selects
nothing.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cloudlet.services.stepfunctions.asl.errors import INTRINSIC, StatesError

MAX_NESTING = 10


class IntrinsicSyntaxError(ValueError):
    """Text that is not a well-formed intrinsic function call."""


@dataclass(frozen=True)
class Literal:
    value: Any


@dataclass(frozen=True)
class Reference:
    text: str
    """A path (`$.x`, `$$.x`) or variable reference (`$var.x`), resolved by the caller's env."""


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Literal | Reference | Call, ...]
    text: str


Node = Literal | Reference | Call


def is_intrinsic(text: str) -> bool:
    return text.startswith("States.") and text.rstrip().endswith(")")


@lru_cache(maxsize=2048)
def parse(text: str) -> Call:
    parser = _Parser(text)
    node = parser.call(0)
    parser.skip_space()
    if parser.pos != len(text):
        raise IntrinsicSyntaxError(text)
    return node


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t\n\r":
            self.pos += 1

    def call(self, depth: int) -> Call:
        if depth >= MAX_NESTING:
            raise IntrinsicSyntaxError(self.text)
        start = self.pos
        self.skip_space()
        name_start = self.pos
        while self.pos < len(self.text) and (
            self.text[self.pos].isalnum() or self.text[self.pos] == "."
        ):
            self.pos += 1
        name = self.text[name_start : self.pos]
        if name not in FUNCTIONS:
            raise IntrinsicSyntaxError(name or self.text)
        self.skip_space()
        if self.pos >= len(self.text) or self.text[self.pos] != "(":
            raise IntrinsicSyntaxError(self.text)
        self.pos += 1
        args: list[Node] = []
        self.skip_space()
        if self.pos < len(self.text) and self.text[self.pos] == ")":
            self.pos += 1
            return Call(name, (), self.text[start : self.pos].strip())
        while True:
            args.append(self.argument(depth))
            self.skip_space()
            if self.pos >= len(self.text):
                raise IntrinsicSyntaxError(self.text)
            char = self.text[self.pos]
            self.pos += 1
            if char == ")":
                return Call(name, tuple(args), self.text[start : self.pos].strip())
            if char != ",":
                raise IntrinsicSyntaxError(self.text)

    def argument(self, depth: int) -> Node:
        self.skip_space()
        text = self.text
        if self.pos >= len(text):
            raise IntrinsicSyntaxError(text)
        char = text[self.pos]
        if char == "'":
            return Literal(self.string())
        if char == "$":
            start = self.pos
            depth_b, quote = 0, ""
            while self.pos < len(text):
                c = text[self.pos]
                if quote:
                    if c == quote:
                        quote = ""
                elif c in "'\"" and depth_b:
                    quote = c
                elif c in "[(":
                    depth_b += 1
                elif c in "])":
                    if depth_b == 0:
                        break
                    depth_b -= 1
                elif c in ", " and depth_b == 0:
                    break
                self.pos += 1
            return Reference(text[start : self.pos].strip())
        if text.startswith("States.", self.pos):
            return self.call(depth + 1)
        start = self.pos
        while self.pos < len(text) and text[self.pos] not in ",) \t":
            self.pos += 1
        token = text[start : self.pos]
        try:
            return Literal(json.loads(token))
        except ValueError as exc:
            raise IntrinsicSyntaxError(text) from exc

    def string(self) -> str:
        self.pos += 1
        out = []
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char == "\\" and self.pos + 1 < len(text):
                out.append(text[self.pos + 1])
                self.pos += 2
                continue
            if char == "'":
                self.pos += 1
                return "".join(out)
            out.append(char)
            self.pos += 1
        raise IntrinsicSyntaxError(text)


Resolver = Callable[[str], Any]
"""Resolves a `Reference` text (path or variable) to its value; raises on a miss."""


def evaluate(call: Call, resolve: Resolver) -> Any:
    args = [_arg(arg, resolve) for arg in call.args]
    function = FUNCTIONS[call.name]
    try:
        return function(*args)
    except StatesError as exc:
        if exc.error == INTRINSIC:
            exc.cause = f"Invalid arguments in {call.text}: {exc.cause}"
        raise
    except (TypeError, ValueError, KeyError, IndexError, OverflowError) as exc:
        raise StatesError(INTRINSIC, _message(call, exc)) from exc


def _arg(node: Node, resolve: Resolver) -> Any:
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Reference):
        return resolve(node.text)
    return evaluate(node, resolve)


def _message(call: Call, exc: Exception) -> str:
    return f"Invalid arguments in {call.text}: {str(exc) or type(exc).__name__}"


def _fail(message: str) -> StatesError:
    return StatesError(INTRINSIC, message)


# -- the functions ----------------------------------------------------------------------------


def _format(template: Any, *args: Any) -> str:
    if not isinstance(template, str):
        raise _fail("The first argument of States.Format must be a string")
    out, index, i = [], 0, 0
    while i < len(template):
        char = template[i]
        if char == "\\" and i + 1 < len(template):
            out.append(template[i + 1])
            i += 2
            continue
        if template.startswith("{}", i):
            if index >= len(args):
                raise _fail("Number of arguments in States.Format does not match the template")
            value = args[index]
            out.append(value if isinstance(value, str) else _json(value))
            index += 1
            i += 2
            continue
        out.append(char)
        i += 1
    if index != len(args):
        raise _fail("Number of arguments in States.Format does not match the template")
    return "".join(out)


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _string_to_json(text: Any) -> Any:
    if not isinstance(text, str):
        raise _fail("States.StringToJson needs a string")
    return json.loads(text) if text.strip() else None


def _json_to_string(value: Any) -> str:
    return _json(value)


def _array(*args: Any) -> list[Any]:
    return list(args)


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
        raise _fail(f"{what} must be an integer")
    return int(value)


def _array_partition(array: Any, size: Any) -> list[list[Any]]:
    if not isinstance(array, list):
        raise _fail("States.ArrayPartition needs an array")
    chunk = _int(size, "The chunk size")
    if chunk <= 0:
        raise _fail("The chunk size must be positive")
    return [array[i : i + chunk] for i in range(0, len(array), chunk)]


def _array_contains(array: Any, value: Any) -> bool:
    if not isinstance(array, list):
        raise _fail("States.ArrayContains needs an array")
    return value in array


def _array_range(first: Any, last: Any, step: Any) -> list[int]:
    start, end, stride = _int(first, "first"), _int(last, "last"), _int(step, "step")
    if stride == 0:
        raise _fail("The step of States.ArrayRange must not be 0")
    values = list(range(start, end + (1 if stride > 0 else -1), stride))
    if len(values) > 1000:
        raise _fail("States.ArrayRange may produce at most 1000 items")
    return values


def _array_get_item(array: Any, index: Any) -> Any:
    if not isinstance(array, list):
        raise _fail("States.ArrayGetItem needs an array")
    i = _int(index, "The index")
    if not 0 <= i < len(array):
        raise _fail(f"Index {i} is out of bounds")
    return array[i]


def _array_length(array: Any) -> int:
    if not isinstance(array, list):
        raise _fail("States.ArrayLength needs an array")
    return len(array)


def _array_unique(array: Any) -> list[Any]:
    if not isinstance(array, list):
        raise _fail("States.ArrayUnique needs an array")
    seen: list[str] = []
    out = []
    for item in array:
        key = json.dumps(item, sort_keys=True)
        if key not in seen:
            seen.append(key)
            out.append(item)
    return out


def _text_limit(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise _fail(f"{name} needs a string")
    if len(value) > 10000:
        raise _fail(f"The input of {name} must be at most 10000 characters")
    return value


def _base64_encode(value: Any) -> str:
    return base64.b64encode(_text_limit(value, "States.Base64Encode").encode()).decode()


def _base64_decode(value: Any) -> str:
    text = _text_limit(value, "States.Base64Decode")
    return base64.b64decode(text.encode(), validate=True).decode()


_HASHES = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384"}
_HASHES["SHA-512"] = "sha512"


def _hash(data: Any, algorithm: Any) -> str:
    if algorithm not in _HASHES:
        raise _fail(f"The hashing algorithm {algorithm} is not supported")
    text = data if isinstance(data, str) else _json(data)
    _text_limit(text, "States.Hash")
    return hashlib.new(_HASHES[algorithm], text.encode()).hexdigest()


def _json_merge(left: Any, right: Any, deep: Any) -> dict[str, Any]:
    if not isinstance(left, dict) or not isinstance(right, dict):
        raise _fail("States.JsonMerge needs two objects")
    if deep is not False:
        raise _fail("States.JsonMerge supports shallow merges only (the third argument: false)")
    return {**left, **right}


def _math_random(start: Any, end: Any, seed: Any = None) -> int:
    low, high = _int(start, "start"), _int(end, "end")
    if high <= low:
        raise _fail("The end of States.MathRandom must be greater than its start")
    generator = random.Random(_int(seed, "seed")) if seed is not None else random
    return generator.randrange(low, high)


def _math_add(a: Any, b: Any) -> int:
    return _int(a, "The first value") + _int(b, "The second value")


def _string_split(text: Any, delimiters: Any) -> list[str]:
    if not isinstance(text, str) or not isinstance(delimiters, str):
        raise _fail("States.StringSplit needs two strings")
    parts, current = [], ""
    for char in text:
        if char in delimiters:
            if current:
                parts.append(current)
            current = ""
        else:
            current += char
    if current:
        parts.append(current)
    return parts


def _uuid() -> str:
    return str(uuid.uuid4())


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "States.Format": _format,
    "States.StringToJson": _string_to_json,
    "States.JsonToString": _json_to_string,
    "States.Array": _array,
    "States.ArrayPartition": _array_partition,
    "States.ArrayContains": _array_contains,
    "States.ArrayRange": _array_range,
    "States.ArrayGetItem": _array_get_item,
    "States.ArrayLength": _array_length,
    "States.ArrayUnique": _array_unique,
    "States.Base64Encode": _base64_encode,
    "States.Base64Decode": _base64_decode,
    "States.Hash": _hash,
    "States.JsonMerge": _json_merge,
    "States.MathRandom": _math_random,
    "States.MathAdd": _math_add,
    "States.StringSplit": _string_split,
    "States.UUID": _uuid,
}
