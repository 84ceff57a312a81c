"""Input and output processing of one state, in AWS's order.

JSONPath:  raw input → InputPath → Parameters → (task / result) → ResultSelector → ResultPath
           (onto the *raw* input) → OutputPath; then Assign.
JSONata:   `$states.input` is the raw input; Arguments build the task input; Output (default
           `$states.result`, or `$states.errorOutput` in a catcher) is the state output; Assign
           sees the same pre-state variables.

Failures raise `StatesError` with AWS's names: a path selecting nothing is `States.Runtime`
("Invalid path '$.x' : No results for path: $['x']"), a ResultPath that cannot be applied is
`States.ResultPathMatchFailure`, a failing expression `States.QueryEvaluationError`.
"""

from __future__ import annotations

from typing import Any

from cloudlet.services.stepfunctions.asl.errors import RESULT_PATH_MATCH, RUNTIME, StatesError
from cloudlet.services.stepfunctions.asl.paths import JsonPath, PathNotFound, assign
from cloudlet.services.stepfunctions.asl.payload import Env, dumps
from cloudlet.services.stepfunctions.asl.states import State


def select(path: JsonPath | None, null: bool, document: Any, env: Env) -> Any:
    """InputPath / OutputPath: `$` by default, `{}` when the field is null."""
    if null:
        return {}
    if path is None:
        return document
    source = env.context if path.context else document
    try:
        return path.get(source)
    except PathNotFound as exc:
        raise StatesError(RUNTIME, f"Invalid path '{path.text}' : {exc}") from None


def effective_input(state: State, raw_input: Any, env: Env) -> Any:
    """InputPath then Parameters (JSONPath mode)."""
    value = select(state.input_path, state.input_path_null, raw_input, env)
    if state.parameters is not None:
        value = state.parameters.evaluate(env.with_document(value))
    return value


def place_result(state: State, raw_input: Any, result: Any, env: Env) -> Any:
    """ResultSelector is the caller's; this is ResultPath then OutputPath (JSONPath mode)."""
    return output_of(
        state, combine(state.result_path, state.result_path_null, raw_input, result), env
    )


def combine(path: JsonPath | None, null: bool, raw_input: Any, result: Any) -> Any:
    """ResultPath: where `result` goes in the raw input (`$` default: replaces it)."""
    if null:
        return raw_input
    if path is None:
        return result
    try:
        return assign(raw_input, path, result)
    except ValueError:
        raise StatesError(
            RESULT_PATH_MATCH,
            f"Unable to apply ReferencePath {path.text} to input {dumps(raw_input)}",
        ) from None


def output_of(state: State, value: Any, env: Env) -> Any:
    return select(state.output_path, state.output_path_null, value, env)


def select_result(state: State, result: Any, env: Env) -> Any:
    if state.result_selector is None:
        return result
    return state.result_selector.evaluate(env.with_document(result))


def assigned(state_assign: Any, env: Env, bindings: dict[str, Any] | None) -> dict[str, Any]:
    """Evaluate an `Assign` block (JSONPath template with env, or JSONata with bindings)."""
    if state_assign is None:
        return {}
    if bindings is not None:
        value = state_assign.evaluate(bindings, "Assign")
    else:
        value = state_assign.evaluate(env)
    return dict(value) if isinstance(value, dict) else {}
