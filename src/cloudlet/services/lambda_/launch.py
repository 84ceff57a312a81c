"""Starting an environment's process: its variables, and how each runtime family is launched.

- `python3.X`: forked from the template (`templates.py`) with the function's sys.path: the code
  directory, then the layers' `python` and `python/lib/python3.X/site-packages`, then cloudlet's
  own site-packages (so boto3 is importable without being in the zip, as in AWS's runtimes).
- `nodejs*`: `node runtimes/node_bootstrap.js`, spawned by the supervisor.
- `provided*`: the function's own `bootstrap` (code directory first, then the layers' /opt).

Node and provided processes join the environment's cgroups through a `/bin/sh` line run before
`exec`. Every environment gets AWS's reserved variables, credentials for the function's account
(registered as its execution role's session), and `AWS_ENDPOINT_URL` pointing at cloudlet.
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from cloudlet.platform.credentials import Principal
from cloudlet.services.lambda_.models import NODE_RUNTIMES, PYTHON_RUNTIMES
from cloudlet.services.lambda_.templates import interpreter_for

if TYPE_CHECKING:
    from cloudlet.services.lambda_.environments import Environment

NODE_BOOTSTRAP = Path(__file__).parent / "runtimes" / "node_bootstrap.js"
_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def environment(env: Environment, address: str) -> dict[str, str]:
    """The environment variables of one execution environment."""
    spec = env.spec
    config = spec.config
    runtime = config.get("Runtime") or ""
    account, region = spec.account, spec.region
    key_id = "ASIA" + secrets.token_hex(8).upper()
    role = str(config.get("Role", ""))
    role_name = role.rsplit("/", 1)[-1] or "lambda"
    session_arn = f"arn:aws:sts::{account}:assumed-role/{role_name}/{spec.name}"
    env.runner.platform.credentials.register(
        key_id,
        Principal(account, session_arn, f"AROA{secrets.token_hex(8).upper()}:{spec.name}"),
        None,
    )
    opt = spec.opt_dir
    path = ([str(opt / "bin")] if opt else []) + [os.environ.get("PATH", _PATH)]
    variables = {
        "PATH": ":".join(path),
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "LD_LIBRARY_PATH": ":".join(
            ([str(opt / "lib")] if opt else []) + [os.environ.get("LD_LIBRARY_PATH", "/usr/lib")]
        ),
        "TMPDIR": str(env._tmp),
        "HOME": str(env._tmp),
        **(config.get("Environment") or {}).get("Variables", {}),
        "_HANDLER": str(config.get("Handler", "")),
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{runtime}",
        "AWS_LAMBDA_FUNCTION_NAME": spec.name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
        "AWS_LAMBDA_FUNCTION_VERSION": spec.version,
        "AWS_LAMBDA_INITIALIZATION_TYPE": "provisioned-concurrency"
        if env.provisioned
        else "on-demand",
        "AWS_LAMBDA_LOG_GROUP_NAME": config["LoggingConfig"]["LogGroup"],
        "AWS_LAMBDA_LOG_STREAM_NAME": env.stream,
        "AWS_ACCESS_KEY_ID": key_id,
        "AWS_SECRET_ACCESS_KEY": secrets.token_urlsafe(30),
        "AWS_SESSION_TOKEN": secrets.token_urlsafe(64),
        "AWS_LAMBDA_RUNTIME_API": address,
        "AWS_ENDPOINT_URL": env.runner.platform.config.endpoint,
        "LAMBDA_TASK_ROOT": str(spec.code_dir),
        "LAMBDA_RUNTIME_DIR": str(Path(__file__).parent / "runtimes"),
    }
    logging_config = config.get("LoggingConfig") or {}
    if logging_config.get("LogFormat") == "JSON":
        variables["AWS_LAMBDA_LOG_FORMAT"] = "JSON"
        if logging_config.get("ApplicationLogLevel"):
            variables["AWS_LAMBDA_LOG_LEVEL"] = logging_config["ApplicationLogLevel"]
    if runtime in NODE_RUNTIMES and opt is not None:
        variables["NODE_PATH"] = (
            f"{opt}/nodejs/node_modules:{opt}/nodejs/node{runtime[6:8]}/node_modules"
        )
    return variables


async def start(env: Environment, variables: dict[str, str]) -> None:
    """Start the environment's process; raises when it cannot be started at all."""
    runtime = env.spec.config.get("Runtime") or ""
    if runtime in PYTHON_RUNTIMES:
        await _fork_python(env, variables, runtime)
    elif runtime in NODE_RUNTIMES:
        node = shutil.which("node")
        if node is None:
            raise RuntimeError(f"the {runtime} runtime needs Node.js: `node` is not on the PATH")
        await _spawn(env, variables, [node, str(NODE_BOOTSTRAP)])
    else:
        bootstrap = _find_bootstrap(env)
        await _spawn(env, variables, [str(bootstrap)])


async def _fork_python(env: Environment, variables: dict[str, str], runtime: str) -> None:
    interpreter, warning = interpreter_for(runtime)
    template = await env.runner.templates.get(interpreter)
    spec = env.spec
    version = runtime.removeprefix("python")
    path = [str(spec.code_dir)]
    if spec.opt_dir is not None:
        path += [
            f"{spec.opt_dir}/python/lib/python{version}/site-packages",
            f"{spec.opt_dir}/python",
        ]
    request = {
        "env": variables,
        "cwd": str(spec.code_dir),
        "path": path,
        "handler": str(spec.config.get("Handler", "")),
        "cgroups": env.sandbox.procs if env.sandbox is not None else [],
        "warnings": [warning] if warning else [],
    }
    write_fd = env.open_log_pipe()
    try:
        env.pid = await template.fork(request, write_fd, env._on_exit)
    finally:
        os.close(write_fd)


async def _spawn(env: Environment, variables: dict[str, str], argv: list[str]) -> None:
    procs = env.sandbox.procs if env.sandbox is not None else []
    if procs:
        joins = "; ".join(f"echo $$ > '{p}'" for p in procs)
        argv = ["/bin/sh", "-c", f'{joins}; exec "$0" "$@"', *argv]
    env.child = await env.runner.platform.supervisor.spawn(
        argv,
        owner=f"lambda:{env.spec.account}:{env.spec.region}:{env.spec.name}",
        env=variables,
        cwd=env.spec.code_dir,
        on_output=env.on_output,
        on_exit=env._on_exit,
    )
    env.pid = env.child.pid


def _find_bootstrap(env: Environment) -> Path:
    candidates = [env.spec.code_dir / "bootstrap"]
    if env.spec.opt_dir is not None:
        candidates.append(env.spec.opt_dir / "bootstrap")
    for candidate in candidates:
        if candidate.is_file():
            if not os.access(candidate, os.X_OK):
                raise RuntimeError(f"{candidate.name} is not executable (permission denied)")
            return candidate
    raise RuntimeError("Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]")
