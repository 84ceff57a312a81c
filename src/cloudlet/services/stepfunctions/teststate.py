"""TestState: run one state once, outside any execution, and report what happened.

The state comes alone (`definition` is one state) or out of a whole machine (`stateName`). It
runs with the given input, variables and context; a Task calls its real resource unless `mock`
gives a result or an error. Waits do not wait. A failure is matched against the state's
retriers first (`RETRIABLE`, with the retrier and its backoff; `stateConfiguration.
retrierRetryCount` says how many retries were used already), then its catchers
(`CAUGHT_ERROR`, with the catcher's output and `Next`), else `FAILED`.

`inspectionLevel` DEBUG (and TRACE, which adds HTTP details only for HTTP Tasks) returns the
intermediate values of JSONPath processing (`afterInputPath`, `afterParameters`, `result`,
`afterResultSelector`, `afterResultPath`) or JSONata's (`afterArguments`, `result`) and the
variables after the state.
"""

from __future__ import annotations

import json
from typing import Any

from cloudlet.services.stepfunctions import errors
from cloudlet.services.stepfunctions.asl import branches, engine, io, task
from cloudlet.services.stepfunctions.asl.context import ExecutionInfo
from cloudlet.services.stepfunctions.asl.engine import Frame, Run, Visit
from cloudlet.services.stepfunctions.asl.errors import StatesError
from cloudlet.services.stepfunctions.asl.handling import catch
from cloudlet.services.stepfunctions.asl.payload import dumps
from cloudlet.services.stepfunctions.asl.retry import matches
from cloudlet.services.stepfunctions.asl.states import _ABSENT, Program, parse_state
from cloudlet.services.stepfunctions.executions import ExecutionHost
from cloudlet.services.stepfunctions.rules import check_state
from cloudlet.services.stepfunctions.validation import Checker

ATTEMPTS = {
    "Task": task._attempt,
    "Parallel": branches._parallel_attempt,
    "Map": branches._map_attempt,
}


class TestHost(ExecutionHost):
    """No persistence, no waiting; Task results may be mocked."""

    def __init__(
        self, executions: Any, account: str, region: str, mock: dict[str, Any] | None
    ) -> None:
        super().__init__(executions, "arn:aws:states:test", account, region)
        self.mock = mock
        self.result: Any = _ABSENT

    def real_seconds(self, aws_seconds: float) -> float:
        return 0.0

    async def sleep(self, aws_seconds: float) -> None:
        return None

    def flush(self, run: Run) -> None:
        run.take_pending()

    async def invoke(
        self,
        visit: Visit,
        parameters: Any,
        token: str | None,
        timeout: float,
        heartbeat: float | None,
    ) -> Any:
        if self.mock:
            if self.mock.get("errorOutput") is not None:
                failure = self.mock["errorOutput"]
                raise StatesError(failure.get("error") or "", failure.get("cause"))
            try:
                self.result = json.loads(self.mock.get("result") or "null")
            except ValueError as exc:
                raise errors.validation(f"The mocked result is not valid JSON: {exc}") from None
            return self.result
        self.result = await super().invoke(visit, parameters, token, 60.0, heartbeat)
        return self.result


def _json(text: str | None, default: Any, what: str) -> Any:
    if text is None:
        return default
    try:
        return json.loads(text)
    except ValueError as exc:
        if what == "input":
            raise errors.invalid_input(str(exc)) from None
        raise errors.validation(f"The {what} is not valid JSON: {exc}") from None


async def test_state(
    executions: Any, account: str, region: str, request: dict[str, Any]
) -> dict[str, Any]:
    try:
        definition = json.loads(request["definition"])
    except ValueError as exc:
        raise errors.invalid_definition(f"INVALID_JSON_DESCRIPTION: {exc}") from None
    if not isinstance(definition, dict):
        raise errors.invalid_definition(
            "SCHEMA_VALIDATION_FAILED: The definition must be an object"
        )
    language = definition.get("QueryLanguage", "JSONPath")
    if "States" in definition:
        name = request.get("stateName")
        if not name or name not in definition["States"]:
            raise errors.validation(f"State {name} not found in the state machine definition")
        raw = definition["States"][name]
    else:
        name = request.get("stateName") or "TestState"
        raw = definition
        language = "JSONPath"
    checker = Checker("STANDARD")
    check_state(checker, name, raw, f"/States/{name}" if "States" in definition else "", language)
    if checker.diagnostics:
        raise errors.invalid_definition(", ".join(d.text() for d in checker.diagnostics))
    state = parse_state(name, raw, language)
    value = _json(request.get("input"), {}, "input")
    variables = _json(request.get("variables"), {}, "variables")
    host = TestHost(executions, account, region, request.get("mock"))
    info = ExecutionInfo(
        arn=f"arn:aws:states:{region}:{account}:execution:TestStateMachine:test",
        name="test",
        input=value,
        role_arn=request.get("roleArn") or "",
        start_time=__import__("time").time(),
        state_machine_arn=f"arn:aws:states:{region}:{account}:stateMachine:TestStateMachine",
        state_machine_name="TestStateMachine",
    )
    run = Run(info, Program(name, {name: state}, language), host, durable=False, record=False)
    frame = Frame(run, dict(variables), 0)
    visit = Visit(frame, state, value, info.start_time, 1)
    debug = request.get("inspectionLevel", "INFO") in ("DEBUG", "TRACE")
    response: dict[str, Any] = {}
    inspection: dict[str, Any] = {"input": dumps(value)}
    try:
        attempt = ATTEMPTS.get(state.type, engine.HANDLERS[state.type])
        output, following, assigned = await attempt(visit)
    except StatesError as failure:
        error = visit.locate(failure)
        response.update(
            error=error.error, cause=error.cause
        ) if error.cause is not None else response.update(error=error.error)
        retry_used = int((request.get("stateConfiguration") or {}).get("retrierRetryCount") or 0)
        for index, retrier in enumerate(state.retriers):
            if matches(retrier.error_equals, error.error):
                if retry_used < retrier.max_attempts:
                    response["status"] = "RETRIABLE"
                    inspection["errorDetails"] = {
                        "retryIndex": index,
                        "retryBackoffIntervalSeconds": int(retrier.delay(retry_used + 1)),
                    }
                    response["inspectionData"] = inspection
                    return response
                break
        try:
            output, following, assigned = catch(visit, error)
        except StatesError:
            response["status"] = "FAILED"
            if debug:
                response["inspectionData"] = inspection
            return response
        catcher_index = next(
            i for i, c in enumerate(state.catchers) if matches(c.error_equals, error.error)
        )
        inspection["errorDetails"] = {"catchIndex": catcher_index}
        response["status"] = "CAUGHT_ERROR"
    else:
        response["status"] = "SUCCEEDED"
    response["output"] = dumps(output)
    if following is not None:
        response["nextState"] = following
    if debug:
        _inspect(state, visit, value, host, inspection)
        inspection["variables"] = dumps({**frame.variables, **assigned})
        response["inspectionData"] = inspection
    return response


def _inspect(
    state: Any, visit: Visit, value: Any, host: TestHost, inspection: dict[str, Any]
) -> None:
    """The intermediate values of input/output processing, recomputed without side effects."""
    try:
        if state.jsonata:
            if state.arguments is not None:
                inspection["afterArguments"] = dumps(
                    state.arguments.evaluate(visit.bindings(), "Arguments")
                )
            if host.result is not _ABSENT:
                inspection["result"] = dumps(host.result)
            return
        env = visit.env(value)
        after_input = io.select(state.input_path, state.input_path_null, value, env)
        inspection["afterInputPath"] = dumps(after_input)
        effective = after_input
        if state.parameters is not None:
            effective = state.parameters.evaluate(env.with_document(after_input))
        inspection["afterParameters"] = dumps(effective)
        result = host.result
        if state.type == "Pass":
            result = state.result if state.result is not _ABSENT else effective
        if result is _ABSENT:
            return
        inspection["result"] = dumps(result)
        selected = io.select_result(state, result, env)
        inspection["afterResultSelector"] = dumps(selected)
        inspection["afterResultPath"] = dumps(
            io.combine(state.result_path, state.result_path_null, value, selected)
        )
    except StatesError:
        return
