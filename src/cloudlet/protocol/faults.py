"""What AWS calls a bad request, per protocol family and service: codes and messages.

Parsers detect problems; this module turns them into the `ServiceError` the service would send.

    family      malformed body          wrong type                missing / out of range
    json, cbor  SerializationException  SerializationException    ValidationException (Coral)
    rest-json   SerializationException  SerializationException    ValidationException (Coral)
    rest-xml    MalformedXML            InvalidArgument           InvalidRequest / InvalidArgument
    query, ec2  MalformedQueryString    ValidationError (Coral    per service, see below
                                        services), else InvalidParameterValue

Query services differ for missing parameters (messages as AWS sends them):

    iam, sts, autoscaling  ValidationError        1 validation error detected: Value null at
                                                  'roleName' failed to satisfy constraint: Member
                                                  must not be null
    cloudwatch             MissingParameter       The parameter Namespace is required.
    elasticache            InvalidParameterValue  The parameter CacheNodeType must be provided and
                                                  must not be null.
    ec2, sqs, others       MissingParameter       The request must contain the parameter GroupName

Query-compatible JSON services (SQS, CloudWatch on JSON or CBOR) keep their query codes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from botocore.model import ServiceModel

from cloudlet.errors import SerializationError, ServiceError, UnknownOperationError, ValidationError

_CORAL_QUERY_SERVICES = frozenset({"iam", "sts", "autoscaling"})
_JSON_FAMILY = frozenset({"json", "rest-json", "smithy-rpc-v2-cbor"})


class MapKey(str):
    """A map key in an `Issue` path (Coral names the value under it `<key>.member`)."""

    __slots__ = ()


@dataclass(frozen=True)
class Issue:
    """One constraint a parameter breaks."""

    path: tuple[str | int, ...]
    """Member names from the input root; ints are 0-based list positions, map keys `MapKey`s."""
    constraint: str
    """`required`, `min_length`, `max_length`, `min_value`, `max_value`, `pattern` or `enum`."""
    limit: int | float | str | None = None
    value: Any = None
    wire: str = ""
    """The parameter's name on the wire (`Tags.member.1.Key`), when the parser knows it."""


def _coral_path(path: Sequence[str | int]) -> str:
    parts: list[str] = []
    for part in path:
        if isinstance(part, int):
            parts.append(f"{part + 1}.member")
        elif isinstance(part, MapKey):
            parts.append(f"{part}.member")
        elif part:
            parts.append(part[0].lower() + part[1:])
    return ".".join(parts)


def _wire_path(path: Sequence[str | int]) -> str:
    return ".".join(str(part + 1) if isinstance(part, int) else part for part in path)


def _show(value: Any) -> str:
    """A value as Coral echoes it: Java's toString of the parsed value. Lists and maps of plain
    values read `[a, b]` and `{k=v}`; other containers (of structures) are summarised."""
    if value is None:
        return "null"
    if isinstance(value, bytes):
        return "'<binary>'"
    if isinstance(value, list):
        if all(isinstance(item, str | int | float) for item in value):
            return "'[" + ", ".join(map(str, value)) + "]'"
        return f"{len(value)} items"
    if isinstance(value, dict):
        if all(isinstance(item, str | int | float) for item in value.values()):
            return "'{" + ", ".join(f"{key}={item}" for key, item in value.items()) + "}'"
        return f"{len(value)} items"
    return f"'{value}'"


_CONSTRAINTS = {
    "required": "Member must not be null",
    "min_length": "Member must have length greater than or equal to {limit}",
    "max_length": "Member must have length less than or equal to {limit}",
    "min_value": "Member must have value greater than or equal to {limit}",
    "max_value": "Member must have value less than or equal to {limit}",
    "pattern": "Member must satisfy regular expression pattern: {limit}",
    "enum": "Member must satisfy enum value set: {limit}",
}


def coral_message(issues: Sequence[Issue]) -> str:
    """AWS's (Coral's) validation message: `1 validation error detected: Value null at ...`."""
    details = [
        f"Value {_show(issue.value)} at '{_coral_path(issue.path)}' failed to satisfy constraint: "
        + _CONSTRAINTS[issue.constraint].format(limit=_limit(issue.limit))
        for issue in issues
    ]
    count = len(details)
    noun = "error" if count == 1 else "errors"
    return f"{count} validation {noun} detected: " + "; ".join(details)


def _limit(limit: int | float | str | None) -> str:
    if isinstance(limit, float) and limit.is_integer():
        return str(int(limit))
    return str(limit)


def invalid_parameters(
    service: ServiceModel, protocol: str, issues: Sequence[Issue]
) -> ServiceError:
    """The error for parameters that are missing or out of range."""
    name = service.service_name
    query_compatible = "awsQueryCompatible" in service.metadata
    if protocol in _JSON_FAMILY and not query_compatible:
        return ValidationError(coral_message(issues))
    if protocol == "rest-xml":
        first = issues[0]
        if first.constraint == "required":
            return ServiceError(
                f"Missing required parameter: {first.wire or _wire_path(first.path)}",
                code="InvalidRequest",
            )
        return ServiceError(coral_message(issues), code="InvalidArgument")
    if name in _CORAL_QUERY_SERVICES:
        return ServiceError(coral_message(issues), code="ValidationError")
    missing = [issue for issue in issues if issue.constraint == "required"]
    if missing:
        param = missing[0].wire or _wire_path(missing[0].path)
        if name == "cloudwatch":
            return ServiceError(f"The parameter {param} is required.", code="MissingParameter")
        if name == "elasticache":
            return ServiceError(
                f"The parameter {param} must be provided and must not be null.",
                code="InvalidParameterValue",
            )
        return ServiceError(
            f"The request must contain the parameter {param}", code="MissingParameter"
        )
    issue = issues[0]
    return ServiceError(
        f"Value {_show(issue.value)} for parameter {issue.wire or _wire_path(issue.path)} is "
        "invalid. "
        + _CONSTRAINTS[issue.constraint].format(limit=_limit(issue.limit)).replace("Member", "It"),
        code="InvalidParameterValue",
    )


def wrong_type(
    service: ServiceModel, protocol: str, path: Sequence[str | int], expected: str, value: Any
) -> ServiceError:
    """The error for a value of the wrong type (`expected` is the model's type name)."""
    if protocol in _JSON_FAMILY:
        if isinstance(value, dict):
            return SerializationError("Start of structure or map found where not expected.")
        if isinstance(value, list):
            return SerializationError("Start of list found where not expected")
        return SerializationError(
            f"{_json_kind(value)} can not be converted to {_article(expected)}"
        )
    if protocol == "rest-xml":
        return ServiceError(
            f"Invalid value for {_wire_path(path) or 'parameter'}: expected {expected}",
            code="InvalidArgument",
        )
    if service.service_name in _CORAL_QUERY_SERVICES:
        return ServiceError(
            f"1 validation error detected: Value {_show(value)} at '{_coral_path(path)}' failed "
            f"to satisfy constraint: Member must be of type {expected}",
            code="ValidationError",
        )
    return ServiceError(
        f"Value ({value}) for parameter {_wire_path(path)} is invalid. Expected: '{expected}'.",
        code="InvalidParameterValue",
    )


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "A boolean"
    if isinstance(value, int | float):
        return "NUMBER_VALUE"
    if isinstance(value, str):
        return "STRING_VALUE"
    if isinstance(value, bytes):
        return "BLOB_VALUE"
    return type(value).__name__


def _article(type_name: str) -> str:
    title = type_name[:1].upper() + type_name[1:]
    return ("an " if title[:1] in "AEIOU" else "a ") + title


def malformed(protocol: str, detail: str = "") -> ServiceError:
    """The error for a body that is not the protocol's format at all."""
    if protocol in _JSON_FAMILY:
        return SerializationError(detail or "Request body could not be read")
    if protocol == "rest-xml":
        return ServiceError(
            "The XML you provided was not well-formed or did not validate against our published "
            "schema",
            code="MalformedXML",
        )
    return ServiceError(detail or "The request could not be read.", code="MalformedQueryString")


def unknown_operation(protocol: str, name: str) -> ServiceError:
    """The error for an operation the model does not have (or a request matching none)."""
    if protocol in ("query", "ec2"):
        if not name:
            return ServiceError(
                "The request must contain the parameter Action.", code="MissingAction"
            )
        return ServiceError(
            f"The action {name} is not valid for this web service.", code="InvalidAction"
        )
    if protocol == "rest-xml":
        return ServiceError(
            "The specified method is not allowed against this resource.",
            code="MethodNotAllowed",
            status_code=405,
        )
    status = 404 if protocol == "rest-json" else 400
    return UnknownOperationError(
        f"Operation {name} is not supported." if name else "Unknown operation",
        status_code=status,
    )


def unsupported(service: str, name: str, what: str) -> ServiceError:
    """The error for an operation that needs what cloudlet's protocol layer does not do."""
    return ServiceError(
        f"The operation {name} of service {service} needs {what},"
        " which cloudlet does not support yet.",
        code="NotImplemented",
        status_code=501,
        sender_fault=False,
    )
