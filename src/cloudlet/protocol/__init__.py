"""Wire protocols, driven by botocore's service models.

The gateway calls, per request:

    service_model(name)                          the botocore model (loaded once, lazily)
    detect_protocol(service, request)            json / query / smithy-rpc-v2-cbor / ...
    parse_request(service, request, protocol)    → (operation, params as boto3 callers pass them)
    serialize_response(service, operation, protocol, result, request_id)   → HttpResponse
    serialize_error(service, operation, protocol, error, request_id)       → HttpResponse

Layout:

    models.py       loading models, protocol variants (SQS query), operation and error lookups
    detection.py    which protocol a request speaks
    routing.py      REST method + URI → operation
    parsers/        one request parser per protocol (PARSERS registry)
    serializers/    one response serializer per protocol (SERIALIZERS registry)
    validation.py   required / min / max checks on parsed input
    faults.py       the error codes and messages AWS uses for bad requests
    timestamps.py   timestamp forms on the wire
    overlays.py     protocol facts the current models no longer carry (generated)

Parsers and serializers walk shapes with `_handle_<type_name>` methods (as botocore does) over
plans computed once per shape and cached, so a trivial request costs a few microseconds.
"""

from __future__ import annotations

from typing import Any

from botocore.model import OperationModel, ServiceModel

from cloudlet.errors import ServiceError
from cloudlet.http import HttpRequest, HttpResponse
from cloudlet.protocol import faults
from cloudlet.protocol.detection import detect_protocol
from cloudlet.protocol.models import protocol_model, service_model
from cloudlet.protocol.parsers import PARSERS
from cloudlet.protocol.serializers import SERIALIZERS

__all__ = [
    "detect_protocol",
    "parse_request",
    "serialize_error",
    "serialize_response",
    "service_model",
]


def parse_request(
    service: ServiceModel, request: HttpRequest, protocol: str
) -> tuple[OperationModel, dict[str, Any]]:
    """The operation `request` calls and its parameters, exactly as a boto3 caller passed them.

    Raises a `ServiceError` shaped as the service would answer: malformed body, unknown operation,
    wrong types, missing required members or values out of range.
    """
    return PARSERS[protocol].parse(protocol_model(service, protocol), request)


def serialize_response(
    service: ServiceModel,
    operation: OperationModel,
    protocol: str,
    result: dict[str, Any],
    request_id: str,
) -> HttpResponse:
    """The HTTP response for `result`, a dict shaped like the operation's output."""
    if operation.has_event_stream_output:
        raise faults.unsupported(service.service_name, operation.name, "an event stream")
    variant = protocol_model(service, protocol)
    if variant is not service:
        operation = variant.operation_model(operation.name)
    return SERIALIZERS[protocol].serialize(variant, operation, result or {}, request_id)


def serialize_error(
    service: ServiceModel | None,
    operation: OperationModel | None,
    protocol: str,
    error: ServiceError,
    request_id: str,
) -> HttpResponse:
    """The HTTP response for `error`; with no service, the protocol's generic error shape."""
    serializer = SERIALIZERS.get(protocol) or SERIALIZERS["json"]
    if service is not None:
        service = protocol_model(service, protocol)
    return serializer.serialize_error(service, operation, error, request_id)
