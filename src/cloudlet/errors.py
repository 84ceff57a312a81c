"""The one error type every service raises, and the few every protocol shares.

Domain code raises `ServiceError` (or a subclass); only the protocol serializer decides how it looks
on the wire. `code` is the name of the error shape in botocore's model
(`ResourceNotFoundException`, IAM's `NoSuchEntityException`, ...) or a plain AWS error code; the
serializer writes the shape's wire code (IAM's `NoSuchEntity`). `status_code` is the HTTP status
(None: the modeled shape's status, else 400), `sender_fault` whether the caller is to blame (query
protocols write it as `<Type>Sender</Type>`), and `fields` any extra members of the modeled error
shape (`Reason` on Lambda's `TooManyRequestsException`, `CancellationReasons` on DynamoDB's
`TransactionCanceledException`, ...).
"""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """An AWS-shaped error: the serializer turns it into the protocol's error response."""

    code: str = "InternalFailure"
    status_code: int | None = None
    sender_fault: bool = True

    def __init__(
        self,
        message: str = "",
        *,
        code: str | None = None,
        status_code: int | None = None,
        sender_fault: bool | None = None,
        fields: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status_code is not None:
            self.status_code = status_code
        if sender_fault is not None:
            self.sender_fault = sender_fault
        self.fields: dict[str, Any] = fields or {}
        self.headers: dict[str, str] = headers or {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.message!r}, status={self.status_code})"


class ValidationError(ServiceError):
    """Input that breaks the model's constraints (JSON protocols' `ValidationException`)."""

    code = "ValidationException"


class SerializationError(ServiceError):
    """A body that cannot be read as the protocol's format."""

    code = "SerializationException"


class UnknownOperationError(ServiceError):
    """A request naming an operation the service's model does not have."""

    code = "UnknownOperationException"


class NotImplementedOperation(ServiceError):
    """An operation that exists in AWS's model but cloudlet does not serve yet (HTTP 501)."""

    code = "NotImplemented"
    status_code = 501
    sender_fault = False

    def __init__(self, service: str, operation: str) -> None:
        super().__init__(
            f"The operation {operation} of service {service} is not implemented in cloudlet yet."
        )


class NotImplementedFeature(ServiceError):
    """A request using a feature of an operation that cloudlet does not serve yet (HTTP 501)."""

    code = "NotImplemented"
    status_code = 501
    sender_fault = False

    def __init__(self, feature: str) -> None:
        super().__init__(f"{feature} is not implemented in cloudlet yet.")


class ServiceNotServed(ServiceError):
    """A request for an AWS service cloudlet does not serve at all."""

    code = "ServiceNotAvailable"
    status_code = 501
    sender_fault = False

    def __init__(self, service: str) -> None:
        super().__init__(f"The service {service} is not served by cloudlet.")


class InternalFailure(ServiceError):
    """An unexpected exception, logged by the gateway; never a stack trace on the wire."""

    code = "InternalFailure"
    status_code = 500
    sender_fault = False
