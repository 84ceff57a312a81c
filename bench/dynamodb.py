"""DynamoDB figures, cloudlet beside the peers: raw and boto3 PutItem/GetItem, Query of 100 items
from a 100,000-item table, and cloudlet's RSS after 1,000,000 small items.

    .venv/bin/python bench/run.py --only dynamodb                 # cloudlet and moto
    .venv/bin/python bench/run.py --only dynamodb --peers none --quick

`run(targets, options)` has the suite signature (`suite.py`), so `suites/__init__.py` can list it.
For each target, in one launch:

1. PutItem, then GetItem, signed once and replayed over one raw keep-alive connection
   (`rawhttp.replay`) with the client and the server on one CPU (`rawhttp.one_cpu`), five times
   (the median run is the figure, every run's rate is in the JSON samples), then once more
   with the CPUs left to the scheduler (informational: on this VM that figure swings 10-25 %
   between runs), and the same calls through one boto3 client;
2. 100,000 items loaded with BatchWriteItem (25 a call, over 4 connections in threads), 100 of
   them in one partition; Query of those 100, median latency over repeated calls;
3. cloudlet only: items added up to 1,000,000 (bounded in time) and the server's RSS read.

Only 127.0.0.1 is contacted; every loop is bounded in count and time. Issue targets (cloudlet):
≥ 4,000 raw PutItem/s and GetItem/s, Query ≤ 5 ms, RSS ≤ 200 MB at 1,000,000 items.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import boto3
import peers
import rawhttp
from botocore.config import Config
from measure import calls_per_second, median
from peers import Target, free_port
from report import Metric
from suite import Options, log

NAME = "dynamodb"
JSON = "application/x-amz-json-1.0"
TABLE = "bench"
LOAD_THREADS = 4
LOAD_SECONDS = 240.0
"""Most time any target may spend loading items."""


def _client(port: int) -> Any:
    return boto3.client(
        "dynamodb",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name=rawhttp.REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 2, "mode": "standard"}),
    )


def _signed(port: int, operation: str, body: dict[str, Any]) -> rawhttp.SignedRequest:
    return rawhttp.sign(
        f"http://127.0.0.1:{port}",
        "dynamodb",
        json.dumps(body).encode(),
        content_type=JSON,
        headers={"X-Amz-Target": f"DynamoDB_20120810.{operation}"},
    )


def _create_table(client: Any) -> None:
    client.create_table(
        TableName=TABLE,
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
        ],
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )


def _load(port: int, start: int, stop: int, deadline: float) -> int:
    """Write items [start, stop) with BatchWriteItem over several connections; items written."""
    written = [0] * LOAD_THREADS

    def worker(index: int) -> None:
        client = _client(port)
        for first in range(start + index * 25, stop, 25 * LOAD_THREADS):
            if time.monotonic() > deadline:
                return
            batch = [
                {
                    "PutRequest": {
                        "Item": {
                            "pk": {"S": "hot" if n < 100 else f"p{n}"},
                            "sk": {"N": str(n)},
                            "v": {"S": "small value"},
                        }
                    }
                }
                for n in range(first, min(first + 25, stop))
            ]
            client.batch_write_item(RequestItems={TABLE: batch})
            written[index] += len(batch)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(LOAD_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(written)


def _measure(target: Target, options: Options, metrics: dict[str, Metric]) -> None:
    port = free_port()
    name = target.name
    with target.start(port) as server:
        server.wait_ready()
        client = _client(port)
        _create_table(client)
        count = options.scaled(3000, 1000)
        item = {"pk": {"S": "k1"}, "sk": {"N": "1"}, "v": {"S": "hello"}, "n": {"N": "42"}}
        put = _signed(port, "PutItem", {"TableName": TABLE, "Item": item})
        get = _signed(
            port, "GetItem", {"TableName": TABLE, "Key": {"pk": item["pk"], "sk": item["sk"]}}
        )
        for key, request in (("put", put), ("get", get)):
            result = rawhttp.replay(
                port, request, count=count, max_seconds=15, pin=server.pids(), trials=rawhttp.TRIALS
            )
            runs = ", ".join(f"{rate:.0f}" for rate in result.trial_rates)
            log(f"raw {key} {name}: {result.per_second:.0f}/s, median of runs at {runs}/s")
            if result.errors:
                metrics[f"raw_{key}"].notes[name] = f"{result.errors} non-200 answers"
            metrics[f"raw_{key}"].values[name] = result.per_second
            metrics[f"raw_{key}"].samples[name] = list(result.trial_rates)
            metrics[f"raw_{key}_p50"].values[name] = result.p50_us
            free = rawhttp.replay(port, request, count=count, max_seconds=15)
            log(f"raw {key} {name}, CPUs left to the scheduler: {free.per_second:.0f}/s")
            metrics[f"raw_{key}_free"].values[name] = free.per_second
        calls = options.scaled(1000, 200)
        for key, call in (
            ("put", lambda: client.put_item(TableName=TABLE, Item=item)),
            (
                "get",
                lambda: client.get_item(TableName=TABLE, Key={"pk": item["pk"], "sk": item["sk"]}),
            ),
        ):
            metrics[f"boto3_{key}"].values[name] = calls_per_second(call, calls, max_seconds=15)
        total = options.scaled(100_000, 10_000)
        loaded = _load(port, 0, total, time.monotonic() + LOAD_SECONDS)
        log(f"loaded {loaded} items into {name}")
        query = _signed(
            port,
            "Query",
            {
                "TableName": TABLE,
                "KeyConditionExpression": "pk = :p",
                "ExpressionAttributeValues": {":p": {"S": "hot"}},
            },
        )
        conn = rawhttp.NoDelayConnection("127.0.0.1", port, timeout=30)
        samples = []
        for _ in range(options.scaled(50, 10)):
            started = time.perf_counter()
            status, body = rawhttp.send(conn, query)
            samples.append((time.perf_counter() - started) * 1000)
            if status != 200 or json.loads(body)["Count"] != 100:
                metrics["query"].notes[name] = f"unexpected answer {status}"
        conn.close()
        metrics["query"].values[name] = median(samples)
        metrics["query"].samples[name] = samples
        if name == "cloudlet":
            million = options.scaled(1_000_000, 100_000)
            more = _load(port, total, million, time.monotonic() + LOAD_SECONDS)
            log(f"cloudlet now holds {total + more} items")
            metrics["rss"].values[name] = server.rss_mb()
            if total + more < million:
                metrics["rss"].notes[name] = f"only {total + more} items loaded in time"


def run(targets: list[Target], options: Options) -> list[Metric]:
    """The suite: one launch per target, all figures of this module."""
    metrics = {
        "raw_put": Metric(
            NAME,
            "raw_put",
            f"raw keep-alive PutItem, one CPU, median of {rawhttp.TRIALS} (req/s)",
            "higher",
            4000,
            0,
        ),
        "raw_put_p50": Metric(
            NAME, "raw_put_p50", "raw PutItem p50 latency (µs)", "lower", digits=0
        ),
        "raw_put_free": Metric(
            NAME, "raw_put_free", "raw PutItem, CPUs left to scheduler (req/s)", "higher", digits=0
        ),
        "raw_get": Metric(
            NAME,
            "raw_get",
            f"raw keep-alive GetItem, one CPU, median of {rawhttp.TRIALS} (req/s)",
            "higher",
            4000,
            0,
        ),
        "raw_get_p50": Metric(
            NAME, "raw_get_p50", "raw GetItem p50 latency (µs)", "lower", digits=0
        ),
        "raw_get_free": Metric(
            NAME, "raw_get_free", "raw GetItem, CPUs left to scheduler (req/s)", "higher", digits=0
        ),
        "boto3_put": Metric(NAME, "boto3_put", "boto3 PutItem (calls/s)", "higher", digits=0),
        "boto3_get": Metric(NAME, "boto3_get", "boto3 GetItem (calls/s)", "higher", digits=0),
        "query": Metric(NAME, "query", "Query 100 of 100k items, median (ms)", "lower", 5, 2),
        "rss": Metric(NAME, "rss", "RSS with 1,000,000 items (MB)", "lower", 200, 0),
    }
    for target in targets:
        try:
            _measure(target, options, metrics)
        except peers.Unavailable as exc:
            for metric in metrics.values():
                metric.notes[target.name] = str(exc)
    return list(metrics.values())
