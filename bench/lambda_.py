"""Lambda benchmarks: cold start, warm invoke, a concurrent burst, memory over many invocations.

    .venv/bin/python bench/run.py --only lambda [--quick] [--peers ministack|none] [-v]

Side by side with MiniStack (which runs Python functions as host processes, without Docker), using
the harness in this folder (`peers.py` starts and stops servers, `rawhttp.py` signs requests,
`report.py` prints the table). Functions are created with boto3 (not timed); invocations are
timed over raw keep-alive HTTP, signed once per function and replayed, so the client's cost stays
out of the figures. Only 127.0.0.1 is contacted; every loop is bounded and every server stopped.

Rows:
- cold start: invoke → response for the first invocation of a new hello-world function (p50)
- warm invoke: the same function again, one keep-alive connection (p50)
- burst: 100 simultaneous invocations of a function that sleeps 100 ms, first (cold) and second
  (warm) round, wall time until the last answer
- memory: the server's RSS growth over 1,000 warm invocations (MB; flat is ~0)

`run(targets, options)` has the suite signature, so `suites/` can list it.
"""

from __future__ import annotations

import http.client
import io
import sys
import threading
import time
import uuid
import zipfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from botocore.exceptions import ClientError
from measure import median, percentile
from peers import HOST, Target, Unavailable, free_port
from rawhttp import NoDelayConnection, send, sign
from report import Metric
from roles import function_role
from suite import Options, log

SUITE = "lambda"
HELLO = "def handler(event, context):\n    return {'ran': True}\n"
SLEEPER = (
    "import time\n\ndef handler(event, context):\n    time.sleep(0.1)\n    return {'ran': True}\n"
)


def _zip(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    return buffer.getvalue()


def _client(endpoint: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "lambda",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1}, read_timeout=120),
    )


def _create(client: Any, source: str, role: str) -> str:
    name = f"bench-{uuid.uuid4().hex[:10]}"
    client.create_function(
        FunctionName=name, Runtime="python3.11", Role=role, Handler="app.handler",
        Code={"ZipFile": _zip(source)}, Timeout=30,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        state = client.get_function_configuration(FunctionName=name).get("State", "Active")
        if state != "Pending":
            break
        time.sleep(0.01)
    return name


def _invoke_request(endpoint: str, name: str) -> Any:
    return sign(
        endpoint,
        "lambda",
        b"{}",
        path=f"/2015-03-31/functions/{name}/invocations",
        content_type="application/json",
    )


def _connection(port: int) -> NoDelayConnection:
    return NoDelayConnection(HOST, port, timeout=120)


def _timed(conn: http.client.HTTPConnection, request: Any) -> float:
    began = time.perf_counter()
    status, body = send(conn, request)
    elapsed = (time.perf_counter() - began) * 1000
    _check_ran(status, body)
    return elapsed


def _check_ran(status: int, body: bytes) -> None:
    """Raise unless the answer is the function's own result (moto answers 200 with an error
    message in the payload when it cannot start a container)."""
    if status != 200:
        raise RuntimeError(f"invoke failed: {status} {body[:200]!r}")
    if body.replace(b" ", b"") != b'{"ran":true}':
        raise Unavailable(f"the function does not run here: {body[:160]!r}")


def _burst(port: int, request: Any, count: int) -> float:
    """Wall seconds for `count` simultaneous invocations (each on its own connection)."""
    connections = [_connection(port) for _ in range(count)]
    for conn in connections:
        conn.connect()
    barrier = threading.Barrier(count + 1)
    errors: list[str] = []

    def one(conn: http.client.HTTPConnection) -> None:
        barrier.wait()
        status, body = send(conn, request)
        try:
            _check_ran(status, body)
        except (RuntimeError, Unavailable) as exc:
            errors.append(str(exc))

    threads = [threading.Thread(target=one, args=(c,)) for c in connections]
    for thread in threads:
        thread.start()
    barrier.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join(timeout=120)
    wall = time.perf_counter() - began
    for conn in connections:
        conn.close()
    if errors:
        raise RuntimeError(f"{len(errors)} of {count} failed, e.g. {errors[0]}")
    return wall


def measure(target: Target, options: Options) -> dict[str, float]:
    """Every figure for one target (raises Unavailable when it cannot run functions)."""
    port = free_port()
    figures: dict[str, float] = {}
    with target.start(port) as server:
        server.wait_ready()
        endpoint = server.endpoint
        client = _client(endpoint)
        role = function_role(endpoint)
        colds: list[float] = []
        for _ in range(options.scaled(20, 5)):
            name = _create(client, HELLO, role)
            conn = _connection(port)
            colds.append(_timed(conn, _invoke_request(endpoint, name)))
            conn.close()
        figures["cold_ms"] = median(colds)
        request = _invoke_request(endpoint, name)
        conn = _connection(port)
        for _ in range(20):
            _timed(conn, request)
        warm = [_timed(conn, request) for _ in range(options.scaled(1000, 200))]
        figures["warm_ms"] = percentile(warm, 50)
        figures["warm_p99_ms"] = percentile(warm, 99)
        before = server.rss_mb()
        for _ in range(1000):
            _timed(conn, request)
        figures["rss_growth_mb"] = server.rss_mb() - before
        conn.close()
        sleeper = _create(client, SLEEPER, role)
        sleeper_request = _invoke_request(endpoint, sleeper)
        figures["burst_cold_s"] = _burst(port, sleeper_request, 100)
        figures["burst_warm_s"] = _burst(port, sleeper_request, 100)
        if options.verbose:
            log(f"{target.name}: cold {colds}, warm p50 {figures['warm_ms']:.2f} ms")
    return figures


ROWS = [
    ("cold_ms", "cold start, invoke → response p50 (ms)", 50.0, 1),
    ("warm_ms", "warm invoke, raw keep-alive p50 (ms)", 2.0, 2),
    ("warm_p99_ms", "warm invoke, raw keep-alive p99 (ms)", None, 2),
    ("burst_cold_s", "100 concurrent 100 ms invokes, cold (s)", None, 3),
    ("burst_warm_s", "100 concurrent 100 ms invokes, warm (s)", 0.6, 3),
    ("rss_growth_mb", "server RSS growth over 1,000 warm invokes (MB)", None, 1),
]


def run(targets: list[Target], options: Options) -> list[Metric]:
    """The suite: every row for every target."""
    metrics = [
        Metric(SUITE, key, label, "lower", target=goal, digits=digits)
        for key, label, goal, digits in ROWS
    ]
    for target in targets:
        log(f"lambda: measuring {target.name}")
        try:
            figures = measure(target, options)
        except (Unavailable, RuntimeError, OSError, ClientError) as exc:
            for metric in metrics:
                metric.notes[target.name] = str(exc)[:200]
            continue
        for metric in metrics:
            if metric.key in figures:
                metric.values[target.name] = figures[metric.key]
    return metrics
