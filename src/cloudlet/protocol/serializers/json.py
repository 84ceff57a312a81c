"""JSON responses: the `json` protocol, and the JSON value writer rest-json and cbor reuse.

`JSONWriter` turns a provider's result into JSON-ready values with one `_handle_<type>` method per
shape type: timestamps become epoch seconds (or their `timestampFormat`), blobs base64, structure
members take their wire names, and members that are None or not in the model are left out. A
structure or map that would be written as it is (DynamoDB's items, most descriptions) is handed to
the encoder itself, not copied.

Errors (json):  {"__type": "<ShapeName>", "message": "...", <fields>}  + `x-amzn-ErrorType`;
query-compatible services (SQS, CloudWatch) add `x-amzn-query-error: <QueryCode>;Sender`.
"""

from __future__ import annotations

import functools
from base64 import b64encode
from typing import Any

from botocore.model import OperationModel, ServiceModel, Shape

from cloudlet.errors import ServiceError
from cloudlet.http import HttpResponse
from cloudlet.protocol import jsontext, models
from cloudlet.protocol.dispatch import Handler, entries_before, handler_for
from cloudlet.protocol.serializers.base import ResponseSerializer, WireError
from cloudlet.protocol.timestamps import FORMATTERS, epoch, to_datetime


@functools.cache
def _members(
    walker: object, shape: Shape, by_name: bool
) -> dict[str, tuple[str, Shape, Handler | None]]:
    """member name → (wire name, shape, handler), for members written into the body; the handler
    is None for members written as they are (strings, numbers, booleans)."""
    plan = {}
    for name, member in shape.members.items():
        if "location" in member.serialization:
            continue
        wire = name if by_name else member.serialization.get("name", name)
        handler = handler_for(walker, member.type_name)
        plan[name] = (wire, member, None if handler is JSONWriter._handle_scalar else handler)
    return plan


def dumps(document: Any) -> bytes:
    """Compact JSON, as AWS sends it."""
    return jsontext.dumps(document)


class JSONWriter:
    """Writes python values as JSON values of their shapes."""

    member_names_on_wire = False
    """CBOR keys structures by member name; JSON by `locationName`/`jsonName` when modeled."""

    def write(self, shape: Shape, value: Any) -> Any:
        return handler_for(self, shape.type_name)(self, shape, value)

    def _handle_structure(self, shape: Shape, value: Any) -> Any:
        if shape.is_document_type:
            return value
        plan = _members(self, shape, self.member_names_on_wire)
        document: dict[str, Any] | None = None  # copied at the first member written differently
        for name, item in value.items():
            member = plan.get(name)
            if member is None or item is None:
                if document is None:
                    document = entries_before(value, name)
                continue
            wire, member_shape, handler = member
            written = item if handler is None else handler(self, member_shape, item)
            if document is not None:
                document[wire] = written
            elif written is not item or wire != name:
                document = entries_before(value, name)
                document[wire] = written
        return value if document is None else document

    def _handle_list(self, shape: Shape, value: Any) -> list[Any]:
        member = shape.member
        handler = handler_for(self, member.type_name)
        return [None if item is None else handler(self, member, item) for item in value]

    def _handle_map(self, shape: Shape, value: Any) -> dict[str, Any]:
        member = shape.value
        handler = handler_for(self, member.type_name)
        document: dict[str, Any] | None = None
        for key, item in value.items():
            written = None if item is None else handler(self, member, item)
            if document is not None:
                document[str(key)] = written
            elif written is not item or type(key) is not str:
                document = entries_before(value, key)
                document[str(key)] = written
        return value if document is None else document

    def _handle_scalar(self, shape: Shape, value: Any) -> Any:
        return value

    _handle_string = _handle_scalar
    _handle_integer = _handle_scalar
    _handle_long = _handle_scalar
    _handle_float = _handle_scalar
    _handle_double = _handle_scalar
    _handle_boolean = _handle_scalar

    def _handle_blob(self, shape: Shape, value: Any) -> Any:
        if isinstance(value, str):
            value = value.encode()
        return b64encode(value).decode()

    def _handle_timestamp(self, shape: Shape, value: Any) -> Any:
        fmt = shape.serialization.get("timestampFormat")
        moment = to_datetime(value)
        return epoch(moment) if fmt is None else FORMATTERS[fmt.lower()](moment)


class JSONSerializer(ResponseSerializer, JSONWriter):
    """The `json` protocol (JSON 1.0 / 1.1)."""

    protocol = "json"

    def serialize(
        self,
        service: ServiceModel,
        operation: OperationModel,
        result: dict[str, Any],
        request_id: str,
    ) -> HttpResponse:
        shape = operation.output_shape
        if not result or shape is None:
            return HttpResponse(200, self._headers(service, request_id), b"{}")
        return HttpResponse(
            200, self._headers(service, request_id), dumps(self._handle_structure(shape, result))
        )

    def serialize_error(
        self,
        service: ServiceModel | None,
        operation: OperationModel | None,
        error: ServiceError,
        request_id: str,
    ) -> HttpResponse:
        wire = WireError.resolve(service, error)
        headers = self._headers(service, request_id)
        type_name = wire.code
        if service is not None and models.is_query_compatible(service):
            type_name = wire.shape_name
            headers["x-amzn-query-error"] = f"{wire.query_code};{wire.fault}"
        headers["x-amzn-ErrorType"] = type_name
        document = {"__type": type_name, wire.message_member: wire.message}
        document.update(self.error_fields(wire))
        return HttpResponse(wire.status, headers, dumps(document))

    def error_fields(self, wire: WireError) -> dict[str, Any]:
        """The error's extra members, written like the members of its shape."""
        if not wire.fields:
            return {}
        if wire.shape is None:
            return dict(wire.fields)
        written: dict[str, Any] = self._handle_structure(wire.shape, wire.fields)
        return written

    def _headers(self, service: ServiceModel | None, request_id: str) -> dict[str, str]:
        version = service.metadata.get("jsonVersion", "1.0") if service is not None else "1.0"
        return {
            "Content-Type": f"application/x-amz-json-{version}",
            "x-amzn-RequestId": request_id,
        }
