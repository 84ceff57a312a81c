"""The interpreter's host for one execution (`ExecutionHost`) and a running execution (`Live`).

The host gives the engine the platform clock (scaled waits), writes each step's events and
checkpoint through the store's group commit, forwards them to CloudWatch Logs when the machine
logs, runs Task resources (`integrations.py`) and records Map Runs.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cloudlet.services.stepfunctions import integrations
from cloudlet.services.stepfunctions.asl.engine import Run, Visit
from cloudlet.services.stepfunctions.asl.payload import dumps
from cloudlet.services.stepfunctions.callbacks import new_token
from cloudlet.services.stepfunctions.execution_logs import ExecutionLogger

if TYPE_CHECKING:
    from cloudlet.services.stepfunctions.executions import Executions


@dataclass
class Live:
    run: Run
    row_id: int
    arn: str
    express: bool
    task: asyncio.Task[None] | None = None
    timeout_timer: str | None = None
    done: asyncio.Future[dict[str, Any]] | None = None
    logger: ExecutionLogger | None = None
    waiters: list[asyncio.Future[None]] = field(default_factory=list)


class ExecutionHost:
    """The interpreter's view of the service, for one execution."""

    def __init__(self, executions: Executions, live_arn: str, account: str, region: str) -> None:
        self.executions = executions
        self.platform = executions.platform
        self.callbacks = executions.callbacks
        self.activities = executions.activities
        self.arn = live_arn
        self.account = account
        self.region = region
        self.live: Live | None = None

    def real_seconds(self, aws_seconds: float) -> float:
        return float(self.platform.clock.real_seconds(aws_seconds))

    async def sleep(self, aws_seconds: float) -> None:
        await self.platform.clock.sleep(aws_seconds)

    def flush(self, run: Run) -> None:
        live = self.live
        events = run.take_pending()
        if live is None:
            return
        if live.logger is not None:
            live.logger.log(events)
        if live.express:
            return
        fields: dict[str, Any] = {"last_event": run.next_id - 1}
        if run.position is not None:
            fields["checkpoint"] = dumps(run.position.to_json())
        self.executions.store.write_step(live.row_id, events, fields)

    async def invoke(
        self,
        visit: Visit,
        parameters: Any,
        token: str | None,
        timeout: float,
        heartbeat: float | None,
    ) -> Any:
        return await integrations.invoke(self, visit, parameters, token, timeout, heartbeat)

    def new_token(self, run: Run) -> str:
        return new_token(run.info.arn)

    def start_map_run(self, visit: Visit, settings: dict[str, Any]) -> str:
        info = visit.run.info
        label = visit.state.label or visit.state.name
        return self.executions.map_runs.start(
            self.account, self.region, info.arn, info.state_machine_name, label, settings
        )

    def end_map_run(self, arn: str, status: str, counts: dict[str, int]) -> None:
        self.executions.map_runs.finish(arn, status, counts)
