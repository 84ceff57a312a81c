"""GetMetricData: MetricStat queries and metric math expressions, ScanBy, MaxDatapoints pages.

    parse_queries(request) ──▶ [Query] ──run(...)──▶ {Id: Series | [Series]} ──▶ page of results

`run` is shared with the alarm evaluator (alarms on metric math): it evaluates the queries in
dependency order (an expression may use any other query's Id; METRICS() uses every MetricStat
query), each MetricStat query on its own period grid, each expression on its Period (or that of
the first metric it depends on). `bucket_seconds` lets the evaluator read periods on the scaled
clock (a period of P AWS seconds lasts P * bucket_seconds real seconds there).

Validation errors are `ValidationError`s, as AWS answers GetMetricData's; the wording of the
ones AWS does not document is cloudlet's.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from cloudlet.services.cloudwatch import errors
from cloudlet.services.cloudwatch.aggregate import collect, is_statistic, merged
from cloudlet.services.cloudwatch.math_eval import Environment, Series, Value, evaluate
from cloudlet.services.cloudwatch.math_parser import (
    ExpressionError,
    Node,
    parse,
    references,
    syntax_error,
    uses_metrics_function,
)
from cloudlet.services.cloudwatch.metrics import MetricStore
from cloudlet.services.cloudwatch.models import (
    MetricKey,
    check_dimensions,
    check_unit,
    decode_token,
    encode_token,
    epoch,
    timestamp,
)
from cloudlet.services.cloudwatch.statistics import check_time_range, rounded_start, valid_period

MAX_QUERIES = 500
DEFAULT_MAX_DATAPOINTS = 100_800
_ID = re.compile(r"^[a-z][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class MetricStat:
    key: MetricKey
    period: int
    stat: str
    unit: str | None = None


@dataclass(frozen=True)
class Query:
    """One entry of MetricDataQueries (or of an alarm's Metrics)."""

    id: str
    label: str | None
    return_data: bool
    stat: MetricStat | None = None
    expression: Node | None = None
    text: str = ""
    period: int | None = None

    def default_label(self) -> str:
        if self.label is not None:
            return self.label
        return self.stat.key.name if self.stat else self.id


def parse_queries(raw: list[dict[str, Any]], member: str = "MetricDataQueries") -> list[Query]:
    """Validated queries; ValidationError naming the first problem."""
    if not raw:
        raise errors.validation(f"The parameter {member} is required.")
    if len(raw) > MAX_QUERIES:
        raise errors.validation(
            f"The collection {member} must not have a size greater than {MAX_QUERIES}."
        )
    ids = [q["Id"] for q in raw]
    if len(set(ids)) != len(ids):
        raise errors.validation(f"The values for parameter id in {member} are not unique.")
    return [_query(q, f"{member}.member.{i}") for i, q in enumerate(raw, start=1)]


def _query(raw: dict[str, Any], member: str) -> Query:
    if not _ID.match(raw["Id"]):
        raise errors.validation(f"The value {raw['Id']} for parameter {member}.Id is invalid.")
    stat, text = raw.get("MetricStat"), raw.get("Expression")
    if stat is not None and text is not None:
        raise errors.validation(
            f"The parameters {member}.MetricStat and {member}.Expression are mutually exclusive "
            "and you have specified both."
        )
    period = raw.get("Period")
    if period is not None and not valid_period(period):
        raise errors.validation(
            f"The parameter {member}.Period must be 1, 5, 10, 20, 30, 60, or a multiple of 60."
        )
    common = {
        "id": raw["Id"],
        "label": raw.get("Label"),
        "return_data": raw.get("ReturnData", True),
    }
    if text is not None:
        try:
            node = parse(text)
        except ExpressionError as exc:
            raise syntax_error(raw["Id"], exc) from exc
        return Query(**common, expression=node, text=text, period=period)
    if stat is None:
        raise errors.validation(
            f"The parameter {member}.MetricStat or {member}.Expression is required."
        )
    return Query(**common, stat=_metric_stat(stat, f"{member}.MetricStat"), period=period)


def _metric_stat(raw: dict[str, Any], member: str) -> MetricStat:
    metric = raw["Metric"]
    for field in ("Namespace", "MetricName"):
        if not metric.get(field):
            raise errors.validation(f"The parameter {member}.Metric.{field} is required.")
    dims = check_dimensions(metric.get("Dimensions"), f"{member}.Metric.Dimensions")
    if not valid_period(raw["Period"]):
        raise errors.validation(
            f"The parameter {member}.Period must be 1, 5, 10, 20, 30, 60, or a multiple of 60."
        )
    if not is_statistic(raw["Stat"]):
        raise errors.validation(f"The value {raw['Stat']} for parameter {member}.Stat is invalid.")
    check_unit(raw.get("Unit"), f"{member}.Unit")
    key = MetricKey(metric["Namespace"], metric["MetricName"], dims)
    return MetricStat(key, raw["Period"], raw["Stat"], raw.get("Unit"))


def _order(queries: list[Query]) -> list[Query]:
    """Queries in an order where every query comes after those it uses."""
    by_id = {q.id: q for q in queries}
    metric_ids = [q.id for q in queries if q.stat]
    ordered: list[Query] = []
    state: dict[str, str] = {}

    def visit(query: Query) -> None:
        if state.get(query.id) == "done":
            return
        if state.get(query.id) == "visiting":
            raise errors.validation(f"Error in expression {query.id}: Circular dependency")
        state[query.id] = "visiting"
        if query.expression is not None:
            needed = references(query.expression)
            if uses_metrics_function(query.expression):
                needed |= set(metric_ids)
            for needed_id in sorted(needed):
                if needed_id not in by_id:
                    raise errors.validation(
                        f"Error in expression {query.id}: Unrecognized metric id: {needed_id}"
                    )
                visit(by_id[needed_id])
        state[query.id] = "done"
        ordered.append(query)

    for query in queries:
        visit(query)
    return ordered


def run(
    metrics: MetricStore,
    account: str,
    region: str,
    queries: list[Query],
    start: float,
    end: float,
    *,
    now: float,
    bucket_seconds: float = 1.0,
    align: bool = True,
) -> dict[str, Value]:
    """Every query's result over [start, end); ValidationError for a bad expression."""
    results: dict[str, Value] = {}
    periods: dict[str, int] = {}
    metric_ids = [q.id for q in queries if q.stat]
    for query in _order(queries):
        if query.stat is not None:
            stat = query.stat
            width = stat.period * bucket_seconds
            first = rounded_start(start, stat.period, now) if align else start
            buckets = collect(
                metrics, account, region, stat.key, first, end, width, [stat.stat],
                unit=stat.unit, minute=60 * bucket_seconds,
            )  # fmt: skip
            points = {}
            for bucket, units in buckets.items():
                number = merged(units).value(stat.stat)
                if number is not None and math.isfinite(number):
                    points[bucket] = number
            results[query.id] = Series(query.default_label(), points, stat.period, query.id)
            periods[query.id] = query.period or stat.period
            continue
        assert query.expression is not None
        period = query.period or next(
            (periods[i] for i in sorted(references(query.expression)) if i in periods),
            next((periods[i] for i in metric_ids if i in periods), 60),
        )
        periods[query.id] = period
        width = period * bucket_seconds
        first = rounded_start(start, period, now) if align else start
        grid = [first + k * width for k in range(max(0, math.ceil((end - first) / width)))]
        env = Environment(grid, period, results, metric_ids)
        try:
            outcome = evaluate(query.expression, env)
        except ExpressionError as exc:
            raise syntax_error(query.id, exc) from exc
        if isinstance(outcome, str | float):
            raise errors.validation(
                f"Error in expression {query.id}: The result must be a time series or an array "
                "of time series."
            )
        if isinstance(outcome, Series):
            results[query.id] = Series(query.default_label(), outcome.points, period, query.id)
        else:
            results[query.id] = [
                Series(_array_label(query, s), s.points, period, query.id) for s in outcome
            ]
    return results


def _array_label(query: Query, series: Series) -> str:
    return f"{query.label} {series.label}" if query.label else series.label


def get_metric_data(
    metrics: MetricStore, account: str, region: str, request: dict[str, Any], now: float
) -> dict[str, Any]:
    queries = parse_queries(request["MetricDataQueries"])
    start, end = epoch(request["StartTime"]), epoch(request["EndTime"])
    check_time_range(start, end)
    limit = request.get("MaxDatapoints") or DEFAULT_MAX_DATAPOINTS
    if limit < 1:
        raise errors.validation(f"The value {limit} for parameter MaxDatapoints is invalid.")
    offset = 0
    if request.get("NextToken"):
        token = decode_token(request["NextToken"])
        if not isinstance(token, dict) or not isinstance(token.get("offset"), int):
            raise errors.invalid_next_token()
        offset = token["offset"]
    values = run(metrics, account, region, queries, start, end, now=now)
    descending = request.get("ScanBy", "TimestampDescending") != "TimestampAscending"
    series: list[Series] = []
    for query in queries:
        if not query.return_data:
            continue
        value = values[query.id]
        if isinstance(value, Series):
            series.append(value)
        elif isinstance(value, list):
            series.extend(value)
    results: list[dict[str, Any]] = []
    remaining, skip, more = limit, offset, False
    for one in series:
        points = sorted(one.points.items(), reverse=descending)
        if skip >= len(points) and (points or offset):
            skip -= len(points)  # returned on an earlier page
            continue
        if remaining == 0:
            more = True
            break
        taken = points[skip : skip + remaining]
        complete = skip + len(taken) == len(points)
        skip, remaining = 0, remaining - len(taken)
        results.append(
            {
                "Id": one.id,
                "Label": one.label,
                "Timestamps": [timestamp(ts) for ts, _ in taken],
                "Values": [v for _, v in taken],
                "StatusCode": "Complete" if complete else "PartialData",
                "Messages": [],
            }
        )
        if not complete:
            more = True
            break
    response: dict[str, Any] = {"MetricDataResults": results, "Messages": []}
    if more:
        response["NextToken"] = encode_token(
            {"offset": offset + sum(len(r["Timestamps"]) for r in results)}
        )
    return response
