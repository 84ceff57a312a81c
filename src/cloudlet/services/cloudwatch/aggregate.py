"""Statistics over stored datapoints: period buckets, the standard statistics, and the extended
ones (percentiles, trimmed/winsorized means, trimmed counts and sums, percentile rank, IQM).

    collect(metric, start, end, period, statistics) ──▶ {bucket start: {unit: Aggregate}}
      standard statistics: summed by SQLite per period; extended: raw samples ──bucketize──▶
    Aggregate.value("p99") / .value("Average") / .value("TM(10%:90%)") ...

Extended statistics need the raw values: a bucket that holds a statistic set whose Minimum and
Maximum differ has no raw values, and its extended statistics are absent (as in AWS, percentiles
of statistic sets are available only when SampleCount is 1 or Minimum equals Maximum).

Percentiles use the nearest rank over the values weighted by their counts (AWS computes
them exactly for small samples). Bounds of the trimmed statistics are (lower, upper]: lower
exclusive, upper inclusive, as AWS defines them; `TM(:90%)` has no lower bound.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from cloudlet.services.cloudwatch.metrics import MetricStore, Sample
from cloudlet.services.cloudwatch.models import STATISTICS, MetricKey

Values = list[tuple[float, float]]
"""(value, count) pairs sorted by value."""
Extended = Callable[[Values], float | None]

_NUMBER = r"\d+(?:\.\d+)?"
_PERCENTILE = re.compile(rf"^p({_NUMBER})$")
_SHORT = re.compile(rf"^(tm|wm|tc|ts)({_NUMBER})$")
_RANGE = re.compile(r"^(TM|WM|TC|TS|PR|tm|wm|tc|ts|pr)\(([^:()]*):([^:()]*)\)$")


@dataclass
class Aggregate:
    """The data of one period (and unit)."""

    count: float = 0.0
    sum: float = 0.0
    min: float = math.inf
    max: float = -math.inf
    values: Values | None = field(default_factory=list)
    """Raw values, or None once a sample without raw values joined."""

    def add(self, sample: Sample) -> None:
        self.count += sample.count
        self.sum += sample.sum
        self.min = min(self.min, sample.min)
        self.max = max(self.max, sample.max)
        if self.values is not None:
            if sample.values is None:
                self.values = None
            else:
                self.values.extend(sample.values)

    def value(self, statistic: str) -> float | None:
        """A standard or extended statistic of this period (None: not available)."""
        if statistic == "SampleCount":
            return self.count
        if statistic == "Sum":
            return self.sum
        if statistic == "Average":
            return self.sum / self.count if self.count else None
        if statistic == "Minimum":
            return self.min
        if statistic == "Maximum":
            return self.max
        extended = parse_extended(statistic)
        if extended is None or self.values is None or not self.values:
            return None
        return extended(sorted(self.values))


def bucketize(
    samples: Iterable[Sample], start: float, period: float, minute: float = 60.0
) -> dict[float, dict[str, Aggregate]]:
    """Samples grouped by period (buckets `start + k * period`) and unit.

    Standard-resolution samples count from the start of their `minute` (60 s, or less when the
    alarm evaluator runs on a scaled clock) when the period is shorter than a minute.
    """
    buckets: dict[float, dict[str, Aggregate]] = {}
    for sample in samples:
        ts = sample.ts
        if sample.resolution == 60 and period < minute:
            ts = math.floor(ts / minute) * minute
        if ts < start:
            continue
        bucket = start + math.floor((ts - start) / period) * period
        units = buckets.setdefault(bucket, {})
        aggregate = units.get(sample.unit)
        if aggregate is None:
            aggregate = units[sample.unit] = Aggregate()
        aggregate.add(sample)
    return buckets


def collect(
    metrics: MetricStore,
    account: str,
    region: str,
    key: MetricKey,
    start: float,
    end: float,
    period: float,
    statistics: Iterable[str],
    *,
    unit: str | None = None,
    minute: float = 60.0,
) -> dict[float, dict[str, Aggregate]]:
    """The periods of one metric in [start, end) that hold data, by bucket start and unit.

    Standard statistics are summed by SQLite (cost grows with the periods, not the datapoints);
    extended statistics need the raw values, read and bucketed here.
    """
    if any(name not in STATISTICS for name in statistics):
        samples = metrics.samples(account, region, key, start - minute, end, unit)
        return {b: u for b, u in bucketize(samples, start, period, minute).items() if b < end}
    buckets: dict[float, dict[str, Aggregate]] = {}
    for index, unit_name, count, total, low, high in metrics.sums(
        account, region, key, start, end, period, minute, unit
    ):
        aggregate = Aggregate(count, total, low, high, values=None)
        buckets.setdefault(start + index * period, {})[unit_name] = aggregate
    return buckets


def merged(units: dict[str, Aggregate]) -> Aggregate:
    """One aggregate over every unit of a bucket."""
    if len(units) == 1:
        return next(iter(units.values()))
    total = Aggregate()
    for aggregate in units.values():
        total.count += aggregate.count
        total.sum += aggregate.sum
        total.min = min(total.min, aggregate.min)
        total.max = max(total.max, aggregate.max)
        if total.values is not None:
            total.values = None if aggregate.values is None else total.values + aggregate.values
    return total


def is_statistic(name: str) -> bool:
    """A name GetMetricData's `Stat` or an alarm accepts."""
    return name in STATISTICS or parse_extended(name) is not None


def parse_extended(name: str) -> Extended | None:
    """The function computing extended statistic `name`; None when it is not one."""
    match = _PERCENTILE.match(name)
    if match:
        p = float(match[1])
        return None if p > 100 or not _two_decimals(match[1]) else _percentile_of(p)
    if name == "IQM":
        return _trimmed("tm", 25.0, 75.0, True)
    match = _SHORT.match(name)
    if match:
        upper = float(match[2])
        return None if upper > 100 else _trimmed(match[1].lower(), None, upper, True)
    match = _RANGE.match(name)
    if match:
        return _range(match[1].lower(), match[2].strip(), match[3].strip())
    return None


def _two_decimals(text: str) -> bool:
    return "." not in text or len(text.split(".")[1]) <= 2


def _range(kind: str, low: str, high: str) -> Extended | None:
    if not low and not high:
        return None
    relative = low.endswith("%") or high.endswith("%")
    if relative and not all(bound.endswith("%") for bound in (low, high) if bound):
        return None
    try:
        lower = float(low.rstrip("%")) if low else None
        upper = float(high.rstrip("%")) if high else None
    except ValueError:
        return None
    if relative and any(b is not None and not 0 <= b <= 100 for b in (lower, upper)):
        return None
    if lower is not None and upper is not None and lower > upper:
        return None
    if kind == "pr":
        return None if relative else _percentile_rank(lower, upper)
    return _trimmed(kind, lower, upper, relative)


def _percentile(values: Values, p: float) -> float:
    """Nearest rank over weighted values (sorted)."""
    total = sum(c for _, c in values)
    rank = max(1.0, math.ceil(p / 100.0 * total))
    seen = 0.0
    for value, count in values:
        seen += count
        if seen >= rank:
            return value
    return values[-1][0]


def _percentile_of(p: float) -> Extended:
    return lambda values: _percentile(values, p)


def _trimmed(kind: str, lower: float | None, upper: float | None, relative: bool) -> Extended:
    def compute(values: Values) -> float | None:
        low = -math.inf if lower is None else lower
        high = math.inf if upper is None else upper
        if relative:
            low = -math.inf if lower is None or lower == 0 else _percentile(values, lower)
            high = math.inf if upper is None or upper == 100 else _percentile(values, high)
        inside = [(v, c) for v, c in values if low < v <= high]
        if kind == "tc":
            return sum(c for _, c in inside)
        if kind == "ts":
            return sum(v * c for v, c in inside)
        if kind == "wm":
            floor_, ceiling = max(low, values[0][0]), min(high, values[-1][0])
            total = sum(c for _, c in values)
            return sum(min(max(v, floor_), ceiling) * c for v, c in values) / total
        count = sum(c for _, c in inside)
        return sum(v * c for v, c in inside) / count if count else None

    return compute


def _percentile_rank(lower: float | None, upper: float | None) -> Extended:
    def compute(values: Values) -> float:
        low = -math.inf if lower is None else lower
        high = math.inf if upper is None else upper
        total = sum(c for _, c in values)
        return 100.0 * sum(c for v, c in values if low < v <= high) / total

    return compute
