"""ElastiCache figures: how fast a cache cluster becomes usable, and whether cloudlet costs the
data path anything (it must not: clients talk to the engine itself).

    .venv/bin/python bench/run.py --only elasticache  # cloudlet beside the same binary by hand
    .venv/bin/python bench/run.py --only elasticache --quick

1. CreateCacheCluster → `available` and answering PING: median over N clusters (boto3, describe
   polled every 5 ms). Issue target: ≤ 1 s.
2. `redis-benchmark -t get,set` (Debian's redis-tools) against a cluster's node endpoint, and
   against the same `valkey-server` binary started by hand with its defaults on another port;
   the runs alternate and the best of each is kept. Issue target: cloudlet within 10 % of by hand.

`run(targets, options)` has the suite signature (`suite.py`). The "by hand" column is no peer
product: moto and MiniStack run no cache engine, so there is nothing of theirs to compare.
Only 127.0.0.1 is contacted; every loop is bounded in count and time.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import boto3
from measure import median
from peers import Target, free_port
from report import Metric
from suite import Options, log

NAME = "elasticache"
BY_HAND = "by hand"
REGION = "us-east-1"


def _client(port: int) -> Any:
    return boto3.client(
        "elasticache",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name=REGION,
        aws_access_key_id="000000000000",
        aws_secret_access_key="testing",
    )


def _ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _create(client: Any, cluster_id: str, timeout: float = 30.0) -> tuple[float, int]:
    """Seconds from CreateCacheCluster to available + PONG, and the node's port."""
    start = time.perf_counter()
    client.create_cache_cluster(
        CacheClusterId=cluster_id, Engine="valkey", CacheNodeType="cache.t3.micro", NumCacheNodes=1
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        cluster = client.describe_cache_clusters(CacheClusterId=cluster_id, ShowCacheNodeInfo=True)[
            "CacheClusters"
        ][0]
        if cluster["CacheClusterStatus"] == "available":
            port = cluster["CacheNodes"][0]["Endpoint"]["Port"]
            if _ping(port):
                return time.perf_counter() - start, port
        time.sleep(0.005)
    raise TimeoutError(f"{cluster_id} was not available in {timeout} s")


def _benchmark(tool: str, port: int, requests: int) -> dict[str, float]:
    """redis-benchmark's requests per second for SET and GET."""
    out = subprocess.run(
        [
            tool,
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-t",
            "set,get",
            "-n",
            str(requests),
            "-c",
            "50",
            "--csv",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stdout
    result = {}
    for line in out.splitlines():
        fields = [f.strip('"') for f in line.split(",")]
        if len(fields) >= 2 and fields[0] in ("SET", "GET"):
            result[fields[0]] = float(fields[1])
    return result


def _by_hand(binary: str, port: int, directory: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", directory],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not _ping(port):
        time.sleep(0.01)
    return process


def run(targets: list[Target], options: Options) -> list[Metric]:
    create = Metric(NAME, "create", "CreateCacheCluster → available + PONG (s)", "lower", 1.0)
    metrics = {
        "SET": Metric(NAME, "set", "redis-benchmark SET (req/s)", "higher", digits=0),
        "GET": Metric(NAME, "get", "redis-benchmark GET (req/s)", "higher", digits=0),
    }
    ratios = {
        op: Metric(NAME, f"{op.lower()}_ratio", f"{op}: cloudlet ÷ by hand", "higher", 0.9, 2)
        for op in metrics
    }
    cloudlet = next((t for t in targets if t.name == "cloudlet"), None)
    if cloudlet is None:
        return [create, *metrics.values()]
    from cloudlet.services.elasticache import engines

    binary = engines.binary("valkey")
    tool = shutil.which("redis-benchmark") or shutil.which("valkey-benchmark")
    requests = options.scaled(200_000, 50_000)
    with cloudlet.start(free_port()) as server, tempfile.TemporaryDirectory() as scratch:
        server.wait_ready()
        client = _client(server.port)
        samples = []
        port = 0
        for index in range(options.scaled(options.repeat, 3)):
            seconds, port = _create(client, f"bench-{index}")
            samples.append(seconds)
            if options.verbose:
                log(f"create → available: {seconds:.3f} s")
        create.values["cloudlet"] = median(samples)
        create.samples["cloudlet"] = samples
        if tool is None or binary is None:
            for metric in metrics.values():
                metric.notes["cloudlet"] = "redis-benchmark not found (Debian: redis-tools)"
            return [create, *metrics.values()]
        hand_port = free_port()
        hand = _by_hand(binary, hand_port, scratch)
        try:
            best: dict[str, dict[str, float]] = {"cloudlet": {}, BY_HAND: {}}
            for _ in range(options.scaled(3, 1)):
                for name, target_port in (("cloudlet", port), (BY_HAND, hand_port)):
                    for op, value in _benchmark(tool, target_port, requests).items():
                        best[name][op] = max(best[name].get(op, 0.0), value)
                        metrics[op].samples.setdefault(name, []).append(value)
        finally:
            os.killpg(hand.pid, signal.SIGTERM)
            hand.wait(10)
        for op, metric in metrics.items():
            for name in best:
                metric.values[name] = best[name].get(op, float("nan"))
            ratios[op].values["cloudlet"] = metric.values["cloudlet"] / metric.values[BY_HAND]
    return [create, *metrics.values(), *ratios.values()]
