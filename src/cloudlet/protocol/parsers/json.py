"""JSON requests: the `json` protocol (1.0 and 1.1), and the JSON value walker rest-json reuses.

The operation comes from `X-Amz-Target: <targetPrefix>.<Operation>`; the whole body is the input
structure. `JSONValues` reads decoded JSON into the boto3 caller's python types (datetime for
timestamps, bytes for blobs) with one `_handle_<type>` method per shape type; each structure's
member list is computed once per shape (`_members`).
"""

from __future__ import annotations

import functools
from base64 import b64decode
from typing import Any

from botocore.model import OperationModel, ServiceModel, Shape

from cloudlet.http import HttpRequest
from cloudlet.protocol import faults, jsontext
from cloudlet.protocol.dispatch import Handler, handler_for
from cloudlet.protocol.models import operation_for
from cloudlet.protocol.parsers.base import RequestParser, WrongType
from cloudlet.protocol.timestamps import from_epoch, parse_timestamp

_SPECIAL_FLOATS = {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}


@functools.cache
def _members(walker: object, shape: Shape) -> dict[str, tuple[str, Shape, Handler]]:
    """wire name → (member name, member shape, handler), for the body members of `shape`."""
    plan = {}
    for name, member in shape.members.items():
        if "location" in member.serialization:
            continue  # rest protocols: bound to the URI, query string or headers, not the body
        wire = member.serialization.get("name", name)
        plan[wire] = (name, member, handler_for(walker, member.type_name))
    return plan


class JSONValues:
    """Reads decoded JSON values as shapes (shared by json, rest-json and, overridden, cbor)."""

    def read(self, shape: Shape, value: Any) -> Any:
        return handler_for(self, shape.type_name)(self, shape, value)

    def _handle_structure(self, shape: Shape, value: Any) -> Any:
        if shape.is_document_type:
            return value
        if type(value) is not dict:
            raise WrongType("Structure", value)
        plan = _members(self, shape)
        parsed = {}
        for wire, item in value.items():
            found = plan.get(wire)
            if found is None or item is None:
                continue  # members AWS does not know are ignored, as AWS does
            name, member, handler = found
            try:
                parsed[name] = handler(self, member, item)
            except WrongType as exc:
                exc.path.append(name)
                raise
        return parsed

    def _handle_list(self, shape: Shape, value: Any) -> list[Any]:
        if type(value) is not list:
            raise WrongType("List", value)
        member = shape.member
        handler = handler_for(self, member.type_name)
        parsed = []
        for index, item in enumerate(value):
            try:
                parsed.append(None if item is None else handler(self, member, item))
            except WrongType as exc:
                exc.path.append(index)
                raise
        return parsed

    def _handle_map(self, shape: Shape, value: Any) -> dict[Any, Any]:
        if type(value) is not dict:
            raise WrongType("Map", value)
        value_shape = shape.value
        handler = handler_for(self, value_shape.type_name)
        parsed = {}
        for key, item in value.items():
            if type(key) is not str:
                raise WrongType("String", key)
            try:
                parsed[key] = None if item is None else handler(self, value_shape, item)
            except WrongType as exc:
                exc.path.append(key)
                raise
        return parsed

    def _handle_string(self, shape: Shape, value: Any) -> str:
        if type(value) is not str:
            raise WrongType("String", value)
        return value

    def _handle_integer(self, shape: Shape, value: Any) -> int:
        if type(value) is int:
            return value
        if type(value) is float and value.is_integer():
            return int(value)
        raise WrongType("Integer" if shape.type_name == "integer" else "Long", value)

    _handle_long = _handle_integer

    def _handle_float(self, shape: Shape, value: Any) -> float:
        kind = type(value)
        if kind is float or kind is int:
            return float(value)
        if kind is str and value in _SPECIAL_FLOATS:
            return _SPECIAL_FLOATS[value]
        raise WrongType("Double" if shape.type_name == "double" else "Float", value)

    _handle_double = _handle_float

    def _handle_boolean(self, shape: Shape, value: Any) -> bool:
        if type(value) is not bool:
            raise WrongType("Boolean", value)
        return value

    def _handle_blob(self, shape: Shape, value: Any) -> bytes:
        if type(value) is not str:
            raise WrongType("Blob", value)
        return b64decode(value, validate=True)

    def _handle_timestamp(self, shape: Shape, value: Any) -> Any:
        kind = type(value)
        try:
            if kind is int or kind is float:
                return from_epoch(value)
            if kind is str:
                return parse_timestamp(value)
        except ValueError:
            pass
        raise WrongType("Timestamp", value)


class JSONParser(RequestParser, JSONValues):
    """The `json` protocol (JSON 1.0 and 1.1: DynamoDB, Logs, SQS, Step Functions, ...)."""

    protocol = "json"

    def _operation(self, service: ServiceModel, request: HttpRequest) -> tuple[OperationModel, Any]:
        target = request.headers.get("x-amz-target", "")
        prefix, _, name = target.rpartition(".")
        operation = operation_for(service, name)
        if operation is None or prefix != service.metadata.get("targetPrefix", prefix):
            raise faults.unknown_operation(self.protocol, name or target)
        return operation, None

    def _read(
        self, service: ServiceModel, operation: OperationModel, request: HttpRequest, context: Any
    ) -> dict[str, Any]:
        body = request.body
        document = jsontext.loads(body) if body.strip() else {}
        parsed: dict[str, Any] = self._handle_structure(operation.input_shape, document)
        return parsed
