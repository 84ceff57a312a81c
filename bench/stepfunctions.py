"""Step Functions figures: interpreter speed, execution throughput with history, parked waits.

    .venv/bin/python bench/run.py --only stepfunctions [--peers moto] [--quick] [-v]

For each target, in one launch each:

1. **100-state Pass chain, one execution, server-side**: stopDate - startDate of
   DescribeExecution, median over several executions (after a warm-up one).
2. **10-state Pass chain, start → SUCCEEDED**: StartExecution requests (signed beforehand, one
   execution name each) sent on 4 keep-alive connections, then polled until no
   execution is RUNNING; executions ÷ (last SUCCEEDED - first start). History is persisted
   (cloudlet writes every event to SQLite).
3. **executions parked in a 1-hour Wait**: that many started, then the RSS of the server's
   process tree and its thread count.

moto runs executions only after `POST /moto-api/config {"stepfunctions":
{"execute_state_machine": true}}`, which this module sends. Every loop is bounded in count and
in time; only 127.0.0.1 is contacted.

Issue targets (cloudlet): 100-state chain ≤ 10 ms server-side; ≥ 500 executions/s;
10,000 parked executions ≤ 200 MB RSS with no thread each.
"""

from __future__ import annotations

import http.client
import json
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import rawhttp
from measure import median
from peers import Target, Unavailable, free_port
from report import Metric
from suite import Options, log

NAME = "stepfunctions"
ROLE = "arn:aws:iam::123456789012:role/bench"
JSON_10 = "application/x-amz-json-1.0"
CONNECTIONS = 4
"""Keep-alive connections starting executions at once."""


def _chain(length: int) -> str:
    states = {
        f"S{i}": {"Type": "Pass", "Result": {"step": i}, "ResultPath": f"$.r{i % 5}"}
        | ({"Next": f"S{i + 1}"} if i + 1 < length else {"End": True})
        for i in range(length)
    }
    return json.dumps({"StartAt": "S0", "States": states})


WAIT = json.dumps(
    {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 3600, "End": True}}}
)


class Api:
    """Signed Step Functions calls on one keep-alive connection."""

    def __init__(self, port: int) -> None:
        self.endpoint = f"http://127.0.0.1:{port}"
        self.conn = rawhttp.NoDelayConnection("127.0.0.1", port, timeout=60)

    def request(self, operation: str, body: dict[str, Any]) -> rawhttp.SignedRequest:
        return rawhttp.sign(
            self.endpoint,
            "states",
            json.dumps(body).encode(),
            content_type=JSON_10,
            headers={"X-Amz-Target": f"AWSStepFunctions.{operation}"},
        )

    def call(self, operation: str, body: dict[str, Any]) -> dict[str, Any]:
        status, raw = rawhttp.send(self.conn, self.request(operation, body))
        if status != 200:
            raise Unavailable(f"{operation} answered {status}: {raw[:200]!r}")
        answer: dict[str, Any] = json.loads(raw or b"{}")
        return answer

    def close(self) -> None:
        self.conn.close()


def _enable_moto(port: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        body = json.dumps({"stepfunctions": {"execute_state_machine": True}})
        conn.request("POST", "/moto-api/config", body, {"Content-Type": "application/json"})
        conn.getresponse().read()
    finally:
        conn.close()


def _machine(api: Api, name: str, definition: str) -> str:
    answer = api.call(
        "CreateStateMachine", {"name": name, "definition": definition, "roleArn": ROLE}
    )
    return str(answer["stateMachineArn"])


def _finish(api: Api, execution: str, limit_s: float) -> dict[str, Any]:
    deadline = time.monotonic() + limit_s
    while True:
        described = api.call("DescribeExecution", {"executionArn": execution})
        if described["status"] != "RUNNING" or time.monotonic() > deadline:
            return described
        time.sleep(0.001)


def chain_ms(api: Api, runs: int) -> tuple[float, list[float]]:
    """Median server-side milliseconds of a 100-state Pass chain."""
    arn = _machine(api, "chain100", _chain(100))
    samples = []
    for i in range(runs + 1):
        body = {"stateMachineArn": arn, "input": "{}", "name": f"chain-{i}"}
        execution = api.call("StartExecution", body)
        described = _finish(api, execution["executionArn"], 30)
        if described["status"] != "SUCCEEDED":
            raise Unavailable(f"100-state chain ended {described['status']}")
        if i:  # the first run warms up
            samples.append((described["stopDate"] - described["startDate"]) * 1000)
    return median(samples), samples


def _requests(api: Api, arn: str, prefix: str, count: int) -> list[rawhttp.SignedRequest]:
    """`count` signed StartExecution requests, each naming its own execution (signed upfront)."""
    return [
        api.request(
            "StartExecution", {"stateMachineArn": arn, "input": "{}", "name": f"{prefix}-{i}"}
        )
        for i in range(count)
    ]


def _start_many(port: int, requests: list[rawhttp.SignedRequest], limit_s: float) -> int:
    """Send the StartExecution requests over CONNECTIONS connections; how many answered 200."""
    done = [0] * CONNECTIONS
    deadline = time.monotonic() + limit_s

    def worker(slot: int) -> None:
        conn = rawhttp.NoDelayConnection("127.0.0.1", port, timeout=60)
        try:
            for request in requests[slot::CONNECTIONS]:
                status, _ = rawhttp.send(conn, request)
                done[slot] += status == 200
                if time.monotonic() > deadline:
                    break
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done)


def _running(api: Api, arn: str) -> bool:
    page = api.call(
        "ListExecutions", {"stateMachineArn": arn, "statusFilter": "RUNNING", "maxResults": 1}
    )
    return bool(page.get("executions"))


def throughput(api: Api, port: int, count: int, limit_s: float) -> tuple[float, int]:
    """Executions per second of a 10-state chain, start → all SUCCEEDED."""
    arn = _machine(api, "chain10", _chain(10))
    requests = _requests(api, arn, "rate", count)
    started = time.perf_counter()
    sent = _start_many(port, requests, limit_s)
    deadline = time.monotonic() + limit_s
    while _running(api, arn) and time.monotonic() < deadline:
        time.sleep(0.005)
    seconds = time.perf_counter() - started
    succeeded = 0
    token = None
    while True:
        body: dict[str, Any] = {"stateMachineArn": arn, "statusFilter": "SUCCEEDED"}
        body |= {"maxResults": 1000} | ({"nextToken": token} if token else {})
        page = api.call("ListExecutions", body)
        succeeded += len(page["executions"])
        token = page.get("nextToken")
        if not token or succeeded >= sent:
            break
    return succeeded / seconds, succeeded


def parked(api: Api, port: int, server: Any, count: int, limit_s: float) -> tuple[float, int, int]:
    """(RSS MB, threads, executions started) with `count` executions parked in a Wait."""
    arn = _machine(api, "parked", WAIT)
    started = _start_many(port, _requests(api, arn, "parked", count), limit_s)
    time.sleep(2.0)
    threads = sum(p.num_threads() for p in server.processes())
    return server.rss_mb(), threads, started


def run(targets: list[Target], options: Options) -> list[Metric]:
    chain = Metric(NAME, "chain100_ms", "100-state Pass chain, server-side (ms)", "lower", 10.0, 2)
    rate = Metric(
        NAME, "chain10_rate", "10-state chain start→SUCCEEDED (executions/s)", "higher", 500.0, 0
    )
    count = options.scaled(10_000, 1_000)
    rss = Metric(
        NAME, "parked_rss", f"RSS with {count:,} executions in a Wait (MB)", "lower", 200.0, 1
    )
    threads = Metric(NAME, "parked_threads", "threads of the server then", "lower", None, 0)
    reached = Metric(
        NAME, "parked_count", "parked executions started in the time limit", "higher", None, 0
    )
    rows = [chain, rate, rss, threads, reached]
    for target in targets:
        if target.name not in ("cloudlet", "moto"):
            continue
        port = free_port()
        server = target.start(port)
        try:
            server.wait_ready()
            if target.name == "moto":
                _enable_moto(port)
            api = Api(port)
            try:
                log(f"{target.name}: 100-state chain")
                chain.values[target.name], chain.samples[target.name] = chain_ms(
                    api, options.scaled(20, 5)
                )
                log(f"{target.name}: 10-state chain throughput")
                rate.values[target.name], done = throughput(
                    api, port, options.scaled(3000, 400), 60.0
                )
                rate.notes[target.name] = f"{done} executions"
                log(f"{target.name}: {count} parked executions")
                mb, thread_count, started = parked(api, port, server, count, 120.0)
                rss.values[target.name] = mb
                threads.values[target.name] = thread_count
                reached.values[target.name] = started
            finally:
                api.close()
        except Unavailable as exc:
            for row in rows:
                row.notes[target.name] = str(exc)
        finally:
            server.stop()
    return rows
