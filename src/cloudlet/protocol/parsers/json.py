"""JSON requests: the `json` protocol (1.0 and 1.1), and the JSON value walker rest-json reuses.

The operation comes from `X-Amz-Target: <targetPrefix>.<Operation>`; the whole body is the input
structure. `JSONValues` reads decoded JSON into the boto3 caller's python types (datetime for
timestamps, bytes for blobs). Each shape is compiled once per walker into a reader closure
(`_compile`): structures, lists and maps walk their values, scalars call the walker's
`_handle_<type>` method (which cbor overrides for blobs and timestamps). A container whose every
value reads as itself (strings, integers, booleans, containers of them, with the wire's member
names) is returned as decoded, not copied: the decoded document belongs to this request alone.
"""

from __future__ import annotations

import functools
from base64 import b64decode
from collections.abc import Callable
from typing import Any

from botocore.model import OperationModel, ServiceModel, Shape

from cloudlet.http import HttpRequest
from cloudlet.protocol import faults, jsontext
from cloudlet.protocol.dispatch import entries_before, handler_for
from cloudlet.protocol.models import operation_for
from cloudlet.protocol.parsers.base import RequestParser, WrongType
from cloudlet.protocol.timestamps import from_epoch, parse_timestamp

_SPECIAL_FLOATS = {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}


Reader = Callable[[Any], Any]
"""Reads one decoded JSON value as a shape (raises `WrongType`)."""


@functools.cache
def _reader(walker: JSONValues, shape: Shape) -> Reader:
    return _compile(walker, shape, {})


def _compile(walker: JSONValues, shape: Shape, cells: dict[str, list[Reader]]) -> Reader:
    """The reader of `shape`; shapes met again below themselves read through their cell."""
    cell = cells.get(shape.name)
    if cell is not None:
        found = cell
        return lambda value: found[0](value)
    cell = cells[shape.name] = [_identity]
    type_name = shape.type_name
    if type_name == "structure":
        cell[0] = _identity if shape.is_document_type else _structure(walker, shape, cells)
    elif type_name == "list":
        cell[0] = _list(_compile(walker, shape.member, cells))
    elif type_name == "map":
        cell[0] = _map(_compile(walker, shape.value, cells))
    else:
        cell[0] = functools.partial(handler_for(walker, type_name), walker, shape)
    return cell[0]


def _identity(value: Any) -> Any:
    return value


def _structure(walker: JSONValues, shape: Shape, cells: dict[str, list[Reader]]) -> Reader:
    plan: dict[str, tuple[str, Reader | None]] = {}
    for name, member in shape.members.items():
        if "location" in member.serialization:
            continue  # rest protocols: bound to the URI, query string or headers, not the body
        # None: a string member, read in the loop below (the most common member by far)
        reader = None if member.type_name == "string" else _compile(walker, member, cells)
        plan[member.serialization.get("name", name)] = (name, reader)

    def read(value: Any) -> dict[str, Any]:
        if type(value) is not dict:
            raise WrongType("Structure", value)
        parsed: dict[str, Any] | None = None  # copied at the first member read differently
        for wire, item in value.items():
            found = plan.get(wire)
            if found is None or item is None:
                if parsed is None:
                    parsed = entries_before(value, wire)
                continue  # members AWS does not know are ignored, as AWS does
            name, reader = found
            if reader is None and type(item) is str:
                read_item = item
            else:
                try:
                    if reader is None:
                        raise WrongType("String", item)
                    read_item = reader(item)
                except WrongType as exc:
                    exc.path.append(name)
                    raise
            if parsed is not None:
                parsed[name] = read_item
            elif read_item is not item or name != wire:
                parsed = entries_before(value, wire)
                parsed[name] = read_item
        return value if parsed is None else parsed

    return read


def _list(reader: Reader) -> Reader:
    def read(value: Any) -> list[Any]:
        if type(value) is not list:
            raise WrongType("List", value)
        parsed: list[Any] | None = None
        for index, item in enumerate(value):
            try:
                read_item = None if item is None else reader(item)
            except WrongType as exc:
                exc.path.append(index)
                raise
            if parsed is not None:
                parsed.append(read_item)
            elif read_item is not item:
                parsed = value[:index]
                parsed.append(read_item)
        return value if parsed is None else parsed

    return read


def _map(reader: Reader) -> Reader:
    def read(value: Any) -> dict[str, Any]:
        if type(value) is not dict:
            raise WrongType("Map", value)
        parsed: dict[str, Any] | None = None
        for key, item in value.items():
            if type(key) is not str:
                raise WrongType("String", key)
            try:
                read_item = None if item is None else reader(item)
            except WrongType as exc:
                exc.path.append(key)
                raise
            if parsed is not None:
                parsed[key] = read_item
            elif read_item is not item:
                parsed = entries_before(value, key)
                parsed[key] = read_item
        return value if parsed is None else parsed

    return read


class JSONValues:
    """Reads decoded JSON values as shapes (shared by json, rest-json and, overridden, cbor)."""

    def read(self, shape: Shape, value: Any) -> Any:
        return _reader(self, shape)(value)

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
        document = jsontext.loads(body) if body and not body.isspace() else {}
        parsed: dict[str, Any] = self.read(operation.input_shape, document)
        return parsed
