"""Definition rules for Choice states (JSONPath comparison rules, JSONata conditions) and for
JSONata expressions anywhere in a state. Used by `rules.py`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cloudlet.services.stepfunctions.asl import jsonata
from cloudlet.services.stepfunctions.asl.choice import OPERATORS, parse_timestamp
from cloudlet.services.stepfunctions.asl.payload import compile_ref

if TYPE_CHECKING:
    from cloudlet.services.stepfunctions.validation import Checker


def expressions(checker: Checker, value: Any, location: str, field: str) -> None:
    if isinstance(value, str):
        if value.startswith("{%") and not jsonata.is_expression(value):
            checker.schema(
                f"The value for the field '{field}' must be a valid JSONata expression", location
            )
        elif jsonata.is_expression(value):
            try:
                jsonata.compile_expression(jsonata.expression_text(value))
            except jsonata.JsonataSyntaxError:
                checker.schema(
                    f"The value for the field '{field}' must be a valid JSONata expression",
                    location,
                )
    elif isinstance(value, dict):
        for key, inner in value.items():
            expressions(checker, inner, f"{location}/{key}", field)
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            expressions(checker, inner, f"{location}[{i}]", field)


def check_choice(checker: Checker, body: dict[str, Any], location: str, language: str) -> list[Any]:
    choices = body.get("Choices")
    transitions: list[tuple[str, str]] = []
    if not isinstance(choices, list) or not choices:
        checker.schema("These fields are required: [Choices]", location)
        return transitions
    for i, rule in enumerate(choices):
        where = f"{location}/Choices[{i}]"
        if not isinstance(rule, dict):
            checker.schema("A choice rule must be a JSON object", where)
            continue
        if not isinstance(rule.get("Next"), str):
            checker.schema("These fields are required: [Next]", where)
        else:
            transitions.append((f"Choices[{i}]/Next", rule["Next"]))
        if language == "JSONata":
            condition = rule.get("Condition")
            if not jsonata.is_expression(condition):
                checker.schema("These fields are required: [Condition]", where)
            else:
                expressions(checker, condition, f"{where}/Condition", "Condition")
            for key in ("Output", "Assign"):
                if key in rule:
                    expressions(checker, rule[key], f"{where}/{key}", key)
        else:
            _rule(checker, rule, where, top=True)
    if "Default" in body:
        transitions.append(("Default", body["Default"]))
    return transitions


def _rule(checker: Checker, rule: dict[str, Any], where: str, top: bool) -> None:
    extra = {"Next", "Comment", "Assign"} if top else {"Comment"}
    if "Next" in rule and not top:
        checker.schema('The field "Next" is not supported by Step Functions', where)
    for combinator in ("And", "Or"):
        if combinator in rule:
            parts = rule[combinator]
            if not isinstance(parts, list) or not parts:
                checker.schema(
                    f"The value for the field '{combinator}' must be a non-empty ARRAY",
                    f"{where}/{combinator}",
                )
                return
            for i, part in enumerate(parts):
                if isinstance(part, dict):
                    _rule(checker, part, f"{where}/{combinator}[{i}]", top=False)
            return
    if "Not" in rule:
        if isinstance(rule["Not"], dict):
            _rule(checker, rule["Not"], f"{where}/Not", top=False)
        else:
            checker.schema("The value for the field 'Not' must be an OBJECT", f"{where}/Not")
        return
    operators = [key for key in rule if key in OPERATORS]
    if "Variable" not in rule:
        checker.schema("These fields are required: [Variable]", where)
        return
    try:
        compile_ref(rule["Variable"])
    except ValueError:
        checker.schema(
            "The value for the field 'Variable' must be a valid JSONPath", f"{where}/Variable"
        )
    if len(operators) != 1:
        checker.schema("A choice rule must have exactly one comparison operator", where)
        return
    for key in rule:
        if key not in extra and key != "Variable" and key not in OPERATORS:
            checker.schema(f'The field "{key}" is not supported by Step Functions', where)
    operator = operators[0]
    value = rule[operator]
    if operator.endswith("Path"):
        try:
            compile_ref(value)
        except ValueError:
            checker.schema(
                f"The value for the field '{operator}' must be a valid JSONPath",
                f"{where}/{operator}",
            )
    elif operator.startswith("Is") or operator == "BooleanEquals":
        if not isinstance(value, bool):
            checker.schema(
                f"The value for the field '{operator}' must be a BOOLEAN", f"{where}/{operator}"
            )
    elif operator.startswith("Numeric"):
        if not isinstance(value, int | float) or isinstance(value, bool):
            checker.schema(
                f"The value for the field '{operator}' must be a NUMBER", f"{where}/{operator}"
            )
    elif operator.startswith("Timestamp"):
        if parse_timestamp(value) is None:
            checker.schema(
                f"The value for the field '{operator}' must be a TIMESTAMP", f"{where}/{operator}"
            )
    elif not isinstance(value, str):
        checker.schema(
            f"The value for the field '{operator}' must be a STRING", f"{where}/{operator}"
        )
