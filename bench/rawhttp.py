"""Signed AWS requests replayed over one raw keep-alive HTTP connection.

boto3 costs ~0.65 ms per call on the client side, which caps any boto3-driven figure near
1,000-1,500 calls/s whatever the server does. To see the server itself, sign a request once with
botocore's `SigV4Auth` (dummy credentials) and replay the same bytes with `http.client`, with
`TCP_NODELAY` set so small writes are not held back by delayed ACKs on loopback.

    req = sign(endpoint, "sts", body=STS_GET_CALLER_IDENTITY)
    result = replay(port, req, count=5000, max_seconds=15, trials=5)
    result.per_second, result.p50_us, result.connections, result.trial_rates

A server that answers `Connection: close` makes `http.client` reconnect before the next request;
`ReplayResult.connections` counts the connections used, so that shows in the report.
"""

from __future__ import annotations

import http.client
import os
import socket
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import dataclass, replace

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from measure import percentile

CREDENTIALS = Credentials("testing", "testing")
"""Dummy credentials every benchmark signs with."""

REGION = "us-east-1"

STS_GET_CALLER_IDENTITY = b"Action=GetCallerIdentity&Version=2011-06-15"
"""Query-protocol body of the trivial operation."""

FORM = "application/x-www-form-urlencoded; charset=utf-8"

TRIALS = 5
"""How many times the suites with a rate target repeat a replay (the median trial is reported)."""


@dataclass(frozen=True)
class SignedRequest:
    """A request ready to send as is."""

    method: str
    path: str
    body: bytes
    headers: dict[str, str]


def sign(
    endpoint: str,
    service: str,
    body: bytes,
    *,
    method: str = "POST",
    path: str = "/",
    content_type: str = FORM,
    headers: dict[str, str] | None = None,
    region: str = REGION,
) -> SignedRequest:
    """SigV4-sign one request for `endpoint` (e.g. `http://127.0.0.1:4566`)."""
    host = endpoint.split("://", 1)[-1].rstrip("/")
    all_headers = {"Host": host, "Content-Type": content_type, **(headers or {})}
    request = AWSRequest(
        method=method, url=endpoint.rstrip("/") + path, data=body, headers=all_headers
    )
    SigV4Auth(CREDENTIALS, service, region).add_auth(request)
    return SignedRequest(method, path, body, dict(request.headers.items()))


class NoDelayConnection(http.client.HTTPConnection):
    """`HTTPConnection` that sets TCP_NODELAY and counts the connections it opens."""

    opened = 0

    def connect(self) -> None:
        """Open the socket, then switch Nagle off."""
        super().connect()
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.opened += 1


def send(conn: http.client.HTTPConnection, req: SignedRequest) -> tuple[int, bytes]:
    """Send one request on `conn` and read the whole response."""
    conn.request(req.method, req.path, req.body, req.headers)
    resp = conn.getresponse()
    return resp.status, resp.read()


@dataclass(frozen=True)
class ReplayResult:
    """What a replay loop saw."""

    requests: int
    """Requests sent (and answered)."""
    seconds: float
    """Wall time of the whole loop."""
    latencies_us: list[float]
    """Time from send to the last body byte, per request, sorted."""
    errors: int
    """Responses whose status was not 200."""
    connections: int
    """TCP connections used (1 when the server keeps the connection alive)."""
    trial_rates: tuple[float, ...] = ()
    """Requests per second of every trial in the order they ran, when the replay was repeated."""

    @property
    def per_second(self) -> float:
        """Requests answered per second."""
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def mean_us(self) -> float:
        """Mean wall time per request, in µs (the inverse of `per_second`)."""
        return 1e6 * self.seconds / self.requests if self.requests else 0.0

    @property
    def p50_us(self) -> float:
        return percentile(self.latencies_us, 50)

    @property
    def p99_us(self) -> float:
        return percentile(self.latencies_us, 99)


@contextmanager
def one_cpu(pids: Iterable[int]) -> Iterator[None]:
    """Run this process and every thread of `pids` on one CPU while the block runs.

    A request/response loop over loopback is a ping-pong between two processes. Left to the
    scheduler they share one CPU in some runs and sit on two in others, and on a VM a wakeup
    across CPUs costs tens of microseconds (an inter-processor interrupt that exits to the
    hypervisor): the same server then measures 10-25 % apart from run to run. On one CPU every
    target pays the same, smaller, switch cost, and the figure is the server's.
    """
    cpu = max(os.sched_getaffinity(0))
    tasks = [0] + [int(t) for pid in pids for t in _tasks(pid)]
    saved = {}
    for task in tasks:
        with suppress(ProcessLookupError):
            saved[task] = os.sched_getaffinity(task)
            os.sched_setaffinity(task, {cpu})
    try:
        yield
    finally:
        for task, cpus in saved.items():
            with suppress(ProcessLookupError):
                os.sched_setaffinity(task, cpus)


def _tasks(pid: int) -> list[str]:
    try:
        return os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        return []


def replay(
    port: int,
    req: SignedRequest,
    *,
    count: int,
    max_seconds: float,
    warmup: int = 200,
    pin: Iterable[int] = (),
    trials: int = 1,
) -> ReplayResult:
    """Send `req` `count` times on one connection (stopping early after `max_seconds`); with
    `pin` (the server's pids), on one CPU with the server (`one_cpu`).

    With `trials` > 1 the whole replay runs that many times, each on a new connection, and the
    median trial (by rate) is returned with every trial's rate: on a shared VM the host slows
    everything for seconds at a time, and one window that meets such a spell says little about
    the server.
    """
    pids = list(pin)
    with one_cpu(pids) if pids else nullcontext():
        results = [_replay(port, req, count, max_seconds, warmup) for _ in range(max(1, trials))]
    if len(results) == 1:
        return results[0]
    rates = tuple(result.per_second for result in results)
    middle = sorted(results, key=lambda result: result.per_second)[len(results) // 2]
    return replace(middle, trial_rates=rates)


def _replay(
    port: int, req: SignedRequest, count: int, max_seconds: float, warmup: int
) -> ReplayResult:
    conn = NoDelayConnection("127.0.0.1", port, timeout=10)
    clock = time.perf_counter
    try:
        warm_until = clock() + max_seconds
        for _ in range(warmup):
            send(conn, req)
            if clock() > warm_until:
                break
        conn.opened = 0 if conn.sock is None else 1
        latencies: list[float] = []
        errors = 0
        start = clock()
        deadline = start + max_seconds
        for _ in range(count):
            t = clock()
            status, _ = send(conn, req)
            done = clock()
            latencies.append((done - t) * 1e6)
            errors += status != 200
            if done > deadline:
                break
        seconds = clock() - start
    finally:
        conn.close()
    latencies.sort()
    return ReplayResult(len(latencies), seconds, latencies, errors, max(conn.opened, 1))
