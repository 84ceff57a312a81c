"""Platform figures: start-up time, the trivial operation's cost, idle memory.

For each target, in this order:

1. a warm-up launch (compiles bytecode, checks the target starts and answers STS at all);
2. start-up: `repeat` launches timed to the first health 200, then `repeat` more timed to the
   first answered STS `GetCallerIdentity` (polled with one request signed at launch), launches
   of the different targets interleaved so drift on the machine hits them all alike; medians
   reported;
3. steady state, in one more launch: RSS of the process tree 1 s after it is ready, RSS after a
   few requests, `GetCallerIdentity` replayed over one raw keep-alive connection with the client
   and the server on one CPU (`rawhttp.one_cpu`; req/s, mean, p50, p99), the same call through a
   boto3 client, and RSS after all that.

Issue targets (cloudlet): health ≤ 0.15 s, first STS answer ≤ 0.3 s, ≥ 5,000 raw req/s,
≤ 200 µs per request.
"""

from __future__ import annotations

import http.client
import math
import time
from collections.abc import Callable

import boto3
import rawhttp
from botocore.config import Config
from measure import median, percentile, spread
from peers import START_TIMEOUT_S, Server, Target, Unavailable, free_port
from report import Better, Metric
from suite import Options, log

NAME = "platform"
SETTLE_S = 1.0
"""Pause between ready and the idle-RSS reading."""
FEW_REQUESTS = 10
"""Requests sent before the "after first requests" RSS reading."""


def _sts_request(port: int) -> rawhttp.SignedRequest:
    return rawhttp.sign(f"http://127.0.0.1:{port}", "sts", rawhttp.STS_GET_CALLER_IDENTITY)


def _sts_answered(port: int, req: rawhttp.SignedRequest) -> bool:
    """True if a fresh connection gets a 200 GetCallerIdentity answer."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        status, body = rawhttp.send(conn, req)
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()
    return status == 200 and b"GetCallerIdentityResult" in body


def _wait_sts(server: Server, req: rawhttp.SignedRequest, timeout: float) -> float:
    """Poll STS until answered; seconds since launch."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if _sts_answered(server.port, req):
            return time.perf_counter() - server.started_at
        server.check_alive()
        time.sleep(0.002)
    raise Unavailable(f"{server.target.name}: no GetCallerIdentity answer within {timeout:.0f} s")


def _warm_up(target: Target) -> bool:
    """One untimed launch; returns whether STS answers. Raises `Unavailable` if it won't start."""
    port = free_port()
    with target.start(port) as server:
        server.wait_ready()
        try:
            _wait_sts(server, _sts_request(port), timeout=5)
        except Unavailable:
            return False
    return True


def _launch_samples(
    targets: list[Target], repeat: int, probe: Callable[[Server], float], what: str, opts: Options
) -> tuple[dict[str, list[float]], dict[str, str]]:
    """`repeat` timed launches of each target, interleaved; returns samples and failure notes."""
    samples: dict[str, list[float]] = {t.name: [] for t in targets}
    notes: dict[str, str] = {}
    for i in range(repeat):
        for target in targets:
            if target.name in notes:
                continue
            try:
                with target.start(free_port()) as server:
                    seconds = probe(server)
            except Unavailable as exc:
                notes[target.name] = str(exc)
                log(f"{what} {target.name}: {exc}")
                continue
            samples[target.name].append(seconds)
            if opts.verbose:
                log(f"{what} {target.name} #{i + 1}: {seconds:.3f} s")
    return samples, notes


def _boto3_loop(endpoint: str, count: int, max_seconds: float) -> tuple[float, list[float], int]:
    """`GetCallerIdentity` through one boto3 client; (calls/s, sorted latencies in ms, errors)."""
    client = boto3.client(
        "sts",
        endpoint_url=endpoint,
        region_name=rawhttp.REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"total_max_attempts": 1}),
    )
    errors = 0
    for _ in range(min(50, count)):
        client.get_caller_identity()
    latencies: list[float] = []
    start = time.perf_counter()
    deadline = start + max_seconds
    for _ in range(count):
        t = time.perf_counter()
        try:
            client.get_caller_identity()
        except Exception:  # any failed call counts as an error; the loop goes on
            errors += 1
        done = time.perf_counter()
        latencies.append((done - t) * 1e3)
        if done > deadline:
            break
    seconds = time.perf_counter() - start
    client.close()
    return len(latencies) / seconds, sorted(latencies), errors


def _steady_state(target: Target, rows: dict[str, Metric], opts: Options) -> None:
    """One launch: RSS readings, raw replay, boto3 loop; fills `rows` for `target`."""
    name = target.name
    port = free_port()
    with target.start(port) as server:
        server.wait_ready()
        time.sleep(SETTLE_S)
        rows["rss_idle"].values[name] = server.rss_mb()
        req = _sts_request(port)
        conn = rawhttp.NoDelayConnection("127.0.0.1", port, timeout=10)
        try:
            for _ in range(FEW_REQUESTS):
                rawhttp.send(conn, req)
        finally:
            conn.close()
        time.sleep(0.2)
        rows["rss_few"].values[name] = server.rss_mb()

        result = rawhttp.replay(
            port,
            req,
            count=opts.scaled(4_000, 1_000),
            max_seconds=opts.scaled(15, 5),
            pin=server.pids(),
            trials=rawhttp.TRIALS,
        )
        log(
            f"raw {name}: median run {result.requests} req in {result.seconds:.2f} s "
            f"(runs: {', '.join(f'{rate:.0f}/s' for rate in result.trial_rates)}), "
            f"{result.connections} connection(s), {result.errors} non-200"
        )
        rows["raw_rps"].values[name] = result.per_second
        rows["raw_rps"].samples[name] = list(result.trial_rates)
        rows["raw_mean"].values[name] = result.mean_us
        rows["raw_p50"].values[name] = result.p50_us
        rows["raw_p99"].values[name] = result.p99_us
        rows["raw_conns"].values[name] = result.connections
        if result.connections >= result.requests:
            rows["raw_conns"].notes[name] = "server closes the connection after each response"
        elif result.connections > 1:
            rows["raw_conns"].notes[name] = (
                f"server closed the connection {result.connections - 1} time(s) in "
                f"{result.requests} requests (a max-requests-per-connection limit?)"
            )
        if result.errors:
            rows["raw_rps"].notes[name] = f"{result.errors} of {result.requests} were not 200"

        rate, lat_ms, errors = _boto3_loop(
            server.endpoint, count=opts.scaled(3_000, 300), max_seconds=opts.scaled(15, 5)
        )
        log(f"boto3 {name}: {len(lat_ms)} calls, {rate:.0f}/s, {errors} errors")
        rows["boto_rps"].values[name] = rate
        rows["boto_p50"].values[name] = percentile(lat_ms, 50)
        rows["boto_p99"].values[name] = percentile(lat_ms, 99)
        if errors:
            rows["boto_rps"].notes[name] = f"{errors} of {len(lat_ms)} calls failed"
        rows["rss_after"].values[name] = server.rss_mb()


def _rows() -> dict[str, Metric]:
    def m(
        key: str, label: str, better: Better, target: float | None = None, digits: int = 3
    ) -> Metric:
        return Metric(NAME, key, label, better, target, digits)

    rows = [
        m("start_health", "start → health 200, median (s)", "lower", 0.15),
        m("start_sts", "start → first STS answer, median (s)", "lower", 0.30),
        m(
            "raw_rps",
            f"raw keep-alive GetCallerIdentity, one CPU, median of {rawhttp.TRIALS} (req/s)",
            "higher",
            5000,
            0,
        ),
        m("raw_mean", "raw, median run: mean time per request (µs)", "lower", 200, 0),
        m("raw_p50", "raw, median run: p50 latency (µs)", "lower", None, 0),
        m("raw_p99", "raw, median run: p99 latency (µs)", "lower", None, 0),
        m("raw_conns", "raw: TCP connections used", "", None, 0),
        m("boto_rps", "boto3 GetCallerIdentity (calls/s)", "higher", None, 0),
        m("boto_p50", "boto3: p50 latency (ms)", "lower", None, 2),
        m("boto_p99", "boto3: p99 latency (ms)", "lower", None, 2),
        m("rss_idle", "RSS idle, 1 s after ready (MB)", "lower", None, 1),
        m("rss_few", f"RSS after {FEW_REQUESTS} requests (MB)", "lower", None, 1),
        m("rss_after", "RSS after the request loops (MB)", "lower", None, 1),
    ]
    return {r.key: r for r in rows}


def _note_all(rows: dict[str, Metric], name: str, note: str, keys: list[str] | None = None) -> None:
    for key in keys or list(rows):
        rows[key].values.setdefault(name, math.nan)
        rows[key].notes.setdefault(name, note)


def run(targets: list[Target], opts: Options) -> list[Metric]:
    """Measure every target; a target that fails gets notes instead of values."""
    rows = _rows()
    up: list[Target] = []
    with_sts: list[Target] = []
    for target in targets:
        log(f"warm-up launch of {target.name}")
        try:
            sts_ok = _warm_up(target)
        except Unavailable as exc:
            log(str(exc))
            _note_all(rows, target.name, str(exc), ["start_health"])
            continue
        up.append(target)
        if sts_ok:
            with_sts.append(target)
        else:
            note = "does not answer STS GetCallerIdentity"
            log(f"{target.name}: {note}")
            _note_all(
                rows, target.name, note, [k for k in rows if not k.startswith("start_health")]
            )

    repeat = opts.repeat
    log(f"start → health, {repeat} launches each")
    samples, notes = _launch_samples(up, repeat, lambda s: s.wait_ready(), "health", opts)
    for name, values in samples.items():
        rows["start_health"].values[name] = median(values)
        rows["start_health"].samples[name] = values
        log(f"start → health {name}: median {median(values):.3f} s, {spread(values)}")
    for name, note in notes.items():
        rows["start_health"].notes[name] = note

    log(f"start → first STS answer, {repeat} launches each")

    def first_sts(server: Server) -> float:
        return _wait_sts(server, _sts_request(server.port), START_TIMEOUT_S)

    samples, notes = _launch_samples(with_sts, repeat, first_sts, "sts", opts)
    for name, values in samples.items():
        rows["start_sts"].values[name] = median(values)
        rows["start_sts"].samples[name] = values
        log(f"start → STS {name}: median {median(values):.3f} s, {spread(values)}")
    for name, note in notes.items():
        rows["start_sts"].notes[name] = note

    for target in with_sts:
        log(f"steady state of {target.name}")
        try:
            _steady_state(target, rows, opts)
        except (Unavailable, OSError, http.client.HTTPException) as exc:
            log(f"{target.name}: steady state failed: {exc}")
            _note_all(rows, target.name, f"steady state failed: {exc}", ["raw_rps"])
    return list(rows.values())
