"""Parking and resuming Standard executions: durable Waits, restarts, time-outs.

A top-level Wait parks its execution: the checkpoint (state, input, variables, deadline) is
written and a durable clock timer `stepfunctions:wake` is armed; no coroutine is held. After a
restart, `recover` resumes every RUNNING execution that is not parked, from its checkpoint.
While executions are live a keep-alive timer (`stepfunctions:recover`) is pending, so a
restarted cloudlet loads Step Functions (and so recovers) without waiting for a request.
`stepfunctions:timeout` ends an execution that outlives its `TimeoutSeconds`.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any, cast

from cloudlet.services.stepfunctions.asl.context import ExecutionInfo
from cloudlet.services.stepfunctions.asl.engine import Position, Run
from cloudlet.services.stepfunctions.asl.payload import dumps
from cloudlet.services.stepfunctions.asl.states import parse_definition
from cloudlet.services.stepfunctions.execution_logs import ExecutionLogger
from cloudlet.services.stepfunctions.host import ExecutionHost, Live

if TYPE_CHECKING:
    from cloudlet.services.stepfunctions.executions import Executions
    from cloudlet.services.stepfunctions.state_machines import StateMachines
    from cloudlet.services.stepfunctions.storage import SfnStore

KEEPALIVE_REAL_SECONDS = 2.0
"""While executions are live, a durable timer fires this often (real time), so a restart loads
Step Functions and resumes them within about this long."""


class Parking:
    """Mixed into `Executions`: what keeps executions going across Waits and restarts."""

    platform: Any
    store: SfnStore
    machines: StateMachines
    live: dict[str, Live]
    _keepalive: str | None
    _generation: str

    def _begin(
        self, live: Live, value: Any, resume: Position | None, timeout_seconds: int | None
    ) -> None:
        raise NotImplementedError

    def _close(
        self, live: Live, status: str, event: str, error: str | None, cause: str | None
    ) -> None:
        raise NotImplementedError

    def _suspend(self, live: Live) -> None:
        run = live.run
        assert run.position is not None and run.position.wait_until is not None
        events = run.take_pending()
        until = run.position.wait_until
        aws_seconds = max(0.0, until - time.time()) * self.platform.clock.time_scale
        timer = self.platform.clock.schedule(
            "stepfunctions:wake", aws_seconds, {"arn": live.arn, "until": until}
        )
        checkpoint = {**run.position.to_json(), "timer": timer}
        fields = {"last_event": run.next_id - 1, "checkpoint": dumps(checkpoint)}
        if live.logger is not None:
            live.logger.log(events)
        self.store.write_step(live.row_id, events, fields)
        self.live.pop(live.arn, None)
        if live.timeout_timer:
            live.timeout_timer = None

    async def on_wake(self, payload: dict[str, Any]) -> None:
        row = self.store.execution(payload["arn"])
        if row is None or row["status"] != "RUNNING" or payload["arn"] in self.live:
            return
        checkpoint = json.loads(row["checkpoint"] or "null")
        if not checkpoint or checkpoint.get("wait_until") != payload.get("until"):
            return
        self._resume(row, Position.from_json(checkpoint))

    def _resume(self, row: dict[str, Any], position: Position | None) -> Live:
        machine_name = row["machine_arn"].rsplit(":", 1)[1]
        info = ExecutionInfo(
            arn=row["arn"],
            name=row["name"],
            input=json.loads(row["input"]),
            role_arn=row["role_arn"],
            start_time=row["start"],
            state_machine_arn=row["machine_arn"],
            state_machine_name=machine_name,
            redrive_count=row["redrive_count"],
            redrive_time=row["redrive_date"],
        )
        definition = self.store.definition(row["definition"])
        program = parse_definition(definition)
        host = ExecutionHost(cast("Executions", self), row["arn"], row["account"], row["region"])
        run = Run(info, program, host, durable=True, next_event_id=row["last_event"] + 1)
        if row["last_event"] == 0:
            run.emit(
                None,
                "ExecutionStarted",
                {
                    "executionStartedEventDetails": {
                        "input": row["input"],
                        "inputDetails": {"truncated": False},
                        "roleArn": row["role_arn"],
                    }
                },
            )
        live = Live(run, row["id"], row["arn"], False)
        machine = self.machines.docs.get(row["account"], row["region"], "machine", machine_name)
        logging_config = (machine or {}).get("logging") or {}
        if logging_config.get("level", "OFF") != "OFF":
            live.logger = ExecutionLogger(self.platform.store, logging_config, row["arn"])
        host.live = live
        self._begin(live, info.input, position, None)
        return live

    def recover(self) -> None:
        """Resume every RUNNING execution that is not parked in a Wait (after a restart)."""
        for row in self.store.running():
            if row["arn"] in self.live:
                continue
            checkpoint = json.loads(row["checkpoint"] or "null")
            if checkpoint and checkpoint.get("wait_until"):
                continue
            self._resume(row, Position.from_json(checkpoint) if checkpoint else None)

    def _arm_keepalive(self) -> None:
        if self._keepalive is None:
            clock = self.platform.clock
            self._keepalive = clock.schedule(
                "stepfunctions:recover",
                KEEPALIVE_REAL_SECONDS * clock.time_scale,
                {"generation": self._generation},
            )

    def on_keepalive(self, payload: dict[str, Any]) -> None:
        if payload.get("generation") != self._generation:
            return  # armed by an earlier process: recovery already ran at start
        self._keepalive = None
        if any(not live.express for live in self.live.values()):
            self._arm_keepalive()

    def on_timeout(self, payload: dict[str, Any]) -> None:
        arn = payload["arn"]
        live = self.live.get(arn)
        if live is not None:
            self._close(live, "TIMED_OUT", "ExecutionTimedOut", "States.Timeout", None)
            return
        row = self.store.execution(arn)
        if row is not None and row["status"] == "RUNNING":
            self._close_parked(row, "TIMED_OUT", "ExecutionTimedOut", "States.Timeout", None)

    def _close_parked(
        self, row: dict[str, Any], status: str, event: str, error: str | None, cause: str | None
    ) -> None:
        details: dict[str, Any] = {}
        if error is not None:
            details["error"] = error
        if cause is not None:
            details["cause"] = cause
        key = event[0].lower() + event[1:] + "EventDetails"
        event_id = row["last_event"] + 1
        timer = json.loads(row["checkpoint"] or "{}").get("timer")
        if timer:
            self.platform.clock.cancel(timer)
        self.store.write_step(
            row["id"],
            [(event_id, time.time(), event, row["last_event"], {key: details})],
            {
                "status": status,
                "stop": time.time(),
                "error": error,
                "cause": cause,
                "last_event": event_id,
            },
        )
