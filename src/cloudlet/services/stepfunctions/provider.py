"""The Step Functions provider: one thin method per operation.

Domain code: `state_machines.py` (machines, versions, aliases, tags), `executions.py` (running
and persisted executions), `activities.py`, `callbacks.py` (task tokens), `validation.py`,
`teststate.py`; the interpreter is `asl/`. Durable clock timers: `stepfunctions:wake` (a parked
Wait is over), `stepfunctions:timeout` (an execution's TimeoutSeconds), `stepfunctions:recover`
(keep-alive that brings the service back after a restart).
"""

from __future__ import annotations

from typing import Any

from cloudlet.context import RequestContext
from cloudlet.services.base import Provider
from cloudlet.services.stepfunctions import teststate
from cloudlet.services.stepfunctions.activities import Activities
from cloudlet.services.stepfunctions.executions import Executions
from cloudlet.services.stepfunctions.state_machines import StateMachines
from cloudlet.services.stepfunctions.storage import SfnStore
from cloudlet.services.stepfunctions.validation import diagnose

Request = dict[str, Any]
Response = dict[str, Any]


class StepFunctionsProvider(Provider):
    service = "stepfunctions"
    resumes = True

    def __init__(self, platform: Any) -> None:
        super().__init__(platform)
        self.store = SfnStore(platform.store)
        self.machines = StateMachines(platform.store)
        self.activities = Activities(platform.store, platform.clock)
        self.executions = Executions(platform, self.store, self.machines, self.activities)

    async def start(self) -> None:
        clock = self.platform.clock
        clock.on("stepfunctions:wake", self.executions.on_wake)
        clock.on("stepfunctions:timeout", self.executions.on_timeout)
        clock.on("stepfunctions:recover", self.executions.on_keepalive)
        self.executions.recover()

    async def reset(self) -> None:
        self.executions.reset()
        self.activities.clear()
        self.store.forget()

    async def shutdown(self) -> None:
        self.store.commit()
        self.executions.reset()

    # -- state machines -------------------------------------------------------------------

    def create_state_machine(self, ctx: RequestContext, request: Request) -> Response:
        return self.machines.create(ctx.account, ctx.region, request)

    def describe_state_machine(self, ctx: RequestContext, request: Request) -> Response:
        return self.machines.describe(ctx.account, ctx.region, request["stateMachineArn"])

    def update_state_machine(self, ctx: RequestContext, request: Request) -> Response:
        return self.machines.update(ctx.account, ctx.region, request)

    def delete_state_machine(self, ctx: RequestContext, request: Request) -> Response:
        self.machines.delete(ctx.account, ctx.region, request["stateMachineArn"])
        return {}

    def list_state_machines(self, ctx: RequestContext, request: Request) -> Response:
        return self.machines.list_machines(ctx.account, ctx.region, request)

    def validate_state_machine_definition(self, ctx: RequestContext, request: Request) -> Response:
        diagnostics = diagnose(request["definition"], request.get("type") or "STANDARD")
        if request.get("severity") == "ERROR":
            diagnostics = [d for d in diagnostics if d.severity == "ERROR"]
        limit = request.get("maxResults") or 100
        shown = diagnostics[:limit]
        return {
            "result": "FAIL" if any(d.severity == "ERROR" for d in diagnostics) else "OK",
            "diagnostics": [
                {
                    "severity": d.severity,
                    "code": d.code,
                    "message": d.message,
                    "location": d.location,
                }
                for d in shown
            ],
            "truncated": len(diagnostics) > len(shown),
        }

    # -- versions and aliases -------------------------------------------------------------

    def publish_state_machine_version(self, ctx: RequestContext, request: Request) -> Response:
        return self.machines.publish(ctx.account, ctx.region, request)

    def list_state_machine_versions(self, ctx: RequestContext, request: Request) -> Response:
        return self.machines.list_versions(ctx.account, ctx.region, request)

    def delete_state_machine_version(self, ctx: RequestContext, request: Request) -> Response:
        self.machines.delete_version(ctx.account, ctx.region, request["stateMachineVersionArn"])
        return {}

    def create_state_machine_alias(self, ctx: RequestContext, request: Request) -> Response:
        return self.machines.create_alias(ctx.account, ctx.region, request)

    def describe_state_machine_alias(self, ctx: RequestContext, request: Request) -> Response:
        return self.machines.describe_alias(
            ctx.account, ctx.region, request["stateMachineAliasArn"]
        )

    def update_state_machine_alias(self, ctx: RequestContext, request: Request) -> Response:
        return self.machines.update_alias(ctx.account, ctx.region, request)

    def delete_state_machine_alias(self, ctx: RequestContext, request: Request) -> Response:
        self.machines.delete_alias(ctx.account, ctx.region, request["stateMachineAliasArn"])
        return {}

    def list_state_machine_aliases(self, ctx: RequestContext, request: Request) -> Response:
        return self.machines.list_aliases(ctx.account, ctx.region, request)

    # -- tags -----------------------------------------------------------------------------

    def tag_resource(self, ctx: RequestContext, request: Request) -> Response:
        self.machines.tag(ctx.account, ctx.region, request["resourceArn"], request["tags"])
        return {}

    def untag_resource(self, ctx: RequestContext, request: Request) -> Response:
        self.machines.untag(ctx.account, ctx.region, request["resourceArn"], request["tagKeys"])
        return {}

    def list_tags_for_resource(self, ctx: RequestContext, request: Request) -> Response:
        return {"tags": self.machines.tags(ctx.account, ctx.region, request["resourceArn"])}

    # -- executions -----------------------------------------------------------------------

    async def start_execution(self, ctx: RequestContext, request: Request) -> Response:
        return await self.executions.start(ctx.account, ctx.region, request)

    async def start_sync_execution(self, ctx: RequestContext, request: Request) -> Response:
        return await self.executions.start_sync(ctx.account, ctx.region, request)

    def stop_execution(self, ctx: RequestContext, request: Request) -> Response:
        return self.executions.stop(ctx.account, ctx.region, request)

    def describe_execution(self, ctx: RequestContext, request: Request) -> Response:
        return self.executions.describe(ctx.account, ctx.region, request)

    def list_executions(self, ctx: RequestContext, request: Request) -> Response:
        return self.executions.list_executions(ctx.account, ctx.region, request)

    def get_execution_history(self, ctx: RequestContext, request: Request) -> Response:
        return self.executions.history(ctx.account, ctx.region, request)

    def describe_state_machine_for_execution(
        self, ctx: RequestContext, request: Request
    ) -> Response:
        return self.executions.describe_for_execution(
            ctx.account, ctx.region, request["executionArn"]
        )

    def redrive_execution(self, ctx: RequestContext, request: Request) -> Response:
        return self.executions.redrive(ctx.account, ctx.region, request)

    async def test_state(self, ctx: RequestContext, request: Request) -> Response:
        return await teststate.test_state(self.executions, ctx.account, ctx.region, request)

    def describe_map_run(self, ctx: RequestContext, request: Request) -> Response:
        return self.executions.map_runs.describe(ctx.account, ctx.region, request["mapRunArn"])

    def list_map_runs(self, ctx: RequestContext, request: Request) -> Response:
        execution = request["executionArn"]
        self.executions.describe(ctx.account, ctx.region, {"executionArn": execution})
        return self.executions.map_runs.list_runs(ctx.account, ctx.region, execution, request)

    def update_map_run(self, ctx: RequestContext, request: Request) -> Response:
        self.executions.map_runs.update(ctx.account, ctx.region, request)
        return {}

    # -- activities and task tokens -------------------------------------------------------

    def create_activity(self, ctx: RequestContext, request: Request) -> Response:
        return self.activities.create(ctx.account, ctx.region, request)

    def describe_activity(self, ctx: RequestContext, request: Request) -> Response:
        return self.activities.describe(ctx.account, ctx.region, request["activityArn"])

    def delete_activity(self, ctx: RequestContext, request: Request) -> Response:
        self.activities.delete(ctx.account, ctx.region, request["activityArn"])
        return {}

    def list_activities(self, ctx: RequestContext, request: Request) -> Response:
        return self.activities.list_activities(ctx.account, ctx.region, request)

    async def get_activity_task(self, ctx: RequestContext, request: Request) -> Response:
        return await self.activities.poll(
            ctx.account, ctx.region, request["activityArn"], request.get("workerName")
        )

    def send_task_success(self, ctx: RequestContext, request: Request) -> Response:
        self.executions.callbacks.succeed(request["taskToken"], request["output"])
        return {}

    def send_task_failure(self, ctx: RequestContext, request: Request) -> Response:
        self.executions.callbacks.fail(
            request["taskToken"], request.get("error"), request.get("cause")
        )
        return {}

    def send_task_heartbeat(self, ctx: RequestContext, request: Request) -> Response:
        self.executions.callbacks.heartbeat(request["taskToken"])
        return {}
