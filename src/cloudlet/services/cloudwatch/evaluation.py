"""Metric alarm evaluation, as AWS documents it: M out of N, missing data, reasons in AWS's words.

    slots(alarm, now)  ──▶ the last R = N + 2 periods (the "evaluation range"), oldest first,
                           each with the alarm's statistic (or math result) or nothing
    decide(slots, ...) ──▶ ALARM / OK / INSUFFICIENT_DATA, or None to keep the current state

Deciding (N = EvaluationPeriods, M = DatapointsToAlarm):

- At least N real datapoints in the range: the newest N are evaluated; ALARM when at least M of
  them breach, else OK. TreatMissingData plays no part.
- Fewer: every real datapoint counts, and missing ones fill up to N as TreatMissingData says:
  `breaching` / `notBreaching` count them so; `missing` and `ignore` count nothing. ALARM when
  at least M breach; OK when a real datapoint does not breach; otherwise (no data, or only a few
  breaching points) INSUFFICIENT_DATA for `missing` and the current state for `ignore` — except
  that `missing` goes to ALARM when the oldest breaching point is at least M periods old (AWS
  avoids premature ALARM only while the breach is recent). This reproduces every row of the
  tables in AWS's "How alarm state is evaluated when data is missing".

Periods of 60 s or more are evaluated every minute over a sliding range ending at the last whole
minute; shorter (high-resolution) periods every period. On a scaled clock every length here is
multiplied by `bucket_seconds` (1 / time scale) in real time; timestamps stay real.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cloudlet.services.cloudwatch.aggregate import collect, merged
from cloudlet.services.cloudwatch.alarm_store import Alarm
from cloudlet.services.cloudwatch.math_eval import Series
from cloudlet.services.cloudwatch.metric_data import parse_queries, run
from cloudlet.services.cloudwatch.metrics import MetricStore
from cloudlet.services.cloudwatch.models import MetricKey, dims_of

EXTRA_PERIODS = 2
"""The evaluation range holds this many periods more than EvaluationPeriods."""

OPERATORS: dict[str, tuple[str, Callable[[float, float], bool]]] = {
    "GreaterThanOrEqualToThreshold": ("greater than or equal to", lambda v, t: v >= t),
    "GreaterThanThreshold": ("greater than", lambda v, t: v > t),
    "LessThanThreshold": ("less than", lambda v, t: v < t),
    "LessThanOrEqualToThreshold": ("less than or equal to", lambda v, t: v <= t),
}
BAND_OPERATORS = {
    "LessThanLowerOrGreaterThanUpperThreshold": "outside the band",
    "LessThanLowerThreshold": "less than the lower threshold",
    "GreaterThanUpperThreshold": "greater than the upper threshold",
}


@dataclass
class Slot:
    """One period of the evaluation range."""

    start: float
    value: float | None = None
    samples: float | None = None
    band: tuple[float, float] | None = None


@dataclass
class Outcome:
    """What an evaluation concluded; `state` None keeps the current state."""

    state: str | None
    reason: str = ""
    reason_data: dict[str, Any] | None = None
    value: float | None = None
    """The newest evaluated datapoint (given to Auto Scaling as MetricValue)."""


def step_seconds(period: int) -> int:
    """How often an alarm with `period` is evaluated (AWS seconds)."""
    return min(period, 60)


def range_end(now: float, period: int, bucket_seconds: float) -> float:
    step = step_seconds(period) * bucket_seconds
    return math.floor(now / step + 1e-9) * step


def slots(
    alarm: Alarm,
    metrics: MetricStore,
    now: float,
    bucket_seconds: float = 1.0,
) -> list[Slot]:
    """The alarm's evaluation range, oldest first."""
    config = alarm.config
    period = alarm_period(config)
    count = int(config["EvaluationPeriods"]) + EXTRA_PERIODS
    width = period * bucket_seconds
    end = range_end(now, period, bucket_seconds)
    start = end - count * width
    result = [Slot(start + k * width) for k in range(count)]
    by_start = {round(s.start, 6): s for s in result}
    if config.get("Metrics"):
        queries = parse_queries(config["Metrics"], "Metrics")
        values = run(
            metrics,
            alarm.account,
            alarm.region,
            queries,
            start,
            end,
            now=now,
            bucket_seconds=bucket_seconds,
            align=False,
        )
        returned = next(
            q for q in queries if q.return_data and q.id != config.get("ThresholdMetricId")
        )
        series = values[returned.id]
        if isinstance(series, Series):
            for ts, value in series.points.items():
                if (slot := by_start.get(round(ts, 6))) is not None:
                    slot.value = value
        band = values.get(config.get("ThresholdMetricId") or "")
        if isinstance(band, list) and band:
            for slot in result:
                bounds = [s.points[slot.start] for s in band if slot.start in s.points]
                if bounds:
                    slot.band = (min(bounds), max(bounds))
        return result
    key = MetricKey(config["Namespace"], config["MetricName"], dims_of(config.get("Dimensions")))
    statistic = str(config.get("Statistic") or config.get("ExtendedStatistic"))
    buckets = collect(
        metrics, alarm.account, alarm.region, key, start, end, width, [statistic],
        unit=config.get("Unit"), minute=60 * bucket_seconds,
    )  # fmt: skip
    for bucket, units in buckets.items():
        slot = by_start.get(round(bucket, 6))
        if slot is None:
            continue
        aggregate = merged(units)
        slot.value = aggregate.value(statistic)
        slot.samples = aggregate.count
    return result


def alarm_period(config: dict[str, Any]) -> int:
    """The alarm's period: its Period, or that of its metric math queries."""
    if config.get("Period"):
        return int(config["Period"])
    for query in config.get("Metrics") or ():
        if query.get("MetricStat"):
            return int(query["MetricStat"]["Period"])
        if query.get("Period"):
            return int(query["Period"])
    return 60


def _low_samples(alarm: Alarm, evaluated: list[Slot]) -> bool:
    """EvaluateLowSampleCountPercentile=ignore and too few samples for the percentile."""
    config = alarm.config
    statistic = config.get("ExtendedStatistic") or ""
    if config.get("EvaluateLowSampleCountPercentile") != "ignore" or not statistic.startswith("p"):
        return False
    try:
        p = float(statistic[1:]) / 100
    except ValueError:
        return False
    needed = 10 / (1 - p) if p > 0.5 else (10 / p if p > 0 else math.inf)
    return any(s.samples is not None and s.samples < needed for s in evaluated)


def decide(alarm: Alarm, range_: list[Slot], now: float) -> Outcome:
    """The state the alarm's evaluation range calls for (see the module docstring)."""
    config = alarm.config
    n = int(config["EvaluationPeriods"])
    m = int(config.get("DatapointsToAlarm") or n)
    treat = config.get("TreatMissingData") or "missing"
    breaches = _breach_test(config)
    real = [s for s in range_ if s.value is not None]
    if len(real) >= n:
        evaluated, filled = real[-n:], 0
    else:
        missing = [s for s in range_ if s.value is None]
        filled = n - len(real)
        evaluated = sorted(real + missing[len(missing) - filled :], key=lambda s: s.start)
    if _low_samples(alarm, [s for s in evaluated if s.value is not None]):
        return Outcome(None)
    breaching = [s for s in evaluated if s.value is not None and breaches(s)]
    calm = [s for s in evaluated if s.value is not None and not breaches(s)]
    fill_breaches = filled if filled and treat == "breaching" else 0
    newest = real[-1].value if real else None
    if len(breaching) + fill_breaches >= m:
        state = "ALARM"
    elif calm or (filled and treat in ("breaching", "notBreaching")):
        state = "OK"
    elif treat == "missing" and breaching and _age(range_, breaching[0]) >= m:
        state = "ALARM"
    elif treat == "ignore":
        return Outcome(None)
    else:
        state = "INSUFFICIENT_DATA"
    reason = _reason(alarm, state, n, m, treat, filled, breaching, calm, range_)
    return Outcome(state, reason, _reason_data(alarm, evaluated, range_, now), newest)


def _age(range_: list[Slot], slot: Slot) -> int:
    """Periods between `slot` and the newest period of the range."""
    return len(range_) - 1 - range_.index(slot)


def _breach_test(config: dict[str, Any]) -> Callable[[Slot], bool]:
    operator = config["ComparisonOperator"]
    if operator in OPERATORS:
        threshold = float(config["Threshold"])
        compare = OPERATORS[operator][1]
        return lambda slot: compare(slot.value, threshold)  # type: ignore[arg-type]

    def band(slot: Slot) -> bool:
        if slot.band is None or slot.value is None:
            return False
        low, high = slot.band
        below, above = slot.value < low, slot.value > high
        if operator == "LessThanLowerThreshold":
            return below
        if operator == "GreaterThanUpperThreshold":
            return above
        return below or above

    return band


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _format(slots_: list[Slot]) -> str:
    newest_first = sorted(slots_, key=lambda s: -s.start)
    return ", ".join(
        f"{s.value!r} ({datetime.fromtimestamp(s.start, UTC):%d/%m/%y %H:%M:%S})"
        for s in newest_first
    )


def _reason(
    alarm: Alarm,
    state: str,
    n: int,
    m: int,
    treat: str,
    filled: int,
    breaching: list[Slot],
    calm: list[Slot],
    range_: list[Slot],
) -> str:
    config = alarm.config
    if state == "INSUFFICIENT_DATA":
        unknown = sum(1 for s in range_ if s.value is None)
        verb = "was" if unknown == 1 else "were"
        return f"Insufficient Data: {_plural(unknown, 'datapoint')} {verb} unknown."
    if not breaching and not calm:
        kind = "Breaching" if treat == "breaching" else "NonBreaching"
        verb = "was" if filled == 1 else "were"
        return (
            f"Threshold Crossed: no datapoints were received for {_plural(filled, 'period')} and "
            f"{_plural(filled, 'missing datapoint')} {verb} treated as [{kind}]."
        )
    operator = config["ComparisonOperator"]
    phrase = OPERATORS[operator][0] if operator in OPERATORS else BAND_OPERATORS[operator]
    threshold = f" ({float(config['Threshold'])!r})" if operator in OPERATORS else ""
    listed = breaching if state == "ALARM" else calm
    verb = "was" if len(listed) == 1 else "were"
    relation = phrase if state == "ALARM" else f"not {phrase}"
    minimum = m if state == "ALARM" else n - m + 1
    old = alarm.state
    text = (
        f"Threshold Crossed: {len(listed)} out of the last {n} datapoints [{_format(listed)}] "
        f"{verb} {relation} the threshold{threshold}"
    )
    if filled and treat in ("breaching", "notBreaching"):
        kind = "Breaching" if treat == "breaching" else "NonBreaching"
        were = "was" if filled == 1 else "were"
        text += f", and {_plural(filled, 'missing datapoint')} {were} treated as [{kind}]"
    return f"{text} (minimum {_plural(minimum, 'datapoint')} for {old} -> {state} transition)."


def _iso(ts: float) -> str:
    moment = datetime.fromtimestamp(ts, UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}+0000"


def _reason_data(
    alarm: Alarm, evaluated: list[Slot], range_: list[Slot], now: float
) -> dict[str, Any]:
    config = alarm.config
    data: dict[str, Any] = {"version": "1.0", "queryDate": _iso(now)}
    if evaluated:
        data["startDate"] = _iso(min(s.start for s in evaluated))
    if not config.get("Metrics"):
        data["statistic"] = config.get("Statistic") or config.get("ExtendedStatistic")
        data["period"] = config["Period"]
    data["recentDatapoints"] = [s.value for s in evaluated if s.value is not None]
    if config.get("Threshold") is not None:
        data["threshold"] = float(config["Threshold"])
    points = []
    for slot in sorted(evaluated, key=lambda s: -s.start):
        point: dict[str, Any] = {"timestamp": _iso(slot.start)}
        if slot.samples is not None and slot.value is not None:
            point["sampleCount"] = slot.samples
        if slot.value is not None:
            point["value"] = slot.value
        points.append(point)
    data["evaluatedDatapoints"] = points
    return data


def reason_data_json(data: dict[str, Any] | None) -> str | None:
    return None if data is None else json.dumps(data, separators=(",", ":"))
