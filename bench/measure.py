"""Small statistics helpers shared by the benchmark modules, a bounded call-rate loop, and a
gauge of other work."""

from __future__ import annotations

import math
import os
import statistics
import time
from collections.abc import Callable, Sequence

import psutil


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of `values` (which need not be sorted); NaN when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def median(values: Sequence[float]) -> float:
    """Median, or NaN when empty."""
    return statistics.median(values) if values else math.nan


def calls_per_second(call: Callable[[], object], count: int, max_seconds: float) -> float:
    """Calls per second of `call` made `count` times, stopping early after `max_seconds` (a slow
    peer must not hold the whole run)."""
    started = time.perf_counter()
    deadline = started + max_seconds
    made = 0
    while made < count:
        call()
        made += 1
        if time.perf_counter() > deadline:
            break
    return made / (time.perf_counter() - started)


def spread(values: Sequence[float]) -> str:
    """`min-max` of the samples, for the verbose log."""
    if not values:
        return "no samples"
    return f"{min(values):.3f}-{max(values):.3f} (n={len(values)})"


class OtherWork:
    """How much CPU the rest of the machine used while the bench ran.

    Machine-wide busy CPU time (psutil) minus the CPU time of this process and of the children it
    waited for (the servers it started), as a share of all cores over the wall time. A test suite
    running beside the bench shows here; figures taken while it is high are noisy.
    """

    def __init__(self) -> None:
        self._wall = time.monotonic()
        self._busy = self._machine_busy()
        self._own = self._own_cpu()

    @staticmethod
    def _machine_busy() -> float:
        t = psutil.cpu_times()
        return sum(t) - t.idle - getattr(t, "iowait", 0.0)

    @staticmethod
    def _own_cpu() -> float:
        t = os.times()
        return t.user + t.system + t.children_user + t.children_system

    def share(self) -> float:
        """Share (0-1) of the machine's CPU used by other processes since construction."""
        wall = time.monotonic() - self._wall
        other = (self._machine_busy() - self._busy) - (self._own_cpu() - self._own)
        return max(0.0, other / (wall * (os.cpu_count() or 1))) if wall > 0 else 0.0


def wait_quiet(max_seconds: float, window: float = 5.0, threshold: float = 0.08) -> float:
    """Wait (at most `max_seconds`) for a `window` in which other work stays under `threshold`.

    Returns the share seen in the last window.
    """
    deadline = time.monotonic() + max_seconds
    share = 1.0
    while time.monotonic() < deadline:
        gauge = OtherWork()
        time.sleep(window)
        share = gauge.share()
        if share < threshold:
            break
    return share
