"""Helpers shared by the CloudWatch tests (importable as `services.cloudwatch.support`)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta


def minute(offset: int = 0) -> datetime:
    """The start of the current minute, plus `offset` minutes (UTC)."""
    now = int(time.time() // 60 * 60)
    return datetime.fromtimestamp(now, UTC) + timedelta(minutes=offset)
