"""REST requests (rest-json: Lambda, Scheduler, API Gateway v2; rest-xml: S3, CloudFront).

The operation comes from `routing.match`. Input members are bound by their `location`:

    uri           a `{Label}` of the requestUri (percent-decoded; `{Label+}` keeps slashes)
    querystring   a query parameter (lists repeat it; a map takes every parameter not bound)
    header        a header (lists comma-separated, `jsonvalue` base64 JSON, timestamps RFC 822)
    headers       every header starting with a prefix (`x-amz-meta-`), prefix removed
    hostLabel     part of the Host header, per the operation's `endpoint.hostPrefix`
    (payload)     the body: raw bytes/text for blob/string payloads, a document for structures
    (none)        a member of the body document (JSON object / XML root element)

Subclasses say how a body document reads (`_read_document`).
"""

from __future__ import annotations

import functools
import json
import re
from base64 import b64decode
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import ParseError

from botocore.model import OperationModel, ServiceModel, Shape

from cloudlet.http import HttpRequest
from cloudlet.protocol import faults, jsontext, routing
from cloudlet.protocol.parsers.base import MALFORMED, RequestParser, TextValues, WrongType
from cloudlet.protocol.parsers.chunked import decode_aws_chunked, is_aws_chunked
from cloudlet.protocol.parsers.json import JSONValues
from cloudlet.protocol.parsers.xml import XMLValues, parse_xml


@dataclass(frozen=True)
class _Plan:
    """Where each input member of an operation is read from."""

    uri: tuple[tuple[str, Shape, str], ...]
    query: tuple[tuple[str, Shape, str], ...]
    query_map: tuple[str, Shape] | None
    headers: tuple[tuple[str, Shape, str], ...]
    header_maps: tuple[tuple[str, Shape, str], ...]
    host: re.Pattern[str] | None
    host_labels: tuple[tuple[str, Shape], ...]
    payload: tuple[str, Shape] | None
    has_body_members: bool


@functools.cache
def _plan(operation: OperationModel) -> _Plan:
    shape = operation.input_shape
    uri, query, headers, header_maps, host_labels = [], [], [], [], []
    query_map = None
    has_body_members = False
    for name, member in shape.members.items():
        serialization = member.serialization
        location = serialization.get("location")
        wire = serialization.get("name", name)
        if serialization.get("hostLabel"):
            host_labels.append((name, member))
        elif location == "uri":
            uri.append((name, member, wire))
        elif location == "querystring":
            if member.type_name == "map":
                query_map = (name, member)
            else:
                query.append((name, member, wire))
        elif location == "header":
            headers.append((name, member, wire.lower()))
        elif location == "headers":
            header_maps.append((name, member, wire.lower()))
        elif name != shape.serialization.get("payload"):
            has_body_members = True
    payload_name = shape.serialization.get("payload")
    payload = (payload_name, shape.members[payload_name]) if payload_name else None
    return _Plan(
        uri=tuple(uri),
        query=tuple(query),
        query_map=query_map,
        headers=tuple(headers),
        header_maps=tuple(header_maps),
        host=_host_pattern(operation),
        host_labels=tuple(host_labels),
        payload=payload,
        has_body_members=has_body_members,
    )


def _host_pattern(operation: OperationModel) -> re.Pattern[str] | None:
    prefix = (operation.endpoint or {}).get("hostPrefix")
    if not prefix or "{" not in prefix:
        return None
    regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[A-Za-z0-9-]+)", re.escape(prefix))
    return re.compile(regex)


def split_header_list(value: str) -> list[str]:
    """`a, "b,c", d` → ["a", "b,c", "d"] (botocore quotes items holding commas or quotes)."""
    items: list[str] = []
    position, length = 0, len(value)
    while position <= length:
        while position < length and value[position] == " ":
            position += 1
        if position < length and value[position] == '"':
            end = position + 1
            chars = []
            while end < length and value[end] != '"':
                if value[end] == "\\" and end + 1 < length:
                    end += 1
                chars.append(value[end])
                end += 1
            items.append("".join(chars))
            comma = value.find(",", end)
            position = length + 1 if comma < 0 else comma + 1
        else:
            comma = value.find(",", position)
            end = length if comma < 0 else comma
            items.append(value[position:end].strip())
            position = end + 1
    return items


class RestParser(RequestParser, TextValues):
    """What rest-json and rest-xml share: routing and URI, query, header and host bindings."""

    def _operation(self, service: ServiceModel, request: HttpRequest) -> tuple[OperationModel, Any]:
        try:
            return routing.match(service, request)
        except LookupError:
            raise faults.unknown_operation(self.protocol, "") from None

    def _read(
        self, service: ServiceModel, operation: OperationModel, request: HttpRequest, context: Any
    ) -> dict[str, Any]:
        plan = _plan(operation)
        params: dict[str, Any] = {}
        body = request.body
        if plan.payload is not None:
            name, member = plan.payload
            if member.type_name in ("blob", "string"):
                if is_aws_chunked(request):
                    body = decode_aws_chunked(body)
                if body or name in operation.input_shape.required_members:
                    params[name] = body if member.type_name == "blob" else body.decode("utf-8")
            elif body.strip():
                params[name] = self._read_document(member, body)
        elif plan.has_body_members and body.strip():
            params.update(self._read_document(operation.input_shape, body))
        self._read_bindings(plan, request, context, params)
        return params

    def _read_bindings(
        self, plan: _Plan, request: HttpRequest, labels: dict[str, str], params: dict[str, Any]
    ) -> None:
        for name, member, label in plan.uri:
            if label in labels:
                params[name] = self._bound(name, member, labels[label])
        query = request.query if plan.query or plan.query_map else {}
        for name, member, key in plan.query:
            values = query.get(key)
            if values is None:
                continue
            if member.type_name == "list":
                item = member.member
                params[name] = [self._bound(name, item, value) for value in values]
            else:
                params[name] = self._bound(name, member, values[0])
        if plan.query_map is not None:
            name, member = plan.query_map
            bound = {key for _, _, key in plan.query}
            as_list = member.value.type_name == "list"
            rest = {key: v if as_list else v[0] for key, v in query.items() if key not in bound}
            if rest:
                params[name] = rest
        headers = request.headers
        for name, member, header in plan.headers:
            value = headers.get(header)
            if value is not None:
                params[name] = self._header(name, member, value)
        for name, _member, prefix in plan.header_maps:
            found = {
                key[len(prefix) :]: value
                for key, value in headers.items()
                if key.startswith(prefix)
            }
            if found:
                params[name] = found
        if plan.host is not None:
            matched = plan.host.match(headers.get("host", ""))
            for name, member in plan.host_labels:
                if matched is not None and name in matched.groupdict():
                    params[name] = self._bound(name, member, matched.group(name))

    def _bound(self, name: str, member: Shape, text: str) -> Any:
        try:
            return self.text_value(member, text)
        except WrongType as exc:
            exc.path.append(name)
            raise

    def _header(self, name: str, member: Shape, value: str) -> Any:
        if member.type_name == "list":
            item = member.member
            return [self._bound(name, item, text) for text in split_header_list(value)]
        if member.serialization.get("jsonvalue"):
            return json.loads(b64decode(value))
        return self._bound(name, member, value)

    def _read_document(self, shape: Shape, body: bytes) -> Any:
        """Structure `shape` read from a body document."""
        raise NotImplementedError


class RestJSONParser(RestParser, JSONValues):
    """The `rest-json` protocol."""

    protocol = "rest-json"

    def _read_document(self, shape: Shape, body: bytes) -> Any:
        return self.read(shape, jsontext.loads(body))


class RestXMLParser(RestParser, XMLValues):
    """The `rest-xml` protocol."""

    protocol = "rest-xml"
    malformed_errors = (*MALFORMED, ParseError)

    def _read_document(self, shape: Shape, body: bytes) -> Any:
        return self.read(shape, parse_xml(body))
