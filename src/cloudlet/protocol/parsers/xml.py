"""XML request bodies (rest-xml: S3, CloudFront): elements read as shapes.

Namespaces are ignored (`{uri}Tag` is `Tag`), as botocore ignores them. Names follow the model:

    structure member   <locationName or member name>; a flattened list whose member has a
                       locationName repeats elements of that name
    list               <member> children (or the member's locationName); flattened: repeated
                       elements directly in the parent
    map                <entry><key/><value/></entry> children (flattened: repeated elements)
    xmlAttribute       an attribute of the structure's element (`xsi:type` matches `{uri}type`)

Documents with a DTD are refused: no entity expansion, no external resources.
"""

from __future__ import annotations

import functools
from typing import Any
from xml.etree.ElementTree import Element, XMLParser

from botocore.model import Shape

from cloudlet.protocol.dispatch import Handler, handler_for
from cloudlet.protocol.parsers.base import TextValues, WrongType

Member = tuple[str, str, Shape, Handler, bool, bool]


def parse_xml(body: bytes) -> Element:
    """The root element of `body` (ValueError when it is not a plain XML document)."""
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise ValueError("XML documents with a DTD are not accepted")
    parser = XMLParser()
    parser.feed(body)
    root: Element = parser.close()
    return root


def local_name(tag: str) -> str:
    """`{uri}Name` → `Name`; `xsi:type` → `type`."""
    if tag[:1] == "{":
        return tag.rpartition("}")[2]
    return tag.rpartition(":")[2]


@functools.cache
def _members(walker: object, shape: Shape) -> tuple[Member, ...]:
    """(name, element or attribute name, shape, handler, is attribute, is flattened)."""
    plan = []
    for name, member in shape.members.items():
        serialization = member.serialization
        if "location" in serialization:
            continue
        wire = serialization.get("name", name)
        flattened = bool(serialization.get("flattened")) and member.type_name in ("list", "map")
        if member.type_name == "list" and flattened:
            wire = member.member.serialization.get("name", wire)
        attribute = bool(serialization.get("xmlAttribute"))
        if attribute:
            wire = local_name(wire)
        plan.append(
            (name, wire, member, handler_for(walker, member.type_name), attribute, flattened)
        )
    return tuple(plan)


def _is_flattened(shape: Shape) -> bool:
    return bool(shape.serialization.get("flattened"))


class XMLValues(TextValues):
    """Reads XML elements as shapes (used by the rest-xml parser)."""

    def read(self, shape: Shape, element: Element) -> Any:
        return handler_for(self, shape.type_name)(self, shape, element)

    def _handle_structure(self, shape: Shape, element: Any) -> dict[str, Any]:
        if isinstance(element, list):
            element = element[0]
        children: dict[str, list[Element]] = {}
        for child in element:
            children.setdefault(local_name(child.tag), []).append(child)
        parsed = {}
        for name, wire, member, handler, attribute, flattened in _members(self, shape):
            try:
                if attribute:
                    text = _attribute(element, wire)
                    if text is not None:
                        parsed[name] = self.text_value(member, text)
                    continue
                nodes = children.get(wire)
                if nodes is None:
                    continue
                parsed[name] = handler(self, member, nodes if flattened else nodes[0])
            except WrongType as exc:
                exc.path.append(name)
                raise
        return parsed

    def _handle_list(self, shape: Shape, node: Any) -> list[Any]:
        member = shape.member
        handler = handler_for(self, member.type_name)
        if _is_flattened(shape):
            items = node if isinstance(node, list) else [node]
        else:
            item_name = member.serialization.get("name", "member")
            items = [child for child in node if local_name(child.tag) == item_name]
        return [handler(self, member, item) for item in items]

    def _handle_map(self, shape: Shape, node: Any) -> dict[Any, Any]:
        key_shape, value_shape = shape.key, shape.value
        key_name = key_shape.serialization.get("name", "key")
        value_name = value_shape.serialization.get("name", "value")
        handler = handler_for(self, value_shape.type_name)
        if _is_flattened(shape):
            entries = node if isinstance(node, list) else [node]
        else:
            entries = [child for child in node if local_name(child.tag) == "entry"]
        parsed = {}
        for entry in entries:
            key = value = None
            for child in entry:
                tag = local_name(child.tag)
                if tag == key_name:
                    key = child
                elif tag == value_name:
                    value = child
            if key is None or value is None:
                raise WrongType("Map", entry.text)
            parsed[self._handle_scalar(key_shape, key)] = handler(self, value_shape, value)
        return parsed

    def _handle_scalar(self, shape: Shape, element: Any) -> Any:
        if isinstance(element, list):
            element = element[0]
        return self.text_value(shape, element.text or "")

    _handle_string = _handle_scalar
    _handle_integer = _handle_scalar
    _handle_long = _handle_scalar
    _handle_float = _handle_scalar
    _handle_double = _handle_scalar
    _handle_boolean = _handle_scalar
    _handle_blob = _handle_scalar
    _handle_timestamp = _handle_scalar


def _attribute(element: Element, name: str) -> str | None:
    for key, value in element.attrib.items():
        if local_name(key) == name:
            return str(value)
    return None
