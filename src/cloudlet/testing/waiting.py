"""`wait_for`: poll until something is true, for tests of things that settle asynchronously."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class WaitTimeout(AssertionError):
    """What a test sees when the awaited condition never came true."""


def wait_for(
    check: Callable[[], T], what: str = "the condition", timeout: float = 60.0, every: float = 0.02
) -> T:
    """Call `check` until it returns something truthy and return that; `WaitTimeout` after
    `timeout` seconds. The bound is for liveness only: a loaded CI machine may be slow."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise WaitTimeout(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(every)
