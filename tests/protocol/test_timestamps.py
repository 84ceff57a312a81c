"""Timestamps: every form clients send is read; each wire place gets its form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from cloudlet.protocol.timestamps import epoch, format_timestamp, iso8601, parse_timestamp, rfc822

MOMENT = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "2024-01-02T03:04:05Z",
        "2024-01-02T03:04:05.000Z",
        "2024-01-02T04:04:05+01:00",
        "Tue, 02 Jan 2024 03:04:05 GMT",
        "1704164645",
        "1704164645.0",
        1704164645,
        1704164645.0,
    ],
)
def test_parse(text: str | int | float) -> None:
    assert parse_timestamp(text) == MOMENT


@pytest.mark.parametrize("text", ["", "yesterday", "2024-13-45T00:00:00Z", "nan", True])
def test_parse_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_timestamp(text)


def test_formats() -> None:
    with_millis = MOMENT.replace(microsecond=123000)

    assert iso8601(MOMENT) == "2024-01-02T03:04:05Z"
    assert iso8601(with_millis) == "2024-01-02T03:04:05.123Z"
    assert iso8601(MOMENT.replace(microsecond=123456)) == "2024-01-02T03:04:05.123456Z"
    assert rfc822(MOMENT) == "Tue, 02 Jan 2024 03:04:05 GMT"
    assert epoch(MOMENT) == 1704164645
    assert epoch(with_millis) == 1704164645.123


def test_providers_may_return_naive_or_offset_datetimes_and_numbers() -> None:
    naive = datetime(2024, 1, 2, 3, 4, 5)
    offset = MOMENT.astimezone(timezone(timedelta(hours=-5)))

    assert format_timestamp(naive, "iso8601") == "2024-01-02T03:04:05Z"
    assert format_timestamp(offset, "iso8601") == "2024-01-02T03:04:05Z"
    assert format_timestamp(1704164645, "rfc822") == "Tue, 02 Jan 2024 03:04:05 GMT"
    assert format_timestamp("2024-01-02T03:04:05Z", "unixTimestamp") == 1704164645
