"""The running side of instances: each one's process tree, app directory and metadata service.

    <data dir>/ec2/instances/<instance id>/
        app/          a copy of the image's bundle: the working directory of the instance
        user-data     the decoded user data
        boot.sh       what the instance runs: its user data in the background on the first boot
                      only (cloud-init's rule), then `exec` of the image's boot command (or an idle
                      process for an image without one)
        console.log   everything the instance printed (GetConsoleOutput)
        home/

An instance's main process is that boot process. When it ends on its own (the app crashed, the
user data ran `kill 1`-like things) the instance has shut itself down: `on_shutdown` reports it,
and EC2 applies `InstanceInitiatedShutdownBehavior` (stop, or terminate). Stopping, rebooting and
terminating end the whole process group.

Processes get `AWS_EC2_METADATA_SERVICE_ENDPOINT` (their metadata service), `AWS_ENDPOINT_URL`
(cloudlet), the region, `CLOUDLET_PRIVATE_IP` (the loopback address to bind: every instance shares
the host's network, so `0.0.0.0` would collide with other instances) and `PORT` (the image's port,
see `ports.py`). Credentials are not in the environment: SDKs fetch the instance profile's role
credentials from the metadata service, as on EC2.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import os
import shlex
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cloudlet.platform.limits import Limits
from cloudlet.services.ec2.imds import MetadataService
from cloudlet.services.ec2.ports import host_port

if TYPE_CHECKING:
    from cloudlet.platform.runtime import Platform
    from cloudlet.platform.supervisor import Child

log = logging.getLogger(__name__)

ShutdownCallback = Callable[[str, str, str, int], None]
"""`on_shutdown(account, region, instance id, return code)`: the instance ended by itself."""

_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
_IDLE = "exec sleep infinity"
_CONSOLE_LIMIT = 64 * 1024
"""GetConsoleOutput answers the last 64 KB, as AWS does."""


@dataclass
class Machine:
    """One running instance's processes and metadata service."""

    instance_id: str
    account: str
    region: str
    directory: Path
    imds: MetadataService
    child: Child | None = None
    halting: bool = False
    """Set while cloudlet ends the processes (their exit is not the instance's doing)."""
    console: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


class Machines:
    """Every running instance of one cloudlet."""

    def __init__(self, platform: Platform, on_shutdown: ShutdownCallback) -> None:
        self.platform = platform
        self.root = platform.config.data_dir / "ec2" / "instances"
        self.on_shutdown = on_shutdown
        self._machines: dict[str, Machine] = {}

    def directory(self, instance_id: str) -> Path:
        return self.root / instance_id

    def get(self, instance_id: str) -> Machine | None:
        return self._machines.get(instance_id)

    def prepare(self, instance_id: str, bundle: Path, user_data: str | None) -> None:
        """Create the instance's directory: its app (a copy of the image bundle), user data."""
        directory = self.directory(instance_id)
        if directory.exists():
            return
        shutil.copytree(bundle, directory / "app", symlinks=True)
        (directory / "home").mkdir()
        if user_data:
            (directory / "user-data").write_bytes(base64.b64decode(user_data))

    async def boot(
        self,
        account: str,
        region: str,
        instance: dict[str, Any],
        manifest: dict[str, Any],
        *,
        first: bool,
        memory_mib: int,
        source: Callable[[], dict[str, Any]],
        role: Callable[[], tuple[str, str] | None],
    ) -> None:
        """Start the instance's metadata service and main process; raises if it cannot start."""
        instance_id = instance["InstanceId"]
        ip = instance["PrivateIpAddress"]
        directory = self.directory(instance_id)
        imds = MetadataService(source, account, region, role, self._register)
        machine = Machine(instance_id, account, region, directory, imds)
        self._machines[instance_id] = machine
        try:
            endpoint = await imds.start(ip)
            script = directory / "boot.sh"
            script.write_text(_boot_script(directory, manifest, first))
            port = manifest.get("port")
            env = {
                "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', _PATH)}",
                "HOME": str(directory / "home"),
                "LANG": "C.UTF-8",
                "TZ": "UTC",
                "AWS_EC2_METADATA_SERVICE_ENDPOINT": endpoint,
                "AWS_ENDPOINT_URL": self.platform.config.endpoint,
                "AWS_REGION": region,
                "AWS_DEFAULT_REGION": region,
                "CLOUDLET_PRIVATE_IP": ip,
                "CLOUDLET_INSTANCE_DIR": str(directory),
            }
            if port:
                env["PORT"] = str(host_port(int(port)))
            machine.console = open(directory / "console.log", "ab")  # noqa: SIM115
            machine.child = await self.platform.supervisor.spawn(
                ["/bin/sh", str(script)],
                owner=f"ec2:{instance_id}",
                env=env,
                cwd=directory / "app",
                on_output=lambda _stream, line: self._output(machine, line),
                on_exit=lambda code: self._exited(machine, code),
                limits=Limits(memory_bytes=memory_mib * 1024 * 1024, max_processes=4096),
            )
        except BaseException:
            self._close(machine)
            self._machines.pop(instance_id, None)
            raise

    async def halt(self, instance_id: str, grace: float = 2.0) -> None:
        """End the instance's processes and metadata service (nothing happens if not running)."""
        machine = self._machines.pop(instance_id, None)
        if machine is None:
            return
        machine.halting = True
        if machine.child is not None and machine.child.returncode is None:
            await machine.child.terminate(grace)
        self._close(machine)

    async def halt_all(self) -> None:
        await asyncio.gather(*(self.halt(i) for i in list(self._machines)))

    def discard(self, instance_id: str) -> None:
        """Delete a terminated instance's directory."""
        shutil.rmtree(self.directory(instance_id), ignore_errors=True)

    def cpu_seconds(self, instance_id: str) -> tuple[float, int] | None:
        """(CPU seconds used by the process tree, pid of its main process); None if not running."""
        machine = self._machines.get(instance_id)
        if machine is None or machine.child is None or machine.child.returncode is not None:
            return None
        return machine.child.cpu_seconds(), machine.child.pid

    def console_output(self, instance_id: str) -> bytes:
        try:
            with open(self.directory(instance_id) / "console.log", "rb") as handle:
                handle.seek(0, os.SEEK_END)
                size = handle.tell()
                handle.seek(max(0, size - _CONSOLE_LIMIT))
                return handle.read()
        except OSError:
            return b""

    def _register(self, key_id: str, principal: Any, expires: float) -> None:
        self.platform.credentials.register(key_id, principal, expires)

    def _output(self, machine: Machine, line: bytes) -> None:
        if machine.console is not None and not machine.console.closed:
            machine.console.write(line + b"\n")
            machine.console.flush()

    def _exited(self, machine: Machine, code: int) -> None:
        self._close(machine)
        if machine.halting:
            return
        if self._machines.get(machine.instance_id) is machine:
            del self._machines[machine.instance_id]
        self.on_shutdown(machine.account, machine.region, machine.instance_id, code)

    def _close(self, machine: Machine) -> None:
        machine.imds.close()
        if machine.console is not None:
            with contextlib.suppress(OSError):
                machine.console.close()


def _boot_script(directory: Path, manifest: dict[str, Any], first: bool) -> str:
    user_data = directory / "user-data"
    lines = ["#!/bin/sh", "# cloudlet instance boot (generated at every boot)"]
    if first and user_data.exists():
        head = user_data.read_bytes()[:64]
        if head.startswith(b"#!"):
            lines.append(f"chmod +x {shlex.quote(str(user_data))}")
            lines.append(f"{shlex.quote(str(user_data))} &")
        else:
            lines.append(
                "echo 'cloud-init: user data does not start with #!: not run"
                " (cloudlet runs shell-script user data only)'"
            )
    boot = manifest.get("boot")
    lines.append(f"exec {boot}" if isinstance(boot, str) and boot.strip() else _IDLE)
    return "\n".join(lines) + "\n"
