"""Executions: start, run, suspend, resume, stop, time out, redrive, describe and list.

    Executions          the service side of every execution of one cloudlet (this module)
    Parking             parking, resuming, recovery and time-outs (`parking.py`)
    ExecutionHost, Live the engine's host for one execution, a running one (`host.py`)
    describe_row        rows as DescribeExecution / ListExecutions show them (`records.py`)

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
from typing import Any

from cloudlet.services.stepfunctions import arns, errors, history, records
from cloudlet.services.stepfunctions.activities import Activities
from cloudlet.services.stepfunctions.asl import engine
from cloudlet.services.stepfunctions.asl.context import ExecutionInfo
from cloudlet.services.stepfunctions.asl.engine import Position, Run
from cloudlet.services.stepfunctions.asl.payload import dumps
from cloudlet.services.stepfunctions.asl.states import parse_definition
from cloudlet.services.stepfunctions.callbacks import Callbacks
from cloudlet.services.stepfunctions.execution_logs import ExecutionLogger
from cloudlet.services.stepfunctions.host import ExecutionHost, Live
from cloudlet.services.stepfunctions.map_runs import MapRuns
from cloudlet.services.stepfunctions.parking import Parking
from cloudlet.services.stepfunctions.records import describe_row
from cloudlet.services.stepfunctions.state_machines import StateMachines, Target, timestamp
from cloudlet.services.stepfunctions.storage import SfnStore

log = logging.getLogger(__name__)

MAX_INPUT_BYTES = 262_144
EXPRESS_MAX_SECONDS = 300
"""An Express execution runs at most five minutes (AWS)."""


class Executions(Parking):
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
            self._drive(
                live,
                value,
                resume,
                (timeout_seconds or EXPRESS_MAX_SECONDS) if live.express else None,
            )
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
        return records.list_executions(self, account, region, request)

    def describe_for_execution(self, account: str, region: str, arn: str) -> dict[str, Any]:
        return records.describe_for_execution(self, self._row(account, region, arn))

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
