"""Alarms on the clock: evaluation ticks, state transitions, history, actions, composite alarms.

One durable timer chain (`cloudwatch:evaluate`) ticks at every minute boundary (every 10 s when
a high-resolution alarm exists), scaled by `--time-scale`, while any alarm exists. Each tick
evaluates the metric alarms that are due (`evaluation.step_seconds`) and every composite alarm.
A restart finds the persisted timer; the chain of the previous process is told apart by its
generation and ends, the new process starting its own.

A transition (evaluation, SetAlarmState, a composite's rule) updates the alarm, records a
`StateUpdate` history item, runs the new state's actions when actions are enabled, and
re-evaluates the composite alarms that name the alarm. While an alarm stays in a state, its
Auto Scaling actions run again once per period, as AWS re-invokes them.
"""

from __future__ import annotations

import json
import logging
import math
import time
import uuid
from typing import TYPE_CHECKING, Any

from cloudlet.errors import ServiceError
from cloudlet.services.cloudwatch import composite, evaluation
from cloudlet.services.cloudwatch.actions import ActionRunner, is_autoscaling, previous_state
from cloudlet.services.cloudwatch.alarm_store import COMPOSITE, METRIC, Alarm, AlarmStore
from cloudlet.services.cloudwatch.metrics import MetricStore

if TYPE_CHECKING:
    from cloudlet.platform.runtime import Platform

log = logging.getLogger(__name__)

TIMER = "cloudwatch:evaluate"
TICK_OFFSET = 0.05
"""Ticks land this fraction of a step after the boundary, so the period just ended is whole."""


class AlarmScheduler:
    """Evaluates alarms on the clock and carries out their transitions."""

    def __init__(
        self, platform: Platform, alarms: AlarmStore, metrics: MetricStore, actions: ActionRunner
    ) -> None:
        self.platform = platform
        self.alarms = alarms
        self.metrics = metrics
        self.actions = actions
        self.generation = uuid.uuid4().hex
        self._timer: str | None = None
        self._timer_high_resolution = False
        self._evaluated: dict[tuple[str, str, str], int] = {}
        """Per alarm: the last evaluation step it was evaluated in."""
        self._refired: dict[tuple[str, str, str], float] = {}
        """Per alarm: when its Auto Scaling actions last ran."""

    @property
    def bucket_seconds(self) -> float:
        """Real seconds per AWS second on this cloudlet's clock."""
        return 1.0 / self.platform.clock.time_scale

    def start(self) -> None:
        self.platform.clock.on(TIMER, self._tick)
        if self.alarms.count():
            self.ensure_running(high_resolution=True)

    def reset(self) -> None:
        self.generation = uuid.uuid4().hex
        self._timer = None
        self._evaluated.clear()
        self._refired.clear()

    def ensure_running(self, *, high_resolution: bool = False) -> None:
        """Arm the next tick unless one is armed (sooner for a new high-resolution alarm)."""
        if self._timer is not None and high_resolution and not self._timer_high_resolution:
            self.platform.clock.cancel(self._timer)
            self._timer = None
        if self._timer is None:
            self._arm(high_resolution=high_resolution)

    def _arm(self, *, high_resolution: bool) -> None:
        step = (10.0 if high_resolution else 60.0) * self.bucket_seconds
        now = time.time()
        target = (math.floor(now / step) + 1 + TICK_OFFSET) * step
        aws_seconds = (target - now) / self.bucket_seconds
        self._timer = self.platform.clock.schedule(
            TIMER, aws_seconds, {"generation": self.generation}
        )
        self._timer_high_resolution = high_resolution

    def _tick(self, payload: dict[str, Any]) -> None:
        if payload.get("generation") != self.generation:
            return  # a chain armed by an earlier process (or before a reset)
        self._timer = None
        high_resolution = False
        any_alarm = False
        now = time.time()
        for kind in (METRIC, COMPOSITE):
            for alarm in self.alarms.everywhere():
                any_alarm = True
                if alarm.kind != kind:
                    continue
                try:
                    if kind == METRIC:
                        high_resolution |= evaluation.alarm_period(alarm.config) < 60
                        self._maybe_evaluate(alarm, now)
                    else:
                        self.evaluate_composite(alarm)
                except Exception:
                    log.exception("evaluation of alarm %s failed", alarm.name)
        if any_alarm:
            self._arm(high_resolution=high_resolution)

    def _maybe_evaluate(self, alarm: Alarm, now: float) -> None:
        key = (alarm.account, alarm.region, alarm.name)
        period = evaluation.alarm_period(alarm.config)
        step = evaluation.step_seconds(period) * self.bucket_seconds
        index = math.floor(now / step + 1e-9)
        if self._evaluated.get(key) == index:
            return
        self._evaluated[key] = index
        try:
            outcome = evaluation.decide(
                alarm, evaluation.slots(alarm, self.metrics, now, self.bucket_seconds), now
            )
        except ServiceError as exc:
            log.warning("alarm %s cannot be evaluated: %s", alarm.name, exc.message)
            return
        if outcome.state is not None and outcome.state != alarm.state:
            self.transition(
                alarm,
                outcome.state,
                outcome.reason,
                evaluation.reason_data_json(outcome.reason_data),
                value=outcome.value,
            )
            return
        self._refire(alarm, now, period, outcome.value)

    def _refire(self, alarm: Alarm, now: float, period: int, value: float | None) -> None:
        """Auto Scaling actions run again every period while the alarm stays in its state."""
        if not alarm.actions_enabled:
            return
        arns = [a for a in alarm.actions_for(alarm.state) if is_autoscaling(a)]
        if not arns:
            return
        key = (alarm.account, alarm.region, alarm.name)
        last = self._refired.get(key)
        if last is not None and now - last < period * self.bucket_seconds * 0.99:
            return
        self._refired[key] = now
        self.actions.fire(alarm, arns, previous_state(alarm), value)

    def transition(
        self,
        alarm: Alarm,
        state: str,
        reason: str,
        reason_data: str | None,
        *,
        value: float | None = None,
    ) -> None:
        """Move `alarm` to `state`: save, record history, act, cascade to composite alarms."""
        previous = previous_state(alarm)
        old_state, old_reason = alarm.state, alarm.reason
        now = time.time()
        alarm.state, alarm.reason, alarm.reason_data = state, reason, reason_data
        alarm.state_updated = alarm.state_transitioned = now
        self.alarms.save(alarm)
        new_state: dict[str, Any] = {"stateValue": state, "stateReason": reason}
        if reason_data is not None:
            try:
                new_state["stateReasonData"] = json.loads(reason_data)
            except ValueError:
                new_state["stateReasonData"] = reason_data
        self.alarms.record(
            alarm,
            "StateUpdate",
            f"Alarm updated from {old_state} to {state}",
            {
                "version": "1.0",
                "oldState": {"stateValue": old_state, "stateReason": old_reason},
                "newState": new_state,
            },
        )
        if alarm.actions_enabled:
            arns = alarm.actions_for(state)
            self.actions.fire(alarm, arns, previous, value)
            if any(is_autoscaling(a) for a in arns):
                self._refired[(alarm.account, alarm.region, alarm.name)] = now
        self._cascade(alarm)

    def _cascade(self, child: Alarm) -> None:
        for parent in self.alarms.in_region(child.account, child.region):
            if parent.kind != COMPOSITE or parent.name == child.name:
                continue
            rule = composite.parse_rule(parent.config["AlarmRule"])
            if child.name in {composite.name_of(r) for r in composite.named(rule)}:
                self.evaluate_composite(parent, trigger=child)

    def evaluate_composite(self, alarm: Alarm, trigger: Alarm | None = None) -> None:
        rule = composite.parse_rule(alarm.config["AlarmRule"])
        names = [composite.name_of(r) for r in composite.named(rule)]
        children = {n: self.alarms.get(alarm.account, alarm.region, n) for n in names}
        states = {n: c.state for n, c in children.items() if c is not None}
        state = composite.composite_state(rule, states)
        if state == alarm.state:
            return
        triggering = [trigger] if trigger is not None else [c for c in children.values() if c]
        moment = time.strftime("%A %d %B, %Y %H:%M:%S UTC", time.gmtime())
        if triggering:
            first = triggering[0]
            reason = f"{first.arn} transitioned to {first.state} at {moment}"
        else:
            reason = f"The alarm rule evaluated to {state == 'ALARM'} at {moment}"
        data = {
            "triggeringAlarms": [
                {
                    "arn": c.arn,
                    "state": {"value": c.state, "timestamp": _iso(c.state_updated)},
                }
                for c in triggering
            ]
        }
        self.transition(alarm, state, reason, json.dumps(data, separators=(",", ":")))


def _iso(ts: float) -> str:
    return (
        time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts)) + f".{int(ts * 1000) % 1000:03d}+0000"
    )
