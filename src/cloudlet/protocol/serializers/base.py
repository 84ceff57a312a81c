"""The response serializer base class, and what every protocol needs to know about an error.

    ResponseSerializer.serialize(service, operation, result, request_id)       → HttpResponse
    ResponseSerializer.serialize_error(service, operation, error, request_id)  → HttpResponse

`WireError` resolves a `ServiceError` against the model once: the error shape its `code` names
(by shape name, `NoSuchEntityException`, or by wire code, `NoSuchEntity`), the wire code, the
query code for `x-amzn-query-error`, the HTTP status (the error's, else the shape's
`httpStatusCode`, else 400) and Sender/Receiver (as passed to the error, else the shape's
`senderFault`, else the error class's default).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.model import OperationModel, ServiceModel, Shape, StructureShape

from cloudlet.errors import ServiceError
from cloudlet.http import HttpResponse
from cloudlet.protocol import models


@dataclass
class WireError:
    """A `ServiceError` resolved against the service model."""

    code: str
    """The wire code: the modeled shape's `error.code` (query codes) or its name."""
    shape_name: str
    """The modeled shape's name (what JSON protocols put in `__type`), else `code`."""
    query_code: str
    """The query protocol's code (for `x-amzn-query-error`)."""
    shape: StructureShape | None
    status: int
    sender_fault: bool
    message: str
    message_member: str
    """The error shape's member for the message: `message` or `Message`."""
    fields: dict[str, Any]

    @classmethod
    def resolve(cls, service: ServiceModel | None, error: ServiceError) -> WireError:
        shape = models.error_shape(service, error.code)
        status = error.status_code
        sender_fault = error.sender_fault
        message_member = "message"
        if shape is None or service is None:
            code = shape_name = query_code = error.code
        else:
            code, shape_name = str(shape.error_code), shape.name
            query_code = models.query_error_code(service, shape)
            details = shape.metadata.get("error", {})
            if status is None:
                status = details.get("httpStatusCode")
            explicit = "sender_fault" in vars(error)  # passed to ServiceError(), not a default
            if "senderFault" in details and not explicit:
                sender_fault = bool(details["senderFault"])
            elif status is not None and status >= 500 and not explicit:
                sender_fault = False
            for name in shape.members:
                if name.lower() == "message":
                    message_member = name
                    break
        return cls(
            code=code,
            shape_name=shape_name,
            query_code=query_code,
            shape=shape,
            status=status or 400,
            sender_fault=sender_fault,
            message=error.message,
            message_member=message_member,
            fields={k: v for k, v in error.fields.items() if k != message_member},
        )

    @property
    def fault(self) -> str:
        """`Sender` or `Receiver`, as query errors and `x-amzn-query-error` write it."""
        return "Sender" if self.sender_fault else "Receiver"


class ResponseSerializer:
    """Writes one protocol's responses; subclasses implement both methods."""

    protocol = ""

    def serialize(
        self,
        service: ServiceModel,
        operation: OperationModel,
        result: dict[str, Any],
        request_id: str,
    ) -> HttpResponse:
        raise NotImplementedError

    def serialize_error(
        self,
        service: ServiceModel | None,
        operation: OperationModel | None,
        error: ServiceError,
        request_id: str,
    ) -> HttpResponse:
        raise NotImplementedError


def success_status(operation: OperationModel) -> int:
    """The status of a successful response (`http.responseCode`, e.g. 201/204, else 200)."""
    return int(operation.http.get("responseCode", 200))


def body_members(shape: Shape) -> bool:
    """Whether structure `shape` has members that go into a body (not bound elsewhere)."""
    return any("location" not in member.serialization for member in shape.members.values())
