"""Query: key conditions, order, Limit and pagination, Select, filters, the 1 MB page."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError


@pytest.fixture
def filled(ddb: Any, table: str) -> str:
    with_batch = [
        {
            "PutRequest": {
                "Item": {
                    "pk": {"S": "p"},
                    "sk": {"N": str(n)},
                    "odd": {"BOOL": n % 2 == 1},
                    "tag": {"S": f"t{n:02d}"},
                }
            }
        }
        for n in range(-5, 15)
    ]
    ddb.batch_write_item(RequestItems={table: with_batch[:10]})
    ddb.batch_write_item(RequestItems={table: with_batch[10:]})
    ddb.put_item(TableName=table, Item={"pk": {"S": "other"}, "sk": {"N": "0"}})
    return table


def keys_of(result: dict[str, Any]) -> list[int]:
    return [int(item["sk"]["N"]) for item in result["Items"]]


@pytest.mark.parametrize(
    ("condition", "values", "expected"),
    [
        ("sk = :a", {":a": {"N": "3"}}, [3]),
        ("sk < :a", {":a": {"N": "-3"}}, [-5, -4]),
        ("sk <= :a", {":a": {"N": "-3"}}, [-5, -4, -3]),
        ("sk > :a", {":a": {"N": "12"}}, [13, 14]),
        ("sk >= :a", {":a": {"N": "12"}}, [12, 13, 14]),
        ("sk BETWEEN :a AND :b", {":a": {"N": "-1"}, ":b": {"N": "1"}}, [-1, 0, 1]),
    ],
)
def test_key_condition_operators(
    ddb: Any, filled: str, condition: str, values: dict[str, Any], expected: list[int]
) -> None:
    result = ddb.query(
        TableName=filled,
        KeyConditionExpression=f"pk = :p AND {condition}",
        ExpressionAttributeValues={":p": {"S": "p"}, **values},
    )
    assert keys_of(result) == expected


def test_begins_with_on_string_sort_key(ddb: Any, make_table: Any) -> None:
    name = make_table(range=("sk", "S"))
    for sk in ("a", "ab", "abc", "b", "a\x00z"):
        ddb.put_item(TableName=name, Item={"pk": {"S": "p"}, "sk": {"S": sk}})
    result = ddb.query(
        TableName=name,
        KeyConditionExpression="pk = :p AND begins_with(sk, :a)",
        ExpressionAttributeValues={":p": {"S": "p"}, ":a": {"S": "ab"}},
    )
    assert [item["sk"]["S"] for item in result["Items"]] == ["ab", "abc"]


def test_order_limit_and_pagination(ddb: Any, filled: str) -> None:
    seen: list[int] = []
    start: dict[str, Any] | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {
            "TableName": filled,
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": {"S": "p"}},
            "Limit": 7,
            "ScanIndexForward": False,
        }
        if start:
            params["ExclusiveStartKey"] = start
        result = ddb.query(**params)
        seen += keys_of(result)
        pages += 1
        start = result.get("LastEvaluatedKey")
        if not start:
            break
    assert seen == list(range(14, -6, -1))
    assert pages == 3


def test_filter_select_count_and_projection(ddb: Any, filled: str) -> None:
    result = ddb.query(
        TableName=filled,
        KeyConditionExpression="pk = :p",
        FilterExpression="odd = :t",
        ExpressionAttributeValues={":p": {"S": "p"}, ":t": {"BOOL": True}},
        Select="COUNT",
    )
    assert (result["Count"], result["ScannedCount"], "Items" in result) == (10, 20, False)
    projected = ddb.query(
        TableName=filled,
        KeyConditionExpression="pk = :p AND sk = :z",
        ExpressionAttributeValues={":p": {"S": "p"}, ":z": {"N": "0"}},
        ProjectionExpression="tag",
    )
    assert projected["Items"] == [{"tag": {"S": "t00"}}]


def test_legacy_key_conditions_and_query_filter(ddb: Any, filled: str) -> None:
    result = ddb.query(
        TableName=filled,
        KeyConditions={
            "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]},
            "sk": {"ComparisonOperator": "GE", "AttributeValueList": [{"N": "10"}]},
        },
        QueryFilter={"odd": {"ComparisonOperator": "EQ", "AttributeValueList": [{"BOOL": False}]}},
    )
    assert keys_of(result) == [10, 12, 14]


def test_one_megabyte_page(ddb: Any, make_table: Any) -> None:
    name = make_table(range=("sk", "N"))
    blob = "x" * 300_000
    for n in range(5):
        ddb.put_item(TableName=name, Item={"pk": {"S": "p"}, "sk": {"N": str(n)}, "v": {"S": blob}})
    first = ddb.query(
        TableName=name,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "p"}},
    )
    assert first["Count"] == 4 and first["LastEvaluatedKey"]["sk"] == {"N": "3"}


OPERAND = (
    "Invalid KeyConditionExpression: Incorrect operand type for operator or function; "
    "operator or function: "
)
"""AWS's first pass: an operand no key could match with that operator."""
SCHEMA = (
    "One or more parameter values were invalid: Condition parameter type does not match schema type"
)
"""AWS's second pass: an operand of another key type than the attribute's."""


@pytest.mark.parametrize(
    ("condition", "values", "message"),
    [
        ("sk = :v", {":v": {"N": "1"}}, "Query condition missed key schema element: pk"),
        (
            "pk = :v",
            {":v": {"N": "1"}},
            "One or more parameter values were invalid: Condition parameter type does not match "
            "schema type",
        ),
        (
            "pk = :v",
            {":v": {"S": ""}},
            "One or more parameter values are not valid. The AttributeValue for a key attribute "
            "cannot contain an empty string value. Key: pk",
        ),
        (
            "pk = :v OR sk = :w",
            {":v": {"S": "p"}, ":w": {"N": "1"}},
            "Invalid KeyConditionExpression: Invalid operator used in KeyConditionExpression: OR",
        ),
        (
            "",
            {":v": {"S": "p"}},
            "Invalid KeyConditionExpression: The expression can not be empty;",
        ),
        (
            "pk = :p AND begins_with(sk, :v)",
            {":v": {"N": "1"}},
            OPERAND + "begins_with, operand type: N",
        ),
        (
            "pk = :p AND begins_with(sk, :v)",
            {":v": {"BOOL": True}},
            OPERAND + "begins_with, operand type: BOOL",
        ),
        ("pk = :p AND begins_with(sk, :v)", {":v": {"S": "a"}}, SCHEMA),
        ("pk = :p AND sk < :v", {":v": {"BOOL": True}}, OPERAND + "<, operand type: BOOL"),
        ("pk = :p AND :v >= sk", {":v": {"BOOL": True}}, OPERAND + ">=, operand type: BOOL"),
        (
            "pk = :p AND sk BETWEEN :v AND :w",
            {":v": {"BOOL": False}, ":w": {"BOOL": True}},
            OPERAND + "BETWEEN, operand type: BOOL",
        ),
        ("pk = :p AND sk = :v", {":v": {"BOOL": True}}, SCHEMA),
        (
            "pk = :p AND sk > :v AND sk < :w",
            {":v": {"N": "1"}, ":w": {"N": "5"}},
            "Invalid KeyConditionExpression: KeyConditionExpressions must only contain one "
            "condition per key",
        ),
        (
            "pk = :p AND sk > :v AND extra = :w",
            {":v": {"N": "1"}, ":w": {"N": "5"}},
            "The number of query conditions (3) exceeds the number of key attributes defined in "
            "the schema (2)",
        ),
    ],
)
def test_key_condition_errors(
    ddb: Any, table: str, error_of: Any, condition: str, values: Any, message: str
) -> None:
    if ":p" in condition:
        values = {":p": {"S": "p"}, **values}
    with pytest.raises(ClientError) as excinfo:
        ddb.query(
            TableName=table, KeyConditionExpression=condition, ExpressionAttributeValues=values
        )
    assert error_of(excinfo) == ("ValidationException", message, 400)


def test_filter_on_key_attribute_refused(ddb: Any, table: str, error_of: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        ddb.query(
            TableName=table,
            KeyConditionExpression="pk = :p",
            FilterExpression="sk > :s",
            ExpressionAttributeValues={":p": {"S": "p"}, ":s": {"N": "1"}},
        )
    assert error_of(excinfo) == (
        "ValidationException",
        "One or more parameter values were invalid: Filter Expression can only contain "
        "non-primary key attributes: Primary key attribute: sk",
        400,
    )


@pytest.mark.parametrize(
    ("expression", "values", "on_table"),
    [
        ("begins_with(sk, :n) AND pk = :missing", {":n": {"N": "1"}}, True),
        (
            "pk = :p AND begins_with(sk, :n) AND sk = :missing",
            {":p": {"S": "a"}, ":n": {"N": "1"}},
            True,
        ),
        ("pk = :p AND begins_with(sk, :n)", {":p": {"S": "a"}, ":n": {"N": "1"}}, False),
    ],
)
def test_operand_types_are_checked_first(
    ddb: Any, table: str, error_of: Any, expression: str, values: Any, on_table: bool
) -> None:
    """Before undefined placeholders, and before the table is looked up, as AWS does."""
    with pytest.raises(ClientError) as excinfo:
        ddb.query(
            TableName=table if on_table else "absent-table",
            KeyConditionExpression=expression,
            ExpressionAttributeValues=values,
        )
    assert error_of(excinfo) == (
        "ValidationException",
        "Invalid KeyConditionExpression: Incorrect operand type for operator or function; "
        "operator or function: begins_with, operand type: N",
        400,
    )
