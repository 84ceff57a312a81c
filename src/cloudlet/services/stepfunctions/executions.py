"""Executions: start, run, suspend, resume, stop, time out, redrive, describe and list.

    Executions          the service side of every execution of one cloudlet
    ExecutionHost       the engine's `Host` for one execution: clock, flush, integrations
    Live                an execution being interpreted right now (its Run and asyncio task)

A Standard execution is a row in `sfn_executions` plus its events. StartExecution inserts the
row and starts an asyncio task that interprets the definition; every step's events, status and
checkpoint are written in one transaction (`SfnStore.write_step`). A top-level Wait parks the
execution: its checkpoint records the deadline, a durable clock timer (`stepfunctions:wake`)
brings it back, and no coroutine or thread is held meanwhile. After a restart, `recover` resumes
every RUNNING execution that is not parked from its checkpoint: the state it was in runs again
(a Task is re-issued; a callback keeps waiting on the same token). A keep-alive timer
(`stepfunctions:recover`) is pending while executions are live, so a restarted cloudlet loads
Step Functions and resumes them without waiting for a request.

Express executions run the same interpreter without persistence (their history goes to
CloudWatch Logs only, when logging is on); StartSyncExecution awaits one and answers its result.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from cloudlet.services.stepfunctions import arns, errors, history, integrations
from cloudlet.services.stepfunctions.activities import Activities
from cloudlet.services.stepfunctions.asl import engine
from cloudlet.services.stepfunctions.asl.context import ExecutionInfo
from cloudlet.services.stepfunctions.asl.engine import Position, Run, Visit
from cloudlet.services.stepfunctions.asl.payload import dumps
from cloudlet.services.stepfunctions.asl.states import parse_definition
from cloudlet.services.stepfunctions.callbacks import Callbacks, new_token
from cloudlet.services.stepfunctions.execution_logs import ExecutionLogger
from cloudlet.services.stepfunctions.map_runs import MapRuns
from cloudlet.services.stepfunctions.state_machines import StateMachines, Target, timestamp
from cloudlet.services.stepfunctions.storage import SfnStore

log = logging.getLogger(__name__)

KEEPALIVE_REAL_SECONDS = 2.0
"""While executions are live, a durable timer fires this often (real time), so a restart loads
Step Functions and resumes them within about this long."""
MAX_INPUT_BYTES = 262_144


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


class Executions:
    def __init__(
        self,
        platform: Any,
        store: SfnStore,
        machines: StateMachines,
        activities: Activities,
    ) -> None:
        self.platform = platform
        self.store = store
        self.machines = machines
        self.activities = activities
        self.callbacks = Callbacks(platform.clock)
        self.map_runs = MapRuns(platform.store)
        self.live: dict[str, Live] = {}
        self._keepalive: str | None = None
        self._generation = uuid.uuid4().hex

    # -- starting -------------------------------------------------------------------------

    def _input(self, request: dict[str, Any]) -> tuple[str, Any]:
        text = request.get("input")
        if text is None:
            text = "{}"
        if len(text.encode()) > MAX_INPUT_BYTES:
            raise errors.invalid_input("Input exceeds the maximum size of 262144 bytes")
        try:
            return text, json.loads(text)
        except ValueError as exc:
            raise errors.invalid_input(str(exc)) from None

    async def start(self, account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
        target = self.machines.resolve(account, region, request["stateMachineArn"])
        name = request.get("name") or str(uuid.uuid4())
        arns.check_name(name)
        text, value = self._input(request)
        machine = target.machine
        if target.type == "EXPRESS":
            run_id = str(uuid.uuid4())
            arn = arns.express_arn(account, region, machine["name"], name, run_id)
            live = self._launch(account, region, target, arn, name, text, value, express=True)
            return {"executionArn": arn, "startDate": timestamp(live.run.info.start_time)}
        arn = arns.execution_arn(account, region, machine["name"], name)
        existing = self.store.execution(arn)
        if existing is not None:
            if existing["status"] == "RUNNING" and existing["input"] == text:
                return {"executionArn": arn, "startDate": timestamp(existing["start"])}
            raise errors.execution_exists(arn)
        live = self._launch(
            account,
            region,
            target,
            arn,
            name,
            text,
            value,
            express=False,
            trace=request.get("traceHeader"),
        )
        await self.store.committed()
        return {"executionArn": arn, "startDate": timestamp(live.run.info.start_time)}

    def _launch(
        self,
        account: str,
        region: str,
        target: Target,
        arn: str,
        name: str,
        text: str,
        value: Any,
        *,
        express: bool,
        trace: str | None = None,
        record: bool = True,
    ) -> Live:
        machine = target.machine
        now = time.time()
        info = ExecutionInfo(
            arn=arn,
            name=name,
            input=value,
            role_arn=target.role_arn,
            start_time=now,
            state_machine_arn=machine["arn"],
            state_machine_name=machine["name"],
        )
        program = parse_definition(target.definition)
        host = ExecutionHost(self, arn, account, region)
        run = Run(info, program, host, durable=not express, record=record)
        row_id = 0
        if not express:
            row_id = self.store.insert_execution(
                {
                    "arn": arn,
                    "account": account,
                    "region": region,
                    "machine_arn": machine["arn"],
                    "name": name,
                    "status": "RUNNING",
                    "start": now,
                    "input": text,
                    "definition": self.store.put_definition(target.definition),
                    "role_arn": target.role_arn,
                    "version_arn": target.version_arn,
                    "alias_arn": target.alias_arn,
                    "trace_header": trace,
                }
            )
        started: dict[str, Any] = {
            "input": text,
            "inputDetails": {"truncated": False},
            "roleArn": target.role_arn,
        }
        if target.alias_arn:
            started["stateMachineAliasArn"] = target.alias_arn
        if target.version_arn:
            started["stateMachineVersionArn"] = target.version_arn
        run.emit(None, "ExecutionStarted", {"executionStartedEventDetails": started})
        live = Live(run, row_id, arn, express)
        logging_config = target.logging or {}
        if logging_config.get("level", "OFF") != "OFF":
            live.logger = ExecutionLogger(self.platform.store, logging_config, arn)
        host.live = live
        self._begin(live, value, None, program.timeout_seconds)
        return live

    def _begin(
        self, live: Live, value: Any, resume: Position | None, timeout_seconds: int | None
    ) -> None:
        self.live[live.arn] = live
        live.done = asyncio.get_running_loop().create_future()
        if timeout_seconds and resume is None and not live.express:
            live.timeout_timer = self.platform.clock.schedule(
                "stepfunctions:timeout", timeout_seconds, {"arn": live.arn}
            )
        elif timeout_seconds and live.express:
            live.timeout_timer = "express"
        live.task = asyncio.get_running_loop().create_task(
            self._drive(live, value, resume, timeout_seconds if live.express else None)
        )
        if not live.express:
            self._arm_keepalive()

    async def _drive(
        self, live: Live, value: Any, resume: Position | None, express_timeout: int | None
    ) -> None:
        run = live.run
        try:
            if express_timeout:
                try:
                    status = await asyncio.wait_for(
                        engine.execute(run, value, resume),
                        self.platform.clock.real_seconds(express_timeout),
                    )
                except TimeoutError:
                    self._close(live, "TIMED_OUT", "ExecutionTimedOut", "States.Timeout", None)
                    return
            else:
                status = await engine.execute(run, value, resume)
        except asyncio.CancelledError:
            return
        except Exception as exc:  # an interpreter bug must not leave the execution RUNNING
            log.exception("execution %s failed inside the interpreter", live.arn)
            self._close(
                live, "FAILED", "ExecutionFailed", "States.Runtime", f"Internal error: {exc}"
            )
            return
        if run.closed:
            return
        if status == "SUSPENDED":
            self._suspend(live)
            return
        output = run.output
        stop = time.time()
        fields: dict[str, Any] = {"status": status, "stop": stop, "last_event": run.next_id - 1}
        if status == "SUCCEEDED":
            fields["output"] = dumps(output)
            fields["checkpoint"] = None
        else:
            fields["error"] = output.get("error")
            fields["cause"] = output.get("cause")
            fields["checkpoint"] = dumps(run.position.to_json()) if run.position else None
        events = run.take_pending()
        run.closed = True
        self._finish(live, events, fields)

    def _finish(self, live: Live, events: list[Any], fields: dict[str, Any]) -> None:
        if live.logger is not None:
            live.logger.log(events)
        if not live.express:
            self.store.write_step(live.row_id, events, fields)
        self.live.pop(live.arn, None)
        self.callbacks.close_execution(live.arn)
        if live.timeout_timer and live.timeout_timer != "express":
            self.platform.clock.cancel(live.timeout_timer)
        result = self._result(live, fields)
        if live.done is not None and not live.done.done():
            live.done.set_result(result)

    def _result(self, live: Live, fields: dict[str, Any]) -> dict[str, Any]:
        info = live.run.info
        out: dict[str, Any] = {
            "executionArn": live.arn,
            "stateMachineArn": info.state_machine_arn,
            "name": info.name,
            "status": fields["status"],
            "startDate": timestamp(info.start_time),
            "stopDate": timestamp(fields.get("stop") or time.time()),
            "input": dumps(info.input),
            "inputDetails": {"included": True},
        }
        if fields.get("output") is not None:
            out["output"] = fields["output"]
            out["outputDetails"] = {"included": True}
        for key in ("error", "cause"):
            if fields.get(key) is not None:
                out[key] = fields[key]
        return out

    def _close(
        self, live: Live, status: str, event: str, error: str | None, cause: str | None
    ) -> None:
        """End a live execution from outside its interpreter (stop, time-out, crash)."""
        run = live.run
        if run.closed:
            return
        events = run.take_pending()
        details: dict[str, Any] = {}
        if error is not None:
            details["error"] = error
        if cause is not None:
            details["cause"] = cause
        key = event[0].lower() + event[1:] + "EventDetails"
        previous = run.next_id - 1
        events.append((run.next_id, time.time(), event, previous, {key: details}))
        run.next_id += 1
        run.closed = True
        if live.task is not None and live.task is not asyncio.current_task():
            live.task.cancel()
        fields: dict[str, Any] = {
            "status": status,
            "stop": time.time(),
            "error": error,
            "cause": cause,
            "last_event": run.next_id - 1,
            "checkpoint": dumps(run.position.to_json()) if run.position else None,
        }
        self._finish(live, events, fields)

    # -- parking and resuming -------------------------------------------------------------

    def _suspend(self, live: Live) -> None:
        run = live.run
        assert run.position is not None and run.position.wait_until is not None
        events = run.take_pending()
        fields = {"last_event": run.next_id - 1, "checkpoint": dumps(run.position.to_json())}
        if live.logger is not None:
            live.logger.log(events)
        self.store.write_step(live.row_id, events, fields)
        self.live.pop(live.arn, None)
        until = run.position.wait_until
        aws_seconds = max(0.0, until - time.time()) * self.platform.clock.time_scale
        self.platform.clock.schedule(
            "stepfunctions:wake", aws_seconds, {"arn": live.arn, "until": until}
        )
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
        host = ExecutionHost(self, row["arn"], row["account"], row["region"])
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

    # -- operations -----------------------------------------------------------------------

    def _row(self, account: str, region: str, arn: str) -> dict[str, Any]:
        parsed = arns.parse(arn, "execution", "express")
        if parsed.kind == "express":
            raise errors.invalid_arn(arn, "Resource type not valid in this context: express")
        row = self.store.execution(arn)
        if row is None or (row["account"], row["region"]) != (account, region):
            raise errors.execution_not_found(arn)
        return row

    def stop(self, account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
        arn = request["executionArn"]
        row = self._row(account, region, arn)
        if row["status"] != "RUNNING":
            return {"stopDate": timestamp(row["stop"] or time.time())}
        error, cause = request.get("error"), request.get("cause")
        live = self.live.get(arn)
        if live is not None:
            self._close(live, "ABORTED", "ExecutionAborted", error, cause)
        else:
            self._close_parked(row, "ABORTED", "ExecutionAborted", error, cause)
        self.callbacks.close_execution(arn)
        row = self.store.execution(arn) or row
        return {"stopDate": timestamp(row["stop"] or time.time())}

    def describe(self, account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
        row = self._row(account, region, request["executionArn"])
        return describe_row(row, request.get("includedData") != "METADATA_ONLY")

    def history(self, account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
        row = self._row(account, region, request["executionArn"])
        return history.page(self.store, row["id"], request)

    def list_executions(self, account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
        from cloudlet.services.stepfunctions import paging

        map_run = request.get("mapRunArn")
        machine_arn = request.get("stateMachineArn")
        if bool(map_run) == bool(machine_arn):
            raise errors.validation("Must provide a StateMachine ARN or MapRun ARN")
        version_arn = None
        if machine_arn:
            parsed, name, qualifier = arns.split_machine(machine_arn)
            target = self.machines.resolve(account, region, machine_arn) if qualifier else None
            machine = self.machines.get(
                account, region, arns.machine_arn(parsed.account, parsed.region, name)
            )
            if machine["type"] == "EXPRESS":
                raise errors.type_not_supported(
                    "This operation is not supported by this type of state machine"
                )
            if qualifier is not None and target is not None:
                version_arn = machine_arn
            machine_arn = machine["arn"]
        size = paging.page_size(request)
        after = paging.decode(request.get("nextToken"))
        redrive = request.get("redriveFilter")
        rows = self.store.executions(
            machine_arn or "",
            request.get("statusFilter"),
            tuple(after) if after else None,
            size + 1,
            version_arn=version_arn,
            map_run_arn=map_run,
            redriven=None if redrive is None else redrive == "REDRIVEN",
        )
        items = [_list_item(row) for row in rows[:size]]
        response: dict[str, Any] = {"executions": items}
        if len(rows) > size:
            last = rows[size - 1]
            response["nextToken"] = paging.encode([last["start"], last["id"]])
        return response

    def describe_for_execution(self, account: str, region: str, arn: str) -> dict[str, Any]:
        row = self._row(account, region, arn)
        machine_name = row["machine_arn"].rsplit(":", 1)[1]
        machine = self.machines.docs.get(account, region, "machine", machine_name) or {}
        out: dict[str, Any] = {
            "stateMachineArn": row["version_arn"] or row["machine_arn"],
            "name": machine_name,
            "definition": self.store.definition(row["definition"]),
            "roleArn": row["role_arn"],
            "updateDate": timestamp(machine.get("updated", row["start"])),
            "loggingConfiguration": machine.get("logging")
            or {"level": "OFF", "includeExecutionData": False},
            "tracingConfiguration": machine.get("tracing") or {"enabled": False},
        }
        if machine.get("revisionId"):
            out["revisionId"] = machine["revisionId"]
        return out

    async def wait_done(self, arn: str) -> dict[str, Any]:
        """DescribeExecution's answer once `arn` has ended (for `.sync` tasks)."""
        while True:
            live = self.live.get(arn)
            if live is not None and live.done is not None:
                await asyncio.shield(live.done)
                continue
            row = self.store.execution(arn)
            if row is None:
                raise errors.execution_not_found(arn)
            if row["status"] != "RUNNING":
                return describe_row(row, True)
            await asyncio.sleep(0.05)

    async def start_sync(
        self, account: str, region: str, request: dict[str, Any]
    ) -> dict[str, Any]:
        target = self.machines.resolve(account, region, request["stateMachineArn"])
        if target.type != "EXPRESS":
            raise errors.type_not_supported(
                "This operation is not supported by this type of state machine"
            )
        name = request.get("name") or str(uuid.uuid4())
        arns.check_name(name)
        text, value = self._input(request)
        arn = arns.express_arn(account, region, target.machine["name"], name, str(uuid.uuid4()))
        live = self._launch(account, region, target, arn, name, text, value, express=True)
        assert live.done is not None
        result = dict(await live.done)
        result["input"] = text
        if request.get("includedData") == "METADATA_ONLY":
            for key in ("input", "output"):
                result.pop(key, None)
            result.pop("inputDetails", None)
            result.pop("outputDetails", None)
        result["billingDetails"] = {
            "billedMemoryUsedInMB": 64,
            "billedDurationInMilliseconds": max(
                100, int((result["stopDate"] - result["startDate"]).total_seconds() * 1000)
            ),
        }
        return result

    def redrive(self, account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
        arn = request["executionArn"]
        row = self._row(account, region, arn)
        if row["status"] not in ("FAILED", "TIMED_OUT", "ABORTED"):
            raise errors.not_redrivable(
                f"Execution cannot be redriven as it is in the {row['status']} state: {arn}"
            )
        checkpoint = json.loads(row["checkpoint"] or "null")
        if not checkpoint:
            raise errors.not_redrivable(f"Execution cannot be redriven: {arn}")
        now = time.time()
        count = row["redrive_count"] + 1
        event_id = row["last_event"] + 1
        self.store.write_step(
            row["id"],
            [
                (
                    event_id,
                    now,
                    "ExecutionRedriven",
                    row["last_event"],
                    {"executionRedrivenEventDetails": {"redriveCount": count}},
                )
            ],
            {
                "status": "RUNNING",
                "stop": None,
                "error": None,
                "cause": None,
                "output": None,
                "redrive_count": count,
                "redrive_date": now,
                "last_event": event_id,
            },
        )
        fresh = self.store.execution(arn)
        assert fresh is not None
        position = Position.from_json(checkpoint)
        position.wait_until = None
        position.token = None
        position.retry_counts = None
        position.reenter = True
        self._resume(fresh, position)
        return {"redriveDate": timestamp(now)}

    def reset(self) -> None:
        for live in list(self.live.values()):
            live.run.closed = True
            if live.task is not None:
                live.task.cancel()
        self.live.clear()
        self.callbacks.waiters.clear()
        self._keepalive = None
        self._generation = uuid.uuid4().hex


def describe_row(row: dict[str, Any], include_data: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "executionArn": row["arn"],
        "stateMachineArn": row["machine_arn"],
        "name": row["name"],
        "status": row["status"],
        "startDate": timestamp(row["start"]),
        "inputDetails": {"included": include_data},
        "redriveCount": row["redrive_count"],
    }
    if include_data:
        out["input"] = row["input"]
    if row["stop"] is not None:
        out["stopDate"] = timestamp(row["stop"])
    if row["status"] == "SUCCEEDED":
        out["outputDetails"] = {"included": include_data}
        if include_data:
            out["output"] = row["output"]
    if row["error"] is not None:
        out["error"] = row["error"]
    if row["cause"] is not None:
        out["cause"] = row["cause"]
    for key, column in (
        ("stateMachineVersionArn", "version_arn"),
        ("stateMachineAliasArn", "alias_arn"),
    ):
        if row[column]:
            out[key] = row[column]
    if row["trace_header"]:
        out["traceHeader"] = row["trace_header"]
    if row["map_run_arn"]:
        out["mapRunArn"] = row["map_run_arn"]
    if row["redrive_date"] is not None:
        out["redriveDate"] = timestamp(row["redrive_date"])
    if row["status"] in ("FAILED", "TIMED_OUT", "ABORTED"):
        out["redriveStatus"] = "REDRIVABLE"
    else:
        out["redriveStatus"] = "NOT_REDRIVABLE"
        out["redriveStatusReason"] = f"Execution is {row['status']} and cannot be redriven"
    return out


def _list_item(row: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {
        "executionArn": row["arn"],
        "stateMachineArn": row["machine_arn"],
        "name": row["name"],
        "status": row["status"],
        "startDate": timestamp(row["start"]),
    }
    if row["stop"] is not None:
        item["stopDate"] = timestamp(row["stop"])
    for key, column in (
        ("stateMachineVersionArn", "version_arn"),
        ("stateMachineAliasArn", "alias_arn"),
    ):
        if row[column]:
            item[key] = row[column]
    if row["redrive_count"]:
        item["redriveCount"] = row["redrive_count"]
        item["redriveDate"] = timestamp(row["redrive_date"])
    return item
