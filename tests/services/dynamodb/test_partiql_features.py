"""PartiQL features beyond the basics: WHERE functions and IS, set_add and set_delete, the
FROM-first UPDATE and ORDER BY."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

ITEM = {
    "pk": {"S": "f"},
    "ss": {"SS": ["a", "b", "c"]},
    "ns": {"NS": ["1", "2", "3"]},
    "s": {"S": "str"},
    "m": {"M": {"sub": {"S": "x"}}},
    "nul": {"NULL": True},
    "flag": {"BOOL": True},
}


@pytest.fixture
def seeded(ddb: Any, make_table: Any) -> str:
    name = make_table()
    ddb.put_item(TableName=name, Item=ITEM)
    return name


def _matches(ddb: Any, table: str, condition: str) -> bool:
    statement = f"SELECT * FROM \"{table}\" WHERE pk = 'f' AND {condition}"
    return bool(ddb.execute_statement(Statement=statement)["Items"])


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("attribute_exists(ss)", True),
        ("ATTRIBUTE_EXISTS(ss)", True),
        ("attribute_exists(nope)", False),
        ("attribute_not_exists(nope)", True),
        ("NOT attribute_exists(nope)", True),
        ("(attribute_exists(nope) OR attribute_exists(ss))", True),
        ("attribute_exists(ss) = true", True),
        ("attribute_exists(ss) = false", False),
        ('attribute_exists("ss")', True),
        ("attribute_exists(m.sub)", True),
        ("attribute_exists(m.nope)", False),
        ("size(s) = 3", True),
        ("size(s) = 4", False),
        ("attribute_type(ss, 'SS')", True),
        ("attribute_type(ss, 'S')", False),
        ("nul IS NULL", True),
        ("s IS NULL", False),
        ("s IS NOT NULL", True),
        ("nul IS NOT NULL", False),
        ("flag IS BOOL", True),
        ("s IS STRING", True),
        ("s IS BOOL", False),
        ("nope IS MISSING", True),
        ("s IS NOT MISSING", True),
    ],
)
def test_where_functions_and_is(ddb: Any, seeded: str, condition: str, expected: bool) -> None:
    assert _matches(ddb, seeded, condition) is expected


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        (
            "attribute_exists('ss')",
            "Operator or function requires a document path; operator or function: attribute_exists",
        ),
        (
            "attribute_exists()",
            "Incorrect number of operands for operator or function; operator or function: "
            "attribute_exists, number of operands: 0",
        ),
        (
            "attribute_exists(ss, ns)",
            "Incorrect number of operands for operator or function; operator or function: "
            "attribute_exists, number of operands: 2",
        ),
    ],
)
def test_where_function_errors(
    ddb: Any, seeded: str, error_of: Any, condition: str, message: str
) -> None:
    with pytest.raises(ClientError) as excinfo:
        _matches(ddb, seeded, condition)
    assert error_of(excinfo) == ("ValidationException", message, 400)


def test_unrecognized_function_names_its_position(ddb: Any, seeded: str, error_of: Any) -> None:
    statement = f"SELECT * FROM \"{seeded}\" WHERE pk = 'f' AND EXISTS(ss)"
    with pytest.raises(ClientError) as excinfo:
        ddb.execute_statement(Statement=statement)
    column = statement.index("EXISTS") + 1
    assert error_of(excinfo)[1] == f"Unrecognized function: exists at 1:{column}:6"


def test_write_conditions_from_functions(ddb: Any, seeded: str) -> None:
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        ddb.execute_statement(
            Statement=f"UPDATE \"{seeded}\" SET z = 2 WHERE pk = 'f' AND attribute_exists(nope)"
        )
    ddb.execute_statement(
        Statement=f"UPDATE \"{seeded}\" SET z = 1 WHERE pk = 'f' AND attribute_not_exists(z)"
    )
    item = ddb.get_item(TableName=seeded, Key={"pk": {"S": "f"}})["Item"]
    assert item["z"] == {"N": "1"}


def _stored(ddb: Any, table: str) -> dict[str, Any]:
    item: dict[str, Any] = ddb.get_item(TableName=table, Key={"pk": {"S": "f"}})["Item"]
    return item


def test_set_add_and_set_delete(ddb: Any, seeded: str) -> None:
    ddb.execute_statement(
        Statement=f"UPDATE \"{seeded}\" SET ss = SET_ADD(ss, <<'z'>>) "
        f"SET ns = set_delete(ns, <<2>>) SET new = set_add(new, ?) WHERE pk = 'f'",
        Parameters=[{"SS": ["x"]}],
    )
    item = _stored(ddb, seeded)
    assert sorted(item["ss"]["SS"]) == ["a", "b", "c", "z"]
    assert sorted(item["ns"]["NS"]) == ["1", "3"]
    assert item["new"] == {"SS": ["x"]}
    ddb.execute_statement(
        Statement=f"UPDATE \"{seeded}\" SET ss = set_delete(ss, <<'a', 'b', 'c', 'z'>>) "
        "WHERE pk = 'f'"
    )
    assert "ss" not in _stored(ddb, seeded)


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        (
            "t = set_add(ss, <<'x'>>)",
            "The first argument to SET_ADD must equal the assignment value at {fn}",
        ),
        (
            "ss = set_add(<<'a'>>, <<'b'>>)",
            "The first argument to SET_ADD must equal the assignment value at {fn}",
        ),
        (
            "ss = set_add(ss, 'x')",
            "The second argument to SET_ADD must be a value with type SET at {arg}",
        ),
        (
            "ss = set_delete(ss, ['x'])",
            "The second argument to SET_DELETE must be a value with type SET at {arg}",
        ),
        ("ss = set_add(ss)", "SET_ADD must have exactly two arguments at {fn}"),
        (
            "ss = set_add(ss, <<1>>)",
            "An operand in the update expression has an incorrect data type",
        ),
        (
            "s = set_add(s, <<'x'>>)",
            "An operand in the update expression has an incorrect data type",
        ),
        (
            "ss = set_add(ss, <<'x', 'x'>>)",
            "One or more parameter values were invalid: Input collection [x, x] contains "
            "duplicates.",
        ),
        ("ss = set_add(ss, <<>>)", "Empty bags are not supported"),
    ],
)
def test_set_function_errors(
    ddb: Any, seeded: str, error_of: Any, assignment: str, message: str
) -> None:
    statement = f"UPDATE \"{seeded}\" SET {assignment} WHERE pk = 'f'"
    function = statement.lower().index("set_", statement.index("="))
    argument = statement.index("(", function) + 1
    length = len(statement[argument:].split(",")[0].split(")")[0])
    with pytest.raises(ClientError) as excinfo:
        ddb.execute_statement(Statement=statement)
    name = statement[function:].split("(")[0]
    expected = message.format(fn=f"1:{function + 1}:{len(name)}", arg=f"1:{argument + 1}:{length}")
    assert error_of(excinfo) == ("ValidationException", expected, 400)
    assert _stored(ddb, seeded) == ITEM


def test_from_first_update(ddb: Any, seeded: str, error_of: Any) -> None:
    ddb.execute_statement(
        Statement=f'from "{seeded}" where pk = ? set c = ? remove s',
        Parameters=[{"S": "f"}, {"N": "7"}],
    )
    item = _stored(ddb, seeded)
    assert item["c"] == {"N": "7"} and "s" not in item
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        ddb.execute_statement(Statement=f"FROM \"{seeded}\" WHERE pk = 'absent' SET c = 1")
    for statement, message in [
        (
            f'FROM "{seeded}" SET c = 1',
            "Where clause does not contain a mandatory equality on all key attributes",
        ),
        (
            f'FROM "{seeded}" WHERE a = 1 SET c = 1',
            "Where clause does not contain a mandatory equality on all key attributes",
        ),
        (
            f"FROM \"{seeded}\" SET c = 1 WHERE pk = 'f'",
            "Statement wasn't well formed, can't be processed: Unexpected token after expression",
        ),
    ]:
        with pytest.raises(ClientError) as excinfo:
            ddb.execute_statement(Statement=statement)
        assert error_of(excinfo) == ("ValidationException", message, 400)
    assert _stored(ddb, seeded) == item


def test_order_by_the_sort_key(ddb: Any, table: str) -> None:
    for sk in ("2", "3", "1"):
        ddb.put_item(TableName=table, Item={"pk": {"S": "o"}, "sk": {"N": sk}})
    for direction, expected in [
        ("DESC", ["3", "2", "1"]),
        ("ASC", ["1", "2", "3"]),
        ("", ["1", "2", "3"]),
    ]:
        items = ddb.execute_statement(
            Statement=f"SELECT * FROM \"{table}\" WHERE pk = 'o' ORDER BY sk {direction}"
        )["Items"]
        assert [item["sk"]["N"] for item in items] == expected
