"""The filter pattern compiler on its own: syntax edge cases AWS documents."""

from __future__ import annotations

import json

import pytest

from cloudlet.errors import ServiceError
from cloudlet.services.logs.filter_pattern import compile_pattern

NESTED = json.dumps(
    {
        "eventType": "UpdateTrail",
        "ip": "123.123.0.9",
        "flag": True,
        "nothing": None,
        "items": [{"id": 1}, {"id": 2}],
        "tags": ["a", "b"],
        "bytes": 1500,
    }
)


@pytest.mark.parametrize(
    ("pattern", "message", "matches"),
    [
        ("", "anything", True),
        ('""', "anything", True),
        ("Exception", "IllegalArgumentException thrown", True),
        ("ERROR ARGUMENTS", "ERROR bad ARGUMENTS", True),
        ("ERROR ARGUMENTS", "ERROR only", False),
        ("ERROR -ARGUMENTS", "ERROR bad ARGUMENTS", False),
        ("?ERROR ?WARN", "nothing", False),
        ('"Error: timed out"', "Fatal Error: timed out", True),
        ("{ $.eventType = UpdateTrail }", NESTED, True),
        ('{ $.eventType = "Update*" }', NESTED, True),
        ("{ $.ip != 123.123.* }", NESTED, False),
        ("{ $.ip = 123.123.* }", NESTED, True),
        ("{ $.flag IS TRUE }", NESTED, True),
        ("{ $.flag IS FALSE }", NESTED, False),
        ("{ $.nothing IS NULL }", NESTED, True),
        ("{ $.absent NOT EXISTS }", NESTED, True),
        ("{ $.items[1].id = 2 }", NESTED, True),
        ("{ $.items[*].id = 1 }", NESTED, True),
        ("{ $.tags[0] = a }", NESTED, True),
        ("{ $.bytes >= 1500 && $.bytes <= 1500 }", NESTED, True),
        ("{ ($.bytes < 10) || ($.eventType = UpdateTrail && $.flag IS TRUE) }", NESTED, True),
        ("{ $.eventType = %Update(Trail|Bucket)% }", NESTED, True),
        ("{ $.bytes > 10 }", "not json at all", False),
        ("[a, b, c]", "one two three", True),
        ("[a, b, c]", "one two", False),
        ("[a, ..., c = three]", "one x y three", True),
        ("[a = one || a = uno, ...]", "uno dos", True),
        ('[ip, request = "GET*", ...]', '1.1.1.1 "GET /x HTTP/1.1" 200', True),
    ],
)
def test_matches(pattern: str, message: str, matches: bool) -> None:
    assert compile_pattern(pattern)(message) is matches


@pytest.mark.parametrize(
    "pattern", ["{ $.a = }", "{ $.a", "{ a = 1 }", "{ $.a ~ 1 }", "[a = ]x", "%(%", "a:b"]
)
def test_invalid(pattern: str) -> None:
    with pytest.raises(ServiceError) as exc:
        compile_pattern(pattern)
    assert exc.value.code == "InvalidParameterException"
