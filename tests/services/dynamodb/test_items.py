"""PutItem, GetItem, DeleteItem: exact types, numbers, keys, sizes, ReturnValues."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError


def test_put_get_every_type(ddb: Any, table: str) -> None:
    item = {
        "pk": {"S": "a"},
        "sk": {"N": "1"},
        "s": {"S": "text"},
        "n": {"N": "-12.5"},
        "b": {"B": b"\x00\xff"},
        "bool": {"BOOL": False},
        "null": {"NULL": True},
        "m": {"M": {"x": {"L": [{"S": "y"}, {"N": "2"}]}}},
        "ss": {"SS": ["a", "b"]},
        "ns": {"NS": ["1", "2.5"]},
        "bs": {"BS": [b"\x01", b"\x02"]},
    }
    ddb.put_item(TableName=table, Item=item)
    got = ddb.get_item(TableName=table, Key={"pk": {"S": "a"}, "sk": {"N": "1"}})["Item"]
    assert got == item


def test_set_members_come_back_in_dynamodbs_order(ddb: Any, table: str) -> None:
    """Strings and binaries bytewise, numbers by value, whatever order they were sent in."""
    key = {"pk": {"S": "sets"}, "sk": {"N": "1"}}
    sets = {
        "ss": {"SS": ["b", "é", "", "B", "a"]},
        "ns": {"NS": ["10", "9", "-1.5", "1e2", "0.01"]},
        "bs": {"BS": [b"\xff", b"\x01\x00", b"", b"\x01"]},
    }
    ddb.put_item(TableName=table, Item={**key, **sets})
    got = ddb.get_item(TableName=table, Key=key)["Item"]
    assert got["ss"] == {"SS": ["", "B", "a", "b", "é"]}
    assert got["ns"] == {"NS": ["-1.5", "0.01", "9", "10", "100"]}
    assert got["bs"] == {"BS": [b"", b"\x01", b"\x01\x00", b"\xff"]}
    added = ddb.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="ADD ss :s, ns :n",
        ExpressionAttributeValues={":s": {"SS": ["c", "A"]}, ":n": {"NS": ["5", "-20"]}},
        ReturnValues="UPDATED_NEW",
    )["Attributes"]
    assert added == {
        "ss": {"SS": ["", "A", "B", "a", "b", "c", "é"]},
        "ns": {"NS": ["-20", "-1.5", "0.01", "5", "9", "10", "100"]},
    }


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("00042", "42"),
        ("1.0", "1"),
        ("3.1400", "3.14"),
        ("1.5E2", "150"),
        ("-0", "0"),
        ("0e125", "0"),
        ("0e-130", "0"),
        ("1E-130", "0." + "0" * 129 + "1"),
    ],
)
def test_number_normalisation(ddb: Any, table: str, given: str, stored: str) -> None:
    ddb.put_item(TableName=table, Item={"pk": {"S": "n"}, "sk": {"N": "1"}, "v": {"N": given}})
    got = ddb.get_item(TableName=table, Key={"pk": {"S": "n"}, "sk": {"N": "1"}})["Item"]
    assert got["v"] == {"N": stored}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1" * 39, "Attempting to store more than 38 significant digits in a Number"),
        (
            "1E+126",
            "Number overflow. Attempting to store a number with magnitude larger than "
            "supported range",
        ),
        (
            "1E-131",
            "Number underflow. Attempting to store a number with magnitude smaller than "
            "supported range",
        ),
        (
            "1e99999999999",
            "Number overflow. Attempting to store a number with magnitude larger than "
            "supported range",
        ),
        (
            "-1e-99999999999",
            "Number underflow. Attempting to store a number with magnitude smaller than "
            "supported range",
        ),
        (
            "1e2147483647",
            "Number overflow. Attempting to store a number with magnitude larger than "
            "supported range",
        ),
        (
            "1e9223372036854775807",
            "Number overflow. Attempting to store a number with magnitude larger than "
            "supported range",
        ),
        (
            "1e9223372036854775808",
            "The parameter cannot be converted to a numeric value: 1e9223372036854775808",
        ),
        (
            "0e126",
            "Number overflow. Attempting to store a number with magnitude larger than "
            "supported range",
        ),
        (
            "0e-131",
            "Number underflow. Attempting to store a number with magnitude smaller than "
            "supported range",
        ),
        ("abc", "The parameter cannot be converted to a numeric value: abc"),
        (" 1", "The parameter cannot be converted to a numeric value:  1"),
        ("NaN", "The parameter cannot be converted to a numeric value: NaN"),
        ("1_000", "The parameter cannot be converted to a numeric value: 1_000"),
        ("", "The parameter cannot be converted to a numeric value: "),
    ],
)
def test_number_errors(ddb: Any, table: str, error_of: Any, value: str, message: str) -> None:
    # PutItem, UpdateItem and DeleteItem report a bad value inside Coral's envelope (2026-10)
    with pytest.raises(ClientError) as excinfo:
        ddb.put_item(TableName=table, Item={"pk": {"S": "n"}, "sk": {"N": "1"}, "v": {"N": value}})
    assert error_of(excinfo) == (
        "ValidationException",
        f"1 validation error detected: {message}",
        400,
    )


def test_the_older_layer_reads_exponents_in_32_bits(ddb: Any, table: str, error_of: Any) -> None:
    """BatchWriteItem wraps 1 + 2147483647 as Java's int does: an underflow (PutItem: overflow)."""
    with pytest.raises(ClientError) as excinfo:
        ddb.batch_write_item(
            RequestItems={
                table: [
                    {
                        "PutRequest": {
                            "Item": {"pk": {"S": "n"}, "sk": {"N": "1"}, "v": {"N": "1e2147483647"}}
                        }
                    }
                ]
            }
        )
    assert error_of(excinfo) == (
        "ValidationException",
        "Number underflow. Attempting to store a number with magnitude smaller than supported "
        "range",
        400,
    )


NOT_NUMERIC = "The parameter cannot be converted to a numeric value"
INVALID = "One or more parameter values were invalid: "


def test_value_errors_in_each_layers_words(ddb: Any, table: str, error_of: Any) -> None:
    # AWS runs two value-checking layers in 2026: the current one (bare for GetItem and Query,
    # enveloped for PutItem/UpdateItem/DeleteItem) and an older one (BatchWriteItem,
    # TransactWriteItems, TransactGetItems, Scan), which words some errors its own way.
    key = {"pk": {"S": "k"}, "sk": {"N": "1"}}
    bad = {"N": ""}
    twice = {"SS": ["b", "a", "b"]}
    calls = [
        (
            lambda: ddb.get_item(TableName=table, Key={"pk": {"S": "k"}, "sk": bad}),
            f"{NOT_NUMERIC}: ",
        ),
        (
            lambda: ddb.query(
                TableName=table,
                KeyConditionExpression="pk = :p",
                FilterExpression="s = :t",
                ExpressionAttributeValues={":p": {"S": "k"}, ":t": twice},
            ),
            f'{INVALID}Input collection ["a", "b", "b"] contains duplicates.',
        ),
        (
            lambda: ddb.delete_item(
                TableName=table,
                Key=key,
                ConditionExpression="n = :v",
                ExpressionAttributeValues={":v": bad},
            ),
            f"1 validation error detected: {NOT_NUMERIC}: ",
        ),
        (
            lambda: ddb.batch_write_item(
                RequestItems={table: [{"PutRequest": {"Item": {**key, "n": bad}}}]}
            ),
            NOT_NUMERIC,
        ),
        (
            lambda: ddb.batch_write_item(
                RequestItems={table: [{"PutRequest": {"Item": {**key, "s": twice}}}]}
            ),
            f"{INVALID}Input collection [b, a, b] contains duplicates.",
        ),
        (
            lambda: ddb.transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": table,
                            "Key": key,
                            "UpdateExpression": "SET n = :v",
                            "ExpressionAttributeValues": {":v": {"NS": ["2", "1", "2"]}},
                        }
                    }
                ]
            ),
            "ExpressionAttributeValues contains invalid value: Input collection contains "
            "duplicates for key :v",
        ),
        (
            lambda: ddb.transact_write_items(
                TransactItems=[
                    {
                        "ConditionCheck": {
                            "TableName": table,
                            "Key": key,
                            "ConditionExpression": "s = :v",
                            "ExpressionAttributeValues": {":v": twice},
                        }
                    }
                ]
            ),
            f"ExpressionAttributeValues contains invalid value: {INVALID}Input collection "
            "[b, a, b] contains duplicates. for key :v",
        ),
        (
            lambda: ddb.transact_get_items(
                TransactItems=[{"Get": {"TableName": table, "Key": {**key, "sk": bad}}}]
            ),
            NOT_NUMERIC,
        ),
    ]
    for call, message in calls:
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_of(excinfo) == ("ValidationException", message, 400)


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (
            {"sk": {"N": "1"}},
            "One or more parameter values were invalid: Missing the key pk in the item",
        ),
        (
            {"pk": {"N": "5"}, "sk": {"N": "1"}},
            "One or more parameter values were invalid: Type "
            "mismatch for key pk expected: S actual: N",
        ),
        (
            {"pk": {"S": ""}, "sk": {"N": "1"}},
            "One or more parameter values are not valid. The "
            "AttributeValue for a key attribute cannot contain an empty string value. Key: pk",
        ),
        (
            {"pk": {"S": "a"}, "sk": {"N": "1"}, "x": {"SS": []}},
            "One or more parameter values were invalid: An string set  may not be empty",
        ),
        (
            {"pk": {"S": "a"}, "sk": {"N": "1"}, "x": {"SS": ["a", "a"]}},
            "1 validation error detected: One or more parameter values were invalid: Input "
            'collection ["a", "a"] contains duplicates.',
        ),
        (
            {"pk": {"S": "a"}, "sk": {"N": "1"}, "x": {"BS": []}},
            "One or more parameter values were invalid: Binary sets should not be empty",
        ),
        (
            {"pk": {"S": "a"}, "sk": {"N": "1"}, "x": {"BS": [b"\xff", b"", b""]}},
            "1 validation error detected: One or more parameter values were invalid: Input "
            'collection ["","/w==",""]of type BS contains duplicates.',
        ),
        (
            {"pk": {"S": "a"}, "sk": {"N": "1"}, "x": {"NS": ["1", ""]}},
            "1 validation error detected: The parameter cannot be converted to a numeric value: ",
        ),
        (
            {"pk": {"S": "a"}, "sk": {"N": "1"}, "x": {"SS": ["", "b"]}},
            None,
        ),
        (
            {"pk": {"S": "x" * 2049}, "sk": {"N": "1"}},
            "One or more parameter values were invalid: "
            "Size of hashkey has exceeded the maximum size limit of2048 bytes",
        ),
        (
            {"pk": {"S": "a"}, "sk": {"N": "1"}, "big": {"S": "x" * 409_600}},
            "Item size has exceeded the maximum allowed size",
        ),
    ],
)
def test_put_validation(
    ddb: Any, table: str, error_of: Any, item: dict[str, Any], message: str | None
) -> None:
    if message is None:  # accepted: a string set may hold an empty string
        ddb.put_item(TableName=table, Item=item)
        return
    with pytest.raises(ClientError) as excinfo:
        ddb.put_item(TableName=table, Item=item)
    assert error_of(excinfo) == ("ValidationException", message, 400)


def test_item_size_gate_is_exact(ddb: Any, make_table: Any) -> None:
    name = make_table()
    # name "pk" (2) + "a" (1) + name "p" (1) + value: 409,600 bytes in all
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "p": {"S": "x" * 409_596}})
    with pytest.raises(ClientError):
        ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "p": {"S": "x" * 409_597}})


def _nested(wraps: int) -> dict[str, Any]:
    """A number inside `wraps` maps and lists, alternating."""
    value: dict[str, Any] = {"N": "1"}
    for level in range(wraps):
        value = {"M": {"x": value}} if level % 2 else {"L": [value]}
    return value


NESTING_MESSAGE = (
    "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels "
    "beyond supported limit"
)


def test_nesting_limit(ddb: Any, table: str, error_of: Any) -> None:
    # AWS takes a scalar inside 31 maps or lists (32 levels) and refuses one more, in PutItem,
    # BatchWriteItem and TransactWriteItems alike, before anything is written.
    key = {"pk": {"S": "deep"}, "sk": {"N": "1"}}
    ddb.put_item(TableName=table, Item={**key, "d": _nested(31)})
    assert ddb.get_item(TableName=table, Key=key)["Item"]["d"] == _nested(31)
    too_deep = {"pk": {"S": "deeper"}, "sk": {"N": "1"}, "d": _nested(32)}
    deep_value = {"ExpressionAttributeValues": {":deep": _nested(32)}}
    calls = [  # PutItem and UpdateItem inside Coral's envelope, the older layer bare (2026-10)
        (lambda: ddb.put_item(TableName=table, Item=too_deep), True),
        (
            lambda: ddb.update_item(
                TableName=table, Key=key, UpdateExpression="SET d = :deep", **deep_value
            ),
            True,
        ),
        (
            lambda: ddb.batch_write_item(
                RequestItems={table: [{"PutRequest": {"Item": too_deep}}]}
            ),
            False,
        ),
        (
            lambda: ddb.transact_write_items(
                TransactItems=[{"Put": {"TableName": table, "Item": too_deep}}]
            ),
            False,
        ),
        (
            lambda: ddb.transact_write_items(
                TransactItems=[
                    {
                        "ConditionCheck": {
                            "TableName": table,
                            "Key": key,
                            "ConditionExpression": "d = :deep",
                            **deep_value,
                        }
                    }
                ]
            ),
            False,
        ),
    ]
    for call, enveloped in calls:
        with pytest.raises(ClientError) as excinfo:
            call()
        envelope = "1 validation error detected: " if enveloped else ""
        assert error_of(excinfo) == ("ValidationException", envelope + NESTING_MESSAGE, 400)
    assert "Item" not in ddb.get_item(
        TableName=table, Key={"pk": {"S": "deeper"}, "sk": {"N": "1"}}
    )


@pytest.mark.parametrize(
    "key",
    [
        {"pk": {"S": "a"}},
        {"pk": {"S": "a"}, "sk": {"S": "1"}},
        {"pk": {"S": "a"}, "sk": {"N": "1"}, "x": {"S": "y"}},
    ],
)
def test_get_key_mismatch(ddb: Any, table: str, error_of: Any, key: dict[str, Any]) -> None:
    with pytest.raises(ClientError) as excinfo:
        ddb.get_item(TableName=table, Key=key)
    assert error_of(excinfo) == (
        "ValidationException",
        "The provided key element does not match the schema",
        400,
    )


def test_get_missing_item_and_projection(ddb: Any, table: str) -> None:
    key = {"pk": {"S": "p"}, "sk": {"N": "1"}}
    assert "Item" not in ddb.get_item(TableName=table, Key=key)
    ddb.put_item(
        TableName=table,
        Item={
            **key,
            "a": {"M": {"b": {"L": [{"S": "0"}, {"S": "1"}, {"S": "2"}]}, "c": {"S": "c"}}},
            "d": {"S": "d"},
        },
    )
    got = ddb.get_item(
        TableName=table,
        Key=key,
        ProjectionExpression="a.b[2], a.b[0], #d",
        ExpressionAttributeNames={"#d": "d"},
    )["Item"]
    assert got == {"a": {"M": {"b": {"L": [{"S": "0"}, {"S": "2"}]}}}, "d": {"S": "d"}}
    legacy = ddb.get_item(TableName=table, Key=key, AttributesToGet=["d"])["Item"]
    assert legacy == {"d": {"S": "d"}}


def test_put_return_values_and_delete(ddb: Any, table: str, error_of: Any) -> None:
    key = {"pk": {"S": "r"}, "sk": {"N": "1"}}
    assert "Attributes" not in ddb.put_item(
        TableName=table, Item={**key, "v": {"N": "1"}}, ReturnValues="ALL_OLD"
    )
    old = ddb.put_item(TableName=table, Item={**key, "v": {"N": "2"}}, ReturnValues="ALL_OLD")
    assert old["Attributes"]["v"] == {"N": "1"}
    with pytest.raises(ClientError) as excinfo:
        ddb.put_item(TableName=table, Item=key, ReturnValues="ALL_NEW")
    assert error_of(excinfo) == (
        "ValidationException",
        "1 validation error detected: ReturnValues can only be ALL_OLD or NONE",
        400,
    )
    deleted = ddb.delete_item(TableName=table, Key=key, ReturnValues="ALL_OLD")
    assert deleted["Attributes"]["v"] == {"N": "2"}
    assert "Item" not in ddb.get_item(TableName=table, Key=key)


def test_null_false_is_refused(ddb: Any, table: str, error_of: Any) -> None:
    # Two regions stored it as {"NULL": true} for a while in 2026; every region refuses it again.
    key = {"pk": {"S": "nul"}, "sk": {"N": "1"}}
    with pytest.raises(ClientError) as excinfo:
        ddb.put_item(TableName=table, Item={**key, "n": {"NULL": False}})
    assert error_of(excinfo) == (
        "ValidationException",
        "One or more parameter values were invalid: Null attribute value types must have the "
        "value of true",
        400,
    )
    assert "Item" not in ddb.get_item(TableName=table, Key=key)


def test_consumed_capacity(ddb: Any, table: str) -> None:
    key = {"pk": {"S": "cap"}, "sk": {"N": "1"}}
    put = ddb.put_item(
        TableName=table, Item={**key, "v": {"S": "x" * 2000}}, ReturnConsumedCapacity="TOTAL"
    )
    assert put["ConsumedCapacity"] == {
        "TableName": table,
        "CapacityUnits": 2.0,
        "WriteCapacityUnits": 2.0,
    }
    got = ddb.get_item(TableName=table, Key=key, ReturnConsumedCapacity="TOTAL")
    assert got["ConsumedCapacity"]["CapacityUnits"] == 0.5


def _deep(levels: int) -> dict[str, Any]:
    value: dict[str, Any] = {"S": "leaf"}
    for _ in range(levels):
        value = {"M": {"n": value}}
    return value


NESTING = (
    "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels "
    "beyond supported limit"
)
ABSENT = "absent-table"


@pytest.mark.parametrize(
    ("operation", "params", "message"),
    [
        (
            "put_item",
            {
                "Item": {"pk": {"S": "a"}},
                "ConditionExpression": "attribute_exists(pk)",
                "ExpressionAttributeValues": {":u": {"S": "x"}},
            },
            "1 validation error detected: Value provided in ExpressionAttributeValues unused in "
            "expressions: keys: {:u}",
        ),
        (
            "delete_item",
            {"Key": {"pk": {"S": "a"}}, "ReturnValues": "UPDATED_NEW"},
            "1 validation error detected: ReturnValues can only be ALL_OLD or NONE",
        ),
        (
            "transact_write_items",
            {
                "TransactItems": [
                    {"Put": {"TableName": ABSENT, "Item": {"pk": {"S": "a"}, "d": _deep(40)}}},
                    {"Delete": {"TableName": ABSENT, "Key": {"pk": {"S": "b"}}}},
                ]
            },
            NESTING,
        ),
        (
            "transact_write_items",
            {
                "TransactItems": [
                    {"Delete": {"TableName": ABSENT, "Key": {"pk": {"S": "b"}}}},
                    {
                        "Delete": {
                            "TableName": ABSENT,
                            "Key": {"pk": {"S": "a"}},
                            "ConditionExpression": "a = = b",
                        }
                    },
                ]
            },
            'Invalid ConditionExpression: Syntax error; token: "=", near: "= = b"',
        ),
        (
            "transact_get_items",
            {
                "TransactItems": [
                    {"Get": {"TableName": ABSENT, "Key": {"pk": {"S": "a"}}}},
                    {
                        "Get": {
                            "TableName": ABSENT,
                            "Key": {"pk": {"S": "b"}},
                            "ProjectionExpression": "a, a",
                        }
                    },
                ]
            },
            "Invalid ProjectionExpression: Two document paths overlap with each other; must "
            "remove or rewrite one of these paths; path one: [a], path two: [a]",
        ),
        (
            "scan",
            {
                "ScanFilter": {
                    "a": {"ComparisonOperator": "EQ", "AttributeValueList": [_deep(40)]}
                },
            },
            NESTING,
        ),
        (
            "query",
            {"KeyConditionExpression": "pk = = :v"},
            'Invalid KeyConditionExpression: Syntax error; token: "=", near: "= = :v"',
        ),
    ],
)
def test_requests_are_checked_before_the_table_is_found(
    aws_client: Any, error_of: Any, operation: str, params: dict[str, Any], message: str
) -> None:
    """On a table that does not exist, a faulty request is still a ValidationException, as AWS
    checks the request before it looks the table up."""
    ddb = aws_client("dynamodb", parameter_validation=False)
    if not operation.startswith("transact_"):
        params = {"TableName": ABSENT, **params}
    with pytest.raises(ClientError) as excinfo:
        getattr(ddb, operation)(**params)
    assert error_of(excinfo) == ("ValidationException", message, 400)
