"""The `cloudlet` command: start, status, stop, reset.

Every option of `start` falls back to a `CLOUDLET_*` environment variable. `status`, `stop` and
`reset` talk to a running cloudlet over its `/_cloudlet/` endpoints (argparse rather than a
heavier CLI library: start-up time is a product target).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

from cloudlet import __version__
from cloudlet.config import DEFAULT_HOST, DEFAULT_PORT, Config, default_data_dir, env_value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cloudlet", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"cloudlet {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    start = commands.add_parser("start", help="run cloudlet (foreground unless --detach)")
    start.add_argument("--host", default=env_value("HOST", DEFAULT_HOST))
    start.add_argument("--port", type=int, default=int(env_value("PORT", str(DEFAULT_PORT)) or 0))
    start.add_argument("--data-dir", type=Path, default=env_value("DATA_DIR"))
    start.add_argument(
        "--ephemeral",
        action="store_true",
        default=env_value("EPHEMERAL", "") in ("1", "true", "yes"),
        help="keep data in a temporary directory, removed at exit",
    )
    start.add_argument("--time-scale", type=float, default=float(env_value("TIME_SCALE", "1") or 1))
    start.add_argument("--default-account", default=env_value("DEFAULT_ACCOUNT", "000000000000"))
    start.add_argument("--default-region", default=env_value("DEFAULT_REGION", "us-east-1"))
    start.add_argument("-d", "--detach", action="store_true", help="run in the background")

    for name, text in (
        ("status", "health and operation coverage of a running cloudlet"),
        ("stop", "stop a running cloudlet"),
        ("reset", "wipe all state of a running cloudlet"),
    ):
        command = commands.add_parser(name, help=text)
        command.add_argument(
            "--endpoint",
            default=env_value("ENDPOINT")
            or f"http://{env_value('HOST', DEFAULT_HOST)}:{env_value('PORT', str(DEFAULT_PORT))}",
        )
    return parser


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    handler = {"start": _start, "status": _status, "stop": _stop, "reset": _reset}[args.command]
    sys.exit(handler(args))


def _start(args: argparse.Namespace) -> int:
    if args.time_scale <= 0:
        print("error: --time-scale must be positive", file=sys.stderr)
        return 2
    config = Config(
        host=args.host,
        port=args.port,
        data_dir=Path(args.data_dir) if args.data_dir else default_data_dir(),
        time_scale=args.time_scale,
        default_account=args.default_account,
        default_region=args.default_region,
    )
    if args.detach:
        return _detach(config, args.ephemeral)
    from cloudlet.runner import run

    return run(config, ephemeral=args.ephemeral)


def _detach(config: Config, ephemeral: bool) -> int:
    """Start cloudlet in the background; return once it is ready (pid file in the data dir)."""
    config.data_dir.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "cloudlet", "start", "--host", config.host]
    argv += ["--port", str(config.port), "--data-dir", str(config.data_dir)]
    argv += ["--time-scale", str(config.time_scale)]
    argv += ["--default-account", config.default_account]
    argv += ["--default-region", config.default_region]
    if ephemeral:
        argv.append("--ephemeral")
    import subprocess

    log_path = config.data_dir / "cloudlet.log"
    with open(log_path, "ab") as log_file:
        child = subprocess.Popen(
            argv, stdout=log_file, stderr=log_file, stdin=subprocess.DEVNULL, start_new_session=True
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if child.poll() is not None:
            print(
                f"error: cloudlet exited with {child.returncode}; see {log_path}", file=sys.stderr
            )
            return 1
        if _get(config.endpoint, "health") is not None:
            print(f"cloudlet running in the background (pid {child.pid}) at {config.endpoint}")
            print(f"data dir: {config.data_dir}; log: {log_path}")
            return 0
        time.sleep(0.05)
    print(f"error: cloudlet did not become ready; see {log_path}", file=sys.stderr)
    return 1


def _get(endpoint: str, name: str, method: str = "GET") -> dict[str, Any] | None:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(f"{endpoint}/_cloudlet/{name}", method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            result: dict[str, Any] = json.loads(response.read())
            return result
    except (urllib.error.URLError, OSError, ValueError):
        return None


def _status(args: argparse.Namespace) -> int:
    health = _get(args.endpoint, "health")
    if health is None:
        print(f"cloudlet is not running at {args.endpoint}")
        return 1
    print(f"cloudlet {health['version']} running at {args.endpoint} (pid {health['pid']})")
    print(f"data dir: {health['data_dir']}; time scale: {health['time_scale']:g}")
    coverage = _get(args.endpoint, "coverage") or {"services": {}}
    print(f"{'service':<24}{'implemented':>12}{'of':>6}")
    for name, ops in sorted(coverage["services"].items()):
        implemented = len(ops["implemented"])
        total = implemented + len(ops["not_implemented"])
        print(f"{name:<24}{implemented:>12}{total:>6}")
    return 0


def _stop(args: argparse.Namespace) -> int:
    health = _get(args.endpoint, "health")
    if health is None:
        print(f"cloudlet is not running at {args.endpoint}")
        return 1
    pid = int(health["pid"])
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            print("cloudlet stopped")
            return 0
        time.sleep(0.05)
    print(f"error: cloudlet (pid {pid}) did not stop in time", file=sys.stderr)
    return 1


def _reset(args: argparse.Namespace) -> int:
    if _get(args.endpoint, "reset", method="POST") is None:
        print(f"cloudlet is not running at {args.endpoint}")
        return 1
    print("all state reset")
    return 0
