"""Template processes: pre-initialised Python interpreters that fork new execution environments.

    cloudlet ──control socket (SEQPACKET + SCM_RIGHTS)──▶ template (supervisor child)
        fork request {env, cwd, path, handler, cgroups, rlimits} + log pipe fd
                                                        └─ fork ─▶ environment (awslambdaric)
        ◀── {"op": "forked", pid} · {"op": "exit", pid, status}

One template per interpreter, started through the supervisor on first use (so it has a process
group, a parent-death signal and is ended on shutdown; its forked environments stay in its
session and die with it). The script it runs is `runtimes/python_template.py`. A template that
dies is restarted on the next request; the environments it had report an exit.

Which interpreter runs a `python3.X` function: cloudlet's own when it is 3.X; otherwise cloudlet's
own with a warning in the function's logs (awslambdaric's native client is built for cloudlet's
interpreter, so another interpreter cannot run it).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cloudlet.platform.runtime import Platform
    from cloudlet.platform.supervisor import Child

log = logging.getLogger(__name__)

SCRIPT = Path(__file__).parent / "runtimes" / "python_template.py"
_MAX_MESSAGE = 1 << 16

ExitHandler = Callable[[int], None]


def interpreter_for(runtime: str) -> tuple[str, str | None]:
    """(interpreter, warning for the function's log or None) for a `python3.X` runtime."""
    wanted = runtime.removeprefix("python")
    ours = f"{sys.version_info.major}.{sys.version_info.minor}"
    if wanted == ours:
        return sys.executable, None
    return sys.executable, (
        f"cloudlet: no Python {wanted} able to run the Lambda runtime interface client was found"
        f" on this machine; running {runtime} on Python {sys.version.split()[0]}"
        f" ({sys.executable})."
    )


class TemplateError(RuntimeError):
    """A template could not start or fork."""


class Template:
    """One running template process."""

    def __init__(self, platform: Platform, interpreter: str) -> None:
        self.platform = platform
        self.interpreter = interpreter
        self.child: Child | None = None
        self.pid = 0
        self._socket: socket.socket | None = None
        self._ids = 0
        self._replies: dict[int, tuple[asyncio.Future[dict[str, Any]], ExitHandler]] = {}
        self._exits: dict[int, ExitHandler] = {}
        self._ready: asyncio.Future[None] | None = None
        self.alive = False

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self._ready = loop.create_future()
            self.child = await self.platform.supervisor.spawn(
                [self.interpreter, str(SCRIPT), str(theirs.fileno())],
                owner=f"lambda:template:{self.interpreter}",
                env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
                pass_fds=[theirs.fileno()],
                on_output=self._output,
                on_exit=self._exited,
            )
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        ours.setblocking(False)
        self._socket = ours
        self.alive = True
        loop.add_reader(ours.fileno(), self._readable)
        try:
            await asyncio.wait_for(asyncio.shield(self._ready), 30)
        except (TimeoutError, TemplateError) as exc:
            await self.stop()
            raise TemplateError(f"the Python template ({self.interpreter}) did not start") from exc

    async def fork(self, request: dict[str, Any], log_fd: int, on_exit: ExitHandler) -> int:
        """Fork one environment; `log_fd` becomes its stdout and stderr. Returns its pid."""
        if not self.alive or self._socket is None:
            raise TemplateError("the Python template is not running")
        self._ids += 1
        request_id = self._ids
        reply: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._replies[request_id] = (reply, on_exit)
        data = json.dumps({**request, "id": request_id}).encode()
        while True:
            try:
                socket.send_fds(self._socket, [data], [log_fd])
                break
            except BlockingIOError:
                await asyncio.sleep(0.001)
            except OSError as exc:
                self._replies.pop(request_id, None)
                raise TemplateError(f"the Python template is gone: {exc}") from exc
        message = await reply
        if message["op"] != "forked":
            raise TemplateError(message.get("message", "fork failed"))
        return int(message["pid"])

    async def stop(self) -> None:
        self._close()
        if self.child is not None and self.child.returncode is None:
            await self.child.terminate(grace=1.0)

    def _close(self) -> None:
        self.alive = False
        if self._socket is not None:
            with contextlib.suppress(Exception):
                asyncio.get_running_loop().remove_reader(self._socket.fileno())
            self._socket.close()
            self._socket = None

    def _readable(self) -> None:
        assert self._socket is not None
        while True:
            try:
                data = self._socket.recv(_MAX_MESSAGE)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                self._close()
                return
            self._message(json.loads(data))

    def _message(self, message: dict[str, Any]) -> None:
        op = message.get("op")
        if op == "ready":
            self.pid = int(message["pid"])
            if self._ready is not None and not self._ready.done():
                self._ready.set_result(None)
        elif op in ("forked", "error"):
            entry = self._replies.pop(int(message["id"]), None)
            if entry is None:
                return
            reply, on_exit = entry
            if op == "forked":  # registered now: its exit may be the very next message
                self._exits[int(message["pid"])] = on_exit
            if not reply.done():
                reply.set_result(message)
        elif op == "exit":  # orphaned grandchildren reaped by the template have no handler
            handler = self._exits.pop(int(message["pid"]), None)
            if handler is not None:
                handler(int(message["status"]))

    def _output(self, stream: str, line: bytes) -> None:
        log.warning("python template: %s", line.decode(errors="replace"))

    def _exited(self, returncode: int) -> None:
        self._close()
        if self._ready is not None and not self._ready.done():
            self._ready.set_exception(TemplateError(f"exited with {returncode}"))
        for reply, _ in self._replies.values():
            if not reply.done():
                reply.set_result({"op": "error", "message": "the Python template exited"})
        self._replies.clear()
        exits, self._exits = self._exits, {}
        for handler in exits.values():
            handler(-9)


class Templates:
    """One template per interpreter, (re)started on demand."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self._templates: dict[str, Template] = {}
        self._lock = asyncio.Lock()

    async def get(self, interpreter: str) -> Template:
        template = self._templates.get(interpreter)
        if template is not None and template.alive:
            return template
        async with self._lock:
            template = self._templates.get(interpreter)
            if template is None or not template.alive:
                template = Template(self.platform, interpreter)
                await template.start()
                self._templates[interpreter] = template
        return template

    async def stop(self) -> None:
        templates, self._templates = list(self._templates.values()), {}
        await asyncio.gather(*(template.stop() for template in templates))
