"""CloudWatch's shared vocabulary: metric identity, dimensions, units, statistics, page tokens.

A metric is identified by (namespace, metric name, dimensions); dimensions are an unordered set
of name/value pairs, kept here as a tuple sorted by name (`Dims`), which is also the order
cloudlet answers them in. `dims_key` is that tuple as compact JSON: the stored identity.
`Datum` is a validated datum about to be stored, `Sample` a stored one as statistics read it.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cloudlet.services.cloudwatch import errors

Dims = tuple[tuple[str, str], ...]
"""Dimensions as (name, value) pairs sorted by name."""

UNITS = frozenset(
    (
        "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes",
        "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count",
        "Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second",
        "Terabytes/Second", "Bits/Second", "Kilobits/Second", "Megabits/Second",
        "Gigabits/Second", "Terabits/Second", "Count/Second", "None",
    )
)  # fmt: skip
"""`StandardUnit`; a datapoint published without a unit has unit `None`."""

STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
"""The standard statistics, in the order AWS lists them."""

_NAMESPACE = re.compile(r"^[0-9A-Za-z.\-_/#: ]+$")


@dataclass(frozen=True)
class MetricKey:
    """One metric: what GetMetricStatistics and alarms name."""

    namespace: str
    name: str
    dims: Dims = ()

    def describe(self) -> dict[str, Any]:
        """The API's `Metric` shape."""
        return {
            "Namespace": self.namespace,
            "MetricName": self.name,
            "Dimensions": dims_list(self.dims),
        }


@dataclass(frozen=True)
class Datum:
    """One validated datum, ready to store."""

    key: MetricKey
    ts: float
    unit: str
    resolution: int
    count: float
    sum: float
    min: float
    max: float
    values: list[tuple[float, float]] | None = None
    """(value, count) pairs published as Values/Counts; None when `min`/`max` say it all."""


@dataclass(frozen=True)
class Sample:
    """One stored datum, as the statistics read it."""

    ts: float
    unit: str
    resolution: int
    count: float
    sum: float
    min: float
    max: float
    values: list[tuple[float, float]] | None
    """Raw (value, count) pairs, or None when only a statistic set (Minimum < Maximum) is known."""


def dims_of(dimensions: list[dict[str, str]] | None) -> Dims:
    """The canonical form of an API `Dimensions` list (later duplicates win)."""
    return tuple(sorted({d["Name"]: d["Value"] for d in dimensions or ()}.items()))


def dims_list(dims: Dims) -> list[dict[str, str]]:
    return [{"Name": name, "Value": value} for name, value in dims]


def dims_key(dims: Dims) -> str:
    return json.dumps(dims, separators=(",", ":"))


def dims_from_key(key: str) -> Dims:
    return tuple((name, value) for name, value in json.loads(key))


def check_namespace(namespace: str, member: str = "Namespace", *, publishing: bool = False) -> None:
    """AWS's namespace rules; `AWS/` is reserved for AWS's own metrics when publishing."""
    if not _NAMESPACE.match(namespace) or namespace.startswith(":") or not namespace.strip():
        raise errors.invalid_value(f"The value {namespace} for parameter {member} is invalid.")
    if publishing and namespace.startswith("AWS/"):
        raise errors.invalid_value(f"The value {namespace} for parameter {member} is invalid.")


def check_dimensions(dimensions: list[dict[str, str]] | None, member: str) -> Dims:
    """Validate an API `Dimensions` list; returns the canonical form."""
    seen: set[str] = set()
    for index, dimension in enumerate(dimensions or (), start=1):
        name = dimension["Name"]
        if name.startswith(":"):
            raise errors.invalid_value(
                f"The value {name} for parameter {member}.member.{index}.Name is invalid."
            )
        if name in seen:
            # AWS rejects a repeated dimension name; the wording is cloudlet's.
            raise errors.invalid_value(
                f"The parameter {member} must not contain the dimension name {name} more than once."
            )
        seen.add(name)
    return dims_of(dimensions)


def check_unit(unit: str | None, member: str) -> None:
    if unit is not None and unit not in UNITS:
        raise errors.invalid_value(f"The value {unit} for parameter {member} is invalid.")


def epoch(value: datetime | float | int) -> float:
    """Epoch seconds of a parsed timestamp (naive datetimes are UTC)."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.timestamp()
    return float(value)


def timestamp(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def encode_token(value: Any) -> str:
    raw = json.dumps(value, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str) -> Any:
    """The value of a token from `encode_token`; `InvalidNextToken` otherwise."""
    try:
        padded = token + "=" * (-len(token) % 4)
        return json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise errors.invalid_next_token() from exc
