"""Checks AWS makes on names and values before anything is created, with AWS's error wording."""

from __future__ import annotations

import re
from typing import Any

from cloudlet.errors import ServiceError

_IDENTIFIER = re.compile(r"^[a-zA-Z](?:[a-zA-Z0-9]|-(?!-))*$")


def invalid(message: str) -> ServiceError:
    return ServiceError(message, code="InvalidParameterValueException")


def combination(message: str) -> ServiceError:
    return ServiceError(message, code="InvalidParameterCombinationException")


def identifier(value: str, parameter: str, max_length: int = 50) -> str:
    """An identifier as AWS stores it (lower case), or AWS's InvalidParameterValue."""
    if not value or len(value) > max_length or value.endswith("-") or not _IDENTIFIER.match(value):
        raise invalid(
            f"The parameter {parameter} is not a valid identifier. Identifiers must begin with a"
            " letter; must contain only ASCII letters, digits, and hyphens; and must not end"
            " with a hyphen or contain two consecutive hyphens."
        )
    return value.lower()


def max_records(request: dict[str, Any], low: int = 20, high: int = 100) -> int:
    value = int(request.get("MaxRecords", high))
    if not low <= value <= high:
        raise invalid(f"Invalid value for MaxRecords. Must be between {low} and {high}")
    return value


def page(
    items: list[Any], request: dict[str, Any], key: str, high: int = 100
) -> tuple[list[Any], dict[str, Any]]:
    """One page of `items` after `Marker` (the last key of the previous page)."""
    limit = max_records(request, 20, high)
    marker = request.get("Marker")
    if marker:
        items = [item for item in items if item[key] > marker]
    more: dict[str, Any] = {}
    if len(items) > limit:
        more["Marker"] = items[limit - 1][key]
    return items[:limit], more


def auth_token(token: str) -> None:
    """AWS's rule: 16-128 printable ASCII characters, none of `@`, `"`, `/` or a space."""
    if not 16 <= len(token) <= 128 or any(c in '@"/ ' or not 32 < ord(c) < 127 for c in token):
        raise invalid("Invalid AuthToken provided.")


def tags(request_tags: list[dict[str, str]] | None) -> list[dict[str, str]]:
    result: dict[str, str] = {}
    for tag in request_tags or []:
        result[tag["Key"]] = tag.get("Value", "")
    if len(result) > 50:
        raise ServiceError("Tag quota per resource exceeded", code="TagQuotaPerResourceExceeded")
    return [{"Key": k, "Value": v} for k, v in result.items()]
