"""The Task state: parameters, time-outs, the resource call (the host's), result processing.

A Task whose resource ends in `.waitForTaskToken`, or names an activity, gets a task token
before its parameters are built, so `$$.Task.Token` can be passed along. The host runs the
resource and emits its history events (`TaskScheduled` ... or `LambdaFunction*` / `Activity*`);
time-outs (`TimeoutSeconds[Path]`, `HeartbeatSeconds[Path]`, JSONata expressions) are worked out
here and enforced by the host on its clock.
"""

from __future__ import annotations

from typing import Any

from cloudlet.services.stepfunctions.asl import io, jsonata
from cloudlet.services.stepfunctions.asl.engine import Outcome, Visit, handler
from cloudlet.services.stepfunctions.asl.errors import QUERY_EVALUATION, RUNTIME, StatesError
from cloudlet.services.stepfunctions.asl.handling import with_retries
from cloudlet.services.stepfunctions.asl.payload import Env, Ref, dumps

DEFAULT_TIMEOUT = 99_999_999
"""AWS's Task TimeoutSeconds when none is given."""


def needs_token(resource: str) -> bool:
    return resource.endswith(".waitForTaskToken") or ":activity:" in resource


@handler("Task")
async def _task(visit: Visit) -> Outcome:
    return await with_retries(visit, _attempt)


async def _attempt(visit: Visit) -> Outcome:
    state = visit.state
    run = visit.run
    if visit.resume is not None and visit.resume.token:
        visit.token = visit.resume.token
    elif needs_token(state.resource):
        visit.token = run.host.new_token(run)
    if state.jsonata:
        bindings = visit.bindings()
        parameters = (
            state.arguments.evaluate(bindings, "Arguments")
            if state.arguments is not None
            else visit.input
        )
        timeout = _jsonata_number(state.timeout_seconds, bindings, "TimeoutSeconds")
        heartbeat = _jsonata_number(state.heartbeat_seconds, bindings, "HeartbeatSeconds")
        env = visit.env(visit.input)
    else:
        env = visit.env(visit.input)
        parameters = io.effective_input(state, visit.input, env)
        selected = io.select(state.input_path, state.input_path_null, visit.input, env)
        path_env = env.with_document(selected)
        timeout = _seconds(state.timeout_seconds, state.timeout_seconds_path, path_env, "Timeout")
        heartbeat = _seconds(
            state.heartbeat_seconds, state.heartbeat_seconds_path, path_env, "Heartbeat"
        )
    if visit.frame.top and run.position is not None:
        run.position.token = visit.token
    result = await run.host.invoke(
        visit, parameters, visit.token, timeout or DEFAULT_TIMEOUT, heartbeat
    )
    if state.jsonata:
        bindings = visit.bindings(result=result)
        output = state.output.evaluate(bindings, "Output") if state.output else result
        return output, state.next, io.assigned(state.assign, env, bindings)
    selected_result = io.select_result(state, result, env)
    output = io.place_result(state, visit.input, selected_result, env)
    return output, state.next, io.assigned(state.assign, env.with_document(selected_result), None)


def _seconds(value: Any, path: Ref | None, env: Env, name: str) -> float | None:
    if path is not None:
        value = path.resolve(env, f"{name}SecondsPath")
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise StatesError(
                RUNTIME,
                f"The {name}SecondsPath parameter does not reference a valid positive integer:"
                f" {dumps(value)}",
            )
    return float(value) if value is not None else None


def _jsonata_number(value: Any, bindings: dict[str, Any], field: str) -> float | None:
    if value is None:
        return None
    if jsonata.is_expression(value):
        value = jsonata.evaluate(jsonata.expression_text(value), bindings, field)
        if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
            raise StatesError(
                QUERY_EVALUATION,
                f"The JSONata expression specified for the field '{field}' must return a"
                " positive integer.",
            )
    return float(value)
