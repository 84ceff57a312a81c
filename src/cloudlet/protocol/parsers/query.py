"""Query and EC2 requests: form fields (`Action=...&Version=...&Tags.member.1.Key=k`).

Fields come from the form-encoded body and the URL query string. Their dotted names are split into
a tree once per request, and the input shape is walked down that tree:

    Tags.member.1.Key=k  →  {"Tags": {"member": {"1": {"Key": {None: "k"}}}}}

(`None` holds a node's own value). Names per protocol, as botocore writes them:

    query  member: locationName or member name; list: <name>.member.N (or the member's
           locationName); flattened list: <name>.N, the member's locationName replacing <name>;
           map: <name>.entry.N.key / .value (flattened: <name>.N.key); empty list: `<name>=`
    ec2    member: queryName, else locationName capitalised, else member name; list: <name>.N
"""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import unquote_plus

from botocore.model import OperationModel, ServiceModel, Shape

from cloudlet.http import HttpRequest
from cloudlet.protocol import faults
from cloudlet.protocol.dispatch import Handler, handler_for
from cloudlet.protocol.models import operation_for
from cloudlet.protocol.parsers.base import RequestParser, TextValues, WrongType

Node = dict[str | None, Any]


def form_fields(text: str) -> dict[str, str]:
    """`a=1&b=x+y` → {"a": "1", "b": "x y"} (the last of repeated names wins)."""
    fields: dict[str, str] = {}
    for pair in text.split("&"):
        if not pair:
            continue
        key, _, value = pair.partition("=")
        if "%" in key or "+" in key:
            key = unquote_plus(key, errors="strict")
        if "%" in value or "+" in value:
            value = unquote_plus(value, errors="strict")
        fields[key] = value
    return fields


def _tree(fields: dict[str, str]) -> Node:
    root: Node = {}
    for key, value in fields.items():
        node = root
        for part in key.split("."):
            child = node.get(part)
            if child is None:
                child = node[part] = {}
            node = child
        node[None] = value
    return root


class QueryParser(RequestParser, TextValues):
    """The `query` protocol (IAM, STS, Auto Scaling, ElastiCache, CloudWatch, old SQS)."""

    protocol = "query"

    def _operation(self, service: ServiceModel, request: HttpRequest) -> tuple[OperationModel, Any]:
        fields = form_fields(request.query_string) if request.query_string else {}
        body = request.body
        if body and request.method != "GET":
            fields.update(form_fields(body.decode("utf-8")))
        action = fields.get("Action", "")
        operation = operation_for(service, action)
        if operation is None:
            raise faults.unknown_operation(self.protocol, action)
        return operation, fields

    def _read(
        self, service: ServiceModel, operation: OperationModel, request: HttpRequest, context: Any
    ) -> dict[str, Any]:
        parsed: dict[str, Any] = self._handle_structure(operation.input_shape, _tree(context))
        return parsed

    def member_name(self, name: str, member: Shape) -> str:
        """The field name of structure member `name`."""
        serialization = member.serialization
        if member.type_name == "list" and serialization.get("flattened"):
            element = member.member.serialization.get("name")
            if element:
                return str(element)
        return str(serialization.get("name", name))

    def wire_path(self, shape: Shape, path: tuple[str | int, ...]) -> str:
        parts: list[str] = []
        current = shape
        for part in path:
            if isinstance(part, int) and current.type_name == "list":
                parts.extend(self.list_item_names(current, part))
                current = current.member
            elif current.type_name == "structure" and part in current.members:
                member = current.members[part]
                parts.append(self.member_name(str(part), member))
                current = member
            else:
                parts.append(str(part))
                current = current.value if current.type_name == "map" else current
        return ".".join(parts)

    def list_item_names(self, shape: Shape, index: int) -> list[str]:
        """The name parts of item `index` of a list (after the list's own name)."""
        if shape.serialization.get("flattened"):
            return [str(index + 1)]
        return [shape.member.serialization.get("name", "member"), str(index + 1)]

    def list_items(self, shape: Shape, node: Node) -> Node | None:
        """The node holding a list's numbered items."""
        if shape.serialization.get("flattened"):
            return node
        child: Node | None = node.get(shape.member.serialization.get("name", "member"))
        return child

    def _handle_structure(self, shape: Shape, node: Node) -> dict[str, Any]:
        if shape.is_document_type:
            raise WrongType("Document", node.get(None))
        parsed = {}
        for name, wire, member, handler in _members(self, shape):
            child = node.get(wire)
            if child is None:
                continue
            try:
                parsed[name] = handler(self, member, child)
            except WrongType as exc:
                exc.path.append(wire)
                raise
        return parsed

    def _handle_list(self, shape: Shape, node: Node) -> list[Any]:
        items = self.list_items(shape, node)
        numbered = _numbered(items) if items is not None else []
        if not numbered:
            text = node.get(None)
            if text:
                raise WrongType("List", text)
            return []  # `Name=` is how an empty list is sent
        member = shape.member
        handler = handler_for(self, member.type_name)
        return [handler(self, member, child) for _, child in numbered]

    def _handle_map(self, shape: Shape, node: Node) -> dict[Any, Any]:
        entries = node if shape.serialization.get("flattened") else node.get("entry")
        if entries is None:
            if node.get(None) == "":
                return {}
            raise WrongType("Map", node.get(None))
        key_shape, value_shape = shape.key, shape.value
        key_name = key_shape.serialization.get("name", "key")
        value_name = value_shape.serialization.get("name", "value")
        handler = handler_for(self, value_shape.type_name)
        parsed = {}
        for _, entry in _numbered(entries):
            key_node, value_node = entry.get(key_name), entry.get(value_name)
            if key_node is None or value_node is None:
                raise WrongType("Map", entry.get(None))
            parsed[self._handle_scalar(key_shape, key_node)] = handler(
                self, value_shape, value_node
            )
        return parsed

    def _handle_scalar(self, shape: Shape, node: Node) -> Any:
        text = node.get(None)
        if text is None:
            raise WrongType(shape.type_name.title(), None)
        return self.text_value(shape, text)

    _handle_string = _handle_scalar
    _handle_integer = _handle_scalar
    _handle_long = _handle_scalar
    _handle_float = _handle_scalar
    _handle_double = _handle_scalar
    _handle_boolean = _handle_scalar
    _handle_blob = _handle_scalar
    _handle_timestamp = _handle_scalar


class EC2Parser(QueryParser):
    """The `ec2` protocol: query with EC2's own member names and list layout."""

    protocol = "ec2"

    def member_name(self, name: str, member: Shape) -> str:
        serialization = member.serialization
        if "queryName" in serialization:
            return str(serialization["queryName"])
        location_name = serialization.get("name")
        if location_name:
            return str(location_name[0].upper() + location_name[1:])
        return name

    def list_items(self, shape: Shape, node: Node) -> Node | None:
        return node

    def list_item_names(self, shape: Shape, index: int) -> list[str]:
        return [str(index + 1)]


def _numbered(items: Node) -> list[tuple[int, Any]]:
    numbered = []
    for key, child in items.items():
        if key is None:
            continue
        if not key.isdigit():
            raise WrongType("List", key)
        numbered.append((int(key), child))
    numbered.sort(key=lambda pair: pair[0])
    return numbered


@functools.cache
def _members(parser: QueryParser, shape: Shape) -> tuple[tuple[str, str, Shape, Handler], ...]:
    return tuple(
        (name, parser.member_name(name, member), member, handler_for(parser, member.type_name))
        for name, member in shape.members.items()
    )
