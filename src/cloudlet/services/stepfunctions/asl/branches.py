"""Parallel and Map: branches and iterations run as concurrent frames of the same execution.

Parallel:  ParallelStateEntered → ParallelStateStarted → (each branch's events) →
           ParallelStateSucceeded → ParallelStateExited. A failing branch cancels the others and
           fails the state with the branch's own error (ParallelStateFailed), which the state's
           Retry/Catch then see.
Map:       MapStateEntered → MapStateStarted{length} → per item MapIterationStarted{index, name}
           … MapIterationSucceeded → MapStateSucceeded → MapStateExited. A failing iteration
           (MapIterationFailed) aborts the running ones (MapIterationAborted) and fails the state
           (MapStateFailed), unless the tolerated-failure thresholds (distributed mode) allow it.

Branch frames get a copy of the outer variables: they see the outer scope, and what they assign
stays inside. Inline Map runs at most `MaxConcurrency` iterations at once (0: AWS's practical 40).
Distributed mode runs its iterations here too (no child executions), with ItemBatcher,
ToleratedFailureCount/Percentage and `States.ExceedToleratedFailureThreshold`.
"""

from __future__ import annotations

import asyncio
from typing import Any

from cloudlet.services.stepfunctions.asl import io
from cloudlet.services.stepfunctions.asl.engine import Outcome, Visit, handler, run_program
from cloudlet.services.stepfunctions.asl.errors import (
    RUNTIME,
    TOLERATED_FAILURE,
    StatesError,
)
from cloudlet.services.stepfunctions.asl.handling import with_retries
from cloudlet.services.stepfunctions.asl.payload import Env, dumps

INLINE_CONCURRENCY = 40
"""How many iterations an inline Map with MaxConcurrency 0 runs at once (AWS: about 40)."""


@handler("Parallel")
async def _parallel(visit: Visit) -> Outcome:
    return await with_retries(visit, _parallel_attempt)


async def _parallel_attempt(visit: Visit) -> Outcome:
    state = visit.state
    run = visit.run
    frame = visit.frame
    if state.jsonata:
        bindings = visit.bindings()
        effective = (
            state.arguments.evaluate(bindings, "Arguments") if state.arguments else visit.input
        )
    else:
        env = visit.env(visit.input)
        effective = io.effective_input(state, visit.input, env)
    started = run.emit(frame, "ParallelStateStarted")
    frames = [frame.child(started) for _ in state.branches]
    coroutines = [
        run_program(child, branch, effective)
        for child, branch in zip(frames, state.branches, strict=True)
    ]
    try:
        results = await _all_or_first_failure(coroutines)
    except StatesError:
        frame.last = run.next_id - 1
        run.emit(frame, "ParallelStateFailed")
        raise
    frame.last = run.next_id - 1
    run.emit(frame, "ParallelStateSucceeded")
    return _finish(visit, results)


def _finish(visit: Visit, results: Any) -> Outcome:
    state = visit.state
    if state.jsonata:
        bindings = visit.bindings(result=results)
        output = state.output.evaluate(bindings, "Output") if state.output else results
        return output, state.next, io.assigned(state.assign, visit.env(None), bindings)
    env = visit.env(visit.input)
    selected = io.select_result(state, results, env)
    output = io.place_result(state, visit.input, selected, env)
    return output, state.next, io.assigned(state.assign, env.with_document(selected), None)


async def _all_or_first_failure(coroutines: list[Any]) -> list[Any]:
    """Results in order; the first failure cancels the rest and is raised."""
    if not coroutines:
        return []
    tasks = [asyncio.ensure_future(c) for c in coroutines]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    except asyncio.CancelledError:
        for task in tasks:
            task.cancel()
        raise
    failed = next((t for t in tasks if t.done() and not t.cancelled() and t.exception()), None)
    if failed is not None:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        exception = failed.exception()
        assert exception is not None
        raise exception
    return [task.result() for task in tasks]


# -- Map --------------------------------------------------------------------------------------


@handler("Map")
async def _map(visit: Visit) -> Outcome:
    return await with_retries(visit, _map_attempt)


def _number(visit: Visit, value: Any, path: Any, env: Env, bindings: Any, name: str) -> Any:
    from cloudlet.services.stepfunctions.asl import jsonata

    if path is not None:
        value = path.resolve(env, f"{name}Path")
    elif bindings is not None and jsonata.is_expression(value):
        value = jsonata.evaluate(jsonata.expression_text(value), bindings, name)
    return value


async def _map_attempt(visit: Visit) -> Outcome:
    state = visit.state
    run = visit.run
    frame = visit.frame
    bindings = visit.bindings() if state.jsonata else None
    env = visit.env(visit.input)
    if bindings is not None:
        effective = visit.input
        items = state.items.evaluate(bindings, "Items") if state.items else visit.input
    else:
        effective = io.select(state.input_path, state.input_path_null, visit.input, env)
        items = (
            state.items_path.resolve(env.with_document(effective), "ItemsPath")
            if state.items_path is not None
            else effective
        )
    if not isinstance(items, list):
        raise StatesError(
            RUNTIME if bindings is None else "States.QueryEvaluationError",
            f"Map state input must be an array, got {dumps(items)}"
            if bindings is None
            else "The Items field must be a JSON array.",
        )
    concurrency = _number(
        visit, state.max_concurrency, state.max_concurrency_path, env, bindings, "MaxConcurrency"
    )
    distributed = state.processor_mode == "DISTRIBUTED"
    batches = _batch(state.item_batcher, items) if distributed and state.item_batcher else None
    inputs = batches if batches is not None else items
    limit = int(concurrency or 0) or (1000 if distributed else INLINE_CONCURRENCY)
    tolerated_count = _number(
        visit,
        state.tolerated_failure_count,
        state.tolerated_failure_count_path,
        env,
        bindings,
        "ToleratedFailureCount",
    )
    tolerated_percent = _number(
        visit,
        state.tolerated_failure_percentage,
        state.tolerated_failure_percentage_path,
        env,
        bindings,
        "ToleratedFailurePercentage",
    )
    started = run.emit(
        frame, "MapStateStarted", {"mapStateStartedEventDetails": {"length": len(inputs)}}
    )
    map_run = None
    counts = {"succeeded": 0, "failed": 0, "aborted": 0}
    if distributed:
        map_run = run.host.start_map_run(
            visit,
            {
                "maxConcurrency": concurrency,
                "toleratedFailurePercentage": tolerated_percent,
                "toleratedFailureCount": tolerated_count,
                "total": len(inputs),
            },
        )
        started = run.emit(
            frame, "MapRunStarted", {"mapRunStartedEventDetails": {"mapRunArn": map_run}}
        )
    semaphore = asyncio.Semaphore(limit)
    assert state.processor is not None
    processor = state.processor
    failures: list[StatesError] = []
    tolerant = distributed and (tolerated_count is not None or tolerated_percent is not None)

    aborted: list[bool] = []

    async def iteration(index: int, item: Any) -> Any:
        async with semaphore:
            if aborted:
                raise asyncio.CancelledError()
            child = frame.child(started)
            details = {"mapIterationStartedEventDetails": {"index": index, "name": state.name}}
            run.emit(child, "MapIterationStarted", details)
            value = _item_input(visit, effective, index, item, bindings)
            try:
                result = await run_program(child, processor, value)
            except StatesError as error:
                counts["failed"] += 1
                run.emit(
                    child,
                    "MapIterationFailed",
                    {"mapIterationFailedEventDetails": {"index": index, "name": state.name}},
                )
                if tolerant:
                    failures.append(error)
                    try:
                        _check_tolerance(failures, len(inputs), tolerated_count, tolerated_percent)
                    except StatesError:
                        aborted.append(True)
                        raise
                    return error.output()
                aborted.append(True)
                raise
            except asyncio.CancelledError:
                counts["aborted"] += 1
                if not run.closed:
                    run.emit(
                        child,
                        "MapIterationAborted",
                        {"mapIterationAbortedEventDetails": {"index": index, "name": state.name}},
                    )
                raise
            counts["succeeded"] += 1
            run.emit(
                child,
                "MapIterationSucceeded",
                {"mapIterationSucceededEventDetails": {"index": index, "name": state.name}},
            )
            return result

    try:
        results = await _all_or_first_failure([iteration(i, item) for i, item in enumerate(inputs)])
    except StatesError as error:
        frame.last = run.next_id - 1
        if map_run is not None:
            run.host.end_map_run(map_run, "FAILED", counts)
            details = {"error": error.error} | ({"cause": error.cause} if error.cause else {})
            run.emit(frame, "MapRunFailed", {"mapRunFailedEventDetails": details})
        run.emit(frame, "MapStateFailed")
        raise
    frame.last = run.next_id - 1
    if map_run is not None:
        run.host.end_map_run(map_run, "SUCCEEDED", counts)
        run.emit(frame, "MapRunSucceeded")
    run.emit(frame, "MapStateSucceeded")
    return _finish(visit, results)


def _item_input(
    visit: Visit, effective: Any, index: int, item: Any, bindings: dict[str, Any] | None
) -> Any:
    state = visit.state
    if state.item_selector is None:
        return item
    if bindings is not None:
        context = visit.context(map_item=(index, item))
        item_bindings = {**bindings, "states": {**bindings["states"], "context": context}}
        return state.item_selector.evaluate(item_bindings, "ItemSelector")
    env = Env(effective, lambda: visit.context(map_item=(index, item)), visit.frame.variables)
    return state.item_selector.evaluate(env)


def _batch(batcher: dict[str, Any], items: list[Any]) -> list[Any]:
    size = batcher.get("MaxItemsPerBatch") or len(items) or 1
    max_bytes = batcher.get("MaxInputBytesPerBatch")
    base = batcher.get("BatchInput")
    batches: list[Any] = []
    current: list[Any] = []
    current_bytes = 0
    for item in items:
        item_bytes = len(dumps(item).encode())
        if current and (
            len(current) >= size or (max_bytes and current_bytes + item_bytes > max_bytes)
        ):
            batches.append(current)
            current, current_bytes = [], 0
        current.append(item)
        current_bytes += item_bytes
    if current:
        batches.append(current)
    return [{**(base or {}), "Items": batch} if base else {"Items": batch} for batch in batches]


def _check_tolerance(failures: list[StatesError], total: int, count: Any, percent: Any) -> None:
    over_count = count is not None and len(failures) > int(count)
    over_percent = (
        percent is not None and total and (len(failures) * 100.0 / total > float(percent))
    )
    if over_count or over_percent or (count is None and percent is None):
        raise StatesError(
            TOLERATED_FAILURE,
            "The specified tolerated failure threshold was exceeded",
        )
