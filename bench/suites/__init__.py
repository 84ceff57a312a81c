"""Benchmark modules, by the name `run.py --only` takes.

To add one: write `suites/<name>.py` with `run(targets, options) -> list[Metric]` (see `suite.py`)
and list it here.
"""

from __future__ import annotations

from suite import Suite

from suites import platform

SUITES: dict[str, Suite] = {
    "platform": platform.run,
}
"""Every suite, in the order a full run executes them."""
