"""The clock: scaled waits and durable timers that keep their deadline across a restart.

Timing assertions are one-sided where possible (a timer never fires early); upper bounds are
generous and only there to prove that a wait was scaled at all.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from cloudlet.platform.clock import Clock
from cloudlet.platform.store import Store


def bounded(coroutine: Any, timeout: float = 30) -> Any:
    return asyncio.run(asyncio.wait_for(coroutine, timeout))


class Fired:
    """A timer handler recording (payload, wall-clock time) and waking waiters."""

    def __init__(self) -> None:
        self.calls: list[tuple[dict[str, Any], float]] = []
        self._event: asyncio.Event | None = None

    def __call__(self, payload: dict[str, Any]) -> None:
        self.calls.append((payload, time.time()))
        if self._event is not None:
            self._event.set()

    async def wait(self, timeout: float = 10) -> None:
        self._event = self._event or asyncio.Event()
        if not self.calls:
            await asyncio.wait_for(self._event.wait(), timeout)


def deadlines(store: Store) -> dict[str, float]:
    return {row["id"]: row["deadline"] for row in store.query("SELECT id, deadline FROM timers")}


def test_time_scale_must_be_positive() -> None:
    with pytest.raises(ValueError):
        Clock(time_scale=0)


def test_real_seconds_are_scaled() -> None:
    clock = Clock(time_scale=100)
    assert clock.real_seconds(10) == pytest.approx(0.1)
    assert clock.real_seconds(-5) == 0.0
    assert Clock().real_seconds(2.5) == 2.5


def test_sleep_is_scaled() -> None:
    async def scenario() -> float:
        start = time.monotonic()
        await Clock(time_scale=100).sleep(10)
        return time.monotonic() - start

    elapsed = bounded(scenario())
    assert 0.09 <= elapsed < 5  # 10 AWS seconds are 0.1 s here, never the full 10 s


def test_now_is_real_wall_clock_time() -> None:
    assert abs(Clock(time_scale=1000).now() - time.time()) < 5


def test_durable_timer_fires_with_its_payload(store: Store) -> None:
    fired = Fired()

    async def scenario() -> tuple[str, float]:
        clock = Clock(time_scale=100, store=store)
        clock.on("test.fire", fired)
        await clock.start()
        timer_id = clock.schedule("test.fire", 10, {"n": 1})
        deadline = deadlines(store)[timer_id]
        await fired.wait()
        clock.stop()
        return timer_id, deadline

    timer_id, deadline = bounded(scenario())
    assert fired.calls[0][0] == {"n": 1}
    assert fired.calls[0][1] >= deadline - 0.01
    assert timer_id not in deadlines(store)  # a fired timer is forgotten


def test_async_handlers_are_awaited(store: Store) -> None:
    async def scenario() -> list[dict[str, Any]]:
        seen: list[dict[str, Any]] = []
        done = asyncio.Event()

        async def handler(payload: dict[str, Any]) -> None:
            await asyncio.sleep(0)
            seen.append(payload)
            done.set()

        clock = Clock(time_scale=1000, store=store)
        clock.on("test.async", handler)
        await clock.start()
        clock.schedule("test.async", 1, {"async": True})
        await asyncio.wait_for(done.wait(), 10)
        clock.stop()
        return seen

    assert bounded(scenario()) == [{"async": True}]


def test_timer_keeps_its_deadline_across_a_restart(store: Store) -> None:
    fired = Fired()

    async def scenario() -> tuple[float, float]:
        before = Clock(time_scale=10, store=store)
        await before.start()
        far = before.schedule("test.restart", 36_000, {"which": "far"})  # an hour, scaled
        soon = before.schedule("test.restart", 3, {"which": "soon"})  # 0.3 s
        saved = deadlines(store)
        before.stop()  # the server goes down; the timers stay in SQLite

        await asyncio.sleep(0.1)
        after = Clock(time_scale=10, store=store)
        after.on("test.restart", fired)
        await after.start()
        assert deadlines(store) == saved
        await fired.wait()
        after.cancel(far)
        after.stop()
        return saved[soon], saved[far]

    soon_deadline, far_deadline = bounded(scenario())
    assert [payload for payload, _ in fired.calls] == [{"which": "soon"}]
    assert fired.calls[0][1] >= soon_deadline - 0.01  # the original deadline, not restart + 0.3 s
    assert far_deadline - soon_deadline == pytest.approx(3600 - 0.3, abs=1)
    assert deadlines(store) == {}


def test_timer_due_while_down_fires_at_start(store: Store) -> None:
    fired = Fired()

    async def scenario() -> None:
        before = Clock(time_scale=1000, store=store)
        await before.start()
        before.schedule("test.overdue", 1, {"late": True})  # 1 ms
        before.stop()
        await asyncio.sleep(0.05)

        after = Clock(time_scale=1000, store=store)
        after.on("test.overdue", fired)
        await after.start()
        await fired.wait()
        after.stop()

    bounded(scenario())
    assert [payload for payload, _ in fired.calls] == [{"late": True}]


def test_cancel_stops_a_timer_and_forgets_it(store: Store) -> None:
    fired = Fired()

    async def scenario() -> None:
        clock = Clock(time_scale=100, store=store)
        clock.on("test.cancel", fired)
        await clock.start()
        cancelled = clock.schedule("test.cancel", 5, {"cancelled": True})  # 50 ms
        clock.schedule("test.cancel", 20, {"cancelled": False})  # 200 ms, fires after
        clock.cancel(cancelled)
        assert cancelled not in deadlines(store)
        await fired.wait()
        clock.stop()

    bounded(scenario())
    assert [payload for payload, _ in fired.calls] == [{"cancelled": False}]


def test_cancel_after_restart(store: Store) -> None:
    fired = Fired()

    async def scenario() -> None:
        before = Clock(time_scale=100, store=store)
        await before.start()
        timer_id = before.schedule("test.cancel", 10, {})
        before.stop()

        after = Clock(time_scale=100, store=store)
        after.on("test.cancel", fired)
        await after.start()
        after.cancel(timer_id)
        await asyncio.sleep(0.3)  # well past the 0.1 s deadline
        after.stop()

    bounded(scenario())
    assert fired.calls == []
    assert deadlines(store) == {}


def test_timers_without_a_store_fire_in_memory() -> None:
    fired = Fired()

    async def scenario() -> None:
        clock = Clock(time_scale=1000)
        clock.on("test.memory", fired)
        await clock.start()
        clock.schedule("test.memory", 1, {"n": 2})
        await fired.wait()

    bounded(scenario())
    assert [payload for payload, _ in fired.calls] == [{"n": 2}]
