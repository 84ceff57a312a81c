"""XML bodies for query, ec2 and rest-xml responses, written as strings (no DOM).

Each (shape, tag) compiles once into a writer closure (`element_writer`) that appends the element
`<tag>…</tag>` of a value to the list `out`, with its tags and namespace attribute already built;
`members_writer` writes a structure's children. Names follow the model, as botocore's XML parsers
read them:

    structure member   <locationName or member name>; a flattened list whose member has a
                       locationName repeats elements of that name instead
    list               <member>…</member> items (or the member's locationName); flattened: the
                       items repeat in the parent
    map                <entry><key/><value/></entry> (names from the key/value locationNames);
                       flattened: repeated <Name><key/><value/></Name>
    xmlAttribute       written into the structure's start tag
    xmlNamespace       an `xmlns` (or `xmlns:prefix`) attribute on the element

Scalars: booleans `true`/`false`, blobs base64, timestamps ISO 8601 (or their `timestampFormat`).
"""

from __future__ import annotations

import functools
import math
from base64 import b64encode
from collections.abc import Callable
from typing import Any

from botocore.model import Shape

from cloudlet.protocol.timestamps import FORMATTERS, iso8601, to_datetime

_ATTRIBUTE = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;", "\n": "&#10;"}
)


def escape(text: str) -> str:
    """`text` safe as XML character data (`\\r` kept as a reference, which parsers preserve)."""
    # `in` tests first: most values need no escaping, and this is several times faster than
    # str.translate for the short strings responses are made of.
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


def escape_attribute(text: str) -> str:
    return text.translate(_ATTRIBUTE)


@functools.cache
def namespace_attribute(shape: Shape) -> str:
    """` xmlns="…"` (or ` xmlns:prefix="…"`) for a shape with an `xmlNamespace` trait, else ""."""
    namespace = shape.serialization.get("xmlNamespace")
    if not namespace:
        return ""
    if isinstance(namespace, str):
        return f' xmlns="{escape_attribute(namespace)}"'
    prefix = namespace.get("prefix")
    name = f"xmlns:{prefix}" if prefix else "xmlns"
    return f' {name}="{escape_attribute(namespace.get("uri", ""))}"'


def element_name(name: str, member: Shape) -> str:
    """The element name of structure member `name` (botocore's `_member_key_name`)."""
    serialization = member.serialization
    if member.type_name == "list" and serialization.get("flattened"):
        item_name = member.member.serialization.get("name")
        if item_name:
            return str(item_name)
    return str(serialization.get("name", name))


Writer = Callable[[Any, list[str]], None]
"""Appends the element of one value to `out`; its tag (and namespace) fixed when compiled."""

Cells = dict[tuple[str, str], list[Writer]]
"""The writer of each (shape name, tag) compiled so far in one tree (recursion goes through it)."""


@functools.cache
def element_writer(shape: Shape, tag: str) -> Writer:
    """The writer of `shape`'s values as `<tag>` elements, compiled once per shape and tag."""
    return _compile(shape, tag, {})


@functools.cache
def members_writer(shape: Shape) -> Writer:
    """The writer of structure `shape`'s child elements (not its own element)."""
    return _members(shape, {})[0]


def _compile(shape: Shape, tag: str, cells: Cells) -> Writer:
    cell = cells.get((shape.name, tag))
    if cell is not None:
        found = cell
        return lambda value, out: found[0](value, out)
    cell = cells[(shape.name, tag)] = [_unwritable(shape)]
    build = _BUILDERS.get(shape.type_name)
    if build is not None:
        cell[0] = build(shape, tag, cells)
    return cell[0]


def _unwritable(shape: Shape) -> Writer:
    def write(value: Any, out: list[str]) -> None:
        raise TypeError(f"cannot write a {shape.type_name} value as XML")

    return write


def _members(shape: Shape, cells: Cells) -> tuple[Writer, tuple[tuple[str, str], ...]]:
    """The child-element writer of a structure, and its (member, attribute name) attributes."""
    writers: dict[str, Writer] = {}
    attributes = []
    for name, member in shape.members.items():
        serialization = member.serialization
        if "location" in serialization:
            continue
        if serialization.get("xmlAttribute"):
            attributes.append((name, str(serialization["name"])))
        else:
            writers[name] = _compile(member, element_name(name, member), cells)

    def write(value: Any, out: list[str]) -> None:
        for name, item in value.items():
            writer = writers.get(name)
            if writer is not None and item is not None:
                writer(item, out)

    return write, tuple(attributes)


def _structure(shape: Shape, tag: str, cells: Cells) -> Writer:
    members, attributes = _members(shape, cells)
    namespace = namespace_attribute(shape)
    opening, closing = f"<{tag}{namespace}>", f"</{tag}>"

    def write(value: Any, out: list[str]) -> None:
        out.append(opening)
        members(value, out)
        out.append(closing)

    if not attributes:
        return write

    def write_with_attributes(value: Any, out: list[str]) -> None:
        written = namespace
        for name, attribute in attributes:
            item = value.get(name)
            if item is not None:
                written += f' {attribute}="{escape_attribute(str(item))}"'
        out.append(f"<{tag}{written}>")
        members(value, out)
        out.append(closing)

    return write_with_attributes


def _list(shape: Shape, tag: str, cells: Cells) -> Writer:
    member = shape.member
    if shape.serialization.get("flattened"):
        repeated = _compile(member, tag, cells)

        def write_flattened(value: Any, out: list[str]) -> None:
            for item in value:
                repeated(item, out)

        return write_flattened
    item = _compile(member, member.serialization.get("name", "member"), cells)
    opening, closing = f"<{tag}{namespace_attribute(shape)}>", f"</{tag}>"

    def write(value: Any, out: list[str]) -> None:
        out.append(opening)
        for entry in value:
            item(entry, out)
        out.append(closing)

    return write


def _map(shape: Shape, tag: str, cells: Cells) -> Writer:
    key_shape, value_shape = shape.key, shape.value
    key = _compile(key_shape, key_shape.serialization.get("name", "key"), cells)
    item = _compile(value_shape, value_shape.serialization.get("name", "value"), cells)
    flattened = bool(shape.serialization.get("flattened"))
    entry = tag if flattened else "entry"
    entry_opening, entry_closing = f"<{entry}>", f"</{entry}>"
    opening, closing = f"<{tag}{namespace_attribute(shape)}>", f"</{tag}>"

    def write(value: Any, out: list[str]) -> None:
        if not flattened:
            out.append(opening)
        for name, element in value.items():
            out.append(entry_opening)
            key(name, out)
            item(element, out)
            out.append(entry_closing)
        if not flattened:
            out.append(closing)

    return write


def _scalar(text: Callable[[Any], str]) -> Callable[[Shape, str, Cells], Writer]:
    """A builder of `<tag>text(value)</tag>` writers."""

    def build(shape: Shape, tag: str, cells: Cells) -> Writer:
        opening, closing = f"<{tag}{namespace_attribute(shape)}>", f"</{tag}>"

        def write(value: Any, out: list[str]) -> None:
            out.append(f"{opening}{text(value)}{closing}")

        return write

    return build


def _string_text(value: Any) -> str:
    return escape(str(value))


def _integer_text(value: Any) -> str:
    return str(int(value))


def _boolean_text(value: Any) -> str:
    return "true" if value else "false"


def _blob_text(value: Any) -> str:
    return b64encode(value.encode() if isinstance(value, str) else value).decode()


def float_text(value: float) -> str:
    """A float as AWS writes it in text (`Infinity`, `-Infinity`, `NaN` for the specials)."""
    value = float(value)
    if math.isfinite(value):
        return repr(value)
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"


def _timestamp(shape: Shape, tag: str, cells: Cells) -> Writer:
    fmt = shape.serialization.get("timestampFormat")
    formatter = iso8601 if fmt is None else FORMATTERS[fmt.lower()]
    return _scalar(lambda value: str(formatter(to_datetime(value))))(shape, tag, cells)


_BUILDERS: dict[str, Callable[[Shape, str, Cells], Writer]] = {
    "structure": _structure,
    "list": _list,
    "map": _map,
    "string": _scalar(_string_text),
    "integer": _scalar(_integer_text),
    "long": _scalar(_integer_text),
    "float": _scalar(float_text),
    "double": _scalar(float_text),
    "boolean": _scalar(_boolean_text),
    "blob": _scalar(_blob_text),
    "timestamp": _timestamp,
}


class XMLWriter:
    """Writes python values as XML elements of their shapes."""

    def write_members(self, shape: Shape, value: dict[str, Any], out: list[str]) -> None:
        """The child elements of structure `shape` (not its own element)."""
        members_writer(shape)(value, out)

    def write_element(self, shape: Shape, value: Any, tag: str, out: list[str]) -> None:
        """The element `<tag>…</tag>` of `value`."""
        element_writer(shape, tag)(value, out)
