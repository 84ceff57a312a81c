"""The `cloudlet` command against real server processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cloudlet.testing import CloudletProcess, free_port


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cloudlet", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture
def server(tmp_path: Path) -> CloudletProcess:
    process = CloudletProcess(data_dir=tmp_path / "data", time_scale=20)
    process.start()
    yield process
    process.cleanup()


def test_start_prints_endpoint_data_dir_services_then_ready(server: CloudletProcess) -> None:
    log = server.log()
    assert f"cloudlet endpoint: {server.endpoint}" in log
    assert f"data dir: {server.data_dir}" in log
    assert "services: " in log and "sts" in log
    assert log.rstrip().endswith("Ready.")


def test_health_reports_status_version_services_and_time_scale(server: CloudletProcess) -> None:
    health = server.health()
    assert health is not None
    assert health["status"] == "running"
    assert health["version"]
    assert health["time_scale"] == 20
    assert health["services"]["sts"] == "available"


def test_status_shows_operation_coverage(server: CloudletProcess) -> None:
    result = cli("status", "--endpoint", server.endpoint)
    assert result.returncode == 0, result.stderr
    assert "running at" in result.stdout
    assert any(line.split()[0] == "sts" for line in result.stdout.splitlines()[3:])


def test_reset_command(server: CloudletProcess) -> None:
    result = cli("reset", "--endpoint", server.endpoint)
    assert result.returncode == 0
    assert "reset" in result.stdout


def test_commands_report_a_server_that_is_not_running() -> None:
    endpoint = f"http://127.0.0.1:{free_port()}"
    for command in ("status", "stop", "reset"):
        result = cli(command, "--endpoint", endpoint)
        assert result.returncode == 1
        assert "not running" in result.stdout


def test_sigterm_shuts_down_cleanly_and_removes_pid_file(server: CloudletProcess) -> None:
    assert (server.data_dir / "cloudlet.pid").exists()
    started = time.monotonic()
    assert server.stop() == 0
    assert time.monotonic() - started < 5
    assert not (server.data_dir / "cloudlet.pid").exists()


def test_sigint_shuts_down_cleanly(server: CloudletProcess) -> None:
    assert server.process is not None
    server.process.send_signal(signal.SIGINT)
    assert server.process.wait(10) == 0


def test_second_server_on_same_data_dir_is_refused(server: CloudletProcess) -> None:
    result = cli("start", "--port", str(free_port()), "--data-dir", str(server.data_dir))
    assert result.returncode == 1
    assert "already running" in result.stderr


def test_environment_variables_configure_start(tmp_path: Path) -> None:
    port = free_port()
    env = {
        "CLOUDLET_PORT": str(port),
        "CLOUDLET_DATA_DIR": str(tmp_path / "env-data"),
        "CLOUDLET_TIME_SCALE": "50",
    }
    result = cli("start", "--detach", env=env)
    assert result.returncode == 0, result.stderr
    endpoint = f"http://127.0.0.1:{port}"
    try:
        status = cli("status", "--endpoint", endpoint)
        assert "time scale: 50" in status.stdout
        assert str(tmp_path / "env-data") in status.stdout
        assert (tmp_path / "env-data" / "cloudlet.pid").exists()
    finally:
        stopped = cli("stop", "--endpoint", endpoint)
    assert stopped.returncode == 0
    assert "stopped" in stopped.stdout


def test_ephemeral_data_dir_is_removed_at_exit() -> None:
    process = CloudletProcess(extra_args=["--ephemeral"])
    process.start()
    health = process.health()
    assert health is not None
    data_dir = Path(health["data_dir"])
    assert data_dir != process.data_dir
    assert data_dir.exists()
    process.cleanup()
    assert not data_dir.exists()


def test_invalid_time_scale_is_rejected() -> None:
    result = cli("start", "--time-scale", "0", "--port", str(free_port()))
    assert result.returncode == 2
    assert "time-scale" in result.stderr
