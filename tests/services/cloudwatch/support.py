"""Helpers shared by the CloudWatch tests (importable as `services.cloudwatch.support`)."""

from __future__ import annotations

import io
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

TEMPLATES = Path(__file__).parent / "templates"


_frozen: float | None = None


def freeze_minute(at: float | None = None) -> None:
    """Make `minute()` count from the minute of `at` (now), until `thaw_minute()`."""
    global _frozen
    _frozen = (time.time() if at is None else at) // 60 * 60


def thaw_minute() -> None:
    global _frozen
    _frozen = None


def minute(offset: int = 0) -> datetime:
    """The start of the current minute (frozen for the test's duration), plus `offset` minutes.

    The conftest freezes it when each test starts, so data a test publishes and the ranges it
    queries agree even when the wall clock passes a minute boundary in between.
    """
    now = _frozen if _frozen is not None else time.time() // 60 * 60
    return datetime.fromtimestamp(now, UTC) + timedelta(minutes=offset)


def zipped(path: Path) -> bytes:
    """A zip holding one file at its root."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(path.name, path.read_bytes())
    return buffer.getvalue()
