"""`CloudletProcess`: a cloudlet server in a child process, on a free port, with its own data."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class CloudletProcess:
    """Start with `start()` (or `with`), stop with `stop()`; `endpoint` is its URL."""

    def __init__(
        self,
        *,
        port: int | None = None,
        data_dir: Path | None = None,
        time_scale: float = 1.0,
        env: dict[str, str] | None = None,
        extra_args: list[str] | None = None,
    ) -> None:
        self.port = port or free_port()
        self._temp_dir: tempfile.TemporaryDirectory[str] | None = None
        if data_dir is None:
            self._temp_dir = tempfile.TemporaryDirectory(prefix="cloudlet-test-")
            data_dir = Path(self._temp_dir.name)
        self.data_dir = data_dir
        self.time_scale = time_scale
        self.env = env or {}
        self.extra_args = extra_args or []
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = self.data_dir / "test-server.log"

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> CloudletProcess:
        argv = [sys.executable, "-m", "cloudlet", "start", "--host", "127.0.0.1"]
        argv += ["--port", str(self.port), "--data-dir", str(self.data_dir)]
        argv += ["--time-scale", str(self.time_scale), *self.extra_args]
        env = {**os.environ, **self.env}
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log_file:
            self.process = subprocess.Popen(
                argv, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"cloudlet exited early:\n{self.log()}")
            if self.health() is not None:
                return self
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"cloudlet did not become ready in {timeout} s:\n{self.log()}")

    def health(self) -> dict[str, Any] | None:
        try:
            with urllib.request.urlopen(f"{self.endpoint}/_cloudlet/health", timeout=5) as r:
                result: dict[str, Any] = json.loads(r.read())
                return result
        except (urllib.error.URLError, OSError, ValueError):
            return None

    def reset(self) -> None:
        request = urllib.request.Request(f"{self.endpoint}/_cloudlet/reset", method="POST")
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def stop(self, timeout: float = 15.0) -> int | None:
        """SIGTERM and wait; SIGKILL if it does not stop in time. Returns the exit code."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def cleanup(self) -> None:
        self.stop()
        if self._temp_dir is not None:
            self._temp_dir.cleanup()

    def __enter__(self) -> CloudletProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.cleanup()
