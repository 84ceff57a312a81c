"""Timestamps on the wire: reading any form a client sends, writing the form each place expects.

AWS protocols use three forms (smithy's `timestampFormat` trait picks one per member):

    iso8601        2024-01-02T03:04:05Z, 2024-01-02T03:04:05.123Z   query, ec2, rest-xml bodies
    rfc822         Tue, 02 Jan 2024 03:04:05 GMT                     HTTP headers
    unixTimestamp  1704164645, 1704164645.123                        json, rest-json bodies, cbor

Reading is lenient (clients are not always strict either): numbers, numeric strings, ISO 8601 and
RFC 822 are all accepted wherever a timestamp goes. Values read are aware `datetime`s in UTC.
Writing accepts what providers return: aware or naive (taken as UTC) datetimes, epoch numbers, or
strings in any readable form.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def parse_timestamp(value: str | int | float) -> datetime:
    """An aware UTC datetime from an epoch number or an ISO 8601 / RFC 822 string.

    Raises ValueError when `value` is none of these.
    """
    if isinstance(value, bool):
        raise ValueError(f"not a timestamp: {value!r}")
    if isinstance(value, int | float):
        return from_epoch(value)
    text = value.strip()
    if not text:
        raise ValueError("empty timestamp")
    if text[0].isdigit() or text[0] == "-":
        try:
            return from_epoch(float(text))
        except ValueError:
            pass
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError) as exc:
        raise ValueError(f"not a timestamp: {value!r}") from exc
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def from_epoch(seconds: int | float) -> datetime:
    """An aware UTC datetime from epoch seconds (ValueError when out of range)."""
    if isinstance(seconds, float) and not math.isfinite(seconds):
        raise ValueError(f"not a timestamp: {seconds!r}")
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError) as exc:
        raise ValueError(f"timestamp out of range: {seconds!r}") from exc


def to_datetime(value: datetime | str | int | float) -> datetime:
    """A provider's timestamp value as an aware UTC datetime."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value
    return parse_timestamp(value)


def iso8601(value: datetime) -> str:
    """`2024-01-02T03:04:05Z`; fractions only when present (milliseconds when exact)."""
    value = value.astimezone(UTC) if value.utcoffset() else value
    text = (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
        f"T{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    )
    micro = value.microsecond
    if not micro:
        return text + "Z"
    if micro % 1000 == 0:
        return f"{text}.{micro // 1000:03d}Z"
    return f"{text}.{micro:06d}Z"


def rfc822(value: datetime) -> str:
    """`Tue, 02 Jan 2024 03:04:05 GMT` (seconds precision, as HTTP dates are)."""
    value = value.astimezone(UTC) if value.utcoffset() else value
    return (
        f"{_DAYS[value.weekday()]}, {value.day:02d} {_MONTHS[value.month - 1]} {value.year:04d} "
        f"{value.hour:02d}:{value.minute:02d}:{value.second:02d} GMT"
    )


def epoch(value: datetime) -> int | float:
    """Epoch seconds: an int when whole, else a float with the microseconds."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    whole = int(value.replace(microsecond=0).timestamp())
    micro = value.microsecond
    return whole if not micro else (whole * 1_000_000 + micro) / 1_000_000


FORMATTERS = {"iso8601": iso8601, "rfc822": rfc822, "unixtimestamp": epoch}
"""Writers by (lower-cased) `timestampFormat` trait value."""


def format_timestamp(value: datetime | str | int | float, fmt: str) -> str | int | float:
    """`value` written in format `fmt` (`iso8601`, `rfc822` or `unixTimestamp`)."""
    return FORMATTERS[fmt.lower()](to_datetime(value))
