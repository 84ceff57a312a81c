"""Task tokens: callbacks (`.waitForTaskToken`) and activity tasks wait here for
SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat.

A token is opaque to callers but names its execution (`base64(<execution arn>|<nonce>)`), so a
malformed token is `InvalidToken` while a well-formed one nobody waits for any more (the task
finished, timed out, or its execution stopped) is `TaskTimedOut`, as AWS answers.

`wait` races the answer against the task's TimeoutSeconds and HeartbeatSeconds on the platform
clock; a heartbeat pushes the heartbeat deadline back and adds no history event.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from cloudlet.services.stepfunctions import errors
from cloudlet.services.stepfunctions.asl.errors import HEARTBEAT_TIMEOUT, TIMEOUT, StatesError


@dataclass
class Waiter:
    """One task waiting for its token."""

    future: asyncio.Future[Any]
    execution_arn: str
    beat: float = field(default_factory=time.time)
    """Real time of the last heartbeat (or of the start)."""
    on_start: Any = None
    """Called with the worker name when an activity worker takes the task."""


class TaskFailure(Exception):
    """SendTaskFailure's error and cause, delivered to the waiting task."""

    def __init__(self, error: str | None, cause: str | None) -> None:
        super().__init__(error)
        self.error = error
        self.cause = cause


def new_token(execution_arn: str) -> str:
    raw = f"{execution_arn}|{uuid.uuid4().hex}{uuid.uuid4().hex}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def token_execution(token: str) -> str:
    """The execution ARN a token belongs to; InvalidToken when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(token.encode()).decode()
    except ValueError:
        raise errors.invalid_token() from None
    arn, _, nonce = raw.partition("|")
    if not arn.startswith("arn:aws:states:") or len(nonce) != 64:
        raise errors.invalid_token()
    return arn


class Callbacks:
    def __init__(self, clock: Any) -> None:
        self.clock = clock
        self.waiters: dict[str, Waiter] = {}

    def open(self, token: str, execution_arn: str) -> Waiter:
        loop = asyncio.get_running_loop()
        waiter = Waiter(loop.create_future(), execution_arn)
        self.waiters[token] = waiter
        return waiter

    def close(self, token: str) -> None:
        self.waiters.pop(token, None)

    def close_execution(self, execution_arn: str) -> None:
        for token in [t for t, w in self.waiters.items() if w.execution_arn == execution_arn]:
            self.close(token)

    def _waiter(self, token: str) -> Waiter:
        token_execution(token)
        waiter = self.waiters.get(token)
        if waiter is None or waiter.future.done():
            raise errors.task_timed_out()
        return waiter

    def succeed(self, token: str, output: str) -> None:
        waiter = self._waiter(token)
        try:
            value = json.loads(output)
        except ValueError as exc:
            raise errors.invalid_output(str(exc)) from None
        waiter.future.set_result(value)

    def fail(self, token: str, error: str | None, cause: str | None) -> None:
        waiter = self._waiter(token)
        waiter.future.set_exception(TaskFailure(error, cause))

    def heartbeat(self, token: str) -> None:
        self._waiter(token).beat = time.time()

    async def wait(self, token: str, timeout: float, heartbeat: float | None) -> Any:
        """The callback's output; raises TaskFailure or StatesError (time-outs)."""
        waiter = self.waiters[token]
        start = time.time()
        deadline = start + self.clock.real_seconds(timeout)
        try:
            while True:
                now = time.time()
                limit = deadline
                if heartbeat is not None:
                    limit = min(limit, waiter.beat + self.clock.real_seconds(heartbeat))
                if now >= limit:
                    if now >= deadline:
                        raise StatesError(TIMEOUT, None)
                    raise StatesError(HEARTBEAT_TIMEOUT, None)
                done, _ = await asyncio.wait({waiter.future}, timeout=limit - now)
                if done:
                    return waiter.future.result()
        finally:
            self.close(token)
