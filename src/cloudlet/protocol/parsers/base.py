"""The request parser base class, and reading scalars from text.

    RequestParser.parse(service, request)
        ├─ _operation(service, request)        which operation (per protocol)
        ├─ _read(service, operation, request)  params from the request (per protocol), walking
        │                                      shapes with `_handle_<type_name>` methods
        └─ validate(input shape, params)       required / min / max (validation.py)

Walkers raise `WrongType` for a value that cannot be the shape's type; structure handlers add the
member name to its path on the way up, and `parse` turns it into the protocol's error (faults.py).
Any other failure while reading the body (bad base64, bad UTF-8, absurd nesting) is malformed input.

`TextValues` converts the text forms every protocol uses somewhere (query strings, headers, URI
labels, XML text) into typed values.
"""

from __future__ import annotations

import binascii
import functools
from base64 import b64decode
from dataclasses import replace
from datetime import datetime
from typing import Any

from botocore.model import OperationModel, ServiceModel, Shape

from cloudlet.errors import ServiceError
from cloudlet.http import HttpRequest
from cloudlet.protocol import faults
from cloudlet.protocol.timestamps import parse_timestamp
from cloudlet.protocol.validation import CORAL_SERVICES, validate


class WrongType(Exception):
    """A value that cannot be read as its shape's type."""

    def __init__(self, expected: str, value: Any) -> None:
        super().__init__(expected)
        self.expected = expected
        self.value = value
        self.path: list[str | int] = []


MALFORMED = (
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
    RecursionError,
    OverflowError,
    binascii.Error,
)
"""What reading an arbitrary, broken body can raise (ValueError covers JSON, CBOR, XML, Unicode)."""


class RequestParser:
    """Reads one protocol's requests; subclasses implement `_operation` and `_read`."""

    protocol = ""

    def parse(self, service: ServiceModel, request: HttpRequest) -> tuple[OperationModel, dict]:
        """The operation `request` calls and its input, validated; ServiceError when bad."""
        try:
            operation, context = self._operation(service, request)
            if operation.has_event_stream_input or operation.has_event_stream_output:
                raise faults.unsupported(service.service_name, operation.name, "an event stream")
            shape = operation.input_shape
            if shape is None:
                return operation, {}
            params = self._read(service, operation, request, context)
        except ServiceError:
            raise
        except WrongType as exc:
            path = tuple(reversed(exc.path))
            raise faults.wrong_type(service, self.protocol, path, exc.expected, exc.value) from exc
        except self.malformed_errors as exc:
            raise faults.malformed(self.protocol, _detail(exc)) from exc
        issues = validate(shape, params, coral=service.service_name in CORAL_SERVICES)
        if issues:
            issues = [replace(issue, wire=self.wire_path(shape, issue.path)) for issue in issues]
            raise faults.invalid_parameters(service, self.protocol, issues)
        return operation, params

    def wire_path(self, shape: Shape, path: tuple[str | int, ...]) -> str:
        """How the parameter at `path` (member names, list positions) is named on the wire."""
        return ""

    malformed_errors: tuple[type[BaseException], ...] = MALFORMED

    def _operation(self, service: ServiceModel, request: HttpRequest) -> tuple[OperationModel, Any]:
        """The operation, and whatever `_read` needs from having found it."""
        raise NotImplementedError

    def _read(
        self, service: ServiceModel, operation: OperationModel, request: HttpRequest, context: Any
    ) -> dict[str, Any]:
        """The input parameters, as the boto3 caller passed them."""
        raise NotImplementedError


def _detail(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "Request body is nested too deeply"
    return str(exc).split("\n", 1)[0][:200]


class TextValues:
    """Typed values from text (query strings, headers, URI labels, XML text)."""

    def _text_string(self, shape: Shape, text: str) -> str:
        return text

    def _text_integer(self, shape: Shape, text: str) -> int:
        try:
            return int(text.strip())
        except ValueError:
            raise WrongType(_type_title(shape), text) from None

    _text_long = _text_integer

    def _text_float(self, shape: Shape, text: str) -> float:
        try:
            return float(text.strip())
        except ValueError:
            raise WrongType(_type_title(shape), text) from None

    _text_double = _text_float

    def _text_boolean(self, shape: Shape, text: str) -> bool:
        lowered = text.strip().lower()
        if lowered == "true":
            return True
        if lowered == "false":
            return False
        raise WrongType("Boolean", text)

    def _text_blob(self, shape: Shape, text: str) -> bytes:
        try:
            return b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise WrongType("Blob", text) from None

    def _text_timestamp(self, shape: Shape, text: str) -> datetime:
        try:
            return parse_timestamp(text)
        except ValueError:
            raise WrongType("Timestamp", text) from None

    def text_value(self, shape: Shape, text: str) -> Any:
        """`text` read as a value of scalar `shape`."""
        return _text_reader(self, shape.type_name)(self, shape, text)


@functools.cache
def _text_reader(walker: object, type_name: str) -> Any:
    reader = getattr(type(walker), f"_text_{type_name}", None)
    if reader is None:
        return _not_text
    return reader


def _not_text(self: Any, shape: Shape, text: str) -> Any:
    raise WrongType(_type_title(shape), text)


def _type_title(shape: Shape) -> str:
    return shape.type_name[:1].upper() + shape.type_name[1:]
