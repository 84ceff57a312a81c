"""DynamoDB's errors, with the codes and messages AWS sends.

Messages were checked against AWS's answers (public conformance captures and SDK issue threads);
keep them byte for byte, double spaces included.
"""

from __future__ import annotations

from typing import Any

from cloudlet.errors import ServiceError, ValidationError


def validation(message: str) -> ServiceError:
    """A `ValidationException` (400)."""
    return ValidationError(message)


def invalid(detail: str) -> ServiceError:
    """`One or more parameter values were invalid: <detail>`."""
    return ValidationError(f"One or more parameter values were invalid: {detail}")


def not_valid(detail: str) -> ServiceError:
    """`One or more parameter values are not valid. <detail>` (empty key values and the like)."""
    return ValidationError(f"One or more parameter values are not valid. {detail}")


def not_found(message: str = "Requested resource not found") -> ServiceError:
    return ServiceError(message, code="ResourceNotFoundException")


def table_not_found(name: str) -> ServiceError:
    return not_found(f"Requested resource not found: Table: {name} not found")


def in_use(message: str) -> ServiceError:
    return ServiceError(message, code="ResourceInUseException")


def conditional_failed(item: dict[str, Any] | None = None) -> ServiceError:
    """`ConditionalCheckFailedException`, with the old item when the caller asked for it."""
    fields = {"Item": item} if item is not None else None
    return ServiceError(
        "The conditional request failed", code="ConditionalCheckFailedException", fields=fields
    )


SCHEMA_MISMATCH = "The provided key element does not match the schema"


class KeySchemaMismatch(ValidationError):
    """A key that does not match the table's key schema (attributes missing or extra, a value of
    the wrong type, a list, map or set): a ValidationException on its own. The transactions meet
    it while running, so AWS cancels them with a ValidationError reason for that action, and
    BatchWriteItem reports it as the plain schema mismatch."""


def key_mismatch() -> ServiceError:
    return ValidationError(SCHEMA_MISMATCH)


class RequestValidationError(ValidationError):
    """A fault AWS's current validation layer finds in the request alone, before reading any
    item (placeholders, an empty expression, a malformed Expected condition, ReturnValues, a bad
    number or set): PutItem, UpdateItem and DeleteItem report it inside Coral's envelope (two
    regions agreed on 2026-10-09), the other operations bare."""

    def enveloped(self) -> ValidationError:
        """As PutItem, UpdateItem and DeleteItem report it."""
        return ValidationError(f"1 validation error detected: {self.message}")


def request_error(message: str) -> RequestValidationError:
    return RequestValidationError(message)


def expression_error(kind: str, detail: str) -> ServiceError:
    """`Invalid <kind>Expression: <detail>`."""
    return ValidationError(f"Invalid {kind}Expression: {detail}")
