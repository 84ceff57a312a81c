"""ConditionExpression and Expected: every comparator and function, failures change nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

KEY = {"pk": {"S": "c"}, "sk": {"N": "1"}}
ITEM = {
    **KEY,
    "n": {"N": "5"},
    "s": {"S": "hello"},
    "l": {"L": [{"S": "x"}]},
    "ss": {"SS": ["a", "b"]},
    "m": {"M": {"k": {"N": "1"}}},
    "b": {"B": b"\x01\x02"},
}


@pytest.fixture
def stored(ddb: Any, table: str) -> str:
    ddb.put_item(TableName=table, Item=ITEM)
    return table


@pytest.mark.parametrize(
    ("condition", "holds"),
    [
        ("n = :five", True),
        ("n <> :five", False),
        ("n < :six", True),
        ("n <= :five", True),
        ("n > :five", False),
        ("n >= :six", False),
        ("n BETWEEN :five AND :six", True),
        ("n IN (:six, :five)", True),
        ("s = :five", False),
        ("absent <> :five", True),
        ("attribute_exists(m.k)", True),
        ("attribute_not_exists(m.z)", True),
        ("attribute_type(ss, :ss)", True),
        ("begins_with(s, :he)", True),
        ("contains(s, :ll)", True),
        ("contains(ss, :a)", True),
        ("contains(l, :x)", True),
        ("size(l) = :one", True),
        ("size(s) > :six", False),
        ("NOT n = :five", False),
        ("n = :six OR s = :hello", True),
        ("(n = :six OR s = :hello) AND size(ss) = :two", True),
        ("m.k = :one AND l[0] = :x", True),
        ("begins_with(b, :bin)", True),
    ],
)
def test_condition_outcomes(ddb: Any, stored: str, condition: str, holds: bool) -> None:
    values = {
        ":five": {"N": "5"},
        ":six": {"N": "6"},
        ":one": {"N": "1"},
        ":two": {"N": "2"},
        ":ss": {"S": "SS"},
        ":he": {"S": "he"},
        ":ll": {"S": "ll"},
        ":a": {"S": "a"},
        ":x": {"S": "x"},
        ":hello": {"S": "hello"},
        ":bin": {"B": b"\x01"},
    }
    used = {k: v for k, v in values.items() if re.search(re.escape(k) + r"\b", condition)}
    params: dict[str, Any] = {
        "TableName": stored,
        "Key": KEY,
        "ConditionExpression": condition,
        "UpdateExpression": "SET touched = :t",
        "ExpressionAttributeValues": {**used, ":t": {"BOOL": True}},
    }
    if holds:
        ddb.update_item(**params)
        assert ddb.get_item(TableName=stored, Key=KEY)["Item"]["touched"] == {"BOOL": True}
    else:
        with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
            ddb.update_item(**params)
        assert "touched" not in ddb.get_item(TableName=stored, Key=KEY)["Item"]


def test_failure_returns_old_item(ddb: Any, stored: str, error_of: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        ddb.put_item(
            TableName=stored,
            Item=KEY,
            ConditionExpression="attribute_not_exists(pk)",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    assert error_of(excinfo) == (
        "ConditionalCheckFailedException",
        "The conditional request failed",
        400,
    )
    assert excinfo.value.response["Item"]["s"] == {"S": "hello"}


def test_delete_with_condition(ddb: Any, stored: str) -> None:
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        ddb.delete_item(
            TableName=stored,
            Key=KEY,
            ConditionExpression="n = :v",
            ExpressionAttributeValues={":v": {"N": "4"}},
        )
    ddb.delete_item(
        TableName=stored,
        Key=KEY,
        ConditionExpression="n = :v",
        ExpressionAttributeValues={":v": {"N": "5"}},
    )
    assert "Item" not in ddb.get_item(TableName=stored, Key=KEY)


@pytest.mark.parametrize(
    ("expected", "operator", "holds"),
    [
        ({"n": {"Value": {"N": "5"}}}, None, True),
        ({"n": {"Exists": False}}, None, False),
        ({"zz": {"Exists": False}}, None, True),
        (
            {
                "n": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "9"}]},
                "s": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "he"}]},
            },
            "OR",
            True,
        ),
        (
            {
                "n": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "9"}]},
                "s": {"ComparisonOperator": "NOT_NULL"},
            },
            "AND",
            False,
        ),
    ],
)
def test_legacy_expected(
    ddb: Any, stored: str, expected: Any, operator: str | None, holds: bool
) -> None:
    params: dict[str, Any] = {
        "TableName": stored,
        "Item": {**ITEM, "v": {"S": "2"}},
        "Expected": expected,
    }
    if operator:
        params["ConditionalOperator"] = operator
    if holds:
        ddb.put_item(**params)
    else:
        with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
            ddb.put_item(**params)


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        (
            "((attribute_not_exists(pk)))",
            "Invalid ConditionExpression: The expression has redundant parentheses;",
        ),
        ("foo(pk)", "Invalid ConditionExpression: Invalid function name; function: foo"),
        (
            "begins_with(pk)",
            "Invalid ConditionExpression: Incorrect number of operands for "
            "operator or function; operator or function: begins_with, number of operands: 1",
        ),
        ("pk = :v AND", 'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "AND"'),
    ],
)
def test_condition_syntax_errors(
    ddb: Any, table: str, error_of: Any, condition: str, message: str
) -> None:
    with pytest.raises(ClientError) as excinfo:
        ddb.put_item(TableName=table, Item=KEY, ConditionExpression=condition)
    assert error_of(excinfo) == ("ValidationException", message, 400)


DISTINCT = (
    "Invalid ConditionExpression: The first operand must be distinct from the remaining operands "
    "for this operator or function; operator: "
)


@pytest.mark.parametrize(
    ("condition", "names", "message"),
    [
        ("contains(#a, #a)", {"#a": "data"}, DISTINCT + "contains, first operand: [data]"),
        ("#a = #b", {"#a": "n", "#b": "n"}, DISTINCT + "=, first operand: [n]"),
        ("n BETWEEN :v AND n", None, DISTINCT + "BETWEEN, first operand: [n]"),
        ("m.x IN (:v, m.x)", None, DISTINCT + "IN, first operand: [m, x]"),
    ],
)
def test_first_operand_must_be_distinct(
    ddb: Any, table: str, error_of: Any, condition: str, names: Any, message: str
) -> None:
    params: dict[str, Any] = {"TableName": table, "Item": KEY, "ConditionExpression": condition}
    if names:
        params["ExpressionAttributeNames"] = names
    if ":v" in condition:
        params["ExpressionAttributeValues"] = {":v": {"N": "1"}}
    with pytest.raises(ClientError) as excinfo:
        ddb.put_item(**params)
    assert error_of(excinfo) == ("ValidationException", message, 400)


INVALID = "One or more parameter values were invalid: "


@pytest.mark.parametrize(
    ("expected", "message"),
    [
        ({"a": {"Exists": True}}, "Value must be provided when Exists is true for Attribute: a"),
        (
            {"a": {"Exists": False, "Value": {"S": "x"}}},
            "Value cannot be used when Exists is false for Attribute: a",
        ),
        (
            {
                "a": {
                    "Value": {"S": "x"},
                    "ComparisonOperator": "EQ",
                    "AttributeValueList": [{"S": "x"}],
                }
            },
            "Value and AttributeValueList cannot be used together for Attribute: a",
        ),
        (
            {"a": {"ComparisonOperator": "EQ"}},
            "Value or AttributeValueList must be used with ComparisonOperator: EQ for Attribute: a",
        ),
        (
            {"a": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"S": "x"}]}},
            "Invalid number of argument(s) for the BETWEEN ComparisonOperator",
        ),
    ],
)
def test_malformed_expected(
    ddb: Any, table: str, error_of: Any, expected: Any, message: str
) -> None:
    # a fault in the request alone: PutItem/UpdateItem/DeleteItem put it in Coral's envelope
    with pytest.raises(ClientError) as excinfo:
        ddb.delete_item(TableName=table, Key=KEY, Expected=expected)
    assert error_of(excinfo) == (
        "ValidationException",
        f"1 validation error detected: {INVALID}{message}",
        400,
    )


def test_request_faults_enveloped_for_item_writes_only(ddb: Any, table: str, error_of: Any) -> None:
    empty = "Invalid {}Expression: The expression can not be empty;"
    with pytest.raises(ClientError) as excinfo:
        ddb.delete_item(TableName=table, Key=KEY, ConditionExpression="")
    assert error_of(excinfo)[1] == "1 validation error detected: " + empty.format("Condition")
    with pytest.raises(ClientError) as excinfo:
        ddb.scan(TableName=table, FilterExpression="")
    assert error_of(excinfo)[1] == empty.format("Filter")
    for key in ("ExpressionAttributeValues", "ExpressionAttributeNames"):
        with pytest.raises(ClientError) as excinfo:
            ddb.put_item(
                TableName=table,
                Item=KEY,
                ConditionExpression="attribute_exists(a)",
                **{key: {}},
            )
        assert error_of(excinfo)[1] == f"1 validation error detected: {key} must not be empty"


def _conditions_of_bytes(size: int) -> str:
    """`attribute_not_exists(<name>) AND ...` of exactly `size` bytes."""
    clauses: list[str] = []
    while True:
        clause = f"attribute_not_exists(a{len(clauses)})"
        joined = " AND ".join([*clauses, clause])
        if len(joined) > size - 60:
            break
        clauses.append(clause)
    head = " AND ".join(clauses) + " AND attribute_not_exists("
    return head + "z" * (size - len(head) - 1) + ")"


def test_expression_size_limit(ddb: Any, table: str, error_of: Any) -> None:
    # 4,096 bytes per expression, counted as sent: placeholders are not substituted first
    at_limit, over = _conditions_of_bytes(4096), _conditions_of_bytes(4097)
    assert (len(at_limit), len(over)) == (4096, 4097)
    ddb.put_item(TableName=table, Item=KEY, ConditionExpression=at_limit)
    size_error = (
        "ValidationException",
        "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; "
        "expression size: 4097",
        400,
    )
    with pytest.raises(ClientError) as excinfo:
        ddb.put_item(TableName=table, Item=KEY, ConditionExpression=over)
    assert error_of(excinfo) == size_error
    other = {"pk": {"S": "second"}, "sk": {"N": "1"}}
    with pytest.raises(ClientError) as excinfo:
        ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": other}},
                {"Put": {"TableName": table, "Item": KEY, "ConditionExpression": over}},
            ]
        )
    assert error_of(excinfo) == size_error
    assert "Item" not in ddb.get_item(TableName=table, Key=other)
    names = {f"#a{i}": "n" * 246 + f"q{i}" for i in range(30)}
    ddb.get_item(
        TableName=table,
        Key=KEY,
        ProjectionExpression=", ".join(names),
        ExpressionAttributeNames=names,
    )
