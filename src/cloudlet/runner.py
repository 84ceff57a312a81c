"""Assembles one cloudlet (store, clock, supervisor, services, gateway, server) and runs it.

Start-up does as little as it can: no botocore model and no provider is loaded until a request
needs it. Shutdown (SIGINT or SIGTERM) stops accepting, lets requests in flight finish, shuts the
providers down and ends every child process before the data directory is closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from cloudlet.config import Config
from cloudlet.gateway.app import Gateway
from cloudlet.gateway.server import HttpServer
from cloudlet.platform.clock import Clock
from cloudlet.platform.credentials import Credentials
from cloudlet.platform.runtime import Platform
from cloudlet.platform.store import Store
from cloudlet.platform.supervisor import Supervisor
from cloudlet.services.manager import ServiceManager
from cloudlet.services.registry import SERVICES

log = logging.getLogger("cloudlet")

PID_FILE = "cloudlet.pid"
DATABASE_FILE = "cloudlet.db"


class AlreadyRunning(RuntimeError):
    """Another live cloudlet owns the data directory."""


def claim_data_dir(data_dir: Path) -> Path:
    """Create the data directory and write our pid file; refuse if a live cloudlet owns it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    pid_file = data_dir / PID_FILE
    try:
        other = int(pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        other = 0
    if other and other != os.getpid() and _alive(other):
        raise AlreadyRunning(f"cloudlet (pid {other}) is already running with data dir {data_dir}")
    pid_file.write_text(f"{os.getpid()}\n")
    return pid_file


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


async def build_platform(config: Config) -> Platform:
    store = Store(config.data_dir / DATABASE_FILE)
    supervisor = Supervisor(store, config.data_dir)
    supervisor.reap_orphans()
    services = ServiceManager()
    platform = Platform(
        config=config,
        store=store,
        clock=Clock(config.time_scale, store, resolver=services.resolve_timer),
        credentials=Credentials(store),
        supervisor=supervisor,
        services=services,
    )
    services.bind(platform)
    return platform


async def serve(config: Config, on_ready: Callable[[Config], None] | None = None) -> None:
    """Run until SIGINT/SIGTERM (or cancellation)."""
    pid_file = claim_data_dir(config.data_dir)
    platform = await build_platform(config)
    gateway = Gateway(platform)
    server = HttpServer(gateway, config.host, config.port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await server.start()
        if server.port != config.port:
            config = Config(**{**config.__dict__, "port": server.port})
            platform.config = config
        await platform.clock.start()
        if on_ready is not None:
            on_ready(config)
        resuming = asyncio.ensure_future(platform.services.resume())
        await stop.wait()
        resuming.cancel()
    finally:
        await server.stop()
        platform.clock.stop()
        await platform.services.shutdown()
        await platform.supervisor.shutdown()
        platform.store.close()
        with contextlib.suppress(FileNotFoundError):
            pid_file.unlink()


def announce(config: Config) -> None:
    """The start-up banner; its last line says cloudlet is ready."""
    print(f"cloudlet endpoint: {config.endpoint}", flush=False)
    print(f"data dir: {config.data_dir}")
    print(f"time scale: {config.time_scale:g}")
    print(f"services: {', '.join(sorted(SERVICES))}")
    print("Ready.", flush=True)


def run(config: Config, ephemeral: bool = False) -> int:
    """Run cloudlet in the foreground; returns the process exit code."""
    temp_dir = None
    if ephemeral:
        temp_dir = tempfile.mkdtemp(prefix="cloudlet-")
        config = Config(**{**config.__dict__, "data_dir": Path(temp_dir)})
    try:
        run_loop(serve(config, announce))
    except AlreadyRunning as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error: cannot serve on {config.host}:{config.port}: {exc}", file=sys.stderr)
        return 1
    finally:
        if temp_dir is not None:
            shutil.rmtree(temp_dir, ignore_errors=True)
    return 0


def run_loop(main: Coroutine[Any, Any, None]) -> None:
    """Run `main` on uvloop when it is installed, else on asyncio's own loop."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
        return
    uvloop.run(main)
