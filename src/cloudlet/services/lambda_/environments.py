"""One execution environment: Init → Invoke (one at a time) → Shutdown, as AWS runs it.

    Environment.start()    Runtime API listener, log pipe, cgroups; fork from the Python template
                           (or spawn node / the function's `bootstrap`); Init ends at the first
                           `next` (10 s limit) or with an init error
    Environment.invoke()   deliver the event, wait for the runtime's response or error within the
                           function's Timeout (real time, never scaled); collect the output lines
    Environment.kill()     SIGKILL the process group and cgroups; `on_exit` finishes the clean-up

How an invocation can end besides the runtime's own response or error:

    timeout        kill; {"errorType": "Sandbox.Timedout", "errorMessage": "RequestId: <id> Error:
                   Task timed out after 3.00 seconds"}, REPORT `Status: timeout`
    process exit   "RequestId: <id> Process exited before completing request" (Runtime.ExitError)
    memory         kernel OOM kill in the cgroup, or the RSS watchdog without cgroups:
                   Runtime.OutOfMemory
    fork bomb      the cgroup's pids.max (or the watchdog's process count) stops it; the
                   environment is discarded after the invocation

An environment that failed in any of these ways is dead: the next invocation gets a new one.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import shutil
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psutil

from cloudlet.services.lambda_ import launch
from cloudlet.services.lambda_.logs import now_ms
from cloudlet.services.lambda_.models import MB
from cloudlet.services.lambda_.runtime_api import Invocation, Outcome, RuntimeApi, error_payload

if TYPE_CHECKING:
    from cloudlet.platform.supervisor import Child
    from cloudlet.services.lambda_.runner import Runner
    from cloudlet.services.lambda_.sandbox import Sandbox

log = logging.getLogger(__name__)

INIT_LIMIT = 10.0
"""Seconds an on-demand Init may take."""
MAX_TASKS = 1024
"""Processes and threads per environment (AWS's limit)."""
_WATCH_INTERVAL = 0.05
_ids = itertools.count(1)


@dataclass
class Spec:
    """What every environment of one function version and configuration revision shares."""

    account: str
    region: str
    name: str
    version: str
    """Executed version: `$LATEST` or a number."""
    config: dict[str, Any]
    code_dir: Path
    opt_dir: Path | None

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        return (self.account, self.region, self.name, self.version, self.config["RevisionId"])

    @property
    def function_key(self) -> tuple[str, str, str]:
        return (self.account, self.region, self.name)

    @property
    def memory_mb(self) -> int:
        return int(self.config.get("MemorySize", 128))

    @property
    def timeout(self) -> float:
        return float(self.config.get("Timeout", 3))


@dataclass
class Result:
    """An invocation's outcome plus what the REPORT line needs."""

    outcome: Outcome
    duration_ms: float
    init_ms: float | None
    max_memory: int
    lines: list[tuple[int, str]] = field(default_factory=list)
    """The function's output during this invocation."""
    before: list[tuple[int, str]] = field(default_factory=list)
    """Output from before it (a cold start's Init), logged ahead of START."""
    started_ms: int = 0
    """When the event was handed to the runtime (START's timestamp)."""


class Environment:
    """One execution environment process and its Runtime API."""

    def __init__(self, runner: Runner, spec: Spec, provisioned: bool = False) -> None:
        self.runner = runner
        self.spec = spec
        self.provisioned = provisioned
        self.id = f"{os.getpid()}-{next(_ids)}"
        self.stream = ""
        self.state = "new"
        self.pid = 0
        self.api: RuntimeApi | None = None
        self.sandbox: Sandbox | None = None
        self.child: Child | None = None
        self.init_ms: float | None = None
        self.init_error: Outcome | None = None
        self.last_used = time.monotonic()
        self.retired = False
        self._lines: list[tuple[int, str]] = []
        self._partial = b""
        self._log_fd = -1
        self._tmp: Path | None = None
        self._exited: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._oom = False
        self._killed = False

    @property
    def alive(self) -> bool:
        return self.state in ("new", "init", "idle", "busy")

    async def start(self) -> None:
        """Run Init; afterwards `init_error` is set if it failed (the environment is then dead)."""
        from cloudlet.services.lambda_.logs import stream_name

        self.state = "init"
        self.stream = stream_name(self.spec.version)
        began = time.perf_counter()
        self.api = RuntimeApi()
        address = await self.api.start()
        self.sandbox = self.runner.sandboxes.create(self.spec.memory_mb * MB, MAX_TASKS)
        self._tmp = self.runner.code.scratch(self.id)
        env = launch.environment(self, address)
        try:
            await launch.start(self, env)
        except Exception as exc:
            log.warning("could not start an environment of %s: %s", self.spec.name, exc)
            self._lines.append((now_ms(), f"cloudlet: could not start the runtime: {exc}\n"))
            self.init_error = Outcome(
                error_payload(f"RequestId: Error: {exc}", "Runtime.Unknown"),
                "Runtime.Unknown",
                "error",
            )
            self._on_exit(-1)
            return
        watchdog = None if self.sandbox is not None else asyncio.ensure_future(self._watch())
        limit = INIT_LIMIT if not self.provisioned else max(130.0, self.spec.timeout)
        waiting: set[asyncio.Future[Any]] = {self.api.ready, self._exited}
        done, _ = await asyncio.wait(waiting, timeout=limit, return_when=asyncio.FIRST_COMPLETED)
        if watchdog is not None:
            watchdog.cancel()
        self.init_ms = (time.perf_counter() - began) * 1000
        if self.api.ready.done() and self.api.ready.result() is None:
            self.state = "idle"
            return
        if self.api.ready.done():
            self.init_error = self.api.ready.result()
        elif not done:
            self.init_error = Outcome(
                error_payload("INIT_REPORT timeout", "Sandbox.Timedout"),
                "Sandbox.Timedout",
                "timeout",
            )
        else:
            self.init_error = Outcome(
                error_payload(
                    "RequestId: Error: Runtime exited with error: "
                    + _exit_text(self._exited.result()),
                    "Runtime.ExitError",
                ),
                "Runtime.ExitError",
                "error",
            )
        self.kill()

    async def invoke(self, invocation: Invocation) -> Result:
        """Run one invocation (the environment must be idle)."""
        assert self.api is not None
        self.state = "busy"
        cold, self.init_ms = self.init_ms, None
        if self.provisioned:
            cold = None
        before = self.take_lines()
        began = time.perf_counter()
        started_ms = now_ms()
        self.api.deliver(invocation)
        watchdog = None if self.sandbox is not None else asyncio.ensure_future(self._watch())
        try:
            waiting: set[asyncio.Future[Any]] = {invocation.outcome, self._exited}
            await asyncio.wait(
                waiting, timeout=self.spec.timeout, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            if watchdog is not None:
                watchdog.cancel()
        duration = (time.perf_counter() - began) * 1000
        if not invocation.outcome.done():
            if self._exited.done():
                await asyncio.sleep(0)  # let the exit handler settle it
            if not invocation.outcome.done():
                self.kill()
                invocation.settle(_timeout(invocation.request_id, self.spec.timeout))
        outcome = invocation.outcome.result()
        memory = self.max_memory()
        self._drain()
        lines, self._lines = self._lines, []
        if self.alive:
            if self.sandbox is not None and self.sandbox.hit_task_limit():
                self.kill()  # a fork bomb: discard the environment
            else:
                self.state = "idle"
        self.last_used = time.monotonic()
        return Result(outcome, duration, cold, memory, lines, before, started_ms)

    def take_lines(self) -> list[tuple[int, str]]:
        self._drain()
        lines, self._lines = self._lines, []
        return lines

    def max_memory(self) -> int:
        peak = 0
        if self.pid and self.alive:
            with contextlib.suppress(OSError, ValueError):
                peak = _high_water_mark(self.pid)
        if self._oom:
            return self.spec.memory_mb * MB
        if self.sandbox is not None:
            peak = max(peak, self.sandbox.peak_bytes() or 0)
        return peak

    def kill(self) -> None:
        """End the environment now (its exit handler then cleans up)."""
        self._killed = True
        if self.state in ("new", "init", "idle", "busy"):
            self.state = "dying"
        if self.child is not None:
            self.child.kill()
        elif self.pid:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGKILL)
        if self.sandbox is not None:
            self.sandbox.kill()
        if not self.pid and not self._exited.done():
            self._on_exit(-9)

    async def wait(self) -> None:
        await asyncio.shield(self._exited)

    # output

    def open_log_pipe(self) -> int:
        """The write end of a new log pipe (for the child); the read end is watched here."""
        read_fd, write_fd = os.pipe()
        os.set_blocking(read_fd, False)
        self._log_fd = read_fd
        asyncio.get_running_loop().add_reader(read_fd, self._drain)
        return write_fd

    def on_output(self, stream: str, line: bytes) -> None:
        """Line callback for environments spawned by the supervisor."""
        self._add(line + b"\n")

    def _drain(self) -> None:
        if self._log_fd < 0:
            return
        while True:
            try:
                data = os.read(self._log_fd, 65536)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                self._close_log()
                return
            self._add(data)

    def _add(self, data: bytes) -> None:
        data = self._partial + data
        *complete, self._partial = data.split(b"\n")
        stamp = now_ms()
        for line in complete:
            self._lines.append((stamp, line.decode(errors="replace") + "\n"))
        if len(self._partial) > 256 * 1024:
            self._lines.append((stamp, self._partial.decode(errors="replace") + "\n"))
            self._partial = b""
        if self.state == "idle" and self._lines:  # output between invocations
            self.runner.write_lines(self, self.take_lines())

    def _close_log(self) -> None:
        if self._log_fd >= 0:
            with contextlib.suppress(Exception):
                asyncio.get_running_loop().remove_reader(self._log_fd)
            os.close(self._log_fd)
            self._log_fd = -1
        if self._partial:
            self._lines.append((now_ms(), self._partial.decode(errors="replace") + "\n"))
            self._partial = b""

    # exit

    def _on_exit(self, status: int) -> None:
        """The process ended (reported by the template or the supervisor)."""
        if self._exited.done():
            return
        self._oom = self._oom or (self.sandbox is not None and self.sandbox.oom_killed())
        self.state = "dead"
        if self.api is not None and self.api.current is not None:
            request_id = self.api.current.request_id
            if self._oom:
                outcome = Outcome(
                    error_payload(
                        f"RequestId: {request_id} Error: Runtime exited with error: signal: killed",
                        "Runtime.OutOfMemory",
                    ),
                    "Runtime.OutOfMemory",
                    "error",
                )
            else:
                outcome = Outcome(
                    error_payload(
                        f"RequestId: {request_id} Process exited before completing request",
                        "Runtime.ExitError",
                    ),
                    "Runtime.ExitError",
                    "error",
                )
            self.api.current.settle(outcome)
        self._exited.set_result(status)
        self.runner.forget(self)
        self.runner.track(self._clean_up())

    async def _clean_up(self) -> None:
        self._drain()
        self._close_log()
        if self.api is not None:
            await self.api.close()
        if self.sandbox is not None:
            await self.sandbox.remove()
        if self._tmp is not None:
            await asyncio.to_thread(shutil.rmtree, self._tmp, True)

    async def _watch(self) -> None:
        """Without cgroups: kill on RSS over MemorySize or more than MAX_TASKS processes."""
        limit = self.spec.memory_mb * MB
        while self.alive:
            await asyncio.sleep(_WATCH_INTERVAL)
            if not self.pid:
                continue
            try:
                root = psutil.Process(self.pid)
                tree = [root, *root.children(recursive=True)]
                rss = sum(p.memory_info().rss for p in tree)
            except psutil.Error:
                continue
            if rss > limit:
                self._oom = True
                self.kill()
            elif len(tree) > MAX_TASKS:
                self.kill()


def _high_water_mark(pid: int) -> int:
    """Peak RSS of the environment's main process (`VmHWM`), in bytes."""
    with open(f"/proc/{pid}/status", "rb") as status:
        for line in status:
            if line.startswith(b"VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def _timeout(request_id: str, seconds: float) -> Outcome:
    return Outcome(
        error_payload(
            f"RequestId: {request_id} Error: Task timed out after {seconds:.2f} seconds",
            "Sandbox.Timedout",
        ),
        "Sandbox.Timedout",
        "timeout",
    )


def _exit_text(status: int) -> str:
    return (
        f"signal: {signal.Signals(-status).name.lower().removeprefix('sig')}"
        if status < 0 and -status in signal.valid_signals()
        else f"exit status {status}"
    )
