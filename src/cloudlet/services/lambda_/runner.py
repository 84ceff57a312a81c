"""Which environment runs an invocation: warm reuse, cold starts, provisioned pools, retirement.

    run(spec, invocation)
      ├─ an idle environment of this version and revision (provisioned ones first)
      └─ else a new one (cold start: Init Duration on its first REPORT)
      → Environment.invoke → START / output / END / REPORT written to the function's log stream

Idle environments are kept, most recently used first, until the idle time-out
(`CLOUDLET_LAMBDA_IDLE_TIMEOUT` seconds, real time, default 300) or until the function's code or
configuration changes (`retire`), which ends idle environments at once and busy ones when they
finish. Provisioned environments (`provision`) are started ahead, never time out, and are
replaced when one dies. Everything is ended on `stop`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from cloudlet.services.lambda_ import logs
from cloudlet.services.lambda_.environments import Environment, Result, Spec
from cloudlet.services.lambda_.runtime_api import Invocation
from cloudlet.services.lambda_.sandbox import Sandboxes
from cloudlet.services.lambda_.templates import Templates

if TYPE_CHECKING:
    from cloudlet.platform.runtime import Platform
    from cloudlet.services.lambda_.code import CodeStore

VersionKey = tuple[str, str, str, str]
"""(account, region, function name, version)."""


class Runner:
    """Every execution environment of one server."""

    def __init__(self, platform: Platform, code: CodeStore) -> None:
        self.platform = platform
        self.code = code
        self.templates = Templates(platform)
        cgroups_wanted = os.environ.get("CLOUDLET_LAMBDA_CGROUPS", "on").lower()
        self.sandboxes = Sandboxes(enabled=cgroups_wanted not in ("0", "off", "false", "no"))
        self.logs = logs.LogWriter(platform.store)
        self.idle_timeout = float(os.environ.get("CLOUDLET_LAMBDA_IDLE_TIMEOUT", "300"))
        self._idle: dict[tuple[str, ...], list[Environment]] = {}
        self._all: set[Environment] = set()
        self._provisioned: dict[VersionKey, tuple[Spec, int]] = {}
        self._sweeper: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.stopping = False

    # invocations

    async def run(self, spec: Spec, invocation: Invocation) -> Result:
        """Run `invocation` in an idle or new environment and log it."""
        env = self._take_idle(spec)
        if env is None:
            env = Environment(self, spec)
            self._all.add(env)
            self._start_sweeper()
            await env.start()
            if env.init_error is not None:
                return self._init_failed(env, invocation)
        result = await env.invoke(invocation)
        self._release(env)
        self._log(env, invocation.request_id, result)
        return result

    def _take_idle(self, spec: Spec) -> Environment | None:
        stack = self._idle.get(spec.key)
        while stack:
            env = stack.pop()
            if env.state == "idle" and not env.retired:
                return env
        return None

    def _release(self, env: Environment) -> None:
        if env.state != "idle":
            return
        if env.retired or self.stopping:
            env.kill()
            return
        stack = self._idle.setdefault(env.spec.key, [])
        stack.append(env)  # popped from the end: provisioned first, then most recently used
        if env.provisioned or (len(stack) > 1 and stack[-2].provisioned):
            stack.sort(key=lambda e: (e.provisioned, e.last_used))

    def _log(self, env: Environment, request_id: str, result: Result) -> None:
        spec = env.spec
        end = logs.now_ms()
        start = result.started_ms or end
        events = list(result.before)
        events.append((start, logs.start_line(request_id, spec.version)))
        events += result.lines
        outcome = result.outcome
        if outcome.status == "timeout":
            events.append((end, logs.timeout_line(request_id, spec.timeout)))
        events.append((end, logs.end_line(request_id)))
        events.append(
            (
                end,
                logs.report_line(
                    request_id,
                    result.duration_ms,
                    spec.memory_mb,
                    result.max_memory,
                    result.init_ms,
                    outcome.status,
                    outcome.error_type,
                ),
            )
        )
        result.lines = events
        self.write_lines(env, events)

    def _init_failed(self, env: Environment, invocation: Invocation) -> Result:
        assert env.init_error is not None
        outcome = env.init_error
        init_ms = env.init_ms or 0.0
        lines = env.take_lines()
        now = logs.now_ms()
        lines.append(
            (
                now,
                logs.init_report_line(
                    init_ms, "init", outcome.status or "error", outcome.error_type
                ),
            )
        )
        result = Result(outcome, 0.0, None, env.max_memory(), [], lines)
        invocation.settle(outcome)
        self._log(env, invocation.request_id, result)
        return result

    def write_lines(self, env: Environment, lines: list[tuple[int, str]]) -> None:
        spec = env.spec
        group = spec.config["LoggingConfig"]["LogGroup"]
        self.logs.write(spec.account, spec.region, group, env.stream, lines)

    # environment bookkeeping

    def forget(self, env: Environment) -> None:
        """Called by an environment that died."""
        self._all.discard(env)
        stack = self._idle.get(env.spec.key)
        if stack and env in stack:
            stack.remove(env)
        key = (env.spec.account, env.spec.region, env.spec.name, env.spec.version)
        if env.provisioned and key in self._provisioned and not self.stopping:
            self.track(self._top_up(key))

    def retire(self, account: str, region: str, name: str, version: str | None = None) -> None:
        """End the function's environments (of one version, or all): idle now, busy when done."""
        for env in list(self._all):
            spec = env.spec
            if (spec.account, spec.region, spec.name) != (account, region, name):
                continue
            if version is not None and spec.version != version:
                continue
            env.retired = True
            if env.state in ("idle", "init", "new"):
                env.kill()

    def retire_revision(self, spec_key: tuple[str, ...], keep: str) -> None:
        """End environments of an older revision of one version."""
        for env in list(self._all):
            if env.spec.key[:4] == spec_key[:4] and env.spec.config["RevisionId"] != keep:
                env.retired = True
                if env.state == "idle":
                    env.kill()

    def environments(self, account: str, region: str, name: str) -> list[Environment]:
        return [
            e
            for e in self._all
            if (e.spec.account, e.spec.region, e.spec.name) == (account, region, name)
        ]

    # provisioned concurrency

    async def provision(self, spec: Spec, count: int) -> int:
        """Keep `count` initialised environments of this version; returns how many are ready."""
        key = (spec.account, spec.region, spec.name, spec.version)
        if count <= 0:
            self._provisioned.pop(key, None)
            for env in list(self._all):
                if env.provisioned and env.spec.key[:4] == key:
                    env.retired = True
                    if env.state == "idle":
                        env.kill()
            return 0
        self._provisioned[key] = (spec, count)
        return await self._top_up(key)

    async def provision_clear(self, account: str, region: str, name: str) -> None:
        """Drop every provisioned pool of a function (deleted)."""
        for key in [k for k in self._provisioned if k[:3] == (account, region, name)]:
            del self._provisioned[key]

    def provisioned_ready(self, key: VersionKey) -> int:
        return sum(
            1
            for e in self._all
            if e.provisioned and e.spec.key[:4] == key and e.state in ("idle", "busy")
        )

    async def _top_up(self, key: VersionKey) -> int:
        if key not in self._provisioned:
            return 0
        spec, count = self._provisioned[key]
        have = [
            e
            for e in self._all
            if e.provisioned and e.spec.key[:4] == key and e.alive and not e.retired
        ]
        missing = count - len(have)
        if missing > 0:
            fresh = [Environment(self, spec, provisioned=True) for _ in range(missing)]
            self._all.update(fresh)
            await asyncio.gather(*(env.start() for env in fresh))
            for env in fresh:
                if env.init_error is None:
                    lines = env.take_lines()
                    if lines:
                        self.write_lines(env, lines)
                    self._release(env)
        return self.provisioned_ready(key)

    # life cycle

    def _start_sweeper(self) -> None:
        if self._sweeper is None or self._sweeper.done():
            self._sweeper = asyncio.ensure_future(self._sweep())

    async def _sweep(self) -> None:
        interval = max(0.05, min(5.0, self.idle_timeout / 4))
        while self._all:
            await asyncio.sleep(interval)
            cutoff = time.monotonic() - self.idle_timeout
            for env in list(self._all):
                if env.state == "idle" and not env.provisioned and env.last_used < cutoff:
                    env.kill()

    def track(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        """Run a background task, keeping a reference until it is done."""
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def stop(self) -> None:
        """End every environment and template (shutdown and reset)."""
        self.stopping = True
        self._provisioned.clear()
        envs = list(self._all)
        for env in envs:
            env.kill()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.gather(*(env.wait() for env in envs)), 5)
        await self.templates.stop()
        if self._sweeper is not None:
            self._sweeper.cancel()
        self.logs.flush()
        self._idle.clear()
        self._all.clear()
        self.stopping = False
