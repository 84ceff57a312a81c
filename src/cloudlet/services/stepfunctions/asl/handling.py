"""Retry and Catch around a state that can fail (Task, Parallel, Map).

`with_retries(visit, attempt)` runs `attempt` until it succeeds, a retrier asks for another try
(after the backoff delay, waited on the host's clock), or the error is caught (the catcher's
output and `Next`) or escapes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from cloudlet.services.stepfunctions.asl import io
from cloudlet.services.stepfunctions.asl.engine import Outcome, Visit
from cloudlet.services.stepfunctions.asl.errors import StatesError
from cloudlet.services.stepfunctions.asl.retry import RetryState, select_catcher

Attempt = Callable[[Visit], Awaitable[Outcome]]


async def with_retries(visit: Visit, attempt: Attempt) -> Outcome:
    state = visit.state
    retry = RetryState.fresh(state.retriers)
    resume = visit.resume
    if (
        resume is not None
        and resume.retry_counts
        and len(resume.retry_counts) == len(state.retriers)
    ):
        retry.counts = list(resume.retry_counts)
    while True:
        try:
            return await attempt(visit)
        except StatesError as failure:
            error = visit.locate(failure)
        decision = retry.next_delay(state.retriers, error.error)
        if decision is not None:
            _, delay = decision
            visit.retry_count = retry.total
            visit.resume = None
            visit.token = None
            run = visit.run
            if visit.frame.top and run.position is not None:
                run.position.retry_counts = list(retry.counts)
                run.position.token = None
            run.flush()
            await run.host.sleep(delay)
            continue
        return catch(visit, error)


def catch(visit: Visit, error: StatesError) -> Outcome:
    state = visit.state
    catcher = select_catcher(state.catchers, error.error)
    if catcher is None:
        raise error
    error_output = error.output()
    if state.jsonata:
        bindings = visit.bindings(errorOutput=error_output)
        output: Any = (
            catcher.output.evaluate(bindings, "Output") if catcher.output else error_output
        )
        return output, catcher.next, io.assigned(catcher.assign, visit.env(None), bindings)
    path = catcher.result_path
    output = io.combine(path, path is None, visit.input, error_output)
    env = visit.env(error_output)
    return output, catcher.next, io.assigned(catcher.assign, env, None)
