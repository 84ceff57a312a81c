"""Helpers shared by the CloudWatch tests (importable as `services.cloudwatch.support`)."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
TEMPLATES = Path(__file__).parent / "templates"


def minute(offset: int = 0) -> datetime:
    """The start of the current minute, plus `offset` minutes (UTC)."""
    now = int(time.time() // 60 * 60)
    return datetime.fromtimestamp(now, UTC) + timedelta(minutes=offset)


def wait_for(probe: Callable[[], T | None], timeout: float = 30.0, every: float = 0.05) -> T:
    """The first truthy result of `probe`; AssertionError after `timeout` s (liveness only)."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"nothing after {timeout} s")
        time.sleep(every)


def zipped(path: Path) -> bytes:
    """A zip holding one file at its root."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(path.name, path.read_bytes())
    return buffer.getvalue()
