"""Lambda event source mappings from DynamoDB streams: delivery latency, throughput, idle cost.

    .venv/bin/python bench/run.py --only lambda-esm [--quick] [--peers ministack,moto|none]

Side by side with the peers (MiniStack runs Python functions as host processes; moto's Lambda
needs Docker to run code, so it shows what it can), using the harness in this folder. Each
target gets a table with a NEW_IMAGE stream, a sink table and a Python function that writes one
sink item per batch (its first and last keys, the batch size) over plain HTTP to the target's own
DynamoDB endpoint.

Rows:
- delivery latency: PutItem on the source → the function's sink item is readable (GetItem polled
  every 2 ms), one item at a time, p50 and p99. Lambda polls a shard 4 times a second, so ~125 ms
  of the median is AWS's own poll interval.
- throughput: 2,000 records already in the stream, mapping created (TRIM_HORIZON, BatchSize 100):
  records per second until the last batch has run
- idle CPU: the server's CPU use (% of one core) with 50 enabled mappings and nothing to deliver

Only 127.0.0.1 is contacted; every loop is bounded in count and time; every server is stopped.
`run(targets, options)` has the suite signature.
"""

from __future__ import annotations

import io
import json
import sys
import time
import uuid
import zipfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import percentile
from peers import Target, Unavailable, free_port
from report import Metric
from roles import function_role
from suite import Options, log

SUITE = "lambda-esm"
SINK_FUNCTION = """
import json
import os
import urllib.request

# Plain HTTP rather than boto3: MiniStack's Python runtime has no boto3 (AWS's has).
_HEADERS = {
    "Content-Type": "application/x-amz-json-1.0",
    "X-Amz-Target": "DynamoDB_20120810.PutItem",
    "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/dynamodb/"
    "aws4_request, SignedHeaders=host, Signature=0",
}


def handler(event, context):
    records = event.get("Records") or []
    if records:
        count = {"N": str(len(records))}
        for record in (records[0], records[-1]):
            key = record["dynamodb"]["Keys"]["pk"]
            body = {"TableName": os.environ["SINK_TABLE"], "Item": {"pk": key, "n": count}}
            request = urllib.request.Request(
                os.environ["SINK_ENDPOINT"], json.dumps(body).encode(), _HEADERS
            )
            urllib.request.urlopen(request, timeout=30).read()
    return {}
"""
DELIVERY_TIMEOUT_S = 30.0
"""Longest wait for one delivery before the target counts as not delivering."""


def _clients(endpoint: str) -> tuple[Any, Any]:
    import boto3
    from botocore.config import Config

    settings: dict[str, Any] = {
        "endpoint_url": endpoint,
        "region_name": "us-east-1",
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
        "config": Config(retries={"max_attempts": 1}, read_timeout=120),
    }
    return boto3.client("lambda", **settings), boto3.client("dynamodb", **settings)


def _table(ddb: Any, stream: bool) -> tuple[str, str]:
    name = f"bench-{uuid.uuid4().hex[:10]}"
    extra = {"StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}}
    ddb.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
        **(extra if stream else {}),
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        table = ddb.describe_table(TableName=name)["Table"]
        if table.get("TableStatus") == "ACTIVE":
            break
        time.sleep(0.05)
    return name, table.get("LatestStreamArn", "")


def _function(client: Any, endpoint: str, sink: str, role: str) -> str:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", SINK_FUNCTION)
    name = f"bench-{uuid.uuid4().hex[:10]}"
    client.create_function(
        FunctionName=name, Runtime="python3.11", Role=role, Handler="app.handler",
        Code={"ZipFile": buffer.getvalue()}, Timeout=60,
        Environment={"Variables": {"SINK_TABLE": sink, "SINK_ENDPOINT": endpoint}},
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if client.get_function_configuration(FunctionName=name).get("State", "Active") != "Pending":
            break
        time.sleep(0.02)
    return name


def _wait_item(ddb: Any, table: str, key: str, timeout: float = DELIVERY_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if "Item" in ddb.get_item(TableName=table, Key={"pk": {"S": key}}):
            return
        time.sleep(0.002)
    raise RuntimeError(f"no delivery within {timeout:.0f} s")


def _cpu_seconds(server: Any) -> float:
    total = 0.0
    for process in server.processes():
        try:
            times = process.cpu_times()
        except Exception:  # the process ended meanwhile
            continue
        total += times.user + times.system
    return total


def measure(target: Target, options: Options) -> dict[str, float]:
    port = free_port()
    figures: dict[str, float] = {}
    with target.start(port) as server:
        server.wait_ready()
        lam, ddb = _clients(server.endpoint)
        source, arn = _table(ddb, stream=True)
        sink, _ = _table(ddb, stream=False)
        if not arn:
            raise Unavailable(f"{target.name}: no stream ARN on a table with a stream")
        role = function_role(server.endpoint)
        function = _function(lam, server.endpoint, sink, role)
        probe = lam.invoke(
            FunctionName=function,
            Payload=json.dumps({"Records": [{"dynamodb": {"Keys": {"pk": {"S": "probe"}}}}]}),
        )
        answer = probe["Payload"].read()
        if probe.get("FunctionError") or b"error" in answer.lower():
            raise Unavailable(f"the function does not run here: {answer[:120]!r}")
        created = lam.create_event_source_mapping(
            FunctionName=function, EventSourceArn=arn, StartingPosition="LATEST", BatchSize=100
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            state = lam.get_event_source_mapping(UUID=created["UUID"]).get("State", "Enabled")
            if state == "Enabled":
                break
            time.sleep(0.02)
        ddb.put_item(TableName=source, Item={"pk": {"S": "warm-up"}})
        _wait_item(ddb, sink, "warm-up", timeout=60)
        latencies = []
        for index in range(options.scaled(40, 10)):
            key = f"item-{index}"
            began = time.perf_counter()
            ddb.put_item(TableName=source, Item={"pk": {"S": key}})
            _wait_item(ddb, sink, key)
            latencies.append((time.perf_counter() - began) * 1000)
        figures["latency_p50_ms"] = percentile(latencies, 50)
        figures["latency_p99_ms"] = percentile(latencies, 99)
        if options.verbose:
            log(f"{target.name}: latencies {[round(x) for x in latencies]}")

        bulk, bulk_arn = _table(ddb, stream=True)
        bulk_sink, _ = _table(ddb, stream=False)
        count = options.scaled(2000, 400)
        for index in range(count):
            ddb.put_item(TableName=bulk, Item={"pk": {"S": f"r{index:05d}"}})
        bulk_function = _function(lam, server.endpoint, bulk_sink, role)
        began = time.perf_counter()
        lam.create_event_source_mapping(
            FunctionName=bulk_function,
            EventSourceArn=bulk_arn,
            StartingPosition="TRIM_HORIZON",
            BatchSize=100,
        )
        _wait_item(ddb, bulk_sink, f"r{count - 1:05d}", timeout=120)
        figures["throughput"] = count / (time.perf_counter() - began)

        idle_function = _function(lam, server.endpoint, sink, role)
        for _ in range(50):
            _, idle_arn = _table(ddb, stream=True)
            lam.create_event_source_mapping(
                FunctionName=idle_function, EventSourceArn=idle_arn, StartingPosition="LATEST"
            )
        time.sleep(2.0)
        before, began = _cpu_seconds(server), time.perf_counter()
        time.sleep(5.0)
        figures["idle_cpu_pct"] = (
            100 * (_cpu_seconds(server) - before) / (time.perf_counter() - began)
        )
    return figures


ROWS = [
    ("latency_p50_ms", "PutItem → function ran, p50 (ms)", "lower", 1),
    ("latency_p99_ms", "PutItem → function ran, p99 (ms)", "lower", 1),
    ("throughput", "records delivered per second (BatchSize 100)", "higher", 0),
    ("idle_cpu_pct", "server CPU with 50 idle mappings (% of a core)", "lower", 1),
]


def run(targets: list[Target], options: Options) -> list[Metric]:
    """The suite: every row for every target."""
    metrics = [
        Metric(SUITE, key, label, better, digits=digits)  # type: ignore[arg-type]
        for key, label, better, digits in ROWS
    ]
    for target in targets:
        log(f"{SUITE}: measuring {target.name}")
        try:
            figures = measure(target, options)
        except Exception as exc:  # a peer without the feature: reported, the rest still runs
            for metric in metrics:
                metric.notes[target.name] = f"{type(exc).__name__}: {str(exc)[:160]}"
            continue
        for metric in metrics:
            if metric.key in figures:
                metric.values[target.name] = figures[metric.key]
    return metrics
