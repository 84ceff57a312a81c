"""Small statistics helpers shared by the benchmark modules."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence


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


def spread(values: Sequence[float]) -> str:
    """`min-max` of the samples, for the verbose log."""
    if not values:
        return "no samples"
    return f"{min(values):.3f}-{max(values):.3f} (n={len(values)})"
