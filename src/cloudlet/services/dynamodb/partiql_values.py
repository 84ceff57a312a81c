"""Numbers and parameters in PartiQL statements, checked with the words AWS uses for them.

AWS reads a PartiQL number (a literal or an `N` parameter) the way Java's BigDecimal reads text:
the exponent and the scale (digits after the point less the exponent) must fit a 32-bit integer,
else the number cannot be converted at all (a literal: the bare "wasn't well formed" message; a
parameter: `The parameter cannot be converted to a numeric value: <text>`). The magnitude check
then works on precision less scale in 32-bit arithmetic, which wraps, so `1e2147483647` is an
underflow. A literal's range errors name where in the value the number sits (`under root`,
`under root.x`, `under root[1]`). Parameters are checked in document order, nesting first, so the
first problem met is the one reported.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from cloudlet.services.dynamodb.errors import validation
from cloudlet.services.dynamodb.partiql_lexer import not_well_formed
from cloudlet.services.dynamodb.types import (
    MAX_NESTING,
    AttributeValue,
    check_value,
    format_number,
)

_NUMBER = re.compile(r"([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?")
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
_NOT_A_NUMBER = "The parameter cannot be converted to a numeric value"
_NESTING = (
    "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels "
    "beyond supported limit"
)
_DIGITS = "Attempting to store more than 38 significant digits in a Number"
_OVERFLOW = (
    "Number overflow. Attempting to store a number with magnitude larger than supported range"
)
_UNDERFLOW = (
    "Number underflow. Attempting to store a number with magnitude smaller than supported range"
)


def _wrap(value: int) -> int:
    """`value` as a 32-bit integer computation would leave it."""
    return (value - _INT_MIN) % 2**32 + _INT_MIN


def _convert(text: str) -> Decimal | None:
    """The Decimal of `text` when BigDecimal could read it, else None."""
    match = _NUMBER.fullmatch(text)
    if match is None or not (match.group(2) or match.group(3)):
        return None
    exponent = int(match.group(4) or 0)
    scale = len(match.group(3) or "") - exponent
    if not _INT_MIN <= exponent <= _INT_MAX or not _INT_MIN <= scale <= _INT_MAX:
        return None
    return Decimal(text)


def _range_error(number: Decimal) -> str | None:
    """AWS's complaint about a convertible number's digits or magnitude, if any."""
    if not number:
        return None
    _, digits, exponent = number.as_tuple()
    significant = "".join(map(str, digits)).strip("0")
    if len(significant) > 38:
        return _DIGITS
    precision = len("".join(map(str, digits)).lstrip("0"))
    adjusted = _wrap(precision + int(exponent)) - 1
    if adjusted > 125:
        return _OVERFLOW
    if adjusted < -130:
        return _UNDERFLOW
    return None


def literal_number(text: str, where: str) -> AttributeValue:
    """The N value of a number literal found at `where` (`root`, `root.x`, ...)."""
    number = _convert(text)
    if number is None:
        raise not_well_formed()
    problem = _range_error(number)
    if problem:
        raise validation(f"{problem} under {where}")
    return {"N": format_number(number)}


def _parameter_number(text: Any) -> str:
    if not isinstance(text, str) or not text:
        raise validation(_NOT_A_NUMBER)
    number = _convert(text)
    if number is None:
        raise validation(f"{_NOT_A_NUMBER}: {text}")
    problem = _range_error(number)
    if problem:
        raise validation(problem)
    return format_number(number)


def _walk(value: Any, depth: int) -> None:
    """Nesting and numbers of one parameter, in document order."""
    if depth >= MAX_NESTING:
        raise validation(_NESTING)
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
