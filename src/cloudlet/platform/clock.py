"""The one clock for every AWS-defined waiting period, scaled by `--time-scale`.

AWS durations (Wait states, retry intervals, alarm periods, cooldowns, async retry delays, ...) are
given to the clock in AWS seconds; it waits `seconds / time_scale` real seconds. User code is never
scaled (a Lambda function's own Timeout is real time) and timestamps stay real wall-clock time.

Two ways to wait:

- `await clock.sleep(seconds)` for waits owned by a running coroutine.
- `clock.schedule(kind, seconds, payload)` for a durable timer: the real deadline is stored in
  SQLite, so after a restart the timer fires at the same moment (or at once, if that moment passed
  while cloudlet was down). A service registers one handler per timer kind with `clock.on(kind, fn)`
  before `clock.start()`. Timer kinds are `<service>:<what>`; a timer whose service is not loaded
  yet when it fires is handed to `resolver` (the service manager), which loads the service so it
  can register its handler, and then runs.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from cloudlet.platform.store import Migration, Store

log = logging.getLogger(__name__)

TimerHandler = Callable[[dict[str, Any]], Awaitable[None] | None]
Resolver = Callable[[str], Awaitable[None]]

_MIGRATIONS: list[Migration] = [
    (
        "0001_timers",
        """
        CREATE TABLE timers (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            deadline REAL NOT NULL,
            payload TEXT NOT NULL
        );
        CREATE INDEX timers_deadline ON timers (deadline);
        """,
    )
]


class Clock:
    """Scaled waits and durable timers."""

    def __init__(
        self, time_scale: float = 1.0, store: Store | None = None, resolver: Resolver | None = None
    ) -> None:
        if time_scale <= 0:
            raise ValueError("time scale must be positive")
        self.time_scale = time_scale
        self.resolver = resolver
        self._store = store
        self._handlers: dict[str, TimerHandler] = {}
        self._handles: dict[str, asyncio.TimerHandle] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._unarmed: list[tuple[str, str, float, dict[str, Any]]] = []
        if store is not None:
            store.migrate("clock", _MIGRATIONS)

    @staticmethod
    def now() -> float:
        """Real wall-clock time (epoch seconds); timestamps are never scaled."""
        return time.time()

    def real_seconds(self, aws_seconds: float) -> float:
        """How long `aws_seconds` of AWS-defined waiting lasts here."""
        return max(0.0, aws_seconds) / self.time_scale

    async def sleep(self, aws_seconds: float) -> None:
        await asyncio.sleep(self.real_seconds(aws_seconds))

    def on(self, kind: str, handler: TimerHandler) -> None:
        """Register the handler of one timer kind (`"lambda:async-retry"`, ...)."""
        self._handlers[kind] = handler

    async def start(self) -> None:
        """Arm every persisted timer; call once the event loop runs and handlers are registered."""
        self._loop = asyncio.get_running_loop()
        for timer in self._unarmed:
            self._arm(*timer)
        self._unarmed.clear()
        if self._store is None:
            return
        for row in self._store.query("SELECT id, kind, deadline, payload FROM timers"):
            self._arm(row["id"], row["kind"], row["deadline"], json.loads(row["payload"]))

    def schedule(self, kind: str, aws_seconds: float, payload: dict[str, Any]) -> str:
        """A durable timer firing `aws_seconds` (scaled) from now; returns its id."""
        timer_id = uuid.uuid4().hex
        deadline = time.time() + self.real_seconds(aws_seconds)
        if self._store is not None:
            self._store.execute(
                "INSERT INTO timers VALUES (?, ?, ?, ?)",
                (timer_id, kind, deadline, json.dumps(payload)),
            )
        self._arm(timer_id, kind, deadline, payload)
        return timer_id

    def cancel(self, timer_id: str) -> None:
        handle = self._handles.pop(timer_id, None)
        if handle is not None:
            handle.cancel()
        if self._store is not None:
            self._store.execute("DELETE FROM timers WHERE id = ?", (timer_id,))

    def cancel_all(self) -> None:
        """Forget every timer (used by reset)."""
        for handle in self._handles.values():
            handle.cancel()
        self._handles.clear()
        if self._store is not None:
            self._store.execute("DELETE FROM timers")

    def stop(self) -> None:
        """Stop firing timers (they stay persisted for the next start)."""
        for handle in self._handles.values():
            handle.cancel()
        self._handles.clear()
        for task in self._tasks:
            task.cancel()

    def _arm(self, timer_id: str, kind: str, deadline: float, payload: dict[str, Any]) -> None:
        if self._loop is None:
            if self._store is None:
                self._unarmed.append((timer_id, kind, deadline, payload))
            return
        delay = max(0.0, deadline - time.time())
        self._handles[timer_id] = self._loop.call_later(delay, self._fire, timer_id, kind, payload)

    def _fire(self, timer_id: str, kind: str, payload: dict[str, Any]) -> None:
        self._handles.pop(timer_id, None)
        if self._store is not None:
            self._store.execute("DELETE FROM timers WHERE id = ?", (timer_id,))
        if kind not in self._handlers and self.resolver is not None:
            self._track(self._resolve_and_run(kind, payload))
            return
        self._run(kind, payload)

    async def _resolve_and_run(self, kind: str, payload: dict[str, Any]) -> None:
        assert self.resolver is not None
        await self.resolver(kind)
        self._run(kind, payload)

    def _run(self, kind: str, payload: dict[str, Any]) -> None:
        handler = self._handlers.get(kind)
        if handler is None:
            log.warning("timer of kind %s has no handler; dropped", kind)
            return
        try:
            result = handler(payload)
        except Exception:
            log.exception("timer handler %s failed", kind)
            return
        if inspect.isawaitable(result):
            self._track(result)

    def _track(self, awaitable: Awaitable[None]) -> None:
        task = asyncio.ensure_future(awaitable)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("timer handler failed", exc_info=task.exception())
