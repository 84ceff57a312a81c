"""Deterministic sample values for any botocore shape, shaped as a boto3 caller passes them.

Values respect what the wire and the model allow where they are bound: enums pick their first
value, lengths and numbers stay within min/max, strings in bodies carry characters that need
escaping (`&<>"`, non-ASCII, newlines), strings in URIs, headers and host names stay safe for
those places. Lists and maps get two entries near the top of a shape (repetition is tested) and
one deeper down (samples of EC2's deep shapes stay small). Recursive shapes stop after one level
of repetition; tagged unions get exactly one member.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from botocore.model import Shape

MOMENT = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)

_BODY_TEXT = "v é&<>\"' +%=\n"
_PLACE_TEXT = {
    "uri": "label:a b",
    "greedy": "dir/sub dir/key",
    "header": "header-value",
    "querystring": "q v&=",
    "host": "hostlabel",
    "headers": "meta-value",
}


def sample(
    shape: Shape, place: str = "body", *, output: bool = False, greedy: frozenset[str] = frozenset()
) -> Any:
    """A sample value of `shape` bound at `place` (body, uri, header, querystring, ...).

    `greedy` names the members bound to greedy URI labels (`{Key+}`), which may hold slashes.
    """
    return _Sampler(output, greedy).value(shape, place, (), 0)


class _Sampler:
    def __init__(self, output: bool, greedy: frozenset[str]) -> None:
        self.output = output
        self.greedy = greedy

    def value(self, shape: Shape, place: str, stack: tuple[str, ...], index: int) -> Any:
        return getattr(self, f"_{shape.type_name}")(shape, place, stack, index)

    def _structure(self, shape: Shape, place: str, stack: tuple[str, ...], index: int) -> Any:
        if shape.is_document_type:
            return {"doc": [1, "two", True, {"nested": 2.5}]}
        if shape.name in stack and len(stack) > 1:
            return None
        stack = (*stack, shape.name)
        members: dict[str, Any] = {}
        required = set(shape.required_members)
        wire_names: set[str] = set()
        for name, member in shape.members.items():
            serialization = member.serialization
            if serialization.get("eventstream") or member.metadata.get("exception"):
                continue
            wire = _wire_name(name, member)
            if wire in wire_names:
                continue  # deprecated twins (S3's Event / Events) cannot both be on the wire
            wire_names.add(wire)
            if member.type_name == "structure" and member.name in stack and name not in required:
                continue
            location = _place(member, place)
            if location == "uri" and name in self.greedy and not stack[:-1]:
                location = "greedy"
            if location == "statusCode":
                members[name] = 200
                continue
            value = self.value(member, location, stack, 0)
            if value is None:
                continue
            members[name] = value
            if shape.is_tagged_union:
                break
        return members

    def _list(self, shape: Shape, place: str, stack: tuple[str, ...], index: int) -> Any:
        count = _count(shape, stack)
        items = [self.value(shape.member, place, stack, i) for i in range(count)]
        return [item for item in items if item is not None] or None

    def _map(self, shape: Shape, place: str, stack: tuple[str, ...], index: int) -> Any:
        count = _count(shape, stack)
        entries = {}
        for i in range(count):
            key = self._string(shape.key, "headers" if place == "headers" else "key", stack, i)
            value_place = "header" if place == "headers" else place
            entries[key] = self.value(shape.value, value_place, stack, i)
        return {k: v for k, v in entries.items() if v is not None} or None

    def _string(self, shape: Shape, place: str, stack: tuple[str, ...], index: int) -> str:
        enum = shape.metadata.get("enum")
        if enum:
            return str(enum[min(index, len(enum) - 1)])
        if place == "key":
            text = f"key{index + 1}"
        elif place == "headers":
            text = f"meta{index + 1}"
        elif place == "header" and shape.serialization.get("jsonvalue"):
            return {"json": ["value", 1]}  # type: ignore[return-value]  # jsonvalue strings are documents
        elif place == "header" and index == 1:
            text = "comma,item"
        else:
            text = _PLACE_TEXT.get(place, _BODY_TEXT)
            if self.output and place == "body":
                text += "\r\n"
            if index:
                text += str(index)
        return _fit(text, shape)

    def _integer(self, shape: Shape, place: str, stack: tuple[str, ...], index: int) -> int:
        return int(_clamp(7 + index, shape))

    _long = _integer

    def _float(self, shape: Shape, place: str, stack: tuple[str, ...], index: int) -> float:
        return float(_clamp(1.5 + index, shape))

    _double = _float

    def _boolean(self, shape: Shape, place: str, stack: tuple[str, ...], index: int) -> bool:
        return index % 2 == 0

    def _blob(self, shape: Shape, place: str, stack: tuple[str, ...], index: int) -> bytes:
        if place == "payload" or self.output:
            return b"payload-bytes"
        return b"blob\x00\xff" + bytes([index])

    def _timestamp(self, shape: Shape, place: str, stack: tuple[str, ...], index: int) -> datetime:
        return MOMENT.replace(second=5 + index)


def _place(member: Shape, parent_place: str) -> str:
    serialization = member.serialization
    if serialization.get("hostLabel"):
        return "host"
    location = serialization.get("location")
    if location == "uri":
        return "uri"
    if location in ("header", "headers", "querystring", "statusCode"):
        return location
    if serialization.get("streaming") or (member.type_name == "blob" and parent_place == "payload"):
        return "payload"
    return parent_place if parent_place in ("body", "payload") else "body"


def _wire_name(name: str, member: Shape) -> str:
    serialization = member.serialization
    if member.type_name == "list" and serialization.get("flattened"):
        name = member.member.serialization.get("name", name)
    return str(serialization.get("name", name))


def _count(shape: Shape, stack: tuple[str, ...]) -> int:
    """Two entries near the top (repetition is tested), one deeper (sizes stay linear)."""
    low = shape.metadata.get("min") or 0
    high = shape.metadata.get("max")
    count = max(2 if len(stack) <= 2 else 1, low)
    return min(count, high) if high is not None else count


def _fit(text: str, shape: Shape) -> str:
    low = shape.metadata.get("min") or 0
    high = shape.metadata.get("max")
    if high is not None:
        text = text[:high]
    if len(text) < low:
        text += "x" * (low - len(text))
    return text


def _clamp(value: float, shape: Shape) -> float:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and value < low:
        value = low
    if high is not None and value > high:
        value = high
    return value
