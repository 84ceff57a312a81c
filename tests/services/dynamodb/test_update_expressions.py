"""UpdateItem: SET (arithmetic, if_not_exists, list_append), REMOVE, ADD, DELETE, ReturnValues."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

KEY = {"pk": {"S": "u"}, "sk": {"N": "1"}}


@pytest.fixture
def item(ddb: Any, table: str) -> str:
    ddb.put_item(
        TableName=table,
        Item={
            **KEY,
            "n": {"N": "10"},
            "l": {"L": [{"S": "a"}, {"S": "b"}, {"S": "c"}]},
            "m": {"M": {"x": {"S": "1"}}},
            "ss": {"SS": ["a", "b"]},
            "s": {"S": "keep"},
        },
    )
    return table


def update(
    ddb: Any, table: str, expression: str, values: dict[str, Any] | None = None, **kwargs: Any
) -> dict[str, Any]:
    params: dict[str, Any] = {
        "TableName": table,
        "Key": KEY,
        "UpdateExpression": expression,
        "ReturnValues": kwargs.pop("ReturnValues", "ALL_NEW"),
        **kwargs,
    }
    if values:
        params["ExpressionAttributeValues"] = values
    return dict(ddb.update_item(**params).get("Attributes", {}))


@pytest.mark.parametrize(
    ("expression", "values", "attribute", "expected"),
    [
        ("SET n = n + :v", {":v": {"N": "5"}}, "n", {"N": "15"}),
        ("SET n = n - :v", {":v": {"N": "0.5"}}, "n", {"N": "9.5"}),
        ("SET n = (n - :v)", {":v": {"N": "3"}}, "n", {"N": "7"}),
        ("SET n = ((n)) + (:v)", {":v": {"N": "3"}}, "n", {"N": "13"}),
        ("SET n = (n - :v) - :v", {":v": {"N": "3"}}, "n", {"N": "4"}),
        ("SET z = if_not_exists(z, :v) - :v", {":v": {"N": "3"}}, "z", {"N": "0"}),
        ("SET z = if_not_exists(z, :v)", {":v": {"N": "7"}}, "z", {"N": "7"}),
        ("SET n = if_not_exists(n, :v)", {":v": {"N": "7"}}, "n", {"N": "10"}),
        (
            "SET l = list_append(l, :v)",
            {":v": {"L": [{"S": "d"}]}},
            "l",
            {"L": [{"S": "a"}, {"S": "b"}, {"S": "c"}, {"S": "d"}]},
        ),
        (
            "SET l = list_append(:v, l)",
            {":v": {"L": [{"S": "z"}]}},
            "l",
            {"L": [{"S": "z"}, {"S": "a"}, {"S": "b"}, {"S": "c"}]},
        ),
        ("SET l[1] = :v", {":v": {"S": "B"}}, "l", {"L": [{"S": "a"}, {"S": "B"}, {"S": "c"}]}),
        (
            "SET l[9] = :v",
            {":v": {"S": "d"}},
            "l",
            {"L": [{"S": "a"}, {"S": "b"}, {"S": "c"}, {"S": "d"}]},
        ),
        ("SET m.y = :v", {":v": {"S": "2"}}, "m", {"M": {"x": {"S": "1"}, "y": {"S": "2"}}}),
        ("REMOVE l[0], l[2]", None, "l", {"L": [{"S": "b"}]}),
        ("ADD n :v", {":v": {"N": "-3"}}, "n", {"N": "7"}),
        ("ADD ss :v", {":v": {"SS": ["b", "c"]}}, "ss", {"SS": ["a", "b", "c"]}),
        ("ADD fresh :v", {":v": {"NS": ["1"]}}, "fresh", {"NS": ["1"]}),
        ("DELETE ss :v", {":v": {"SS": ["a"]}}, "ss", {"SS": ["b"]}),
    ],
)
def test_update_actions(
    ddb: Any, item: str, expression: str, values: Any, attribute: str, expected: Any
) -> None:
    assert update(ddb, item, expression, values)[attribute] == expected


def test_remove_and_delete_last_member(ddb: Any, item: str) -> None:
    new = update(ddb, item, "REMOVE s, m.x DELETE ss :v", {":v": {"SS": ["a", "b"]}})
    assert "s" not in new and "ss" not in new and new["m"] == {"M": {}}


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("UPDATED_OLD", {"n": {"N": "10"}}),
        ("UPDATED_NEW", {"n": {"N": "11"}, "added": {"S": "x"}}),
        ("NONE", {}),
    ],
)
def test_return_values(ddb: Any, item: str, mode: str, expected: Any) -> None:
    values = {":one": {"N": "1"}, ":x": {"S": "x"}}
    assert update(ddb, item, "SET n = n + :one, added = :x", values, ReturnValues=mode) == expected


def test_update_creates_item(ddb: Any, table: str) -> None:
    new = update(ddb, table, "SET a = :a", {":a": {"S": "1"}})
    assert new == {**KEY, "a": {"S": "1"}}


ENVELOPE = "1 validation error detected: "
"""PutItem, UpdateItem and DeleteItem report faults in the request alone inside Coral's envelope."""


@pytest.mark.parametrize(
    ("expression", "values", "names", "message"),
    [
        (
            "INVALID SYNTAX HERE",
            {":v": {"S": "v"}},
            None,
            'Invalid UpdateExpression: Syntax error; token: "INVALID", near: "INVALID SYNTAX"',
        ),
        (
            "ADD hits : incr",
            {":incr": {"N": "1"}},
            None,
            'Invalid UpdateExpression: Syntax error; token: ":", near: "hits : incr"',
        ),
        (
            "SET a = :v",
            {":v": {"S": "1"}, ":unused": {"S": "x"}},
            None,
            ENVELOPE + "Value provided in ExpressionAttributeValues unused in expressions: keys: "
            "{:unused}",
        ),
        (
            "SET a = :v",
            {":v": {"S": "1"}},
            {"#unused": "x"},
            ENVELOPE + "Value provided in ExpressionAttributeNames unused in expressions: keys: "
            "{#unused}",
        ),
        (
            "SET a = :v",
            None,
            None,
            ENVELOPE + "Invalid UpdateExpression: An expression attribute value used in "
            "expression is not defined; attribute value: :v",
        ),
        (
            "SET #a = :v",
            {":v": {"S": "1"}},
            None,
            ENVELOPE + "Invalid UpdateExpression: An expression attribute name used in the "
            "document path is not defined; attribute name: #a",
        ),
        (
            "SET status = :v",
            {":v": {"S": "1"}},
            None,
            "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: "
            "status",
        ),
        (
            "SET pk = :v",
            {":v": {"S": "1"}},
            None,
            "One or more parameter values were invalid: Cannot update attribute pk. This attribute "
            "is part of the key",
        ),
        (
            "SET a = :v, a.b = :v",
            {":v": {"S": "1"}},
            None,
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
            "rewrite one of these paths; path one: [a], path two: [a, b]",
        ),
        (
            "SET a = :v SET b = :v",
            {":v": {"S": "1"}},
            None,
            'Invalid UpdateExpression: The "SET" section can only be used once in an update '
            "expression;",
        ),
        (
            "SET a = size(b)",
            None,
            None,
            "Invalid UpdateExpression: The function is not allowed in an update expression; "
            "function: size",
        ),
        (
            "SET s = s + :v",
            {":v": {"N": "1"}},
            None,
            "An operand in the update expression has an incorrect data type",
        ),
        (
            "SET x = absent + :v",
            {":v": {"N": "1"}},
            None,
            "The provided expression refers to an attribute that does not exist in the item",
        ),
        (
            "SET nope.deeper = :v",
            {":v": {"N": "1"}},
            None,
            "The document path provided in the update expression is invalid for update",
        ),
        (
            "ADD s :v",
            {":v": {"S": "x"}},
            None,
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: "
            "ADD, operand type: STRING",
        ),
        ("", None, None, ENVELOPE + "Invalid UpdateExpression: The expression can not be empty;"),
    ],
)
def test_update_errors(
    ddb: Any, item: str, error_of: Any, expression: str, values: Any, names: Any, message: str
) -> None:
    params: dict[str, Any] = {"TableName": item, "Key": KEY, "UpdateExpression": expression}
    if values:
        params["ExpressionAttributeValues"] = values
    if names:
        params["ExpressionAttributeNames"] = names
    with pytest.raises(ClientError) as excinfo:
        ddb.update_item(**params)
    assert error_of(excinfo) == ("ValidationException", message, 400)
    assert ddb.get_item(TableName=item, Key=KEY)["Item"]["n"] == {"N": "10"}


def test_number_overflow_in_arithmetic(ddb: Any, table: str, error_of: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        update(ddb, table, "SET n = :a + :b", {":a": {"N": "9.9e125"}, ":b": {"N": "9.9e125"}})
    code, message, _ = error_of(excinfo)
    assert code == "ValidationException" and "Number overflow" in message


def test_legacy_attribute_updates(ddb: Any, item: str) -> None:
    new = ddb.update_item(
        TableName=item,
        Key=KEY,
        ReturnValues="ALL_NEW",
        AttributeUpdates={
            "n": {"Action": "ADD", "Value": {"N": "1"}},
            "s": {"Action": "DELETE"},
            "t": {"Value": {"S": "put"}},
        },
    )["Attributes"]
    assert new["n"] == {"N": "11"} and "s" not in new and new["t"] == {"S": "put"}


def test_mixing_legacy_and_expressions(ddb: Any, item: str, error_of: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        ddb.update_item(
            TableName=item,
            Key=KEY,
            UpdateExpression="SET a = :v",
            ExpressionAttributeValues={":v": {"S": "v"}},
            AttributeUpdates={"a": {"Value": {"S": "v"}, "Action": "PUT"}},
        )
    assert error_of(excinfo) == (
        "ValidationException",
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {AttributeUpdates} Expression parameters: {UpdateExpression}",
        400,
    )
