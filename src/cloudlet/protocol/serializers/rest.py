"""REST responses (rest-json, rest-xml): status code, header and payload bindings, then the body.

Output members are written by their `location`:

    statusCode   the HTTP status (else the operation's `responseCode`, else 200)
    header       one header (timestamps RFC 822, lists comma-joined, `jsonvalue` base64 JSON)
    headers      one header per map entry, the map's name as prefix (`x-amz-meta-`)
    (payload)    the body: bytes / text / an async iterator (→ `HttpResponse.stream`) for blob and
                 string payloads, a JSON or XML document for structures
    (none)       a member of the body document

Errors: rest-json sends `x-amzn-ErrorType: <code>` and a JSON body; rest-xml an XML body, in S3's
unwrapped form (`<Error><Code/><Message/><RequestId/><HostId/></Error>`) for S3 and the
`<ErrorResponse><Error>…</Error><RequestId/></ErrorResponse>` form for the others (CloudFront,
Route 53). Modeled error members bound to headers (Lambda's `Retry-After`) go to headers.
"""

from __future__ import annotations

import functools
import json
from base64 import b64encode
from dataclasses import dataclass
from typing import Any

from botocore.model import OperationModel, ServiceModel, Shape

from cloudlet.errors import ServiceError
from cloudlet.http import HttpResponse
from cloudlet.protocol.serializers.base import (
    ResponseSerializer,
    WireError,
    body_members,
    success_status,
)
from cloudlet.protocol.serializers.json import JSONWriter, dumps
from cloudlet.protocol.serializers.xml import XMLWriter, escape, float_text
from cloudlet.protocol.timestamps import FORMATTERS, rfc822, to_datetime

_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'
_UNWRAPPED_ERRORS = frozenset({"S3"})
"""Services whose rest-xml errors are not wrapped in <ErrorResponse> (smithy `noErrorWrapping`)."""


@dataclass(frozen=True)
class _Plan:
    headers: tuple[tuple[str, Shape, str], ...]
    header_maps: tuple[tuple[str, str], ...]
    status: str | None
    payload: tuple[str, Shape] | None
    has_body: bool


@functools.cache
def _plan(shape: Shape) -> _Plan:
    headers, header_maps = [], []
    status = None
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire = member.serialization.get("name", name)
        if location == "header":
            headers.append((name, member, wire))
        elif location == "headers":
            header_maps.append((name, wire))
        elif location == "statusCode":
            status = name
    payload_name = shape.serialization.get("payload")
    payload = (payload_name, shape.members[payload_name]) if payload_name else None
    return _Plan(
        tuple(headers), tuple(header_maps), status, payload, not payload and body_members(shape)
    )


def header_value(shape: Shape, value: Any) -> str:
    """`value` written as a header of `shape`."""
    type_name = shape.type_name
    if type_name == "timestamp":
        fmt = shape.serialization.get("timestampFormat")
        moment = to_datetime(value)
        return rfc822(moment) if fmt is None else str(FORMATTERS[fmt.lower()](moment))
    if type_name == "list":
        return ",".join(_header_item(shape.member, item) for item in value)
    if type_name == "boolean":
        return "true" if value else "false"
    if type_name in ("float", "double"):
        return float_text(value)
    if type_name == "blob":
        return b64encode(value.encode() if isinstance(value, str) else value).decode()
    if shape.serialization.get("jsonvalue"):
        return b64encode(json.dumps(value, separators=(",", ":")).encode()).decode()
    return str(value)


def _header_item(shape: Shape, value: Any) -> str:
    text = header_value(shape, value)
    if shape.type_name == "string" and ("," in text or '"' in text):
        return '"' + text.replace('"', '\\"') + '"'
    return text


def _has_header(headers: dict[str, str], name: str) -> bool:
    lowered = name.lower()
    return any(key.lower() == lowered for key in headers)


class RestSerializer(ResponseSerializer):
    """What rest-json and rest-xml share; subclasses write documents and errors."""

    document_type = ""

    def serialize(
        self,
        service: ServiceModel,
        operation: OperationModel,
        result: dict[str, Any],
        request_id: str,
    ) -> HttpResponse:
        headers = self._headers(service, request_id)
        shape = operation.output_shape
        if shape is None:
            return HttpResponse(success_status(operation), headers)
        plan = _plan(shape)
        status = self.write_bindings(shape, result, headers) or success_status(operation)
        response = HttpResponse(status, headers)
        if plan.payload is not None:
            name, member = plan.payload
            value = result.get(name)
            if member.type_name in ("blob", "string"):
                self._raw_payload(member, value, response)
            elif value is not None:
                response.body = self.document(operation, member, value, name)
                self._content_type(headers, self.document_type)
        elif plan.has_body:
            response.body = self.document(operation, shape, result, None)
            self._content_type(headers, self.document_type)
        return response

    def write_bindings(self, shape: Shape, values: dict[str, Any], headers: dict[str, str]) -> int:
        """Header and status-code members into `headers`; the status they set (else 0)."""
        plan = _plan(shape)
        for name, member, header in plan.headers:
            value = values.get(name)
            if value is not None and not (member.type_name == "list" and not value):
                headers[header] = header_value(member, value)
        for name, prefix in plan.header_maps:
            for key, value in (values.get(name) or {}).items():
                headers[prefix + key] = str(value)
        if plan.status is not None and values.get(plan.status) is not None:
            return int(values[plan.status])
        return 0

    def _raw_payload(self, member: Shape, value: Any, response: HttpResponse) -> None:
        if value is None:
            return
        if isinstance(value, str):
            response.body = value.encode()
        elif isinstance(value, bytes | bytearray | memoryview):
            response.body = bytes(value)
        elif hasattr(value, "__aiter__"):
            response.stream = value
        else:
            response.body = value.read()
        default = "application/octet-stream" if member.type_name == "blob" else "text/plain"
        self._content_type(response.headers, default)

    def _content_type(self, headers: dict[str, str], content_type: str) -> None:
        if not _has_header(headers, "Content-Type"):
            headers["Content-Type"] = content_type

    def _headers(self, service: ServiceModel | None, request_id: str) -> dict[str, str]:
        return {"x-amzn-RequestId": request_id}

    def document(
        self, operation: OperationModel | None, shape: Shape, value: Any, name: str | None
    ) -> bytes:
        """The body document for structure `shape` (`name`: the payload member, if one)."""
        raise NotImplementedError


class RestJSONSerializer(RestSerializer, JSONWriter):
    """The `rest-json` protocol."""

    protocol = "rest-json"
    document_type = "application/json"

    def document(
        self, operation: OperationModel | None, shape: Shape, value: Any, name: str | None
    ) -> bytes:
        return dumps(self.write(shape, value))

    def serialize_error(
        self,
        service: ServiceModel | None,
        operation: OperationModel | None,
        error: ServiceError,
        request_id: str,
    ) -> HttpResponse:
        wire = WireError.resolve(service, error)
        headers = self._headers(service, request_id)
        headers["x-amzn-ErrorType"] = wire.code
        headers["Content-Type"] = self.document_type
        document: dict[str, Any] = {"__type": wire.code, wire.message_member: wire.message}
        if wire.fields:
            if wire.shape is None:
                document.update(wire.fields)
            else:
                self.write_bindings(wire.shape, wire.fields, headers)
                document.update(self.write(wire.shape, wire.fields))
        return HttpResponse(wire.status, headers, dumps(document))


class RestXMLSerializer(RestSerializer, XMLWriter):
    """The `rest-xml` protocol."""

    protocol = "rest-xml"
    document_type = "application/xml"

    def document(
        self, operation: OperationModel | None, shape: Shape, value: Any, name: str | None
    ) -> bytes:
        if name is not None:
            root = shape.serialization.get("name", shape.name)
        else:
            root = shape.serialization.get("name") or f"{operation.name if operation else ''}Result"
        out = [_XML_DECLARATION]
        self.write_element(shape, value, root, out)
        return "".join(out).encode()

    def _headers(self, service: ServiceModel | None, request_id: str) -> dict[str, str]:
        if _unwrapped(service):
            return {"x-amz-request-id": request_id, "x-amz-id-2": request_id}
        return {"x-amzn-RequestId": request_id}

    def serialize_error(
        self,
        service: ServiceModel | None,
        operation: OperationModel | None,
        error: ServiceError,
        request_id: str,
    ) -> HttpResponse:
        wire = WireError.resolve(service, error)
        headers = self._headers(service, request_id)
        headers["Content-Type"] = self.document_type
        fields: list[str] = []
        if wire.fields and wire.shape is not None:
            self.write_bindings(wire.shape, wire.fields, headers)
            self.write_members(wire.shape, wire.fields, fields)
        code, message, rid = escape(wire.code), escape(wire.message), escape(request_id)
        if _unwrapped(service):
            body = (
                f"{_XML_DECLARATION}<Error><Code>{code}</Code><Message>{message}</Message>"
                f"{''.join(fields)}<RequestId>{rid}</RequestId><HostId>{rid}</HostId></Error>"
            )
        else:
            body = (
                f"{_XML_DECLARATION}<ErrorResponse><Error><Type>{wire.fault}</Type>"
                f"<Code>{code}</Code><Message>{message}</Message>{''.join(fields)}</Error>"
                f"<RequestId>{rid}</RequestId></ErrorResponse>"
            )
        return HttpResponse(wire.status, headers, body.encode())


def _unwrapped(service: ServiceModel | None) -> bool:
    return service is not None and service.metadata.get("serviceId") in _UNWRAPPED_ERRORS
