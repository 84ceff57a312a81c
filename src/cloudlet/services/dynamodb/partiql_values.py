"""Numbers and parameters in PartiQL statements, checked with the words AWS uses for them.

AWS reads a PartiQL number (a literal or an `N` parameter) as it reads any number
(`types.convert_number`, `types.number_problem`); one it cannot convert at all is, as a literal,
the bare "wasn't well formed" message and, as a parameter, `The parameter cannot be converted to
a numeric value: <text>`. A literal's range errors name where in the value the number sits
(`under root`, `under root.x`, `under root[1]`). Parameters are checked in document order,
nesting first, so the first problem met is the one reported.
"""

from __future__ import annotations

from typing import Any

from cloudlet.services.dynamodb.errors import validation
from cloudlet.services.dynamodb.partiql_lexer import not_well_formed
from cloudlet.services.dynamodb.types import (
    MAX_NESTING,
    NESTING_TOO_DEEP,
    AttributeValue,
    check_value,
    convert_number,
    format_number,
    number_problem,
)

_NOT_A_NUMBER = "The parameter cannot be converted to a numeric value"


def literal_number(text: str, where: str) -> AttributeValue:
    """The N value of a number literal found at `where` (`root`, `root.x`, ...)."""
    number = convert_number(text, bits=32)
    if number is None:
        raise not_well_formed()
    problem = number_problem(number, wrap=True)
    if problem:
        raise validation(f"{problem} under {where}")
    return {"N": format_number(number)}


def _parameter_number(text: Any) -> str:
    if not isinstance(text, str) or not text:
        raise validation(_NOT_A_NUMBER)
    number = convert_number(text, bits=32)
    if number is None:
        raise validation(f"{_NOT_A_NUMBER}: {text}")
    problem = number_problem(number, wrap=True)
    if problem:
        raise validation(problem)
    return format_number(number)


def _walk(value: Any, depth: int) -> None:
    """Nesting and numbers of one parameter, in document order."""
    if depth >= MAX_NESTING:
        raise validation(NESTING_TOO_DEEP)
    if not isinstance(value, dict) or len(value) != 1:
        return  # check_value words an empty or ambiguous value
    ((kind, inner),) = value.items()
    if kind == "N":
        _parameter_number(inner)
    elif kind == "NS" and isinstance(inner, list):
        for member in inner:
            _parameter_number(member)
    elif kind == "M" and isinstance(inner, dict):
        for member in inner.values():
            _walk(member, depth + 1)
    elif kind == "L" and isinstance(inner, list):
        for member in inner:
            _walk(member, depth + 1)


def check_parameters(parameters: list[Any]) -> list[AttributeValue]:
    """The statement's parameters, validated in order and with numbers normalised."""
    checked = []
    for parameter in parameters:
        _walk(parameter, 0)
        checked.append(check_value(parameter))
    return checked
