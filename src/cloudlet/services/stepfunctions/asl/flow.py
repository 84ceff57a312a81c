"""The flow states: Pass, Succeed, Fail, Choice and Wait.

Each handler takes a `Visit` and answers (output, next state, variables assigned). A Wait of a
durable run's top level raises `Suspend` (the execution parks, see `engine.py`); elsewhere it
waits on the host's clock.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from cloudlet.services.stepfunctions.asl import io
from cloudlet.services.stepfunctions.asl.choice import parse_timestamp
from cloudlet.services.stepfunctions.asl.engine import Outcome, Suspend, Visit, handler
from cloudlet.services.stepfunctions.asl.errors import (
    NO_CHOICE,
    QUERY_EVALUATION,
    RUNTIME,
    StatesError,
)
from cloudlet.services.stepfunctions.asl.payload import dumps
from cloudlet.services.stepfunctions.asl.states import _ABSENT


@handler("Pass")
async def _pass(visit: Visit) -> Outcome:
    state = visit.state
    if state.jsonata:
        bindings = visit.bindings()
        output = state.output.evaluate(bindings, "Output") if state.output else visit.input
        return output, state.next, io.assigned(state.assign, visit.env(None), bindings)
    env = visit.env(visit.input)
    effective = io.effective_input(state, visit.input, env)
    result = state.result if state.result is not _ABSENT else effective
    output = io.place_result(state, visit.input, result, env)
    assigned = io.assigned(state.assign, env.with_document(result), None)
    return output, state.next, assigned


@handler("Succeed")
async def _succeed(visit: Visit) -> Outcome:
    state = visit.state
    if state.jsonata:
        bindings = visit.bindings()
        output = state.output.evaluate(bindings, "Output") if state.output else visit.input
        return output, None, {}
    env = visit.env(visit.input)
    effective = io.select(state.input_path, state.input_path_null, visit.input, env)
    return io.output_of(state, effective, env), None, {}


@handler("Fail")
async def _fail(visit: Visit) -> Outcome:
    state = visit.state
    error, cause = state.error, state.cause
    if state.jsonata:
        bindings = visit.bindings()
        if error is not None:
            error = _jsonata_value(error, bindings, "Error")
        if cause is not None:
            cause = _jsonata_value(cause, bindings, "Cause")
    else:
        env = visit.env(visit.input)
        if state.error_path is not None:
            error = state.error_path.resolve(env, "ErrorPath")
        if state.cause_path is not None:
            cause = state.cause_path.resolve(env, "CausePath")
    failure = StatesError(error if error is not None else "", cause)
    failure.located = True  # type: ignore[attr-defined]
    failure.from_fail_state = True  # type: ignore[attr-defined]
    if error is None:
        failure.error = ""
    raise failure


def _jsonata_value(value: Any, bindings: dict[str, Any], field_name: str) -> Any:
    from cloudlet.services.stepfunctions.asl import jsonata

    if jsonata.is_expression(value):
        return jsonata.evaluate(jsonata.expression_text(value), bindings, field_name)
    return value


@handler("Choice")
async def _choice(visit: Visit) -> Outcome:
    state = visit.state
    if state.jsonata:
        bindings = visit.bindings()
        for rule in state.choices:
            if rule.extra["condition"](bindings):
                output = _choice_output(rule.output or state.output, bindings, visit.input)
                assigned = io.assigned(rule.assign or state.assign, visit.env(None), bindings)
                return output, rule.next, assigned
        if state.default is None:
            raise StatesError(NO_CHOICE, "No Matches!")
        output = _choice_output(state.output, bindings, visit.input)
        return output, state.default, io.assigned(state.assign, visit.env(None), bindings)
    env = visit.env(visit.input)
    effective = io.select(state.input_path, state.input_path_null, visit.input, env)
    env = env.with_document(effective)
    target = state.default
    chosen = None
    for rule in state.choices:
        if rule.test(env):
            target, chosen = rule.next, rule
            break
    if target is None:
        raise StatesError(NO_CHOICE, "No Matches!")
    block = chosen.assign if chosen is not None and chosen.assign is not None else state.assign
    return io.output_of(state, effective, env), target, io.assigned(block, env, None)


def _choice_output(template: Any, bindings: dict[str, Any], default: Any) -> Any:
    return template.evaluate(bindings, "Output") if template is not None else default


@handler("Wait")
async def _wait(visit: Visit) -> Outcome:
    state = visit.state
    run = visit.run
    if visit.resume is not None and visit.resume.wait_until is not None:
        until = visit.resume.wait_until
        effective = None
        bindings = None
    else:
        bindings = visit.bindings() if state.jsonata else None
        env = visit.env(visit.input)
        effective = (
            visit.input
            if state.jsonata
            else io.select(state.input_path, state.input_path_null, visit.input, env)
        )
        seconds = _wait_seconds(visit, effective, bindings)
        until = time.time() + run.host.real_seconds(seconds)
    remaining = until - time.time()
    if remaining > 0:
        if visit.frame.top and run.durable:
            raise Suspend(until)
        run.flush()
        await asyncio.sleep(remaining)
    if effective is None:
        effective = visit.input
        if not state.jsonata:
            effective = io.select(
                state.input_path, state.input_path_null, visit.input, visit.env(visit.input)
            )
    if state.jsonata:
        bindings = bindings or visit.bindings()
        output = state.output.evaluate(bindings, "Output") if state.output else visit.input
        return output, state.next, io.assigned(state.assign, visit.env(None), bindings)
    env = visit.env(effective)
    return io.output_of(state, effective, env), state.next, io.assigned(state.assign, env, None)


def _wait_seconds(visit: Visit, effective: Any, bindings: dict[str, Any] | None) -> float:
    state = visit.state
    name = state.name
    if bindings is not None:
        if state.seconds is not None:
            seconds = _jsonata_value(state.seconds, bindings, "Seconds")
            if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds < 0:
                raise StatesError(
                    QUERY_EVALUATION,
                    f"The JSONata expression '{state.seconds}' specified for the field 'Seconds'"
                    " must return a non-negative integer.",
                )
            return float(seconds)
        stamp = _jsonata_value(state.timestamp, bindings, "Timestamp")
        return _until(stamp, name, "Timestamp")
    if state.seconds is not None:
        return float(state.seconds)
    if state.timestamp is not None:
        return _until(state.timestamp, name, "Timestamp")
    env = visit.env(effective)
    if state.seconds_path is not None:
        value = state.seconds_path.resolve(env, "SecondsPath")
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise StatesError(
                RUNTIME,
                f"The SecondsPath parameter does not reference a valid number: {dumps(value)}",
            )
        return float(value)
    assert state.timestamp_path is not None
    value = state.timestamp_path.resolve(env, "TimestampPath")
    return _until(value, name, "TimestampPath")


def _until(stamp: Any, name: str, field_name: str) -> float:
    moment = parse_timestamp(stamp)
    if moment is None:
        raise StatesError(
            RUNTIME,
            f"The {field_name} parameter does not reference a valid ISO-8601 extended offset"
            f" date-time format string: {dumps(stamp)}",
        )
    return max(0.0, moment.timestamp() - time.time())
