"""The interpreter: one `Run` per execution, `Frame`s for its threads of control.

    Run      one execution: its Program, history buffer (ids, previousEventId), host, the
             top-level checkpoint (`Position`) and whether it may suspend durably
    Frame    a thread of control: the top level, a Parallel branch or a Map iteration; it owns
             the variables in scope and the id of its last event (each event's previousEventId)
    Visit    one visit of one state by one frame (raw input, entry time and event, retries)

`run_program` walks states from `StartAt` until a terminal state; `run_state` emits
`<Type>StateEntered`, runs the type's handler and emits `<Type>StateExited`. Handlers of Task,
Parallel and Map live in `task.py` and `branches.py`. Everything that waits awaits the host's
clock (scaled by `--time-scale`); a top-level Wait of a durable (Standard) run raises `Suspend`
instead, so a waiting execution holds no coroutine at all: its host persists the checkpoint and
arms a durable timer, and `execute(..., resume=position)` carries on from it.

Events are buffered in the Run and written by the host in one transaction (`Host.flush`) before
anything external is awaited and when the run ends, so a chain of Pass states costs one write.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from cloudlet.services.stepfunctions.asl import context as context_object
from cloudlet.services.stepfunctions.asl.errors import (
    DATA_LIMIT,
    QUERY_EVALUATION,
    RUNTIME,
    StatesError,
)
from cloudlet.services.stepfunctions.asl.payload import Env, dumps
from cloudlet.services.stepfunctions.asl.states import Program, State

MAX_EVENTS = 25_000
"""AWS's history quota for a Standard execution; reaching it fails the execution."""
MAX_PAYLOAD_BYTES = 262_144
"""AWS's payload quota (input/output of a state, task or execution)."""
YIELD_EVERY = 200
"""States run back to back before the interpreter lets the event loop serve others."""


class Host(Protocol):
    """What the interpreter needs from the service around it."""

    def real_seconds(self, aws_seconds: float) -> float: ...

    async def sleep(self, aws_seconds: float) -> None: ...

    def flush(self, run: Run) -> None: ...

    async def invoke(
        self,
        visit: Visit,
        parameters: Any,
        token: str | None,
        timeout: float,
        heartbeat: float | None,
    ) -> Any:
        """Run the Task's resource, emitting its events; raises `StatesError` on failure."""
        ...

    def new_token(self, run: Run) -> str: ...

    def start_map_run(self, visit: Visit, settings: dict[str, Any]) -> str:
        """Record a distributed Map's Map Run; returns its ARN."""
        ...

    def end_map_run(self, arn: str, status: str, counts: dict[str, int]) -> None: ...


class Suspend(Exception):
    """A durable run parks in a top-level Wait until `until` (real epoch seconds)."""

    def __init__(self, until: float) -> None:
        super().__init__(until)
        self.until = until


class HistoryLimit(Exception):
    """The execution reached MAX_EVENTS."""


@dataclass
class Position:
    """The top-level checkpoint: the state being run, with what it needs to run again."""

    state: str
    input: Any
    entered: float
    entered_event: int
    variables: dict[str, Any]
    wait_until: float | None = None
    token: str | None = None
    retry_counts: list[int] | None = None
    reenter: bool = False
    """Redrive: enter the state anew (a fresh StateEntered) instead of carrying on in it."""

    def to_json(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "input": self.input,
            "entered": self.entered,
            "entered_event": self.entered_event,
            "variables": self.variables,
            "wait_until": self.wait_until,
            "token": self.token,
            "retry_counts": self.retry_counts,
            "reenter": self.reenter,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Position:
        fields = cls.__dataclass_fields__
        return cls(**{key: value for key, value in raw.items() if key in fields})


Event = tuple[int, float, str, int, dict[str, Any]]
"""(id, timestamp, type, previousEventId, details)."""


class Run:
    """One execution being interpreted."""

    def __init__(
        self,
        info: context_object.ExecutionInfo,
        program: Program,
        host: Host,
        *,
        durable: bool,
        next_event_id: int = 1,
        record: bool = True,
    ) -> None:
        self.info = info
        self.program = program
        self.host = host
        self.durable = durable
        self.record = record
        self.next_id = next_event_id
        self.pending: list[Event] = []
        self.closed = False
        self.position: Position | None = None
        self.states_run = 0
        self.output: Any = None

    def emit(self, frame: Frame | None, kind: str, details: dict[str, Any] | None = None) -> int:
        """Append one history event; returns its id."""
        if self.closed:
            raise asyncio.CancelledError()
        event_id = self.next_id
        if event_id > MAX_EVENTS and kind not in _TERMINAL:
            raise HistoryLimit()
        self.next_id = event_id + 1
        previous = frame.last if frame is not None else 0
        if self.record:
            self.pending.append((event_id, time.time(), kind, previous, details or {}))
        if frame is not None:
            frame.last = event_id
        return event_id

    def flush(self) -> None:
        if self.pending and not self.closed:
            self.host.flush(self)

    def take_pending(self) -> list[Event]:
        events, self.pending = self.pending, []
        return events


_TERMINAL = frozenset(
    {"ExecutionSucceeded", "ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut"}
)


class Frame:
    """A thread of control and the variables it sees."""

    __slots__ = ("last", "map_item", "run", "top", "variables")

    def __init__(self, run: Run, variables: dict[str, Any], last: int, top: bool = False) -> None:
        self.run = run
        self.variables = variables
        self.last = last
        self.top = top
        self.map_item: tuple[int, Any] | None = None

    def child(self, last: int) -> Frame:
        return Frame(self.run, dict(self.variables), last)


class Visit:
    """One visit of one state."""

    __slots__ = (
        "entered",
        "entered_event",
        "frame",
        "input",
        "resume",
        "retry_count",
        "state",
        "token",
    )

    def __init__(
        self,
        frame: Frame,
        state: State,
        raw_input: Any,
        entered: float,
        entered_event: int,
        resume: Position | None = None,
    ) -> None:
        self.frame = frame
        self.state = state
        self.input = raw_input
        self.entered = entered
        self.entered_event = entered_event
        self.resume = resume
        self.retry_count = 0
        self.token: str | None = None

    @property
    def run(self) -> Run:
        return self.frame.run

    def context(self, map_item: tuple[int, Any] | None = None) -> dict[str, Any]:
        return context_object.build(
            self.run.info,
            self.state.name,
            self.entered,
            self.retry_count,
            self.token,
            map_item,
        )

    def env(self, document: Any) -> Env:
        return Env(document, self.context, self.frame.variables)

    def bindings(self, **states: Any) -> dict[str, Any]:
        """JSONata bindings: `$states` plus the variables in scope."""
        values = {"input": self.input, "context": self.context(), **states}
        return {**self.frame.variables, "states": values}

    def locate(self, error: StatesError) -> StatesError:
        """AWS prefixes evaluation failures with the state and its entry event."""
        if error.error in (RUNTIME, QUERY_EVALUATION) and not getattr(error, "located", False):
            error.cause = (
                f"An error occurred while executing the state '{self.state.name}' (entered at"
                f" the event id #{self.entered_event}). {error.cause}"
            )
            error.located = True  # type: ignore[attr-defined]
        return error


Outcome = tuple[Any, str | None, dict[str, Any]]
"""A handler's answer: (state output, next state or None, variables assigned)."""
Handler = Callable[[Visit], Awaitable[Outcome]]

HANDLERS: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        return fn

    return register


async def run_program(
    frame: Frame, program: Program, raw_input: Any, resume: Position | None = None
) -> Any:
    """Run `program` from its StartAt (or the resumed state) to a terminal state."""
    name = resume.state if resume is not None else program.start_at
    value = resume.input if resume is not None else raw_input
    run = frame.run
    while True:
        state = program.states[name]
        carry_on = None if resume is None or resume.reenter else resume
        value, following = await run_state(frame, state, value, carry_on)
        resume = None
        if following is None:
            return value
        name = following
        run.states_run += 1
        if run.states_run % YIELD_EVERY == 0:
            run.flush()
            await asyncio.sleep(0)


async def run_state(
    frame: Frame, state: State, raw_input: Any, resume: Position | None = None
) -> tuple[Any, str | None]:
    run = frame.run
    if resume is not None:
        entered, entered_event = resume.entered, resume.entered_event
    else:
        entered = time.time()
        entered_event = run.emit(
            frame,
            f"{state.type}StateEntered",
            {
                "stateEnteredEventDetails": {
                    "name": state.name,
                    "input": dumps(raw_input),
                    "inputDetails": {"truncated": False},
                }
            },
        )
    if frame.top:
        run.position = Position(state.name, raw_input, entered, entered_event, frame.variables)
    visit = Visit(frame, state, raw_input, entered, entered_event, resume)
    try:
        output, following, assigned = await HANDLERS[state.type](visit)
    except StatesError as error:
        raise visit.locate(error) from None
    if state.type == "Fail":  # pragma: no cover - Fail always raises
        raise AssertionError
    text = dumps(output)
    if len(text) > MAX_PAYLOAD_BYTES // 4 and len(text.encode()) > MAX_PAYLOAD_BYTES:
        raise StatesError(
            DATA_LIMIT,
            f"The state/task '{state.name}' returned a result with a size exceeding the maximum"
            " number of bytes service limit.",
        )
    details: dict[str, Any] = {"name": state.name, "output": text}
    details["outputDetails"] = {"truncated": False}
    if assigned:
        details["assignedVariables"] = {key: dumps(v) for key, v in assigned.items()}
        details["assignedVariablesDetails"] = {"truncated": False}
        frame.variables = {**frame.variables, **assigned}
    run.emit(frame, f"{state.type}StateExited", {"stateExitedEventDetails": details})
    return output, following


async def execute(run: Run, raw_input: Any, resume: Position | None = None) -> str:
    """Run the whole execution; emits its terminal event and returns its status.

    Returns "SUSPENDED" when a durable run parked in a top-level Wait (`run.position` says
    where and until when).
    """
    variables = dict(resume.variables) if resume is not None else {}
    frame = Frame(run, variables, 0 if resume is None else run.next_id - 1, top=True)
    if resume is not None:
        frame.last = run.next_id - 1 if resume.reenter else resume.entered_event
    try:
        output = await run_program(frame, run.program, raw_input, resume)
    except Suspend as suspend:
        assert run.position is not None
        run.position.wait_until = suspend.until
        return "SUSPENDED"
    except StatesError as error:
        details: dict[str, Any] = {"error": error.error} if error.error else {}
        if error.cause is not None:
            details["cause"] = error.cause
        run.emit(frame, "ExecutionFailed", {"executionFailedEventDetails": details})
        run.output = details
        return "FAILED"
    except HistoryLimit:
        details = {
            "error": RUNTIME,
            "cause": f"The execution reached the maximum number of history events ({MAX_EVENTS}).",
        }
        run.emit(frame, "ExecutionFailed", {"executionFailedEventDetails": details})
        run.output = details
        return "FAILED"
    run.output = output
    run.emit(
        frame,
        "ExecutionSucceeded",
        {
            "executionSucceededEventDetails": {
                "output": dumps(output),
                "outputDetails": {"truncated": False},
            }
        },
    )
    return "SUCCEEDED"


# Register Task, Parallel and Map handlers.
from cloudlet.services.stepfunctions.asl import branches, flow, task  # noqa: E402, F401
