"""The targets a benchmark runs against: cloudlet and the peers users would pick instead.

A `Target` says how to install, start and probe one server; `Target.start(port)` returns a
`Server` (endpoint, process handle, `ready()` check, `rss_mb()`, `stop()`). Every server is started
in its own session (process group), bound to 127.0.0.1, with its output sent to a log file outside
the repo, and `stop()` ends the whole group. `stop_all()` is the last line of defence: `run.py`
calls it on the way out, whatever happened.

Peers live in their own virtualenvs under `~/.cache/cloudlet-bench/<name>-venv` (override the base
folder with `CLOUDLET_BENCH_CACHE`), created and filled with the venv's pip on first use, from
the interpreter that runs the bench: a venv made from another interpreter is made again, so that
cloudlet and its peers always run on the same Python build (builds differ by 10-20 % in speed).

    TARGETS["moto"].install()                 # idempotent; raises Unavailable with the reason
    with TARGETS["moto"].start(free_port()) as server:
        server.wait_ready()
        ... server.endpoint ...
"""

from __future__ import annotations

import contextlib
import http.client
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import psutil

HOST = "127.0.0.1"
"""The only address any benchmark ever contacts."""

START_TIMEOUT_S = 30.0
"""Longest wait for a server to answer its health check after launch."""

POLL_INTERVAL_S = 0.002
"""Pause between two probes while a server is starting."""

INSTALL_TIMEOUT_S = 900.0
"""Longest a peer's `pip install` may take."""

_LIVE: set[Server] = set()


class Unavailable(RuntimeError):
    """A target cannot be installed or started here; the message says why."""


def cache_dir() -> Path:
    """Base folder for the peers' virtualenvs (outside the repo)."""
    base = os.environ.get("CLOUDLET_BENCH_CACHE")
    return Path(base) if base else Path.home() / ".cache" / "cloudlet-bench"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def http_get(port: int, path: str, timeout: float = 2.0) -> tuple[int, bytes]:
    """One GET on a fresh connection; returns (status, body). Raises OSError if nothing answers."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


@dataclass(eq=False)
class Server:
    """One launched server process (and its children) and how to reach it."""

    target: Target
    """What was started."""
    port: int
    """Port it was told to listen on."""
    proc: subprocess.Popen[bytes]
    """The launched process; it leads its own process group."""
    started_at: float
    """`time.perf_counter()` taken just before the process was spawned."""
    log: IO[bytes]
    """Where the server's stdout and stderr go."""

    @property
    def endpoint(self) -> str:
        """Base URL, e.g. `http://127.0.0.1:4566`."""
        return f"http://{HOST}:{self.port}"

    def ready(self) -> bool:
        """True once the health check answers 200."""
        try:
            status, _ = http_get(self.port, self.target.health_path, timeout=2.0)
        except (OSError, http.client.HTTPException):
            return False
        return status == 200

    def check_alive(self) -> None:
        """Raise `Unavailable` (with the log's tail) if the process has exited."""
        code = self.proc.poll()
        if code is not None:
            raise Unavailable(f"{self.target.name} exited with code {code}: {self.log_tail()}")

    def wait_ready(self, timeout: float = START_TIMEOUT_S) -> float:
        """Poll the health check until 200; return seconds since launch."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.ready():
                return time.perf_counter() - self.started_at
            self.check_alive()
            time.sleep(POLL_INTERVAL_S)
        raise Unavailable(f"{self.target.name}: no health 200 within {timeout:.0f} s")

    def processes(self) -> list[psutil.Process]:
        """The server process and all its descendants still alive."""
        try:
            root = psutil.Process(self.proc.pid)
            return [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def pids(self) -> list[int]:
        """The server's process id and its descendants' (to pin with `rawhttp.one_cpu`)."""
        return [p.pid for p in self.processes()]

    def rss_mb(self) -> float:
        """Resident set size of the whole process tree, in MB (10^6 bytes)."""
        total = 0
        for p in self.processes():
            with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                total += p.memory_info().rss
        return total / 1e6

    def log_tail(self, lines: int = 8) -> str:
        """Last lines the server printed, for error messages."""
        try:
            text = Path(self.log.name).read_text(errors="replace")
        except OSError:
            return "(no log)"
        tail = [line for line in text.splitlines() if line.strip()][-lines:]
        return " | ".join(tail) if tail else "(empty log)"

    def stop(self) -> None:
        """End the process group: SIGTERM, then SIGKILL after 5 s, then any stray descendants."""
        procs = self.processes()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)
        for p in procs[1:]:  # children that left the group
            with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                p.kill()
        self.log.close()
        with contextlib.suppress(OSError):
            os.unlink(self.log.name)
        _LIVE.discard(self)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@dataclass
class Target:
    """How to install, launch and probe one server."""

    name: str
    """Column name in the report."""
    health_path: str
    """GET path that answers 200 once the server is up."""
    package: str = ""
    """Distribution name in its own venv (empty: runs from this interpreter, needs no install)."""
    launcher: list[str] = field(default_factory=list)
    """argv head for a target without a venv, e.g. `[python, "-m", "cloudlet"]`."""
    dist: str = ""
    """Distribution whose version the report shows (default: `package`)."""
    pip_spec: str = ""
    """What the venv's pip installs."""
    script: str = ""
    """Console script in the venv's bin/ that starts the server."""
    extra_env: dict[str, str] = field(default_factory=dict)
    """Environment added at launch; `{port}` is replaced by the port."""
    args: list[str] = field(default_factory=list)
    """Arguments after the command; `{port}` and `{host}` are replaced."""

    @property
    def venv(self) -> Path:
        """This peer's virtualenv."""
        return cache_dir() / f"{self.name}-venv"

    def python(self) -> str:
        """Interpreter that runs this target."""
        return sys.executable if not self.package else str(self.venv / "bin" / "python")

    def command(self, port: int) -> list[str]:
        """argv that starts the server on `port`."""
        head = [str(self.venv / "bin" / self.script)] if self.package else list(self.launcher)
        return head + [a.format(port=port, host=HOST) for a in self.args]

    def version(self) -> str:
        """Installed version of the target, "?" if unknown, "" if it has none."""
        dist = self.dist or self.package
        if not dist:
            return ""
        code = f"import importlib.metadata as m; print(m.version({dist!r}))"
        try:
            out = subprocess.run(
                [self.python(), "-c", code], capture_output=True, text=True, timeout=60, check=True
            )
        except (OSError, subprocess.SubprocessError):
            return "?"
        return out.stdout.strip() or "?"

    def installed(self) -> bool:
        """True if the venv holds the pinned version and the start script, on this interpreter."""
        if not self.package:
            return True
        script = self.venv / "bin" / self.script
        wanted = self.pip_spec.partition("==")[2]
        return (
            script.exists()
            and self.on_this_interpreter()
            and (not wanted or self.version() == wanted)
        )

    def on_this_interpreter(self) -> bool:
        """True if the venv was made from the Python build running the bench (its pyvenv.cfg)."""
        try:
            lines = (self.venv / "pyvenv.cfg").read_text().splitlines()
        except OSError:
            return False
        cfg = {
            key.strip(): value.strip() for key, _, value in (line.partition("=") for line in lines)
        }
        this = {"home": str(Path(sys.base_prefix) / "bin"), "version": platform.python_version()}
        return all(cfg.get(key) == value for key, value in this.items())

    def install(self, log: IO[str] = sys.stderr) -> None:
        """Create the venv and pip-install the peer unless there; `Unavailable` on failure."""
        if self.installed():
            return
        print(f"[bench] installing {self.pip_spec} into {self.venv} ...", file=log, flush=True)
        steps = []
        if not self.on_this_interpreter():
            steps.append([sys.executable, "-m", "venv", "--clear", str(self.venv)])
        steps.append([str(self.venv / "bin" / "pip"), "install", "-q", self.pip_spec])
        for argv in steps:
            try:
                out = subprocess.run(
                    argv, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S, check=False
                )
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise Unavailable(f"{self.name}: {' '.join(argv[:3])} failed: {exc}") from exc
            if out.returncode != 0:
                tail = " | ".join((out.stderr or out.stdout).strip().splitlines()[-4:])
                raise Unavailable(f"{self.name}: {' '.join(argv[:3])} failed: {tail}")
        if not self.installed():
            raise Unavailable(f"{self.name}: installed, but {self.script} is missing")

    def start(self, port: int) -> Server:
        """Launch on `port` (not yet ready: call `wait_ready()`)."""
        env = dict(os.environ)
        env.update({k: v.format(port=port, host=HOST) for k, v in self.extra_env.items()})
        env["NO_PROXY"] = env["no_proxy"] = f"{HOST},localhost"
        log = tempfile.NamedTemporaryFile(prefix=f"cloudlet-bench-{self.name}-", suffix=".log")  # noqa: SIM115
        argv = self.command(port)
        started = time.perf_counter()
        try:
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=tempfile.gettempdir(),
                start_new_session=True,
            )
        except OSError as exc:
            log.close()
            raise Unavailable(f"{self.name}: cannot run {argv[0]}: {exc}") from exc
        server = Server(self, port, proc, started, log)
        _LIVE.add(server)
        return server


def stop_all() -> None:
    """Stop every server still running (called on exit and on Ctrl-C)."""
    for server in list(_LIVE):
        with contextlib.suppress(Exception):
            server.stop()


TARGETS: dict[str, Target] = {
    "cloudlet": Target(
        name="cloudlet",
        health_path="/_cloudlet/health",
        launcher=[sys.executable, "-m", "cloudlet"],
        dist="cloudlet",
        args=["start", "--ephemeral", "--port", "{port}"],
    ),
    # Pinned to the versions measured in shared/docs/PEERS.md; bump here to compare newer ones.
    "moto": Target(
        name="moto",
        health_path="/moto-api/",
        package="moto",
        pip_spec="moto[server]==5.2.5",
        script="moto_server",
        args=["-H", "{host}", "-p", "{port}"],
    ),
    "ministack": Target(
        name="ministack",
        # app.py serves /_ministack/health, /_localstack/health and /health alike.
        health_path="/_ministack/health",
        package="ministack",
        pip_spec="ministack==1.5.33",
        script="ministack",
        extra_env={"GATEWAY_PORT": "{port}", "BIND_HOST": "{host}"},
    ),
    # Not a product: a canned-response server showing what the client and machine cost alone.
    "floor": Target(
        name="floor",
        health_path="/",
        launcher=[sys.executable, str(Path(__file__).resolve().parent / "floor.py")],
        args=["{port}"],
    ),
}
"""Every known target by name: cloudlet, the peers, then the floor."""

PEERS = ["moto", "ministack"]
"""The products cloudlet is compared with (the "cloudlet ÷ peer" columns)."""

FLOOR = "floor"
"""The reference column: `floor.py`, a server that does nothing."""
