"""Lambda's names, ARNs, limits and errors: the vocabulary every other module of the package uses.

A function is addressed by name, `name:qualifier`, full ARN or partial ARN
(`123456789012:function:name[:qualifier]`); `parse_function_name` reduces all of them to
`(name, qualifier)`. Errors are `ServiceError`s named by the model's error shapes, with AWS's
messages.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any

from cloudlet.errors import ServiceError

MB = 1024 * 1024
SYNC_PAYLOAD_LIMIT = 6 * MB
"""Request and response payload limit of a synchronous invocation (6 MB)."""
ASYNC_PAYLOAD_LIMIT = 256 * 1024
"""Payload limit of an `Event` invocation (256 KB)."""
UNZIPPED_LIMIT = 262_144_000
"""Unzipped code and layers together (250 MB)."""
ZIPPED_LIMIT = 52_428_800
"""A zip uploaded directly (`ZipFile`, 50 MB)."""
TOTAL_CODE_LIMIT = 80_530_636_800
"""Storage for all functions and layers of an account (75 GB)."""
DEFAULT_TIMEOUT = 3
DEFAULT_MEMORY = 128
MIN_UNRESERVED = 100
"""Reservations must leave at least this much of the account's concurrency unreserved."""
LATEST = "$LATEST"

PYTHON_RUNTIMES = ("python3.9", "python3.10", "python3.11", "python3.12", "python3.13")
NODE_RUNTIMES = ("nodejs18.x", "nodejs20.x", "nodejs22.x")
PROVIDED_RUNTIMES = ("provided", "provided.al2", "provided.al2023")
SUPPORTED_RUNTIMES = PYTHON_RUNTIMES + NODE_RUNTIMES + PROVIDED_RUNTIMES

_NAME = re.compile(r"^[a-zA-Z0-9-_]{1,64}$")
_ARN = re.compile(
    r"^(?:arn:aws[a-zA-Z-]*:lambda:(?P<region>[a-z0-9-]+):)?(?P<account>\d{12}):function:"
    r"(?P<name>[a-zA-Z0-9-_]+)(?::(?P<qualifier>\$LATEST|[a-zA-Z0-9-_]+))?$"
)
_QUALIFIED_NAME = re.compile(
    r"^(?P<name>[a-zA-Z0-9-_]{1,64}):(?P<qualifier>\$LATEST|[a-zA-Z0-9-_]+)$"
)
_ALIAS = re.compile(r"^(?!^[0-9]+$)([a-zA-Z0-9-_]+)$")


def error(code: str, message: str, **fields: Any) -> ServiceError:
    """A Lambda error shape (`ResourceNotFoundException`, ...) with AWS's message text."""
    return ServiceError(message, code=code, fields={"Type": "User", **fields})


def not_found(what: str, arn: str) -> ServiceError:
    """AWS's wording: `Function not found: arn:...`."""
    return error("ResourceNotFoundException", f"{what} not found: {arn}")


def invalid(message: str) -> ServiceError:
    return error("InvalidParameterValueException", message)


def conflict(message: str) -> ServiceError:
    return error("ResourceConflictException", message)


def validation(message: str) -> ServiceError:
    return ServiceError(message, code="ValidationException")


def throttled(reason: str) -> ServiceError:
    """HTTP 429: `Reason` is the model's ThrottleReason."""
    return ServiceError(
        "Rate Exceeded.",
        code="TooManyRequestsException",
        fields={"Type": "User", "Reason": reason, "retryAfterSeconds": "1"},
    )


def function_arn(region: str, account: str, name: str, qualifier: str | None = None) -> str:
    arn = f"arn:aws:lambda:{region}:{account}:function:{name}"
    return f"{arn}:{qualifier}" if qualifier else arn


def layer_arn(region: str, account: str, name: str, version: int | None = None) -> str:
    arn = f"arn:aws:lambda:{region}:{account}:layer:{name}"
    return f"{arn}:{version}" if version is not None else arn


def parse_function_name(
    value: str, account: str, region: str, qualifier: str | None = None
) -> tuple[str, str | None]:
    """(name, qualifier) from any form of FunctionName; the `Qualifier` member must agree."""
    match = _ARN.match(value)
    if match is not None:
        if match["account"] != account or (match["region"] and match["region"] != region):
            raise error(
                "AccessDeniedException"
                if match["account"] != account
                else "ResourceNotFoundException",
                f"Function not found: {value}",
            )
        name, inline = match["name"], match["qualifier"]
    elif (qualified := _QUALIFIED_NAME.match(value)) is not None:
        name, inline = qualified["name"], qualified["qualifier"]
    elif _NAME.match(value):
        name, inline = value, None
    else:
        raise validation(
            f"1 validation error detected: Value '{value}' at 'functionName' failed to satisfy"
            " constraint: Member must satisfy regular expression pattern: "
            "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?"
            "(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?"
        )
    if len(name) > 64:
        raise validation(
            f"1 validation error detected: Value '{value}' at 'functionName' failed to satisfy"
            " constraint: Member must have length less than or equal to 64"
        )
    if inline and qualifier and inline != qualifier:
        raise invalid(
            "The derived qualifier from the function name does not match the specified qualifier."
        )
    return name, inline or qualifier


def check_alias_name(name: str) -> None:
    if not _ALIAS.match(name) or len(name) > 128:
        raise validation(
            f"1 validation error detected: Value '{name}' at 'name' failed to satisfy constraint:"
            " Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)"
        )


def timestamp(moment: float | None = None) -> str:
    """Lambda's LastModified format: `2024-01-31T12:34:56.789+0000`."""
    value = datetime.fromtimestamp(time.time() if moment is None else moment, UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}+0000"


def iso_timestamp(moment: float | None = None) -> str:
    """ISO 8601 with milliseconds and `Z` (invocation records, function URL CreationTime)."""
    value = datetime.fromtimestamp(time.time() if moment is None else moment, UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
