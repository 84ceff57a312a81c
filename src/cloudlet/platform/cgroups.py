"""A child's whole process tree: finding, measuring and ending it through its session (always)
and its cgroup (when usable).

*Sessions.* Every child leads its own session and process group (pid = sid = pgid). The kernel
does not reuse a pid while any process still uses it as a session or group id, so "every process
whose sid or pgid is the child's pid" is exactly what is left of that child's tree, even after
the child itself is gone: that is how `kill_sessions` and `end_orphan` find leftovers. Only a
process that starts a session of its own escapes them.

*cgroups.* A cgroup v2 group holds a tree whatever it does, and gives exact memory and task limits.
A cgroup is used only when the machine lets this process use one (checked, never assumed):
a cgroup2 mount, `memory` and `pids` among the controllers of our own cgroup, those controllers
enabled (or enableable) in its `cgroup.subtree_control`, and a probe group we can create and
remove. A non-root cgroup that distributes controllers may hold no processes itself, so when the
server is the only process of its cgroup it first moves into a leaf, `cloudlet-server`, as
systemd's delegation rules ask. That covers the root cgroup (a VM), a container whose main process
is cloudlet, and a systemd unit with `Delegate=yes`; not a login shell's scope, where other
processes share the cgroup. Hybrid v1/v2 machines usually bind `memory` and `pids` to v1, leaving
the v2 tree without them. Without a cgroup, callers fall back to rlimits and an RSS watchdog
(`cgroups_available()`).

Each child gets `<our cgroup>/cloudlet-<server pid>-<n>`; the child joins it itself before exec
(see `limits.py`), the supervisor kills its members with `cgroup.kill` (Linux 5.14+; SIGKILL of
each member before that) and removes the directory once it is empty.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import os
import signal
import sys
import time
from collections.abc import Iterable
from pathlib import Path

import psutil

_CONTROLLERS = frozenset({"memory", "pids"})
SAME_PROCESS = 1.0
"""Create times this close (seconds) denote one process: pid reuse takes far longer."""


class CgroupTree:
    """The cgroup v2 directory under which this server creates one group per child."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self._names = itertools.count(1)

    @classmethod
    def detect(cls) -> CgroupTree | None:
        """Our own cgroup when it can hold per-child groups with memory and pids limits."""
        if sys.platform != "linux":
            return None
        base = _own_cgroup()
        if base is None or not set(_read(base / "cgroup.controllers").split()) >= _CONTROLLERS:
            return None
        try:
            if not set(_read(base / "cgroup.subtree_control").split()) >= _CONTROLLERS:
                if members(base) == [os.getpid()] and (base / "cgroup.type").exists():
                    leaf = base / "cloudlet-server"  # (the root cgroup has no cgroup.type)
                    leaf.mkdir(exist_ok=True)
                    (leaf / "cgroup.procs").write_text(str(os.getpid()))
                (base / "cgroup.subtree_control").write_text("+memory +pids")
            probe = base / f"cloudlet-probe-{os.getpid()}"
            probe.mkdir(exist_ok=True)
            try:
                (probe / "memory.max").write_text("max")
                (probe / "pids.max").write_text("max")
            finally:
                probe.rmdir()
        except OSError:
            return None
        return cls(base)

    def create(self, memory_bytes: int | None, max_processes: int | None) -> Path:
        """A new, empty group with the given limits (None: unlimited)."""
        group = self.base / f"cloudlet-{os.getpid()}-{next(self._names)}"
        group.mkdir()
        try:
            if memory_bytes is not None:
                (group / "memory.max").write_text(str(memory_bytes))
                (group / "memory.oom.group").write_text("1")  # Lambda loses the whole sandbox
                if (group / "memory.swap.max").exists():  # only with swap accounting
                    (group / "memory.swap.max").write_text("0")
            if max_processes is not None:
                (group / "pids.max").write_text(str(max_processes))
        except OSError:
            group.rmdir()
            raise
        return group


def kill(group: Path) -> bool:
    """SIGKILL every process in `group`; True when it had any. Safe on a missing group."""
    pids = members(group)
    if not pids:
        return False
    try:
        (group / "cgroup.kill").write_text("1")
    except OSError:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    return True


def members(group: Path) -> list[int]:
    """Pids in `group` (none when it does not exist)."""
    try:
        return [int(line) for line in _read(group / "cgroup.procs").split()]
    except OSError:
        return []


async def remove(group: Path, timeout: float = 2.0) -> None:
    """Kill what is left in `group` and remove it once the kernel has emptied it."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        kill(group)
        try:
            group.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:  # EBUSY until the killed members are fully gone (a few ms)
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.01)


def remove_now(group: Path) -> None:
    """`remove` for synchronous callers (start-up reaping); gives up quietly."""
    kill(group)
    for _ in range(200):
        try:
            group.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.01)


def cpu_seconds(group: Path) -> float | None:
    """CPU time of everything that ever ran in `group`, or None when unreadable."""
    try:
        for line in _read(group / "cpu.stat").splitlines():
            key, _, value = line.partition(" ")
            if key == "usage_usec":
                return int(value) / 1e6
    except OSError:
        return None
    return None


def create_time(pid: int) -> float | None:
    """psutil's create time of `pid`, None when there is no such process."""
    try:
        return psutil.Process(pid).create_time()
    except psutil.Error:
        return None


def is_process(pid: int, started_at: float) -> bool:
    """True when `pid` is the process created at `started_at` (psutil create time)."""
    started = create_time(pid)
    return started is not None and abs(started - started_at) < SAME_PROCESS


def end_orphan(pid: int, started_at: float, group: Path | None) -> bool:
    """SIGKILL what is left of a recorded child's session and cgroup; True if anything ran."""
    started = create_time(pid)
    ended = False
    if started is None or abs(started - started_at) < SAME_PROCESS:
        # The leader is ours or gone; a different create time means the pid was free for reuse,
        # so nothing of the child's session or group can be left.
        ended = bool(kill_sessions({pid}))
    if group is not None:
        ended = kill(group) or ended
        remove_now(group)
    return ended


def tree_rss(pid: int, started_at: float) -> int:
    """Resident memory of the process `pid` (created at `started_at`) and its descendants."""
    total = 0
    for process in _tree(pid, started_at):
        with contextlib.suppress(psutil.Error):
            total += process.memory_info().rss
    return total


def tree_cpu(pid: int, started_at: float) -> float:
    """User + system CPU seconds of `pid` and its descendants, including those already reaped."""
    total = 0.0
    for process in _tree(pid, started_at):
        with contextlib.suppress(psutil.Error):
            times = process.cpu_times()
            total += times.user + times.system
            if process.pid == pid:
                total += times.children_user + times.children_system
    return total


def _tree(pid: int, started_at: float) -> list[psutil.Process]:
    try:
        leader = psutil.Process(pid)
        if abs(leader.create_time() - started_at) >= SAME_PROCESS:
            return []
        return [leader, *leader.children(recursive=True)]
    except psutil.Error:
        return []


def kill_sessions(sessions: set[int]) -> list[psutil.Process]:
    """SIGKILL every live process whose session or process group id is in `sessions`; wait
    (briefly) until they are gone or zombies. Returns the processes killed."""
    if not sessions:
        return []
    killed = []
    for pid in psutil.pids():
        if pid == os.getpid():
            continue
        try:
            if os.getsid(pid) not in sessions and os.getpgid(pid) not in sessions:
                continue
            process = psutil.Process(pid)
            if process.status() == psutil.STATUS_ZOMBIE:
                continue
            process.kill()
            killed.append(process)
        except (OSError, psutil.Error):
            continue
    _wait_gone(killed, timeout=2.0)
    return killed


def _wait_gone(processes: Iterable[psutil.Process], timeout: float) -> None:
    # Not our children, so no exit notification to wait for: a short, bounded poll.
    deadline = time.monotonic() + timeout
    remaining = list(processes)
    while remaining and time.monotonic() < deadline:
        remaining = [p for p in remaining if _running(p)]
        if remaining:
            time.sleep(0.005)


def _running(process: psutil.Process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _own_cgroup() -> Path | None:
    mount = None
    with contextlib.suppress(OSError):
        for line in _read(Path("/proc/self/mountinfo")).splitlines():
            fields = line.split(" - ")
            if len(fields) == 2 and fields[1].split()[0] == "cgroup2":
                mount = fields[0].split()[4]
                break
    if mount is None:
        return None
    with contextlib.suppress(OSError):
        for line in _read(Path("/proc/self/cgroup")).splitlines():
            if line.startswith("0::"):
                return Path(mount) / line[3:].lstrip("/")
    return None


def _read(path: Path) -> str:
    return path.read_text()


@functools.cache
def cgroup_tree() -> CgroupTree | None:
    """The detected tree, probed once per process."""
    return CgroupTree.detect()


def cgroups_available() -> bool:
    """True when children get a cgroup (exact memory/task limits of the tree); else callers
    should watch `Child.rss_bytes()` themselves."""
    return cgroup_tree() is not None
