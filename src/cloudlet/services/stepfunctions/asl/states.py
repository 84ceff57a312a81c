"""A definition parsed into `Program` and `State` objects, once per definition text.

Parsing assumes the definition passed validation (`validation.py`): it compiles paths,
templates, JSONata expressions, choice rules, retriers and catchers, so running a state does no
parsing at all. `Program` is a state machine or a branch (Parallel branch, Map item processor).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from cloudlet.services.stepfunctions.asl import jsonata
from cloudlet.services.stepfunctions.asl.choice import Rule, compile_condition, compile_rule
from cloudlet.services.stepfunctions.asl.paths import JsonPath, compile_path
from cloudlet.services.stepfunctions.asl.payload import Ref, Template, compile_ref
from cloudlet.services.stepfunctions.asl.retry import Catcher, Retrier

JSONPATH = "JSONPath"
JSONATA = "JSONata"

_ABSENT: Any = object()


@dataclass
class State:
    """One state, with everything it needs compiled."""

    name: str
    type: str
    raw: dict[str, Any]
    query_language: str
    next: str | None = None
    end: bool = False
    # JSONPath input/output processing
    input_path: JsonPath | None = None
    input_path_null: bool = False
    output_path: JsonPath | None = None
    output_path_null: bool = False
    parameters: Template | None = None
    result_selector: Template | None = None
    result_path: JsonPath | None = None
    result_path_null: bool = False
    result: Any = _ABSENT
    assign: Any = None
    """Template (JSONPath) or JsonataTemplate (JSONata)."""
    # JSONata
    arguments: jsonata.JsonataTemplate | None = None
    output: jsonata.JsonataTemplate | None = None
    # errors
    retriers: list[Retrier] = field(default_factory=list)
    catchers: list[Catcher] = field(default_factory=list)
    # Task
    resource: str = ""
    timeout_seconds: Any = None
    timeout_seconds_path: Ref | None = None
    heartbeat_seconds: Any = None
    heartbeat_seconds_path: Ref | None = None
    credentials: Any = None
    # Choice
    choices: list[Rule] = field(default_factory=list)
    default: str | None = None
    # Wait
    seconds: Any = None
    seconds_path: Ref | None = None
    timestamp: Any = None
    timestamp_path: Ref | None = None
    # Fail
    error: Any = None
    cause: Any = None
    error_path: Ref | None = None
    cause_path: Ref | None = None
    # Parallel / Map
    branches: list[Program] = field(default_factory=list)
    processor: Program | None = None
    processor_mode: str = "INLINE"
    items_path: Ref | None = None
    items: Any = None
    item_selector: Any = None
    max_concurrency: Any = 0
    max_concurrency_path: Ref | None = None
    tolerated_failure_count: Any = None
    tolerated_failure_count_path: Ref | None = None
    tolerated_failure_percentage: Any = None
    tolerated_failure_percentage_path: Ref | None = None
    item_reader: Any = None
    item_batcher: Any = None
    result_writer: Any = None
    label: str | None = None

    @property
    def jsonata(self) -> bool:
        return self.query_language == JSONATA


@dataclass
class Program:
    """A state machine or a branch: where it starts and its states."""

    start_at: str
    states: dict[str, State]
    query_language: str = JSONPATH
    timeout_seconds: int | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@lru_cache(maxsize=256)
def parse_definition(text: str) -> Program:
    """The Program of a (validated) definition text; cached, so shared by executions."""
    return parse_program(json.loads(text), JSONPATH)


def parse_program(raw: dict[str, Any], inherited_language: str) -> Program:
    language = raw.get("QueryLanguage", inherited_language)
    states = {
        name: parse_state(name, body, language) for name, body in raw.get("States", {}).items()
    }
    return Program(
        start_at=raw["StartAt"],
        states=states,
        query_language=language,
        timeout_seconds=raw.get("TimeoutSeconds"),
        raw=raw,
    )


def _path(raw: dict[str, Any], key: str) -> tuple[JsonPath | None, bool]:
    """(compiled path or None for the default `$`, whether the field is JSON null)."""
    if key not in raw:
        return None, False
    value = raw[key]
    if value is None:
        return None, True
    return compile_path(value), False


def _template(value: Any, language: str) -> Any:
    if language == JSONATA:
        return jsonata.JsonataTemplate(value)
    return Template(value)


def parse_state(name: str, raw: dict[str, Any], inherited_language: str) -> State:
    language = raw.get("QueryLanguage", inherited_language)
    state = State(
        name=name,
        type=raw["Type"],
        raw=raw,
        query_language=language,
        next=raw.get("Next"),
        end=bool(raw.get("End", False)),
    )
    if language == JSONPATH:
        state.input_path, state.input_path_null = _path(raw, "InputPath")
        state.output_path, state.output_path_null = _path(raw, "OutputPath")
        state.result_path, state.result_path_null = _path(raw, "ResultPath")
        if "Parameters" in raw:
            state.parameters = Template(raw["Parameters"])
        if "ResultSelector" in raw:
            state.result_selector = Template(raw["ResultSelector"])
    else:
        if "Arguments" in raw:
            state.arguments = jsonata.JsonataTemplate(raw["Arguments"])
        if "Output" in raw:
            state.output = jsonata.JsonataTemplate(raw["Output"])
    if "Assign" in raw:
        state.assign = _template(raw["Assign"], language)
    if "Result" in raw:
        state.result = raw["Result"]
    state.retriers = [Retrier.parse(r) for r in raw.get("Retry", [])]
    state.catchers = [_catcher(c, language) for c in raw.get("Catch", [])]
    kind = state.type
    if kind == "Task":
        _task(state, raw)
    elif kind == "Choice":
        state.choices = [_rule(rule, language) for rule in raw.get("Choices", [])]
        state.default = raw.get("Default")
    elif kind == "Wait":
        state.seconds = raw.get("Seconds")
        state.timestamp = raw.get("Timestamp")
        if "SecondsPath" in raw:
            state.seconds_path = compile_ref(raw["SecondsPath"])
        if "TimestampPath" in raw:
            state.timestamp_path = compile_ref(raw["TimestampPath"])
    elif kind == "Fail":
        state.error = raw.get("Error")
        state.cause = raw.get("Cause")
        if "ErrorPath" in raw:
            state.error_path = compile_ref(raw["ErrorPath"])
        if "CausePath" in raw:
            state.cause_path = compile_ref(raw["CausePath"])
    elif kind == "Parallel":
        state.branches = [parse_program(branch, language) for branch in raw["Branches"]]
    elif kind == "Map":
        _map(state, raw, language)
    return state


def _task(state: State, raw: dict[str, Any]) -> None:
    state.resource = raw.get("Resource", "")
    state.timeout_seconds = raw.get("TimeoutSeconds")
    state.heartbeat_seconds = raw.get("HeartbeatSeconds")
    if "TimeoutSecondsPath" in raw:
        state.timeout_seconds_path = compile_ref(raw["TimeoutSecondsPath"])
    if "HeartbeatSecondsPath" in raw:
        state.heartbeat_seconds_path = compile_ref(raw["HeartbeatSecondsPath"])
    if "Credentials" in raw:
        state.credentials = raw["Credentials"]


def _map(state: State, raw: dict[str, Any], language: str) -> None:
    processor = raw.get("ItemProcessor") or raw.get("Iterator") or {}
    state.processor = parse_program(processor, language)
    config = processor.get("ProcessorConfig") or {}
    state.processor_mode = config.get("Mode", "INLINE")
    if language == JSONPATH:
        if "ItemsPath" in raw:
            state.items_path = compile_ref(raw["ItemsPath"])
        selector = raw.get("ItemSelector", raw.get("Parameters"))
        if selector is not None:
            state.item_selector = Template(selector)
            state.parameters = None
    else:
        if "Items" in raw:
            state.items = jsonata.JsonataTemplate(raw["Items"])
        if "ItemSelector" in raw:
            state.item_selector = jsonata.JsonataTemplate(raw["ItemSelector"])
    state.max_concurrency = raw.get("MaxConcurrency", 0)
    for key in (
        "MaxConcurrencyPath",
        "ToleratedFailureCountPath",
        "ToleratedFailurePercentagePath",
    ):
        if key in raw:
            attribute = {
                "MaxConcurrencyPath": "max_concurrency_path",
                "ToleratedFailureCountPath": "tolerated_failure_count_path",
                "ToleratedFailurePercentagePath": "tolerated_failure_percentage_path",
            }[key]
            setattr(state, attribute, compile_ref(raw[key]))
    state.tolerated_failure_count = raw.get("ToleratedFailureCount")
    state.tolerated_failure_percentage = raw.get("ToleratedFailurePercentage")
    state.item_reader = raw.get("ItemReader")
    state.item_batcher = raw.get("ItemBatcher")
    state.result_writer = raw.get("ResultWriter")
    state.label = raw.get("Label")


def _catcher(raw: dict[str, Any], language: str) -> Catcher:
    catcher = Catcher(error_equals=list(raw["ErrorEquals"]), next=raw["Next"], raw=raw)
    if language == JSONPATH:
        catcher.has_result_path = "ResultPath" in raw
        value = raw.get("ResultPath", "$")
        catcher.result_path = compile_path(value) if value is not None else None
    elif "Output" in raw:
        catcher.output = jsonata.JsonataTemplate(raw["Output"])
    if "Assign" in raw:
        catcher.assign = _template(raw["Assign"], language)
    return catcher


def _rule(raw: dict[str, Any], language: str) -> Rule:
    if language == JSONATA:
        condition = compile_condition(raw["Condition"])
        rule = Rule(next=raw["Next"], test=lambda env: False)
        rule.extra["condition"] = condition
    else:
        rule = Rule(next=raw["Next"], test=compile_rule(raw))
    if "Assign" in raw:
        rule.assign = _template(raw["Assign"], language)
    if "Output" in raw and language == JSONATA:
        rule.output = jsonata.JsonataTemplate(raw["Output"])
    return rule
