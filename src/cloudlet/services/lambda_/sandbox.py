"""The cgroups holding one execution environment: memory limit, task limit, kill, measurements.

Python environments are forked by a template process rather than spawned by the supervisor, so
they join their groups themselves (the child writes its pid into each `cgroup.procs` listed in
its fork request before running any function code). Node and `provided` environments are
spawned through a `/bin/sh` line that does the same before `exec`.

Which cgroups, checked once per server:

- cgroup v2, when the platform can use it (`cgroups.cgroup_tree()`): one group with
  `memory.max` and `pids.max`; the kernel OOM-kills inside it.
- cgroup v1, when our own `memory` and `pids` hierarchies let us create children (common in
  containers on hybrid hosts): one group in each, `memory.limit_in_bytes` (+ `memsw` so swap does
  not hide the limit) and `pids.max`.
- neither (or `CLOUDLET_LAMBDA_CGROUPS=off`): no group at all; `environments.py` then watches
  RSS and the process count itself.

`Sandbox.oom_killed()` tells a kernel OOM kill from any other death; `peak_bytes()` is the
memory high-water mark ("Max Memory Used"); `hit_task_limit()` says a fork failed on `pids.max`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import signal
from pathlib import Path

from cloudlet.platform import cgroups

log = logging.getLogger(__name__)

PREFIX = "cloudlet-lambda"


class Sandbox:
    """The group(s) of one environment."""

    def __init__(self, groups: list[Path], version: int) -> None:
        self.groups = groups
        self.version = version

    @property
    def procs(self) -> list[str]:
        """The `cgroup.procs` files the environment's first process must join."""
        return [str(group / "cgroup.procs") for group in self.groups]

    def _memory(self) -> Path | None:
        for group in self.groups:
            if (group / ("memory.max" if self.version == 2 else "memory.limit_in_bytes")).exists():
                return group
        return None

    def _pids(self) -> Path | None:
        for group in self.groups:
            if (group / "pids.max").exists():
                return group
        return None

    def peak_bytes(self) -> int | None:
        group = self._memory()
        if group is None:
            return None
        name = "memory.peak" if self.version == 2 else "memory.max_usage_in_bytes"
        with contextlib.suppress(OSError, ValueError):
            return int((group / name).read_text())
        return None

    def oom_killed(self) -> bool:
        group = self._memory()
        if group is None:
            return False
        name = "memory.events" if self.version == 2 else "memory.oom_control"
        with contextlib.suppress(OSError, ValueError):
            for line in (group / name).read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill" and int(value) > 0:
                    return True
            if self.version == 1:
                return int((group / "memory.failcnt").read_text()) > 0 and not self.members()
        return False

    def hit_task_limit(self) -> bool:
        group = self._pids()
        if group is None:
            return False
        with contextlib.suppress(OSError, ValueError):
            for line in (group / "pids.events").read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == "max" and int(value) > 0:
                    return True
        return False

    def members(self) -> list[int]:
        pids: set[int] = set()
        for group in self.groups:
            pids.update(cgroups.members(group))
        return sorted(pids)

    def kill(self) -> None:
        """SIGKILL everything in the groups (repeated: a fork bomb keeps adding members)."""
        for group in self.groups:
            if self.version == 2:
                cgroups.kill(group)
                continue
            for _ in range(50):
                pids = cgroups.members(group)
                if not pids:
                    break
                for pid in pids:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)

    async def remove(self, timeout: float = 5.0) -> None:
        """Kill what is left and remove the groups once the kernel has emptied them."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        for group in self.groups:
            while True:
                self.kill()
                try:
                    group.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    if loop.time() > deadline:
                        log.warning("could not remove cgroup %s", group)
                        break
                    await asyncio.sleep(0.01)


class Sandboxes:
    """Creates sandboxes with whatever cgroup support this machine offers."""

    def __init__(self, enabled: bool = True) -> None:
        self._names = itertools.count(1)
        self.version = 0
        self._v2 = cgroups.cgroup_tree() if enabled else None
        self._v1: list[Path] = []
        if not enabled:
            return
        if self._v2 is not None:
            self.version = 2
        else:
            self._v1 = _v1_bases()
            if self._v1:
                self.version = 1
        self._sweep()

    @property
    def available(self) -> bool:
        return self.version != 0

    def create(self, memory_bytes: int, max_tasks: int) -> Sandbox | None:
        """New groups with these limits, or None when the machine offers no cgroups."""
        try:
            if self._v2 is not None:
                return Sandbox([self._v2.create(memory_bytes, max_tasks)], 2)
            if self._v1:
                return Sandbox(self._create_v1(memory_bytes, max_tasks), 1)
        except OSError:
            log.warning("could not create a cgroup for an environment", exc_info=True)
        return None

    def _create_v1(self, memory_bytes: int, max_tasks: int) -> list[Path]:
        name = f"{PREFIX}-{os.getpid()}-{next(self._names)}"
        groups: list[Path] = []
        try:
            for base in self._v1:
                group = base / name
                group.mkdir()
                groups.append(group)
                if (group / "memory.limit_in_bytes").exists():
                    (group / "memory.limit_in_bytes").write_text(str(memory_bytes))
                    with contextlib.suppress(OSError):  # only with swap accounting
                        (group / "memory.memsw.limit_in_bytes").write_text(str(memory_bytes))
                if (group / "pids.max").exists():
                    (group / "pids.max").write_text(str(max_tasks))
        except OSError:
            for group in groups:
                with contextlib.suppress(OSError):
                    group.rmdir()
            raise
        return groups

    def _sweep(self) -> None:
        """Remove empty groups left by servers that are gone (after a kill -9)."""
        bases = self._v1 or ([self._v2.base] if self._v2 is not None else [])
        for base in bases:
            with contextlib.suppress(OSError):
                for entry in base.iterdir():
                    if not entry.name.startswith(PREFIX + "-"):
                        continue
                    owner = entry.name.split("-")[2]
                    if owner.isdigit() and int(owner) != os.getpid() and not _alive(int(owner)):
                        with contextlib.suppress(OSError):
                            cgroups.kill(entry)
                            entry.rmdir()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _v1_bases() -> list[Path]:
    """Our own v1 `memory` and `pids` cgroups, when we may create groups under both."""
    mounts: dict[str, str] = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/mountinfo").read_text().splitlines():
            before, _, after = line.partition(" - ")
            fields = after.split()
            if len(fields) >= 3 and fields[0] == "cgroup":
                for controller in ("memory", "pids"):
                    if controller in fields[2].split(","):
                        mounts[controller] = before.split()[4]
    own: dict[str, str] = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            for controller in controllers.split(","):
                own[controller] = path
    bases: list[Path] = []
    for controller in ("memory", "pids"):
        if controller not in mounts or controller not in own:
            return []
        base = Path(mounts[controller]) / own[controller].lstrip("/")
        probe = base / f"{PREFIX}-probe-{os.getpid()}"
        try:
            probe.mkdir(exist_ok=True)
            probe.rmdir()
        except OSError:
            return []
        bases.append(base)
    return bases
