"""Cache nodes as processes: start, readiness, stop, crash → report and restart.

A node is one engine process under `platform.supervisor`, listening on 127.0.0.1 at the port its
endpoint reports, with its files (configuration, RDB, `nodes.conf`) in its own directory under
`<data dir>/elasticache/`. `Nodes` knows nothing about clusters: it is handed a `NodeSpec` (what
to run), answers once the engine accepts connections, and reports through two callbacks:

    start(spec) ──spawn──▶ engine ──PING/version answered──▶ ready (start returns)
                              │ exits while not being stopped
                              ▼
                     on_crash(owner, reason) ──▶ respec(owner) ──▶ start again ──▶ on_recovered

`respec` builds the spec again from the control plane's current state (the node may have become a
replica, its parameters may have changed); None means the node no longer exists. Restarts back off
(0.1 s doubling, real time: this is our own supervision, not an AWS-defined wait) and give up
after `MAX_RESTARTS` failures in a row, leaving the node failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from cloudlet.services.elasticache import resp

if TYPE_CHECKING:
    from cloudlet.platform.runtime import Platform
    from cloudlet.platform.supervisor import Child

log = logging.getLogger(__name__)

READY_TIMEOUT = 20.0
"""Real seconds an engine may take to accept connections (loading a large RDB counts)."""
MAX_RESTARTS = 5
STOP_GRACE = 10.0
"""Real seconds a stopping engine gets to write its RDB before SIGKILL."""


class NodeStartError(Exception):
    """The engine did not come up; the message says why (from its own output when it can)."""


@dataclass
class NodeSpec:
    """How to run one node."""

    owner: str
    """Supervisor owner, also the node's key: `elasticache/<account>/<region>/<cluster>/<node>`."""
    engine: str
    """`valkey`, `redis` or `memcached`: decides how readiness is checked."""
    port: int
    directory: Path
    argv: list[str]
    config_text: str | None = None
    """Written to `directory/node.conf` before each start (valkey/redis)."""
    auth: tuple[str, str] | None = None
    """(user, password) for the control plane's own connections, when the engine wants AUTH."""


@dataclass
class _Running:
    spec: NodeSpec
    child: Child | None = None
    stopping: bool = False
    ready: bool = False
    """Whether the current process has accepted connections (only a ready node can crash)."""
    failures: int = 0
    tail: deque[str] = field(default_factory=lambda: deque(maxlen=20))


CrashCallback = Callable[[str, str], None]
RecoveredCallback = Callable[[str], None]
Respec = Callable[[str], Awaitable[NodeSpec | None]]


def port_is_free(port: int) -> bool:
    """Whether nothing listens on 127.0.0.1:`port` (and we may bind it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port(taken: set[int]) -> int:
    """A port on 127.0.0.1 nobody listens on, not in `taken` (ports of nodes not started yet)."""
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port: int = sock.getsockname()[1]
        # Redis Cluster also listens on port + 10000: keep both in range.
        if port not in taken and port + 10000 <= 65535 and port_is_free(port + 10000):
            return port
    raise OSError("no free port on 127.0.0.1")


class Nodes:
    """The running nodes of one cloudlet."""

    def __init__(
        self,
        platform: Platform,
        on_crash: CrashCallback,
        on_recovered: RecoveredCallback,
        respec: Respec,
    ) -> None:
        self.platform = platform
        self._on_crash = on_crash
        self._on_recovered = on_recovered
        self._respec = respec
        self._running: dict[str, _Running] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.closing = False

    def is_running(self, owner: str) -> bool:
        running = self._running.get(owner)
        return running is not None and running.child is not None and not running.stopping

    def owners(self) -> list[str]:
        return list(self._running)

    def tail(self, owner: str) -> list[str]:
        running = self._running.get(owner)
        return list(running.tail) if running else []

    async def start(self, spec: NodeSpec) -> None:
        """Start the node and return once it accepts connections; `NodeStartError` otherwise."""
        if not port_is_free(spec.port):
            raise NodeStartError(f"port {spec.port} on 127.0.0.1 is already in use")
        running = self._running.get(spec.owner)
        if running is None:
            running = self._running[spec.owner] = _Running(spec)
        running.spec = spec
        running.stopping = False
        await self._spawn(running)

    async def _spawn(self, running: _Running) -> None:
        spec = running.spec
        spec.directory.mkdir(parents=True, exist_ok=True)
        argv = list(spec.argv)
        if spec.config_text is not None:
            path = spec.directory / "node.conf"
            path.write_text(spec.config_text)
            argv.append(str(path))
        running.ready = False

        def on_output(stream: str, line: bytes) -> None:
            running.tail.append(line.decode(errors="replace"))

        def on_exit(code: int, running: _Running = running) -> None:
            self._exited(running, code)

        try:
            child = await self.platform.supervisor.spawn(
                argv, owner=spec.owner, cwd=spec.directory, on_output=on_output, on_exit=on_exit
            )
        except (OSError, RuntimeError) as exc:
            raise NodeStartError(f"{argv[0]} could not be started: {exc}") from exc
        running.child = child
        try:
            await self._wait_ready(running, child)
        except NodeStartError:
            running.stopping = True
            await child.terminate(1.0)
            raise

    async def _wait_ready(self, running: _Running, child: Child) -> None:
        spec = running.spec
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if child.returncode is not None:
                break
            if await _answers(spec):
                if child.returncode is None:
                    running.failures = 0
                    running.ready = True
                    return
                break
            await asyncio.sleep(0.005)
        reason = _reason(list(running.tail))
        if child.returncode is None:
            raise NodeStartError(f"the engine did not accept connections in {READY_TIMEOUT:g} s")
        raise NodeStartError(f"the engine exited with status {child.returncode}: {reason}")

    async def stop(self, owner: str, grace: float = STOP_GRACE) -> None:
        """Stop one node (SIGTERM: valkey/redis write their RDB first) and forget it."""
        running = self._running.pop(owner, None)
        if running is None:
            return
        running.stopping = True
        if running.child is not None and running.child.returncode is None:
            await running.child.terminate(grace)

    async def restart(self, owner: str, spec: NodeSpec) -> None:
        """Stop and start one node again (reboot); `NodeStartError` when it does not come back."""
        running = self._running.get(owner)
        if running is not None:
            running.stopping = True
            if running.child is not None and running.child.returncode is None:
                await running.child.terminate(STOP_GRACE)
        await self.start(spec)

    def forget_all(self) -> None:
        """After a reset: the supervisor has ended every process already."""
        for running in self._running.values():
            running.stopping = True
        self._running.clear()
        for task in self._tasks:
            task.cancel()

    def _exited(self, running: _Running, code: int) -> None:
        if (
            running.stopping
            or not running.ready
            or self.closing
            or self._running.get(running.spec.owner) is not running
        ):
            return
        if self.platform.supervisor.ending_all:
            return  # a reset or shutdown is ending every child
        running.child = None
        running.failures += 1
        reason = f"engine exited with status {code}: {_reason(list(running.tail))}"
        self._on_crash(running.spec.owner, reason)
        task = asyncio.ensure_future(self._revive(running))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _revive(self, running: _Running) -> None:
        owner = running.spec.owner
        await asyncio.sleep(0.1 * 2 ** min(running.failures - 1, 6))
        if self.closing or self._running.get(owner) is not running or running.stopping:
            return
        if self.platform.supervisor.ending_all:
            return
        spec = await self._respec(owner)
        if spec is None:
            self._running.pop(owner, None)
            return
        running.spec = spec
        try:
            await self._spawn(running)
        except NodeStartError as exc:
            log.warning("node %s did not restart: %s", owner, exc)
            if running.failures < MAX_RESTARTS and not running.stopping:
                running.failures += 1
                self._on_crash(owner, str(exc))
                task = asyncio.ensure_future(self._revive(running))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            return
        self._on_recovered(owner)


async def _answers(spec: NodeSpec) -> bool:
    try:
        if spec.engine == "memcached":
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection("127.0.0.1", spec.port), 1.0
            )
            try:
                writer.write(b"version\r\n")
                await writer.drain()
                line = await asyncio.wait_for(reader.readline(), 1.0)
            finally:
                writer.close()
                with contextlib.suppress(OSError):
                    await writer.wait_closed()
            return line.startswith(b"VERSION")
        async with resp.Connection(spec.port, timeout=1.0, auth=spec.auth) as conn:
            await conn.call("PING")
            return True
    except resp.RespError as exc:  # it answers; only a node still loading its data is not ready
        return not str(exc).startswith("LOADING")
    except (OSError, TimeoutError, ConnectionError, asyncio.IncompleteReadError):
        return False


def _reason(tail: list[str]) -> str:
    """The engine's own words about why it stopped: its last warning or error lines."""
    for line in reversed(tail):
        text = line.strip()
        if not text:
            continue
        # valkey/redis log lines: "pid:role dd Mon yyyy hh:mm:ss.mmm # message"
        for marker in (" # ", " * ", " - "):
            if marker in text:
                text = text.split(marker, 1)[1]
                break
        return text
    return "no output"


def remove_tree(path: Path) -> None:
    """Delete a node's (or cluster's) files; missing is fine."""
    import shutil

    shutil.rmtree(path, ignore_errors=True)
