"""Definition checks: what AWS rejects at create/update, with AWS's diagnostic codes.

`diagnose(text, type)` lists `Diagnostic`s (code, message, location), as
ValidateStateMachineDefinition reports them; `check_definition` raises `InvalidDefinition` with
them joined the way CreateStateMachine words it:

    Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: These fields are required:
    [Type] at /States/Start, MISSING_TRANSITION_TARGET: Missing 'Next' target: B at /States/A/Next'

Codes: INVALID_JSON_DESCRIPTION (not JSON), SCHEMA_VALIDATION_FAILED (fields, types, values,
paths, expressions), MISSING_TRANSITION_TARGET (unknown `Next`/`Default`/`StartAt` targets and
unreachable states), DUPLICATE_STATE_NAME. Valid ASL must never be rejected, so every check
here is one AWS documents; anything uncertain is left to run time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from cloudlet.services.stepfunctions import errors
from cloudlet.services.stepfunctions.rules import check_state


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    location: str
    severity: str = "ERROR"

    def text(self) -> str:
        return f"{self.code}: {self.message} at {self.location}"


class Checker:
    """Collects diagnostics while walking one definition."""

    def __init__(self, machine_type: str) -> None:
        self.machine_type = machine_type
        self.diagnostics: list[Diagnostic] = []
        self.names: dict[str, str] = {}

    def add(self, code: str, message: str, location: str) -> None:
        self.diagnostics.append(Diagnostic(code, message, location))

    def schema(self, message: str, location: str) -> None:
        self.add("SCHEMA_VALIDATION_FAILED", message, location)


def diagnose(text: str, machine_type: str = "STANDARD") -> list[Diagnostic]:
    try:
        raw = json.loads(text)
    except ValueError as exc:
        return [Diagnostic("INVALID_JSON_DESCRIPTION", str(exc), "/")]
    checker = Checker(machine_type)
    if not isinstance(raw, dict):
        checker.schema("The definition must be a JSON object", "/")
        return checker.diagnostics
    check_program(checker, raw, "", "JSONPath", top=True)
    return checker.diagnostics


def check_definition(text: str, machine_type: str = "STANDARD") -> None:
    diagnostics = diagnose(text, machine_type)
    if diagnostics:
        raise errors.invalid_definition(", ".join(d.text() for d in diagnostics))


TOP_FIELDS = frozenset(
    {"Comment", "StartAt", "States", "TimeoutSeconds", "Version", "QueryLanguage"}
)
BRANCH_FIELDS = frozenset({"Comment", "StartAt", "States", "ProcessorConfig", "QueryLanguage"})


def check_program(
    checker: Checker, raw: dict[str, Any], prefix: str, language: str, top: bool = False
) -> None:
    root = prefix or "/"
    allowed = TOP_FIELDS if top else BRANCH_FIELDS
    for key in raw:
        if key not in allowed:
            checker.schema(f'The field "{key}" is not supported by Step Functions', root)
    missing = [key for key in ("StartAt", "States") if key not in raw]
    if missing:
        checker.schema(f"These fields are required: [{', '.join(missing)}]", root)
        return
    language = raw.get("QueryLanguage", language)
    if language not in ("JSONPath", "JSONata"):
        checker.schema(
            "The value for the field 'QueryLanguage' must be one of [JSONPath, JSONata]",
            f"{prefix}/QueryLanguage",
        )
        return
    if top and "TimeoutSeconds" in raw:
        value = raw["TimeoutSeconds"]
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            checker.schema(
                "The value for the field 'TimeoutSeconds' must be a positive integer",
                "/TimeoutSeconds",
            )
    states = raw["States"]
    if not isinstance(states, dict) or not states:
        checker.schema("The field 'States' must be a non-empty object", f"{prefix}/States")
        return
    if not isinstance(raw["StartAt"], str) or raw["StartAt"] not in states:
        checker.add(
            "MISSING_TRANSITION_TARGET",
            f"Missing 'StartAt' target: {raw['StartAt']}",
            f"{prefix}/StartAt",
        )
    for name, body in states.items():
        location = f"{prefix}/States/{name}"
        if name in checker.names:
            checker.add("DUPLICATE_STATE_NAME", f"Duplicate State name: {name}", location)
        checker.names[name] = location
        if len(name) > 80:
            checker.schema("State names must be at most 80 characters", location)
        if not isinstance(body, dict):
            checker.schema("A state must be a JSON object", location)
            continue
        for target_field, target in check_state(checker, name, body, location, language):
            if target not in states:
                checker.add(
                    "MISSING_TRANSITION_TARGET",
                    f"Missing '{target_field}' target: {target}",
                    f"{location}/{target_field}",
                )
    _reachability(checker, raw, states, prefix)


def _reachability(
    checker: Checker, raw: dict[str, Any], states: dict[str, Any], prefix: str
) -> None:
    start = raw.get("StartAt")
    if start not in states:
        return
    seen = {start}
    todo = [start]
    while todo:
        body = states[todo.pop()]
        if not isinstance(body, dict):
            continue
        targets = [body.get("Next"), body.get("Default")]
        targets += [c.get("Next") for c in body.get("Choices") or [] if isinstance(c, dict)]
        targets += [c.get("Next") for c in body.get("Catch") or [] if isinstance(c, dict)]
        for target in targets:
            if isinstance(target, str) and target in states and target not in seen:
                seen.add(target)
                todo.append(target)
    for name in states:
        if name not in seen:
            checker.add(
                "MISSING_TRANSITION_TARGET",
                f'State "{name}" is not reachable.',
                f"{prefix}/States/{name}",
            )
