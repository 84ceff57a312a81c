"""Query and EC2 responses (XML).

    query  <OpResponse xmlns="<xmlNamespace>"><OpResult>…</OpResult>
           <ResponseMetadata><RequestId>id</RequestId></ResponseMetadata></OpResponse>
           (the Result element only when the model names a `resultWrapper`)
    ec2    <?xml …?><OpResponse xmlns="<xmlNamespace>"><requestId>id</requestId>…</OpResponse>

Errors:
    query  <ErrorResponse xmlns="…"><Error><Type>Sender</Type><Code>…</Code><Message>…</Message>
           <fields…/></Error><RequestId>id</RequestId></ErrorResponse>
    ec2    <Response><Errors><Error><Code>…</Code><Message>…</Message></Error></Errors>
           <RequestID>id</RequestID></Response>
"""

from __future__ import annotations

import functools
from typing import Any

from botocore.model import OperationModel, ServiceModel

from cloudlet.errors import ServiceError
from cloudlet.http import HttpResponse
from cloudlet.protocol.serializers.base import ResponseSerializer, WireError
from cloudlet.protocol.serializers.xml import XMLWriter, escape, escape_attribute

_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'


@functools.cache
def _namespace(service: ServiceModel | None) -> str:
    namespace = service.metadata.get("xmlNamespace") if service is not None else None
    return f' xmlns="{escape_attribute(namespace)}"' if namespace else ""


class QuerySerializer(ResponseSerializer, XMLWriter):
    """The `query` protocol."""

    protocol = "query"
    content_type = "text/xml"

    def serialize(
        self,
        service: ServiceModel,
        operation: OperationModel,
        result: dict[str, Any],
        request_id: str,
    ) -> HttpResponse:
        name = operation.name
        out = [f"<{name}Response{_namespace(service)}>"]
        shape = operation.output_shape
        if shape is not None:
            wrapper = shape.serialization.get("resultWrapper")
            if wrapper:
                out.append(f"<{wrapper}>")
                self.write_members(shape, result, out)
                out.append(f"</{wrapper}>")
            else:
                self.write_members(shape, result, out)
        out.append(
            f"<ResponseMetadata><RequestId>{escape(request_id)}</RequestId></ResponseMetadata>"
            f"</{name}Response>"
        )
        return HttpResponse(200, self._headers(request_id), "".join(out).encode())

    def serialize_error(
        self,
        service: ServiceModel | None,
        operation: OperationModel | None,
        error: ServiceError,
        request_id: str,
    ) -> HttpResponse:
        wire = WireError.resolve(service, error)
        out = [
            f"<ErrorResponse{_namespace(service)}><Error><Type>{wire.fault}</Type>"
            f"<Code>{escape(wire.code)}</Code><Message>{escape(wire.message)}</Message>"
        ]
        self._error_fields(wire, out)
        out.append(f"</Error><RequestId>{escape(request_id)}</RequestId></ErrorResponse>")
        return HttpResponse(wire.status, self._headers(request_id), "".join(out).encode())

    def _error_fields(self, wire: WireError, out: list[str]) -> None:
        if wire.fields and wire.shape is not None:
            self.write_members(wire.shape, wire.fields, out)

    def _headers(self, request_id: str) -> dict[str, str]:
        return {"Content-Type": self.content_type, "x-amzn-RequestId": request_id}


class EC2Serializer(QuerySerializer):
    """The `ec2` protocol."""

    protocol = "ec2"
    content_type = "text/xml;charset=UTF-8"

    def serialize(
        self,
        service: ServiceModel,
        operation: OperationModel,
        result: dict[str, Any],
        request_id: str,
    ) -> HttpResponse:
        name = operation.name
        out = [
            f"{_DECLARATION}<{name}Response{_namespace(service)}>"
            f"<requestId>{escape(request_id)}</requestId>"
        ]
        shape = operation.output_shape
        if shape is not None:
            self.write_members(shape, result, out)
        out.append(f"</{name}Response>")
        return HttpResponse(200, self._headers(request_id), "".join(out).encode())

    def serialize_error(
        self,
        service: ServiceModel | None,
        operation: OperationModel | None,
        error: ServiceError,
        request_id: str,
    ) -> HttpResponse:
        wire = WireError.resolve(service, error)
        out = [
            f"{_DECLARATION}<Response><Errors><Error><Code>{escape(wire.code)}</Code>"
            f"<Message>{escape(wire.message)}</Message>"
        ]
        self._error_fields(wire, out)
        out.append(f"</Error></Errors><RequestID>{escape(request_id)}</RequestID></Response>")
        return HttpResponse(wire.status, self._headers(request_id), "".join(out).encode())
