"""Smithy RPC v2 CBOR requests (CloudWatch's newest protocol).

`POST /service/<ServiceName>/operation/<Operation>` with header `smithy-protocol: rpc-v2-cbor` and a
CBOR map as the body. Values are JSON's with two differences: blobs are CBOR byte strings and
timestamps are tag 1 (epoch seconds), which cbor2 already decodes to datetimes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import cbor2
from botocore.model import OperationModel, ServiceModel, Shape

from cloudlet.http import HttpRequest
from cloudlet.protocol import faults
from cloudlet.protocol.models import operation_for
from cloudlet.protocol.parsers.base import MALFORMED, RequestParser, WrongType
from cloudlet.protocol.parsers.json import JSONValues
from cloudlet.protocol.timestamps import from_epoch


class CBORParser(RequestParser, JSONValues):
    """The `smithy-rpc-v2-cbor` protocol."""

    protocol = "smithy-rpc-v2-cbor"
    malformed_errors = (*MALFORMED, cbor2.CBORError)

    def _operation(self, service: ServiceModel, request: HttpRequest) -> tuple[OperationModel, Any]:
        parts = request.path.split("/")
        # ['', 'service', '<Service>', 'operation', '<Operation>'], maybe behind a path prefix
        if len(parts) < 5 or parts[-2] != "operation" or parts[-4] != "service":
            raise faults.unknown_operation(self.protocol, "")
        operation = operation_for(service, parts[-1])
        if operation is None:
            raise faults.unknown_operation(self.protocol, parts[-1])
        return operation, None

    def _read(
        self, service: ServiceModel, operation: OperationModel, request: HttpRequest, context: Any
    ) -> dict[str, Any]:
        body = request.body
        document = cbor2.loads(body) if body else {}
        parsed: dict[str, Any] = self.read(operation.input_shape, document)
        return parsed

    def _handle_blob(self, shape: Shape, value: Any) -> bytes:
        if type(value) is bytes:
            return value
        raise WrongType("Blob", value)

    def _handle_timestamp(self, shape: Shape, value: Any) -> Any:
        if type(value) is datetime:
            return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        if type(value) is int or type(value) is float:
            try:
                return from_epoch(value)
            except ValueError:
                pass
        raise WrongType("Timestamp", value)
