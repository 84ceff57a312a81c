"""The template process of Python execution environments (run as a script; imports no cloudlet).

cloudlet starts one template per interpreter. It imports the runtime interface client
(awslambdaric) once, then waits on its control socket (a SOCK_SEQPACKET unix socket, fd given in
argv) for fork requests. Each request is one JSON message with the write end of the new
environment's log pipe attached (SCM_RIGHTS); the template forks, and the child becomes the
environment: its own process group, parent-death signal, cgroups and rlimits, stdout and stderr
on the log pipe, the function's environment variables and sys.path, then awslambdaric's
`bootstrap.run` against the environment's own Runtime API address. A cold start therefore costs a
fork plus importing the handler.

The native runtime client reads AWS_LAMBDA_RUNTIME_API when its shared object is loaded, so the
template imports awslambdaric with a stand-in for it and each child loads the real one after
setting its own address. Messages to cloudlet: {"op": "forked", "id", "pid"} or
{"op": "error", "id", "message"} per request, {"op": "exit", "pid", "status"} when a child ends
(the template is a subreaper, so orphaned grandchildren are reaped here too).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import json
import os
import resource
import selectors
import signal
import socket
import sys
import time
import types

if sys.path and sys.path[0] == os.path.dirname(os.path.abspath(__file__)):
    del sys.path[0]  # never let this directory shadow a handler's or the stdlib's modules

_libc = ctypes.CDLL(None, use_errno=True)
_PR_SET_PDEATHSIG = 1
_PR_SET_CHILD_SUBREAPER = 36
_MAX_MESSAGE = 1 << 20

os.environ.setdefault("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9")
_stand_in = types.ModuleType("runtime_client")
_stand_in.initialize_client = lambda user_agent: None  # type: ignore[attr-defined]
sys.modules["runtime_client"] = _stand_in
from awslambdaric import bootstrap, lambda_runtime_client  # noqa: E402
from awslambdaric.lambda_config import LambdaConfigProvider  # noqa: E402

_THREAD_POLLING = LambdaConfigProvider.SUPPORTED_THREADPOLLING_ENVS

del sys.modules["runtime_client"]
with contextlib.suppress(OSError):  # the native client's dependencies: its load gets quicker
    ctypes.CDLL("libstdc++.so.6")
import http.client  # noqa: E402,F401  (awslambdaric imports it lazily on the init-error path)
import logging  # noqa: E402,F401


def _child(request: dict, log_fd: int, control: socket.socket, template_pid: int) -> None:
    """Become one execution environment; never returns."""
    status = 1
    try:
        control.close()
        os.setpgid(0, 0)
        _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != template_pid:
            os._exit(1)  # the template died before the death signal was armed
        for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT, signal.SIGPIPE):
            signal.signal(signum, signal.SIG_DFL)
        for procs in request.get("cgroups", ()):
            with open(procs, "w") as handle:
                handle.write(str(os.getpid()))
        for res, soft, hard in request.get("rlimits", ()):
            resource.setrlimit(res, (soft, hard))
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        os.close(null)
        os.close(log_fd)
        os.environ.clear()
        os.environ.update(request["env"])
        time.tzset()
        os.chdir(request["cwd"])
        sys.path[:0] = request["path"]
        for warning in request.get("warnings", ()):
            sys.stdout.write(warning + "\n")
        import runtime_client

        runtime_client.initialize_client(lambda_runtime_client._user_agent())
        lambda_runtime_client.runtime_client = runtime_client
        runtime = bootstrap
        if os.environ.get("AWS_LAMBDA_LOG_FORMAT") or os.environ.get("AWS_LAMBDA_LOG_LEVEL"):
            import importlib

            runtime = importlib.reload(bootstrap)  # its log format is read at import time
        address = os.environ["AWS_LAMBDA_RUNTIME_API"]
        use_thread = os.environ.get("AWS_EXECUTION_ENV") in _THREAD_POLLING
        gc.unfreeze()
        runtime.run(
            request["handler"], lambda_runtime_client.LambdaRuntimeClient(address, use_thread)
        )
        status = 0
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(status)


def _send(control: socket.socket, message: dict) -> None:
    try:
        control.send(json.dumps(message).encode())
    except OSError:
        os._exit(0)  # cloudlet is gone


def _reap(control: socket.socket) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        _send(control, {"op": "exit", "pid": pid, "status": os.waitstatus_to_exitcode(status)})


def main() -> None:
    control = socket.socket(fileno=int(sys.argv[1]))
    _libc.prctl(_PR_SET_CHILD_SUBREAPER, 1)
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    os.set_blocking(wake_read, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)
    selector = selectors.DefaultSelector()
    selector.register(control, selectors.EVENT_READ, "control")
    selector.register(wake_read, selectors.EVENT_READ, "wake")
    gc.collect()
    gc.freeze()  # keep the imported objects' pages shared with every child
    template_pid = os.getpid()
    _send(control, {"op": "ready", "pid": template_pid})
    while True:
        for key, _ in selector.select():
            if key.data == "wake":
                with contextlib.suppress(BlockingIOError):
                    os.read(wake_read, 4096)
                _reap(control)
                continue
            try:
                data, fds, _, _ = socket.recv_fds(control, _MAX_MESSAGE, 4)
            except InterruptedError:
                continue
            if not data:
                return  # cloudlet closed the control socket
            request = json.loads(data)
            if not fds:
                _send(control, {"op": "error", "id": request.get("id"), "message": "no log fd"})
                continue
            sys.stdout.flush()
            sys.stderr.flush()
            try:
                pid = os.fork()
            except OSError as exc:
                for fd in fds:
                    os.close(fd)
                _send(control, {"op": "error", "id": request["id"], "message": str(exc)})
                continue
            if pid == 0:
                signal.set_wakeup_fd(-1)
                selector.close()
                os.close(wake_read)
                os.close(wake_write)
                for fd in fds[1:]:
                    os.close(fd)
                _child(request, fds[0], control, template_pid)
            for fd in fds:
                os.close(fd)
            _send(control, {"op": "forked", "id": request["id"], "pid": pid})


if __name__ == "__main__":
    main()
