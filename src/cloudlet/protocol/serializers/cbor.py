"""Smithy RPC v2 CBOR responses.

The body is a CBOR map keyed by member names; blobs are byte strings and timestamps tag 1 (epoch
seconds), which cbor2 writes from datetimes. Headers: `smithy-protocol: rpc-v2-cbor`,
`Content-Type: application/cbor`. Errors are JSON's in CBOR: `__type`, `message` and the fields,
with `x-amzn-query-error` for query-compatible services.
"""

from __future__ import annotations

from typing import Any

import cbor2
from botocore.model import OperationModel, ServiceModel, Shape

from cloudlet.errors import ServiceError
from cloudlet.http import HttpResponse
from cloudlet.protocol import models
from cloudlet.protocol.serializers.base import ResponseSerializer, WireError
from cloudlet.protocol.serializers.json import JSONWriter
from cloudlet.protocol.timestamps import to_datetime


def _dumps(document: Any) -> bytes:
    return cbor2.dumps(document, datetime_as_timestamp=True, timezone=None)


class CBORSerializer(ResponseSerializer, JSONWriter):
    """The `smithy-rpc-v2-cbor` protocol."""

    protocol = "smithy-rpc-v2-cbor"
    member_names_on_wire = True

    def _handle_blob(self, shape: Shape, value: Any) -> bytes:
        return value.encode() if isinstance(value, str) else bytes(value)

    def _handle_timestamp(self, shape: Shape, value: Any) -> Any:
        return to_datetime(value)

    def serialize(
        self,
        service: ServiceModel,
        operation: OperationModel,
        result: dict[str, Any],
        request_id: str,
    ) -> HttpResponse:
        shape = operation.output_shape
        document = self._handle_structure(shape, result) if shape is not None else {}
        return HttpResponse(200, _headers(request_id), _dumps(document))

    def serialize_error(
        self,
        service: ServiceModel | None,
        operation: OperationModel | None,
        error: ServiceError,
        request_id: str,
    ) -> HttpResponse:
        wire = WireError.resolve(service, error)
        headers = _headers(request_id)
        type_name = wire.code
        if service is not None and models.is_query_compatible(service):
            type_name = wire.shape_name
            headers["x-amzn-query-error"] = f"{wire.query_code};{wire.fault}"
        document: dict[str, Any] = {"__type": type_name, wire.message_member: wire.message}
        if wire.fields:
            if wire.shape is None:
                document.update(wire.fields)
            else:
                document.update(self._handle_structure(wire.shape, wire.fields))
        return HttpResponse(wire.status, headers, _dumps(document))


def _headers(request_id: str) -> dict[str, str]:
    return {
        "Content-Type": "application/cbor",
        "smithy-protocol": "rpc-v2-cbor",
        "x-amzn-RequestId": request_id,
    }
