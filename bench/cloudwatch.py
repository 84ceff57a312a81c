"""CloudWatch figures, cloudlet beside moto: PutMetricData and GetMetricData rates over raw
keep-alive HTTP and through boto3, and (cloudlet only) how fast an alarm reacts on a scaled clock.

    .venv/bin/python bench/run.py --only cloudwatch                 # cloudlet and moto
    .venv/bin/python bench/run.py --only cloudwatch --peers none --quick

`run(targets, options)` has the suite signature (`suite.py`), so `suites/__init__.py` can list it.
For each target, in one launch:

1. PutMetricData with one datum, and with 20, signed once and replayed over one raw keep-alive
   connection (`rawhttp.replay`) in the query protocol (what the AWS CLI v2.9 and older SDKs
   send) and in smithy-rpc-v2-cbor (what current boto3 sends);
2. an hour of one-minute data for two metrics, then GetMetricData replayed: one MetricStat query
   (60 datapoints), and two MetricStat queries with a metric math expression over them;
3. the same PutMetricData and GetMetricData through one boto3 client;
4. cloudlet only, started with `--time-scale 60` (a minute lasts a second): from the first
   breaching datapoint to the alarm in ALARM (Period 60, one evaluation period), median of runs.

Only 127.0.0.1 is contacted; every loop is bounded in count and time. Requests answered with a
non-200 status are reported in the notes (a peer that does not speak a protocol shows there).
"""

from __future__ import annotations

import dataclasses
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

import boto3
import botocore.session
import peers
import rawhttp
from botocore.config import Config
from botocore.serialize import create_serializer
from measure import calls_per_second, median
from peers import Target, free_port
from report import Metric
from suite import Options, log

NAME = "cloudwatch"
NAMESPACE = "Bench"
HOST_DIMENSION = {"Name": "Host", "Value": "h1"}
ALARM_SCALE = 60.0
"""The time scale of the alarm measurement: a one-minute period lasts one second."""


def _client(port: int) -> Any:
    return boto3.client(
        "cloudwatch",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name=rawhttp.REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 2, "mode": "standard"}),
    )


def _datum(name: str, value: float, at: datetime | None = None) -> dict[str, Any]:
    datum: dict[str, Any] = {
        "MetricName": name,
        "Dimensions": [HOST_DIMENSION],
        "Value": value,
        "Unit": "Milliseconds",
    }
    if at is not None:
        datum["Timestamp"] = at
    return datum


def _flatten(prefix: str, value: Any, out: dict[str, str]) -> None:
    """Query-protocol parameters (`MetricData.member.1.Value=...`) of one request member."""
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(f"{prefix}.{key}" if prefix else key, item, out)
    elif isinstance(value, list):
        for index, item in enumerate(value, start=1):
            _flatten(f"{prefix}.member.{index}", item, out)
    elif isinstance(value, datetime):
        out[prefix] = value.strftime("%Y-%m-%dT%H:%M:%SZ")
    else:
        out[prefix] = str(value)


def _query(port: int, operation: str, params: dict[str, Any]) -> rawhttp.SignedRequest:
    fields = {"Action": operation, "Version": "2010-08-01"}
    _flatten("", params, fields)
    return rawhttp.sign(f"http://127.0.0.1:{port}", "monitoring", urlencode(fields).encode())


def _cbor(port: int, operation: str, params: dict[str, Any]) -> rawhttp.SignedRequest:
    model = botocore.session.get_session().get_service_model("cloudwatch")
    request = create_serializer("smithy-rpc-v2-cbor").serialize_to_request(
        params, model.operation_model(operation)
    )
    headers = {k: v for k, v in request["headers"].items() if k.lower() != "content-type"}
    return rawhttp.sign(
        f"http://127.0.0.1:{port}",
        "monitoring",
        request["body"],
        path=request["url_path"],
        content_type=request["headers"]["Content-Type"],
        headers=headers,
    )


def _queries(math: bool) -> list[dict[str, Any]]:
    def stat(query_id: str, name: str) -> dict[str, Any]:
        metric = {"Namespace": NAMESPACE, "MetricName": name, "Dimensions": [HOST_DIMENSION]}
        return {
            "Id": query_id,
            "MetricStat": {"Metric": metric, "Period": 60, "Stat": "Average"},
            "ReturnData": not math,
        }

    if not math:
        return [stat("m1", "Latency")]
    return [stat("m1", "Latency"), stat("m2", "Errors"), {"Id": "e1", "Expression": "m1 * 2 + m2"}]


def _replay(
    port: int, name: str, key: str, request: rawhttp.SignedRequest, count: int,
    metrics: dict[str, Metric],
) -> None:  # fmt: skip
    result = rawhttp.replay(port, request, count=count, max_seconds=15, warmup=50)
    log(f"raw {key} {name}: {result.per_second:.0f}/s, {result.errors} non-200")
    if result.errors:
        metrics[key].notes[name] = f"{result.errors} of {result.requests} answers were not 200"
        return
    metrics[key].values[name] = result.per_second
    if f"{key}_p50" in metrics:
        metrics[f"{key}_p50"].values[name] = result.p50_us


def _measure(target: Target, options: Options, metrics: dict[str, Metric]) -> None:
    port = free_port()
    name = target.name
    with target.start(port) as server:
        server.wait_ready()
        client = _client(port)
        count = options.scaled(5000, 500)
        one = {"Namespace": NAMESPACE, "MetricData": [_datum("Latency", 12.5)]}
        many = {
            "Namespace": NAMESPACE,
            "MetricData": [_datum(f"Series{i}", float(i)) for i in range(20)],
        }
        _replay(port, name, "put_query", _query(port, "PutMetricData", one), count, metrics)
        _replay(port, name, "put_query_20", _query(port, "PutMetricData", many), count, metrics)
        _replay(port, name, "put_cbor", _cbor(port, "PutMetricData", one), count, metrics)
        now = datetime.now(UTC).replace(second=0, microsecond=0)
        history = [
            _datum(metric, float(m % 7 + 1), now - timedelta(minutes=m))
            for metric in ("Latency", "Errors")
            for m in range(1, 61)
        ]
        for first in range(0, len(history), 20):
            client.put_metric_data(Namespace=NAMESPACE, MetricData=history[first : first + 20])
        window = {"StartTime": now - timedelta(hours=1), "EndTime": now}
        for key, math in (("get", False), ("get_math", True)):
            params = {"MetricDataQueries": _queries(math), **window}
            _replay(
                port, name, f"{key}_query", _query(port, "GetMetricData", params), count, metrics
            )
        calls = options.scaled(1000, 200)
        for key, call in (
            ("boto3_put", lambda: client.put_metric_data(**one)),
            (
                "boto3_get",
                lambda: client.get_metric_data(MetricDataQueries=_queries(False), **window),
            ),
        ):
            try:
                metrics[key].values[name] = calls_per_second(call, calls, max_seconds=15)
            except Exception as exc:  # a peer that rejects the protocol boto3 speaks
                metrics[key].notes[name] = f"{type(exc).__name__}: {str(exc)[:80]}"


def _alarm_reaction(options: Options, metric: Metric) -> None:
    """Cloudlet at --time-scale 60: first breaching datapoint → ALARM, in ms (median of runs)."""
    base = peers.TARGETS["cloudlet"]
    scaled = dataclasses.replace(base, args=[*base.args, "--time-scale", str(ALARM_SCALE)])
    port = free_port()
    samples: list[float] = []
    with scaled.start(port) as server:
        server.wait_ready()
        client = _client(port)
        for run in range(options.scaled(7, 3)):
            alarm = f"reaction-{run}-{uuid.uuid4().hex[:6]}"
            client.put_metric_alarm(
                AlarmName=alarm, Namespace=NAMESPACE, MetricName=alarm, Statistic="Maximum",
                Period=60, EvaluationPeriods=1, Threshold=50.0,
                ComparisonOperator="GreaterThanThreshold", TreatMissingData="ignore",
            )  # fmt: skip
            time.sleep(0.3)
            started = time.perf_counter()
            deadline = started + 10.0
            reached = False
            while time.perf_counter() < deadline:
                client.put_metric_data(
                    Namespace=NAMESPACE, MetricData=[{"MetricName": alarm, "Value": 99.0}]
                )
                found = client.describe_alarms(AlarmNames=[alarm])["MetricAlarms"]
                if found and found[0]["StateValue"] == "ALARM":
                    reached = True
                    break
                time.sleep(0.01)
            if reached:
                samples.append((time.perf_counter() - started) * 1000)
    if samples:
        metric.values["cloudlet"] = median(samples)
        metric.samples["cloudlet"] = samples
    else:
        metric.notes["cloudlet"] = "the alarm never reached ALARM within 10 s"
    metric.notes.setdefault("moto", "alarms are never evaluated")


def run(targets: list[Target], options: Options) -> list[Metric]:
    """The suite: one launch per target, all figures of this module."""

    def row(
        key: str, label: str, better: str, target: float | None = None, digits: int = 0
    ) -> Metric:
        return Metric(NAME, key, label, better, target, digits)  # type: ignore[arg-type]

    metrics = {
        "put_query": row("put_query", "raw PutMetricData, 1 datum, query (req/s)", "higher"),
        "put_query_p50": row("put_query_p50", "raw PutMetricData p50 latency (µs)", "lower"),
        "put_query_20": row("put_query_20", "raw PutMetricData, 20 data, query (req/s)", "higher"),
        "put_cbor": row("put_cbor", "raw PutMetricData, 1 datum, CBOR (req/s)", "higher"),
        "get_query": row("get_query", "raw GetMetricData, 60 points (req/s)", "higher"),
        "get_query_p50": row("get_query_p50", "raw GetMetricData p50 latency (µs)", "lower"),
        "get_math_query": row(
            "get_math_query", "raw GetMetricData, 2 metrics + math (req/s)", "higher"
        ),
        "boto3_put": row("boto3_put", "boto3 PutMetricData (calls/s)", "higher"),
        "boto3_get": row("boto3_get", "boto3 GetMetricData (calls/s)", "higher"),
        "alarm": row(
            "alarm", "breaching datapoint → ALARM, 60 s period at scale 60 (ms)", "lower", 1050
        ),
    }
    for target in targets:
        try:
            _measure(target, options, metrics)
        except peers.Unavailable as exc:
            for metric in metrics.values():
                metric.notes[target.name] = str(exc)
    if any(t.name == "cloudlet" for t in targets):
        try:
            _alarm_reaction(options, metrics["alarm"])
        except peers.Unavailable as exc:
            metrics["alarm"].notes["cloudlet"] = str(exc)
    return list(metrics.values())
