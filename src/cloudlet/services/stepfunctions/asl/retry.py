"""Retry and Catch: which retrier or catcher an error selects, and AWS's backoff formula.

Retriers are scanned in order; the first whose `ErrorEquals` matches the error is the one used.
Each retrier keeps its own attempt count for the whole visit of the state (shared by every error
name it lists, not reset when another retrier fires). When the matching retrier has used its
`MaxAttempts`, retrying stops and the catchers are scanned the same way.

Delay before retry n (1-based, per retrier): `IntervalSeconds * BackoffRate^(n-1)`, capped at
`MaxDelaySeconds` when set; `JitterStrategy: FULL` waits a uniformly random time in [0, delay].

Wildcards: `States.ALL` matches every error but `States.Runtime` and `States.DataLimitExceeded`;
`States.TaskFailed` matches every error but the time-outs; `States.Timeout` also matches a
heartbeat time-out (`States.HeartbeatTimeout`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from cloudlet.services.stepfunctions.asl.errors import (
    ALL,
    HEARTBEAT_TIMEOUT,
    TASK_FAILED,
    TIMEOUT,
    UNCATCHABLE,
)


def matches(names: list[str], error: str) -> bool:
    """Whether an `ErrorEquals` list matches `error`."""
    if error in names:
        return True
    if error in UNCATCHABLE:
        return False
    if ALL in names:
        return True
    if TASK_FAILED in names and error not in (TIMEOUT, HEARTBEAT_TIMEOUT):
        return True
    return TIMEOUT in names and error == HEARTBEAT_TIMEOUT


@dataclass
class Retrier:
    error_equals: list[str]
    interval_seconds: float = 1
    """AWS default 1."""
    max_attempts: int = 3
    """AWS default 3; 0 never retries."""
    backoff_rate: float = 2.0
    """AWS default 2.0."""
    max_delay_seconds: float | None = None
    jitter: str = "NONE"
    """`FULL` or `NONE` (default)."""

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> Retrier:
        return cls(
            error_equals=list(raw["ErrorEquals"]),
            interval_seconds=raw.get("IntervalSeconds", 1),
            max_attempts=raw.get("MaxAttempts", 3),
            backoff_rate=raw.get("BackoffRate", 2.0),
            max_delay_seconds=raw.get("MaxDelaySeconds"),
            jitter=raw.get("JitterStrategy", "NONE"),
        )

    def delay(self, attempt: int) -> float:
        """The computed delay before retry `attempt` (1-based), before jitter."""
        value = self.interval_seconds * self.backoff_rate ** (attempt - 1)
        if self.max_delay_seconds is not None:
            value = min(value, self.max_delay_seconds)
        return float(value)

    def wait(self, attempt: int) -> float:
        value = self.delay(attempt)
        return random.uniform(0, value) if self.jitter == "FULL" else value


@dataclass
class Catcher:
    error_equals: list[str]
    next: str
    result_path: Any = "$"
    """JSONPath: where the error output goes (default `$`); None discards it."""
    has_result_path: bool = False
    assign: Any = None
    output: Any = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class RetryState:
    """Attempt counters of one visit of a state."""

    counts: list[int]

    @classmethod
    def fresh(cls, retriers: list[Retrier]) -> RetryState:
        return cls([0] * len(retriers))

    def next_delay(self, retriers: list[Retrier], error: str) -> tuple[int, float] | None:
        """(retrier index, seconds to wait) when `error` is to be retried, else None."""
        for index, retrier in enumerate(retriers):
            if matches(retrier.error_equals, error):
                if self.counts[index] >= retrier.max_attempts:
                    return None
                self.counts[index] += 1
                return index, retrier.wait(self.counts[index])
        return None

    @property
    def total(self) -> int:
        return sum(self.counts)


def select_catcher(catchers: list[Catcher], error: str) -> Catcher | None:
    for catcher in catchers:
        if matches(catcher.error_equals, error):
            return catcher
    return None
