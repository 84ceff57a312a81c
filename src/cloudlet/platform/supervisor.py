"""The supervisor owns every child process of cloudlet: Lambda environments, EC2 instance processes,
cache engines. Nothing it starts outlives the server.

    Supervisor ──spawn──▶ Child ── pid = process group id = session id
        │                   ├─ stdout/stderr pipes ─▶ on_output(stream, line)   (loop readers)
        │                   ├─ pidfd readable ──────▶ group SIGKILL, reap, on_exit(returncode)
        │                   └─ cgroup (when usable) ─ memory.max, pids.max      (cgroups.py)
        └─ SQLite `children` rows: pid + create_time while alive ─▶ reap_orphans() at next start

*Start.* `subprocess.Popen` on its `vfork()` path, with `start_new_session=True` so every child
leads its own process group and session. The parent-death signal (Linux), cgroup entry and rlimits
are set in the child by exec wrappers, not by `preexec_fn`, which would force a `fork()` that grows
with the server's size (see `limits.py`). Popen works the same under asyncio's loop and uvloop;
neither loop's own subprocess machinery is used (uvloop's always forks; asyncio's 3.11 child
watcher runs a thread per child).

*Exit.* A pidfd (Linux 5.3+) becomes readable when the child exits; the loop watches it like a
socket, so there is no polling and no thread per child (elsewhere one `waitid` thread per child).
While the exited child is still a zombie its pid cannot be reused, so the supervisor first
SIGKILLs the rest of its process group (and cgroup), then reaps it: a child's lifetime is its main
process's lifetime, and nothing it started stays behind.

*Output.* Both pipes are read by loop transports and split into lines (without the newline; lines
over `MAX_LINE` bytes arrive in pieces); `on_exit` runs after both pipes closed, or at most
`_DRAIN_AFTER_EXIT` seconds after the exit when a process that left the group still holds them.

*Orphans.* `PR_SET_PDEATHSIG` kills direct children when the server dies, even by `kill -9` (it
follows the spawning *thread*: spawn from the loop's thread, which lives as long as the server);
their own children are not covered. Each child's pid and create time are recorded in SQLite while it
runs, so `reap_orphans()` at the next start ends whatever is left of its session: the kernel does
not reuse a pid still in use as a process group or session id, which makes the leftovers safe to
identify even after the leader is gone. Processes that leave the session escape everything but a
cgroup.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import logging
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Coroutine, Mapping, Sequence
from pathlib import Path
from typing import Any

from cloudlet.platform import cgroups
from cloudlet.platform.cgroups import cgroups_available
from cloudlet.platform.limits import Limits, launch, prepare
from cloudlet.platform.store import Migration, Store

__all__ = ["Child", "Limits", "Supervisor", "cgroups_available"]

log = logging.getLogger(__name__)

OutputCallback = Callable[[str, bytes], None]
"""`on_output(stream, line)`: stream is "stdout" or "stderr"; the line has no trailing newline."""
ExitCallback = Callable[[int], None]
"""`on_exit(returncode)`: the exit status, or minus the signal number that ended the child."""

MAX_LINE = 64 * 1024
"""Longest line handed to `on_output` in one piece."""
_DRAIN_AFTER_EXIT = 1.0  # seconds to wait for pipes still held by a process that left the group

_MIGRATIONS: list[Migration] = [
    (
        "0001_children",
        """
        CREATE TABLE children (
            pid INTEGER NOT NULL, create_time REAL NOT NULL,
            owner TEXT NOT NULL, argv TEXT NOT NULL, cgroup TEXT, started_at REAL NOT NULL,
            supervisor_pid INTEGER NOT NULL, supervisor_create_time REAL NOT NULL,
            PRIMARY KEY (pid, create_time)
        );
        """,
    )
]


class _Output(asyncio.Protocol):
    """One output pipe of a child, split into lines."""

    def __init__(self, stream: str, callback: OutputCallback) -> None:
        self._stream = stream
        self._callback = callback
        self._buffer = bytearray()
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        start = 0
        while (end := self._buffer.find(b"\n", start)) >= 0:
            self._emit(bytes(self._buffer[start:end]))
            start = end + 1
        del self._buffer[:start]
        while len(self._buffer) >= MAX_LINE:
            self._emit(bytes(self._buffer[:MAX_LINE]))
            del self._buffer[:MAX_LINE]

    def connection_lost(self, exc: Exception | None) -> None:
        if self._buffer:
            self._emit(bytes(self._buffer))
            self._buffer.clear()
        if not self.closed.done():
            self.closed.set_result(None)

    def myself(self) -> _Output:  # protocol factory for connect_read_pipe
        return self

    def _emit(self, line: bytes) -> None:
        try:
            self._callback(self._stream, line)
        except Exception:
            log.exception("on_output callback failed")


class _Stdin(asyncio.BaseProtocol):
    """Flow control of a child's stdin pipe."""

    def __init__(self) -> None:
        self.writable = asyncio.Event()
        self.writable.set()

    def pause_writing(self) -> None:
        self.writable.clear()

    def resume_writing(self) -> None:
        self.writable.set()

    def connection_lost(self, exc: Exception | None) -> None:
        self.writable.set()

    def myself(self) -> _Stdin:  # protocol factory for connect_write_pipe
        return self


class Child:
    """One supervised process, with its process group and (when usable) its cgroup."""

    def __init__(
        self,
        supervisor: Supervisor,
        popen: subprocess.Popen[bytes],
        owner: str,
        argv: Sequence[str],
        cgroup: Path | None,
        on_exit: ExitCallback | None,
    ) -> None:
        self.pid: int = popen.pid
        self.owner = owner
        self.argv: tuple[str, ...] = tuple(argv)
        self.started_at = time.time()
        self.returncode: int | None = None
        """Set once the process has exited and been reaped."""
        self.create_time = cgroups.create_time(self.pid) or self.started_at
        self.cgroup = cgroup
        self._supervisor = supervisor
        self._popen = popen
        self._on_exit = on_exit
        self._outputs: list[_Output] = []
        self._pipes: list[asyncio.BaseTransport] = []
        self._stdin: asyncio.WriteTransport | None = None
        self._stdin_flow: _Stdin | None = None
        self._cpu_at_exit = 0.0
        self._done: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def __repr__(self) -> str:
        return f"<Child pid={self.pid} owner={self.owner!r} returncode={self.returncode}>"

    async def wait(self) -> int:
        """The return code, once the child has exited and `on_exit` has run."""
        return await asyncio.shield(self._done)

    async def terminate(self, grace: float = 2.0) -> int:
        """SIGTERM the process group; SIGKILL it if still running after `grace` seconds."""
        self._signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(asyncio.shield(self._done), grace)
        except TimeoutError:
            self.kill()
            return await self.wait()

    def kill(self) -> None:
        """SIGKILL the whole process group (and cgroup) now."""
        self._signal(signal.SIGKILL)
        if self.cgroup is not None and self.returncode is None:
            cgroups.kill(self.cgroup)

    def rss_bytes(self) -> int:
        """Resident memory of the whole process tree; 0 once it has exited."""
        return 0 if self.returncode is not None else cgroups.tree_rss(self.pid, self.create_time)

    def cpu_seconds(self) -> float:
        """User + system CPU time of the tree so far (final value after exit)."""
        if self.returncode is not None:
            return self._cpu_at_exit
        if self.cgroup is not None and (used := cgroups.cpu_seconds(self.cgroup)) is not None:
            return used
        return cgroups.tree_cpu(self.pid, self.create_time)

    async def write_stdin(self, data: bytes) -> None:
        """Write to stdin (needs `stdin=True` at spawn); waits while the pipe is full."""
        if self._stdin is None or self._stdin_flow is None:
            raise RuntimeError("child was spawned without stdin=True")
        if self._stdin.is_closing():
            raise BrokenPipeError(errno.EPIPE, "stdin of child is closed", self.pid)
        self._stdin.write(data)
        await self._stdin_flow.writable.wait()

    def close_stdin(self) -> None:
        """Close the child's stdin (it reads end of file once buffered data is written)."""
        if self._stdin is not None:
            self._stdin.close()

    def _signal(self, signum: int) -> None:
        if self.returncode is None:  # not reaped yet: the group id is still ours
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signum)

    async def _connect(
        self, loop: asyncio.AbstractEventLoop, on_output: OutputCallback | None
    ) -> None:
        if on_output is not None:
            for name, pipe in (("stdout", self._popen.stdout), ("stderr", self._popen.stderr)):
                self._outputs.append(_Output(name, on_output))
                transport, _ = await loop.connect_read_pipe(self._outputs[-1].myself, pipe)
                self._pipes.append(transport)
        if self._popen.stdin is not None:
            self._stdin_flow = _Stdin()
            self._stdin, _ = await loop.connect_write_pipe(
                self._stdin_flow.myself, self._popen.stdin
            )

    def _watch(self, loop: asyncio.AbstractEventLoop) -> None:
        try:
            pidfd = os.pidfd_open(self.pid)
        except (AttributeError, OSError):  # not Linux 5.3+: one waiting thread for this child
            thread = threading.Thread(target=self._wait_thread, args=(loop,), daemon=True)
            thread.start()
            return

        def readable() -> None:
            loop.remove_reader(pidfd)
            os.close(pidfd)
            self._exited()

        loop.add_reader(pidfd, readable)

    def _wait_thread(self, loop: asyncio.AbstractEventLoop) -> None:
        with contextlib.suppress(ChildProcessError):
            os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOWAIT)
        with contextlib.suppress(RuntimeError):  # the loop is closed
            loop.call_soon_threadsafe(self._exited)

    def _exited(self) -> None:
        """The leader exited and is a zombie: end the rest of its tree, then reap it."""
        self._signal(signal.SIGKILL)
        if self.cgroup is not None:
            cgroups.kill(self.cgroup)
        try:
            _, status, usage = os.wait4(self.pid, 0)
        except ChildProcessError:  # reaped behind our back (SIGCHLD ignored, waitpid(-1), ...)
            log.warning("exit status of %s was lost", self)
            self.returncode = self._popen.returncode = 255
        else:
            self.returncode = self._popen.returncode = os.waitstatus_to_exitcode(status)
            self._cpu_at_exit = usage.ru_utime + usage.ru_stime
        self._supervisor._run(self._finish())

    async def _finish(self) -> None:
        pending = [output.closed for output in self._outputs]
        if pending:
            await asyncio.wait(pending, timeout=_DRAIN_AFTER_EXIT)
        for transport in self._pipes:  # still open only when an escaped process holds them
            transport.close()
        self.close_stdin()
        if self.cgroup is not None:
            try:
                await cgroups.remove(self.cgroup)
            except OSError:
                log.warning("could not remove cgroup %s", self.cgroup, exc_info=True)
        self._supervisor._forget(self)
        assert self.returncode is not None
        if self._on_exit is not None:
            try:
                self._on_exit(self.returncode)
            except Exception:
                log.exception("on_exit callback of %s failed", self)
        self._done.set_result(self.returncode)


class Supervisor:
    """Starts, watches and ends every child process of one cloudlet server."""

    def __init__(self, store: Store | None, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        """Default working directory of children."""
        self._store = store
        self._children: dict[int, Child] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._closing = False
        self._ending_all = False
        self._identity = (os.getpid(), cgroups.create_time(os.getpid()) or time.time())
        self._cgroups = cgroups.cgroup_tree()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        prepare()
        if store is not None:
            store.migrate("supervisor", _MIGRATIONS)

    def reap_orphans(self) -> int:
        """End what is left of children recorded by supervisors that are no longer running.

        Returns how many recorded children still had processes running. Children of live
        supervisors (this one included) are left alone; a recorded pid now used by an unrelated
        process (different create time) is never touched.
        """
        if self._store is None:
            return 0
        ended = 0
        for row in self._store.query("SELECT * FROM children"):
            if cgroups.is_process(row["supervisor_pid"], row["supervisor_create_time"]):
                continue
            group = Path(row["cgroup"]) if row["cgroup"] else None
            if cgroups.end_orphan(row["pid"], row["create_time"], group):
                ended += 1
                log.info("ended orphan %s of %s: %s", row["pid"], row["owner"], row["argv"])
            self._store.execute(
                "DELETE FROM children WHERE pid = ? AND create_time = ?",
                (row["pid"], row["create_time"]),
            )
        return ended

    async def spawn(
        self,
        argv: Sequence[str],
        *,
        owner: str,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        on_output: OutputCallback | None = None,
        on_exit: ExitCallback | None = None,
        limits: Limits | None = None,
        pass_fds: Sequence[int] = (),
        stdin: bool = False,
    ) -> Child:
        """Start `argv` as a child of `owner` (e.g. a function ARN or an instance id).

        `env` is the whole environment (default: the server's); output is discarded unless
        `on_output` is given. Raises `FileNotFoundError` when `argv[0]` is not an executable.
        """
        if self._closing:
            raise RuntimeError("the supervisor is shutting down")
        if not argv:
            raise ValueError("argv is empty")
        loop = asyncio.get_running_loop()
        group = None
        if self._cgroups is not None:
            memory, tasks = (limits.memory_bytes, limits.max_processes) if limits else (None, None)
            group = self._cgroups.create(memory, tasks)
        try:
            popen = launch(
                argv,
                limits=limits,
                cgroup=group,
                env=env,
                cwd=Path(cwd) if cwd is not None else self.data_dir,
                capture=on_output is not None,
                stdin=stdin,
                pass_fds=pass_fds,
            )
        except BaseException:
            if group is not None:
                cgroups.remove_now(group)
            raise
        child = Child(self, popen, owner, argv, group, on_exit)
        self._children[child.pid] = child
        try:
            self._record(child)
            await child._connect(loop, on_output)
        except BaseException:
            child.kill()
            raise
        finally:
            child._watch(loop)
        return child

    def children(self, owner: str | None = None) -> list[Child]:
        """Running children, of one owner or all."""
        return [c for c in self._children.values() if owner is None or c.owner == owner]

    async def stop_owner(self, owner: str, grace: float = 2.0) -> None:
        """End every child of `owner`: SIGTERM, then SIGKILL after `grace` seconds."""
        await asyncio.gather(*(child.terminate(grace) for child in self.children(owner)))

    @property
    def ending_all(self) -> bool:
        """True while `stop_all` or `shutdown` ends every child: exits then are not crashes."""
        return self._ending_all or self._closing

    async def stop_all(self, grace: float = 3.0) -> None:
        """End every child (a reset): SIGTERM each group, SIGKILL what still runs after `grace`
        seconds, then any process still in one of their sessions. New spawns stay allowed."""
        self._ending_all = True
        try:
            children = self.children()
            for child in children:
                child._signal(signal.SIGTERM)
            if children:
                await asyncio.wait([child._done for child in children], timeout=grace)
            for child in children:
                child.kill()
            cgroups.kill_sessions({child.pid for child in children})
            await asyncio.gather(*(child.wait() for child in children))
        finally:
            self._ending_all = False

    async def shutdown(self, grace: float = 3.0) -> None:
        """End every child as `stop_all` does, and refuse new spawns from now on."""
        self._closing = True
        await self.stop_all(grace)
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def _record(self, child: Child) -> None:
        if self._store is None:
            return
        self._store.execute(
            "INSERT OR REPLACE INTO children (pid, create_time, owner, argv, cgroup, started_at,"
            " supervisor_pid, supervisor_create_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                child.pid,
                child.create_time,
                child.owner,
                json.dumps(child.argv),
                str(child.cgroup) if child.cgroup is not None else None,
                child.started_at,
                *self._identity,
            ),
        )

    def _forget(self, child: Child) -> None:
        self._children.pop(child.pid, None)
        if self._store is not None:
            self._store.execute(
                "DELETE FROM children WHERE pid = ? AND create_time = ?",
                (child.pid, child.create_time),
            )

    def _run(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
