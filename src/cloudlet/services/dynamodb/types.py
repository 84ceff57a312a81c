"""DynamoDB attribute values: validation, number normalisation, sizes, equality and order.

Values stay in the wire shape boto3 callers use (`{"S": "x"}`, `{"N": "1.5"}`, `{"B": b"..."}`,
`{"SS": [...]}`, `{"M": {...}}`, `{"L": [...]}`, `{"NULL": True}`, `{"BOOL": False}`): the parser
produces it, the serializer writes it, and expressions evaluate on it, so nothing is converted on
the hot path. `check_item` validates an incoming item once and normalises its numbers in place
(AWS returns `1.5E2` as `150`), so stored numbers are canonical and deep equality of two values is
plain equality except for the order of set members.

Numbers follow AWS: at most 38 significant digits, magnitudes from 1E-130 to below 1E+126,
leading and trailing zeros trimmed, `-0` is `0`. Sizes follow AWS's 400 KB accounting (names plus
values; a number costs 1 + ceil(integer digits / 2) + ceil(fraction digits / 2) + 1 if negative).
"""

from __future__ import annotations

import re
from base64 import b64encode
from decimal import Context, Decimal
from typing import Any

from cloudlet.errors import ValidationError
from cloudlet.services.dynamodb.errors import RequestValidationError, invalid, validation

AttributeValue = dict[str, Any]
Item = dict[str, AttributeValue]

MAX_ITEM_BYTES = 409_600
MAX_NESTING = 32
"""Levels an attribute value may span: a scalar inside 31 maps or lists is the deepest AWS takes."""
SCALAR_TYPES = frozenset({"S", "N", "B"})
SET_TYPES = {"SS": "S", "NS": "N", "BS": "B"}
ALL_TYPES = ("S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL")

NUMBER_CONTEXT = Context(prec=38, Emax=125, Emin=-130)
"""Arithmetic context: 38 digits, AWS's exponent range (inexact results are checked by hand)."""
_WIDE = Context(prec=80)

_SET_NAMES = {"SS": "string", "NS": "number"}
_NOT_A_NUMBER = "The parameter cannot be converted to a numeric value"
_NUMBER_TEXT = re.compile(r"[+-]?(?:\d+(?:\.(\d*))?|\.(\d+))(?:[eE]([+-]?\d+))?")


class AttributeValueError(RequestValidationError):
    """A number or a set AWS cannot take, worded by whichever of AWS's two validation layers the
    operation runs (as captured in 2026): `message` is the current layer's words (PutItem,
    UpdateItem and DeleteItem wrap them in Coral's `1 validation error detected: `; GetItem,
    BatchGetItem and Query send them bare), `older` the words BatchWriteItem, TransactWriteItems,
    TransactGetItems and Scan still use."""

    def __init__(self, message: str, older: str | None = None) -> None:
        super().__init__(message)
        self.older = message if older is None else older

    def in_older_words(self) -> ValidationError:
        """As BatchWriteItem, TransactWriteItems, TransactGetItems and Scan report it."""
        return ValidationError(self.older)


NESTING_TOO_DEEP = (
    "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels "
    "beyond supported limit"
)


class NestingTooDeep(AttributeValueError):
    """A value nested past the limit: the same bare words in both layers, also for an
    ExpressionAttributeValues value (no placeholder named)."""


def parse_number(text: str) -> Decimal:
    """The Decimal of an N value, with AWS's errors for bad text, precision and range. The current
    layer reads the exponent as a 64-bit integer; the older one wraps it in 32 bits (so there
    `1e2147483647` is an underflow)."""
    number = convert_number(text)
    if number is None:
        raise AttributeValueError(
            f"{_NOT_A_NUMBER}: {text}", f"{_NOT_A_NUMBER}: {text}" if text else _NOT_A_NUMBER
        )
    problem = number_problem(number)
    if problem:
        exponent = number.as_tuple().exponent
        older = number_problem(number, wrap=True) if _fits(exponent, 32) else problem
        raise AttributeValueError(problem, older)
    return number.normalize(_WIDE)


def convert_number(text: str, bits: int = 64) -> Decimal | None:
    """The Decimal of `text` when AWS can read it as a number at all, else None: digits with an
    optional point and exponent, where the exponent and the scale (digits after the point less
    the exponent) fit a `bits`-bit integer (32 for PartiQL, read as Java's BigDecimal reads)."""
    match = _NUMBER_TEXT.fullmatch(text)
    if match is None:
        return None
    exponent = int(match.group(3) or 0)
    scale = len(match.group(1) or match.group(2) or "") - exponent
    if not _fits(exponent, bits) or not _fits(scale, bits):
        return None
    if abs(exponent) > _EXPONENT_CLAMP:  # out of range either way, and past Decimal's own range
        mantissa = text[: match.start(3)].rstrip("eE")
        return Decimal(f"{mantissa}e{_EXPONENT_CLAMP if exponent > 0 else -_EXPONENT_CLAMP}")
    return Decimal(text)


_EXPONENT_CLAMP = 10**15
"""Exponents beyond this are out of DynamoDB's range whatever the digits (and Decimal cannot hold
exponents near 2**63)."""


def _fits(value: object, bits: int) -> bool:
    return isinstance(value, int) and -(2 ** (bits - 1)) <= value < 2 ** (bits - 1)


def number_problem(number: Decimal, *, wrap: bool = False) -> str | None:
    """AWS's complaint about a number's digits or magnitude, if any. Zero has one digit like any
    number, so it is range-checked by its exponent (`0e126` overflows). With `wrap`, the
    magnitude (precision less scale) is computed as BigDecimal does, in 32-bit arithmetic."""
    _, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    shown = "".join(map(str, digits))
    if len(shown.strip("0")) > 38:
        return "Attempting to store more than 38 significant digits in a Number"
    magnitude = max(1, len(shown.lstrip("0"))) + exponent
    if wrap:
        magnitude = (magnitude + 2**31) % 2**32 - 2**31
    if magnitude - 1 > 125:
        return (
            "Number overflow. Attempting to store a number with magnitude larger than supported "
            "range"
        )
    if magnitude - 1 < -130:
        return (
            "Number underflow. Attempting to store a number with magnitude smaller than supported "
            "range"
        )
    return None


def check_number(number: Decimal) -> Decimal:
    """`number` (the result of arithmetic) when AWS can store it, else AWS's error."""
    problem = number_problem(number)
    if problem:
        raise validation(problem)
    return number.normalize(_WIDE)


def format_number(number: Decimal) -> str:
    """AWS's text of a number: plain notation, no trailing zeros (`1.5E2` → `150`)."""
    if not number:
        return "0"
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def integer_digits(text: str) -> str | None:
    """The digits of `text` when it reads `-?[1-9][0-9]*` (a canonical integer other than 0),
    without the sign; else None."""
    digits = text[1:] if text[:1] == "-" else text
    if digits[:1] not in ("", "0") and digits.isascii() and digits.isdigit():
        return digits
    return None


def normalize_number(text: str) -> str:
    """The canonical text of an N value (validating it)."""
    digits = integer_digits(text)
    if digits is not None and len(digits) <= 38:
        return text  # an integer without leading zeros is canonical already
    return format_number(parse_number(text))


def number_value(value: AttributeValue) -> Decimal:
    """The Decimal of a stored (already canonical) N value."""
    return Decimal(value["N"])


def type_of(value: AttributeValue) -> str:
    """The one type key of a valid attribute value."""
    for key in value:
        return key
    raise validation(
        "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
    )


def check_value(value: Any, depth: int = 0) -> AttributeValue:
    """Validate one attribute value (recursively) and return it with numbers normalised."""
    if type(value) is not dict or len(value) != 1:
        if not isinstance(value, dict) or not value:
            raise validation(
                "Supplied AttributeValue is empty, must contain exactly one of the supported "
                "datatypes"
            )
        if len(value) > 1:
            raise validation(
                "Supplied AttributeValue has more than one datatypes set, must contain exactly "
                "one of the supported datatypes"
            )
    if depth >= MAX_NESTING:
        raise NestingTooDeep(NESTING_TOO_DEEP)
    ((kind, inner),) = value.items()
    if kind == "S" or kind == "B" or kind == "BOOL":
        return value
    if kind == "N":
        normal = normalize_number(inner)
        return value if normal == inner else {"N": normal}
    if kind == "NULL":
        if inner is not True:
            raise invalid("Null attribute value types must have the value of true")
        return value
    if kind == "M":
        return {"M": {name: check_value(item, depth + 1) for name, item in inner.items()}}
    if kind == "L":
        return {"L": [check_value(item, depth + 1) for item in inner]}
    if kind in SET_TYPES:
        if not inner:
            if kind == "BS":
                raise invalid("Binary sets should not be empty")
            raise invalid(f"An {_SET_NAMES[kind]} set  may not be empty")
        members = [normalize_number(item) for item in inner] if kind == "NS" else inner
        if len(set(members)) != len(members):
            raise _duplicates(kind, members)
        return {kind: in_set_order(kind, members)}
    raise validation(
        "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
    )


def in_set_order(kind: str, members: list[Any]) -> list[Any]:
    """A set's members in the order DynamoDB stores and returns them, whatever order they were
    sent in: strings and binaries bytewise (code point order is UTF-8 byte order), numbers by
    value."""
    return sorted(members, key=Decimal) if kind == "NS" else sorted(members)


def _duplicates(kind: str, members: list[Any]) -> AttributeValueError:
    """AWS's error for a set with a repeated member. The current layer names the members it had
    read, in byte order, then the repeat and the rest as sent (no members for a number set); the
    older layer names them as sent."""
    invalid_values = "One or more parameter values were invalid: "
    if kind == "NS":
        return AttributeValueError(
            f"{invalid_values}Input collection contains duplicates.",
            "Input collection contains duplicates",
        )
    raw = [item.encode() if kind == "SS" else item for item in members]
    repeat = _first_repeat(raw)
    ordered = [*sorted(raw[:repeat]), *raw[repeat:]]
    if kind == "SS":
        current = ", ".join(f'"{item.decode()}"' for item in ordered)
        older = ", ".join(members)
        return AttributeValueError(
            f"{invalid_values}Input collection [{current}] contains duplicates.",
            f"{invalid_values}Input collection [{older}] contains duplicates.",
        )
    current = ",".join(f'"{b64encode(item).decode()}"' for item in ordered)
    older = ", ".join(b64encode(item).decode() for item in raw)
    return AttributeValueError(
        f"{invalid_values}Input collection [{current}]of type BS contains duplicates.",
        f"{invalid_values}Input collection [{older}]of type BS contains duplicates.",
    )


def _first_repeat(items: list[bytes]) -> int:
    """The index of the first member equal to an earlier one (len(items) when none is)."""
    seen: set[bytes] = set()
    for index, item in enumerate(items):
        if item in seen:
            return index
        seen.add(item)
    return len(items)


def check_item(item: Item) -> Item:
    """Validate every attribute of an item; returns it with numbers normalised."""
    checked = {}
    for name, value in item.items():
        # S and B values (most attributes) are valid as the protocol layer read them
        if type(value) is dict and len(value) == 1 and ("S" in value or "B" in value):
            checked[name] = value
        else:
            checked[name] = check_value(value)
    return checked


def number_size(text: str) -> int:
    """Bytes AWS counts for a canonical N text (see the module docstring)."""
    if text.isdigit():  # a non-negative integer (canonical: no leading zeros)
        return 1 + (len(text.rstrip("0")) + 1) // 2
    negative = text.startswith("-")
    if negative:
        text = text[1:]
    integer, _, fraction = text.partition(".")
    integer = integer.lstrip("0")
    if not fraction:
        integer = integer.rstrip("0")
    else:
        fraction = fraction.rstrip("0")
        if not integer:
            fraction = fraction.lstrip("0")
    return 1 + (len(integer) + 1) // 2 + (len(fraction) + 1) // 2 + negative


def value_size(value: AttributeValue) -> int:
    """Bytes one attribute value counts toward the 400 KB item limit."""
    for kind, inner in value.items():
        if kind == "S":
            return len(inner.encode())
        if kind == "N":
            return number_size(inner)
        if kind == "B":
            return len(inner)
        if kind == "BOOL" or kind == "NULL":
            return 1
        if kind == "SS":
            return sum(len(item.encode()) for item in inner)
        if kind == "NS":
            return sum(number_size(item) for item in inner)
        if kind == "BS":
            return sum(len(item) for item in inner)
        if kind == "M":
            return 3 + sum(
                len(name.encode()) + value_size(item) + 1 for name, item in inner.items()
            )
        if kind == "L":
            return 3 + sum(value_size(item) + 1 for item in inner)
    return 0


def item_size(item: Item) -> int:
    """Bytes an item counts toward the 400 KB limit."""
    size = 0
    for name, value in item.items():
        size += len(name) if name.isascii() else len(name.encode())
        text = value.get("S")
        if text is not None:
            size += len(text) if text.isascii() else len(text.encode())
            continue
        text = value.get("N")
        size += value_size(value) if text is None else number_size(text)
    return size


def equal(a: AttributeValue, b: AttributeValue) -> bool:
    """AWS equality of two canonical values: same type, same value, sets in any order."""
    if a == b:
        return True
    ((kind_a, inner_a),) = a.items()
    ((kind_b, inner_b),) = b.items()
    if kind_a != kind_b:
        return False
    if kind_a in SET_TYPES:
        return len(inner_a) == len(inner_b) and set(inner_a) == set(inner_b)
    if kind_a == "M":
        return inner_a.keys() == inner_b.keys() and all(
            equal(item, inner_b[name]) for name, item in inner_a.items()
        )
    if kind_a == "L":
        return len(inner_a) == len(inner_b) and all(
            equal(x, y) for x, y in zip(inner_a, inner_b, strict=True)
        )
    if kind_a == "N":
        return Decimal(inner_a) == Decimal(inner_b)
    return False


def sort_value(value: AttributeValue) -> Any:
    """A python value ordering scalars as AWS does (N numeric, S and B by bytes)."""
    ((kind, inner),) = value.items()
    if kind == "N":
        return Decimal(inner)
    return inner


def to_wire(value: AttributeValue) -> AttributeValue:
    """A deep copy safe to hand to the serializer and to mutate."""
    ((kind, inner),) = value.items()
    if kind == "M":
        return {"M": {name: to_wire(item) for name, item in inner.items()}}
    if kind == "L":
        return {"L": [to_wire(item) for item in inner]}
    if kind in SET_TYPES:
        return {kind: list(inner)}
    return {kind: inner}
