"""What every benchmark module shares: run options, the suite signature, progress logging.

A suite is a module under `suites/` with a `run(targets, options) -> list[Metric]` function,
listed in `suites.SUITES`. It gets the targets already installed; it starts and stops servers
itself (through `peers.Target.start`), and reports a target it could not measure through the
`Metric.notes` of the rows concerned instead of raising.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

from peers import Target
from report import Metric


@dataclass(frozen=True)
class Options:
    """Knobs from the command line."""

    repeat: int = 7
    """Launches per start-up measurement (the report shows the median)."""
    quick: bool = False
    """Fewer launches and requests: a smoke run, not figures to quote."""
    verbose: bool = False
    """Print every sample as it is taken."""

    def scaled(self, full: int, quick: int) -> int:
        """`full`, or `quick` in a quick run."""
        return quick if self.quick else full


Suite = Callable[[list[Target], Options], list[Metric]]
"""The signature of a suite's `run`."""


def log(message: str) -> None:
    """Progress line on stderr (stdout is kept for the table)."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)
