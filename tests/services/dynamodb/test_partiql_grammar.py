"""PartiQL grammar: comments, aliases, empty and broken WHERE clauses, leftover tokens, numbers.

Every refused statement is checked for AWS's exact message and for having changed nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

NWF = "Statement wasn't well formed, can't be processed: "
LEFTOVER = f"{NWF}Unexpected token after expression"
OVERFLOW = (
    "Number overflow. Attempting to store a number with magnitude larger than supported range"
)
UNDERFLOW = (
    "Number underflow. Attempting to store a number with magnitude smaller than supported range"
)
DIGITS = "Attempting to store more than 38 significant digits in a Number"


@pytest.fixture
def numbers(make_table: Any) -> str:
    """A table keyed by pk (N)."""
    return make_table(hash=("pk", "N"))


@pytest.fixture
def strings(ddb: Any, make_table: Any) -> str:
    """A table keyed by pk (S) holding items a, b and c."""
    name = make_table()
    for pk in "abc":
        ddb.put_item(TableName=name, Item={"pk": {"S": pk}, "v": {"N": "1"}})
    return name


def _refused(ddb: Any, error_of: Any, statement: str) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as excinfo:
        ddb.execute_statement(Statement=statement)
    result: tuple[str, str, int] = error_of(excinfo)
    return result


def _keys(ddb: Any, statement: str) -> list[str]:
    items = ddb.execute_statement(Statement=statement)["Items"]
    return sorted(item["pk"]["S"] for item in items)


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT * FROM \"{t}\" WHERE pk = 'b' -- a note",
        "SELECT * FROM \"{t}\" -- a note\nWHERE pk = 'b'",
        "-- a note\nSELECT * FROM \"{t}\" WHERE pk = 'b'",
        "SELECT * FROM \"{t}\" /* a note */ WHERE pk = 'b'",
        "SELECT * FROM \"{t}\" WHERE pk = 'b' /* a note */",
        "/* a\nnote */ SELECT * /* x */ FROM \"{t}\" WHERE /* y */ pk = 'b'",
    ],
)
def test_comments_are_whitespace(ddb: Any, strings: str, statement: str) -> None:
    assert _keys(ddb, statement.format(t=strings)) == ["b"]


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT * FROM \"{t}\" WHERE pk = 'a' # note",
        "SELECT * FROM \"{t}\" WHERE pk = 'a' /* note",
    ],
)
def test_unreadable_comments(ddb: Any, strings: str, error_of: Any, statement: str) -> None:
    assert _refused(ddb, error_of, statement.format(t=strings)) == ("ValidationException", NWF, 400)


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT * FROM \"{t}\" t WHERE pk = 'a'",
        "SELECT * FROM \"{t}\" AS t WHERE pk = 'a'",
        "UPDATE \"{t}\" t SET v = 3 WHERE pk = 'a'",
        "DELETE FROM \"{t}\" t WHERE pk = 'a'",
    ],
)
def test_aliases_refused(ddb: Any, strings: str, error_of: Any, statement: str) -> None:
    assert _refused(ddb, error_of, statement.format(t=strings)) == (
        "ValidationException",
        "Aliasing is not supported",
        400,
    )
    item = ddb.get_item(TableName=strings, Key={"pk": {"S": "a"}})["Item"]
    assert item == {"pk": {"S": "a"}, "v": {"N": "1"}}


@pytest.mark.parametrize(
    ("statement", "detail"),
    [
        ('SELECT * FROM "{t}" WHERE', "Unexpected term"),
        ('SELECT * FROM "{t}" WHERE;', "Unexpected term"),
        ('SELECT * FROM "{t}" WHERE   ', "Unexpected term"),
        ('SELECT pk FROM "{t}" WHERE', "Unexpected term"),
        ('SELECT * FROM "{t}" WHERE NOT', "Unexpected term"),
        ('SELECT * FROM "{t}" WHERE (', "Unexpected term"),
        ('SELECT * FROM "{t}-never-created" WHERE', "Unexpected term"),
        ('UPDATE "{t}" SET v = 2 WHERE', "Unexpected term"),
        ('DELETE FROM "{t}" WHERE', "Unexpected term"),
        (
            "SELECT * FROM \"{t}\" WHERE pk = 'a' AND",
            "Missing right-hand side expression of infix operator",
        ),
        (
            "SELECT * FROM \"{t}\" WHERE pk = 'a' OR",
            "Missing right-hand side expression of infix operator",
        ),
        ('SELECT * FROM "{t}" WHERE ORDER BY pk', "Unexpected keyword"),
        ('SELECT * FROM "{t}" WHERE IS NULL', "Unexpected operator"),
        ('SELECT * FROM "{t}" WHERE pk = LIKE', "Unexpected operator"),
        ("SELECT * FROM \"{t}\" WHERE pk = 'a' AND x IS FOO", "Expected type name"),
        ("DELETE FROM", "Expected identifier for simple path"),
        ("DELETE FROM;", "Expected identifier for simple path"),
        ("DELETE FROM WHERE pk = 'a'", "Expected identifier for simple path"),
        ("SELECT * FROM", "Unexpected term"),
    ],
)
def test_broken_where_refused(
    ddb: Any, strings: str, error_of: Any, statement: str, detail: str
) -> None:
    assert _refused(ddb, error_of, statement.format(t=strings)) == (
        "ValidationException",
        NWF + detail,
        400,
    )
    assert _keys(ddb, f'SELECT * FROM "{strings}"') == ["a", "b", "c"]
    assert ddb.get_item(TableName=strings, Key={"pk": {"S": "a"}})["Item"]["v"] == {"N": "1"}


def test_empty_where_in_batch_and_transaction(ddb: Any, strings: str, error_of: Any) -> None:
    statement = f'SELECT * FROM "{strings}" WHERE'
    responses = ddb.batch_execute_statement(Statements=[{"Statement": statement}])["Responses"]
    assert responses == [{"Error": {"Code": "ValidationError", "Message": NWF + "Unexpected term"}}]
    with pytest.raises(ClientError) as excinfo:
        ddb.execute_transaction(TransactStatements=[{"Statement": statement}])
    assert error_of(excinfo) == (
        "ValidationException",
        f"Validation failed in TransactStatements[0]: {NWF}Unexpected term",
        400,
    )


@pytest.mark.parametrize(
    "statement",
    [
        'SELECT * FROM "{t}" WHERE pk = 1 foo',
        'SELECT * FROM "{t}" WHERE pk = 1 e5',
        'SELECT * FROM "{t}" WHERE pk = 1)',
        'UPDATE "{t}" SET a = 9 WHERE pk = 1 foo',
        'DELETE FROM "{t}" WHERE pk = 1 foo',
        'DELETE FROM "{t}" WHERE pk = 1 ORDER BY pk',
        'SELECT * FROM "{t}" ORDER BY pk WHERE pk = 1',
        "INSERT INTO \"{t}\" VALUE {{'pk': 2}} foo",
        "INSERT INTO \"{t}\" t VALUE {{'pk': 2}}",
    ],
)
def test_leftover_tokens_refused(ddb: Any, numbers: str, error_of: Any, statement: str) -> None:
    ddb.put_item(TableName=numbers, Item={"pk": {"N": "1"}})
    assert _refused(ddb, error_of, statement.format(t=numbers)) == (
        "ValidationException",
        LEFTOVER,
        400,
    )
    assert ddb.scan(TableName=numbers)["Items"] == [{"pk": {"N": "1"}}]


@pytest.mark.parametrize(
    ("literal", "stored"),
    [("7.31e6", "7310000"), ("731E4", "7310000"), (".73e1", "7.3"), ("-.73e1", "-7.3")],
)
def test_number_literals(ddb: Any, numbers: str, literal: str, stored: str) -> None:
    ddb.execute_statement(Statement=f"INSERT INTO \"{numbers}\" VALUE {{'pk': {literal}}}")
    assert ddb.get_item(TableName=numbers, Key={"pk": {"N": stored}})["Item"]
    items = ddb.execute_statement(Statement=f'SELECT * FROM "{numbers}" WHERE pk = {literal}')
    assert items["Items"] == [{"pk": {"N": stored}}]


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ('SELECT * FROM "{t}" WHERE pk = 1e2147483648', NWF),
        ('SELECT * FROM "{t}" WHERE pk = 1e99999999999', NWF),
        ('SELECT * FROM "{t}" WHERE pk = 1.5e-2147483647', NWF),
        ('SELECT * FROM "{t}" WHERE pk = 1e126', f"{OVERFLOW} under root"),
        ('SELECT * FROM "{t}" WHERE pk = 1e-131', f"{UNDERFLOW} under root"),
        (
            'SELECT * FROM "{t}" WHERE pk = 1234567890123456789012345678901234567891',
            f"{DIGITS} under root",
        ),
        ("INSERT INTO \"{t}\" VALUE {{'pk': 1e126}}", f"{OVERFLOW} under root"),
        ('UPDATE "{t}" SET a = 1e-131 WHERE pk = 5', f"{UNDERFLOW} under root"),
        ("INSERT INTO \"{t}\" VALUE {{'pk': 5, 'm': {{'x': 1e126}}}}", f"{OVERFLOW} under root.x"),
        ("INSERT INTO \"{t}\" VALUE {{'pk': 5, 'l': [1, 1e126]}}", f"{OVERFLOW} under root[1]"),
    ],
)
def test_number_literal_errors(
    ddb: Any, numbers: str, error_of: Any, statement: str, message: str
) -> None:
    assert _refused(ddb, error_of, statement.format(t=numbers)) == (
        "ValidationException",
        message,
        400,
    )
    assert ddb.scan(TableName=numbers)["Items"] == []
