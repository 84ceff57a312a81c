"""XML bodies for query, ec2 and rest-xml responses, written as strings (no DOM).

`XMLWriter._handle_<type>(shape, value, tag, out)` appends the element `<tag>…</tag>` for `value` to
the list `out`. Names follow the model, as botocore's XML parsers read them:

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
from typing import Any

from botocore.model import Shape

from cloudlet.protocol.dispatch import Handler, handler_for
from cloudlet.protocol.timestamps import FORMATTERS, iso8601, to_datetime

Member = tuple[str, Shape, Handler, bool]

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


@functools.cache
def _members(walker: object, shape: Shape) -> tuple[dict[str, Member], bool]:
    """member name → (element or attribute name, shape, handler, is attribute); any attributes?"""
    plan = {}
    for name, member in shape.members.items():
        if "location" in member.serialization:
            continue
        attribute = bool(member.serialization.get("xmlAttribute"))
        wire = member.serialization["name"] if attribute else element_name(name, member)
        plan[name] = (wire, member, handler_for(walker, member.type_name), attribute)
    has_attributes = any(member[3] for member in plan.values())
    return plan, has_attributes


class XMLWriter:
    """Writes python values as XML elements of their shapes."""

    def write_members(self, shape: Shape, value: dict[str, Any], out: list[str]) -> None:
        """The child elements of structure `shape` (not its own element)."""
        plan, _ = _members(self, shape)
        for name, item in value.items():
            member = plan.get(name)
            if member is not None and item is not None and not member[3]:
                wire, member_shape, handler, _ = member
                handler(self, member_shape, item, wire, out)

    def _handle_structure(self, shape: Shape, value: Any, tag: str, out: list[str]) -> None:
        plan, has_attributes = _members(self, shape)
        attributes = namespace_attribute(shape)
        if has_attributes:
            for name, item in value.items():
                member = plan.get(name)
                if member is not None and member[3] and item is not None:
                    attributes += f' {member[0]}="{escape_attribute(str(item))}"'
        out.append(f"<{tag}{attributes}>")
        self.write_members(shape, value, out)
        out.append(f"</{tag}>")

    def _handle_list(self, shape: Shape, value: Any, tag: str, out: list[str]) -> None:
        member = shape.member
        handler = handler_for(self, member.type_name)
        if shape.serialization.get("flattened"):
            for item in value:
                handler(self, member, item, tag, out)
            return
        item_tag = member.serialization.get("name", "member")
        out.append(f"<{tag}{namespace_attribute(shape)}>")
        for item in value:
            handler(self, member, item, item_tag, out)
        out.append(f"</{tag}>")

    def _handle_map(self, shape: Shape, value: Any, tag: str, out: list[str]) -> None:
        key_shape, value_shape = shape.key, shape.value
        key_tag = key_shape.serialization.get("name", "key")
        value_tag = value_shape.serialization.get("name", "value")
        key_handler = handler_for(self, key_shape.type_name)
        value_handler = handler_for(self, value_shape.type_name)
        flattened = shape.serialization.get("flattened")
        if not flattened:
            out.append(f"<{tag}{namespace_attribute(shape)}>")
        entry_tag = tag if flattened else "entry"
        for key, item in value.items():
            out.append(f"<{entry_tag}>")
            key_handler(self, key_shape, key, key_tag, out)
            value_handler(self, value_shape, item, value_tag, out)
            out.append(f"</{entry_tag}>")
        if not flattened:
            out.append(f"</{tag}>")

    def _text(self, shape: Shape, text: str, tag: str, out: list[str]) -> None:
        out.append(f"<{tag}{namespace_attribute(shape)}>{text}</{tag}>")

    def _handle_string(self, shape: Shape, value: Any, tag: str, out: list[str]) -> None:
        self._text(shape, escape(str(value)), tag, out)

    def _handle_integer(self, shape: Shape, value: Any, tag: str, out: list[str]) -> None:
        self._text(shape, str(int(value)), tag, out)

    _handle_long = _handle_integer

    def _handle_float(self, shape: Shape, value: Any, tag: str, out: list[str]) -> None:
        self._text(shape, float_text(value), tag, out)

    _handle_double = _handle_float

    def _handle_boolean(self, shape: Shape, value: Any, tag: str, out: list[str]) -> None:
        self._text(shape, "true" if value else "false", tag, out)

    def _handle_blob(self, shape: Shape, value: Any, tag: str, out: list[str]) -> None:
        if isinstance(value, str):
            value = value.encode()
        self._text(shape, b64encode(value).decode(), tag, out)

    def _handle_timestamp(self, shape: Shape, value: Any, tag: str, out: list[str]) -> None:
        fmt = shape.serialization.get("timestampFormat")
        moment = to_datetime(value)
        text = iso8601(moment) if fmt is None else str(FORMATTERS[fmt.lower()](moment))
        self._text(shape, text, tag, out)


def float_text(value: float) -> str:
    """A float as AWS writes it in text (`Infinity`, `-Infinity`, `NaN` for the specials)."""
    value = float(value)
    if math.isfinite(value):
        return repr(value)
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"
