"""Launching a supervised child inside its limits: `Limits`, and the exec chain applying them.

Limits must be in place before the child's own code runs, so they are set *in the child*. Python
offers `preexec_fn` for that, but it forces `fork()` instead of `vfork()`: the kernel then copies
the server's page tables, which costs ~30 ms per spawn once the server holds 1 GB (measured), on
Lambda's cold-start path. uvloop's own spawn always forks, preexec_fn or not. So on Linux the
supervisor keeps Python's `vfork()` path and prepends small exec wrappers from util-linux, each of
which sets its part in its own process and then `exec`s the next, keeping the pid:

    setpriv --pdeathsig KILL --         # prctl(PR_SET_PDEATHSIG): die with the server
      /bin/sh -c 'echo $$ >…'           # only with a cgroup: join it before anything runs
        prlimit --data=… --nproc=… --   # setrlimit
          argv…

A parent-death signal survives `execve` (it is cleared only by set-uid binaries or credential
changes). Where those tools are missing (busybox, macOS) `preexec_fn` does the same, slower.

`RLIMIT_NPROC` is per *user*, not per process tree: the kernel refuses a fork once the user owns
that many tasks (threads included), and never for root. `max_processes` is therefore the user's
task count at spawn time plus the allowance: approximate, and not set at all for root (a child
that later drops to another user would carry a limit computed for root). A cgroup (`pids.max`) is
exact; see `cgroups.py`.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import logging
import os
import resource
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Limits:
    """Resource limits of one child. `None` leaves a limit as inherited from the server."""

    memory_bytes: int | None = None
    """Memory cap. cgroup: `memory.max` of the whole tree (the kernel OOM-kills it, as AWS does).
    Otherwise per process: `RLIMIT_DATA` on Linux (heap and private writable mappings; allocations
    beyond it fail), `RLIMIT_AS` elsewhere."""
    max_processes: int | None = None
    """Tasks (processes and threads) of the whole tree, the child itself included. cgroup:
    `pids.max`; otherwise `RLIMIT_NPROC` (see module docstring: per user, not for root)."""
    cpu_seconds: int | None = None
    """CPU time per process (`RLIMIT_CPU`): SIGXCPU at the limit, SIGKILL one second later."""
    open_files: int | None = None
    """Open file descriptors per process (`RLIMIT_NOFILE`)."""


Rlimit = tuple[int, int, int]
"""(resource, soft, hard) for `setrlimit`."""

_MEMORY_RLIMIT = resource.RLIMIT_DATA if sys.platform == "linux" else resource.RLIMIT_AS
_PRLIMIT_NAMES = {
    resource.RLIMIT_DATA: "data",
    resource.RLIMIT_AS: "as",
    resource.RLIMIT_NPROC: "nproc",
    resource.RLIMIT_CPU: "cpu",
    resource.RLIMIT_NOFILE: "nofile",
}


def rlimits(limits: Limits, *, in_cgroup: bool) -> list[Rlimit]:
    """The rlimits for `limits`; memory and processes are left to the cgroup when there is one."""
    wanted: list[Rlimit] = []
    if limits.memory_bytes is not None and not in_cgroup:
        wanted.append((_MEMORY_RLIMIT, limits.memory_bytes, limits.memory_bytes))
    if limits.max_processes is not None and not in_cgroup and os.getuid() != 0:
        allowed = user_tasks(os.getuid()) + limits.max_processes
        wanted.append((resource.RLIMIT_NPROC, allowed, allowed))
    if limits.cpu_seconds is not None:
        wanted.append((resource.RLIMIT_CPU, limits.cpu_seconds, limits.cpu_seconds + 1))
    if limits.open_files is not None:
        wanted.append((resource.RLIMIT_NOFILE, limits.open_files, limits.open_files))
    return [_within_hard_limit(*limit) for limit in wanted]


def _within_hard_limit(res: int, soft: int, hard: int) -> Rlimit:
    # Only root may raise a hard limit; others get the most the server itself may use.
    ceiling = resource.getrlimit(res)[1]
    if os.geteuid() != 0 and ceiling != resource.RLIM_INFINITY:
        hard = min(hard, ceiling)
    return res, min(soft, hard), hard


def user_tasks(uid: int) -> int:
    """Tasks (threads) the user owns now: what the kernel compares with RLIMIT_NPROC."""
    if not os.path.isdir("/proc/self/task"):
        return sum(
            p.info["num_threads"] or 1
            for p in psutil.process_iter(["uids", "num_threads"])
            if p.info["uids"] is not None and p.info["uids"].real == uid
        )
    total = 0  # /proc/<pid> belongs to the process's user: 10x faster than psutil's status parsing
    for name in os.listdir("/proc"):
        with contextlib.suppress(OSError):
            if name.isdigit() and os.stat(f"/proc/{name}").st_uid == uid:
                total += len(os.listdir(f"/proc/{name}/task"))
    return total


@functools.cache
def _tool(name: str, feature: str) -> str | None:
    """Absolute path of a util-linux tool whose --help mentions `feature`, else None."""
    path = shutil.which(name)
    if path is None or sys.platform != "linux":
        return None
    try:
        usage = subprocess.run([path, "--help"], capture_output=True, timeout=5, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return path if feature.encode() in usage else None


@dataclass(frozen=True)
class LaunchPlan:
    """How to start a child: the argv to exec (wrappers first) and an optional preexec_fn."""

    argv: list[str]
    preexec_fn: Callable[[], None] | None = None


def plan_launch(argv: Sequence[str], limits: list[Rlimit], cgroup_procs: Path | None) -> LaunchPlan:
    """The exec chain (or preexec_fn fallback) applying death signal, cgroup and rlimits."""
    setpriv = _tool("setpriv", "--pdeathsig")
    prlimit = _tool("prlimit", "--nproc") if limits else None
    sh = shutil.which("sh") if cgroup_procs is not None else None
    if setpriv is None or (limits and prlimit is None) or (cgroup_procs is not None and sh is None):
        return LaunchPlan(list(argv), _preexec(limits, cgroup_procs))
    chain = [setpriv, "--pdeathsig", "KILL", "--"]
    if cgroup_procs is not None and sh is not None:
        chain += [sh, "-c", 'echo $$ > "$0" && exec "$@"', str(cgroup_procs)]
    if prlimit is not None:
        chain.append(prlimit)
        chain += [f"--{_PRLIMIT_NAMES[res]}={soft}:{hard}" for res, soft, hard in limits]
        chain.append("--")
    return LaunchPlan(chain + list(argv))


def _preexec(limits: list[Rlimit], cgroup_procs: Path | None) -> Callable[[], None] | None:
    prctl = None
    if sys.platform == "linux":
        prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up here, not in the child
    if prctl is None and not limits and cgroup_procs is None:
        return None
    parent = os.getpid()
    procs = str(cgroup_procs) if cgroup_procs is not None else None

    def preexec() -> None:  # runs in the forked child: system calls only
        if prctl is not None:
            prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
            if os.getppid() != parent:  # the server died before prctl took effect
                os.kill(os.getpid(), signal.SIGKILL)
        if procs is not None:
            fd = os.open(procs, os.O_WRONLY)
            try:
                os.write(fd, str(os.getpid()).encode())
            finally:
                os.close(fd)
        for res, soft, hard in limits:
            resource.setrlimit(res, (soft, hard))

    return preexec


def launch(
    argv: Sequence[str],
    *,
    limits: Limits | None,
    cgroup: Path | None,
    env: Mapping[str, str] | None,
    cwd: Path,
    capture: bool,
    stdin: bool,
    pass_fds: Sequence[int],
) -> subprocess.Popen[bytes]:
    """Start `argv` in a new session, dying with this process, inside `limits` and `cgroup`.

    Raises `FileNotFoundError` when `argv[0]` is not an executable, as Popen does without
    wrappers (with them a missing program would only show as exit status 127).
    """
    _check_executable(argv[0], env, cwd)
    pairs = rlimits(limits, in_cgroup=cgroup is not None) if limits is not None else []
    if limits is not None and limits.max_processes is not None and cgroup is None:
        _warn_root_nproc()
    plan = plan_launch(argv, pairs, cgroup / "cgroup.procs" if cgroup is not None else None)
    output = subprocess.PIPE if capture else subprocess.DEVNULL
    return subprocess.Popen(
        plan.argv,
        stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
        stdout=output,
        stderr=output,
        env=env,
        cwd=cwd,
        start_new_session=True,
        pass_fds=tuple(pass_fds),
        preexec_fn=plan.preexec_fn,
        bufsize=0,
    )


def _check_executable(program: str, env: Mapping[str, str] | None, cwd: Path) -> None:
    if os.sep in program:
        found = os.access(cwd / program, os.X_OK) and not (cwd / program).is_dir()
    else:
        path = env.get("PATH", os.defpath) if env is not None else None
        found = shutil.which(program, path=path) is not None
    if not found:
        raise FileNotFoundError(errno.ENOENT, "no such executable", program)


@functools.cache
def _warn_root_nproc() -> None:
    if os.getuid() == 0:
        log.warning("max_processes is not enforced: root ignores RLIMIT_NPROC and no cgroup")


def prepare() -> None:
    """Look up the wrapper tools now, so the first spawn does not pay for it."""
    _tool("setpriv", "--pdeathsig")
    _tool("prlimit", "--nproc")
