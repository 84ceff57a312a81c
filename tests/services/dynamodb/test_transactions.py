"""TransactWriteItems / TransactGetItems: all or nothing, reasons, idempotency tokens."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError


def key(n: int) -> dict[str, Any]:
    return {"pk": {"S": "tx"}, "sk": {"N": str(n)}}


def test_all_actions_commit_together(ddb: Any, table: str) -> None:
    ddb.put_item(TableName=table, Item={**key(2), "v": {"N": "1"}})
    ddb.put_item(TableName=table, Item=key(3))
    ddb.put_item(TableName=table, Item=key(4))
    ddb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": table, "Item": key(1)}},
            {
                "Update": {
                    "TableName": table,
                    "Key": key(2),
                    "UpdateExpression": "ADD v :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            },
            {"Delete": {"TableName": table, "Key": key(3)}},
            {
                "ConditionCheck": {
                    "TableName": table,
                    "Key": key(4),
                    "ConditionExpression": "attribute_exists(pk)",
                }
            },
        ]
    )
    got = ddb.transact_get_items(
        TransactItems=[{"Get": {"TableName": table, "Key": key(n)}} for n in (1, 2, 3)]
    )["Responses"]
    assert got[0]["Item"] == key(1)
    assert got[1]["Item"]["v"] == {"N": "2"}
    assert got[2] == {}


def test_cancellation_reasons_and_nothing_written(ddb: Any, table: str, error_of: Any) -> None:
    ddb.put_item(TableName=table, Item={**key(1), "v": {"S": "old"}})
    with pytest.raises(ClientError) as excinfo:
        ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": key(5)}},
                {
                    "Put": {
                        "TableName": table,
                        "Item": {**key(1), "v": {"S": "new"}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    }
                },
            ]
        )
    assert error_of(excinfo) == (
        "TransactionCanceledException",
        "Transaction cancelled, please refer cancellation reasons for specific reasons "
        "[None, ConditionalCheckFailed]",
        400,
    )
    reasons = excinfo.value.response["CancellationReasons"]
    assert reasons[0] == {"Code": "None"}
    assert reasons[1]["Code"] == "ConditionalCheckFailed"
    assert reasons[1]["Item"]["v"] == {"S": "old"}
    assert "Item" not in ddb.get_item(TableName=table, Key=key(5))


def test_multiple_operations_on_one_item(ddb: Any, table: str, error_of: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": key(1)}},
                {"Delete": {"TableName": table, "Key": key(1)}},
            ]
        )
    assert error_of(excinfo) == (
        "ValidationException",
        "Transaction request cannot include multiple operations on one item",
        400,
    )


def test_more_than_100_actions(ddb: Any, table: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        ddb.transact_write_items(
            TransactItems=[{"Put": {"TableName": table, "Item": key(n)}} for n in range(101)]
        )
    assert excinfo.value.response["Error"]["Code"] == "ValidationException"


def test_client_request_token(ddb: Any, table: str, error_of: Any) -> None:
    token = uuid.uuid4().hex
    items = [
        {
            "Update": {
                "TableName": table,
                "Key": key(9),
                "UpdateExpression": "ADD v :one",
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }
        }
    ]
    ddb.transact_write_items(TransactItems=items, ClientRequestToken=token)
    ddb.transact_write_items(TransactItems=items, ClientRequestToken=token)
    assert ddb.get_item(TableName=table, Key=key(9))["Item"]["v"] == {"N": "1"}
    with pytest.raises(ClientError) as excinfo:
        ddb.transact_write_items(
            TransactItems=[{"Put": {"TableName": table, "Item": key(8)}}], ClientRequestToken=token
        )
    code, _, status = error_of(excinfo)
    assert (code, status) == ("IdempotentParameterMismatchException", 400)


TYPE_MISMATCH = (
    "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: "
)
SCHEMA_MISMATCH = "The provided key element does not match the schema"
EMPTY_KEY = (
    "One or more parameter values are not valid. The AttributeValue for a key attribute cannot "
    "contain an empty string value. Key: pk"
)


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ({"Put": {"Item": {"pk": {"N": "5"}, "sk": {"N": "1"}}}}, TYPE_MISMATCH + "N"),
        ({"Put": {"Item": {"pk": {"L": [{"S": "x"}]}, "sk": {"N": "1"}}}}, TYPE_MISMATCH + "L"),
        ({"Delete": {"Key": {"pk": {"N": "5"}, "sk": {"N": "1"}}}}, SCHEMA_MISMATCH),
        (
            {
                "Update": {
                    "Key": {"pk": {"L": [{"S": "x"}]}, "sk": {"N": "1"}},
                    "UpdateExpression": "SET v = :v",
                    "ExpressionAttributeValues": {":v": {"S": "x"}},
                }
            },
            SCHEMA_MISMATCH,
        ),
        (
            {
                "ConditionCheck": {
                    "Key": {"pk": {"N": "5"}, "sk": {"N": "1"}},
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            SCHEMA_MISMATCH,
        ),
    ],
)
def test_key_of_the_wrong_type_cancels(
    ddb: Any, table: str, action: dict[str, Any], message: str
) -> None:
    # AWS finds a key value of the wrong type (or a list or map) while running the transaction:
    # the action's reason is a ValidationError, the other actions' reasons are None.
    ((kind, spec),) = action.items()
    items = [
        {"Put": {"TableName": table, "Item": key(1)}},
        {kind: {"TableName": table, **spec}},
    ]
    with pytest.raises(ClientError) as excinfo:
        ddb.transact_write_items(TransactItems=items)
    assert_second_action_invalid(excinfo, message)
    assert "Item" not in ddb.get_item(TableName=table, Key=key(1))


def assert_second_action_invalid(excinfo: Any, message: str) -> None:
    """The transaction was cancelled for its second action's ValidationError alone."""
    error = excinfo.value.response
    assert error["Error"]["Code"] == "TransactionCanceledException"
    assert error["Error"]["Message"] == (
        "Transaction cancelled, please refer cancellation reasons for specific reasons "
        "[None, ValidationError]"
    )
    assert error["CancellationReasons"] == [
        {"Code": "None"},
        {"Code": "ValidationError", "Message": message},
    ]


def test_empty_key_value_fails_the_whole_request(ddb: Any, table: str, error_of: Any) -> None:
    for action in (
        {"Put": {"TableName": table, "Item": {"pk": {"S": ""}, "sk": {"N": "1"}}}},
        {"Delete": {"TableName": table, "Key": {"pk": {"S": ""}, "sk": {"N": "1"}}}},
    ):
        with pytest.raises(ClientError) as excinfo:
            ddb.transact_write_items(TransactItems=[action])
        assert error_of(excinfo) == ("ValidationException", EMPTY_KEY, 400)


def test_transact_get_with_a_mismatched_key_cancels(ddb: Any, table: str) -> None:
    ddb.put_item(TableName=table, Item=key(1))
    with pytest.raises(ClientError) as excinfo:
        ddb.transact_get_items(
            TransactItems=[
                {"Get": {"TableName": table, "Key": key(1)}},
                {"Get": {"TableName": table, "Key": {}}},
            ]
        )
    assert_second_action_invalid(excinfo, SCHEMA_MISMATCH)


def test_malformed_table_names_are_named_by_their_place(
    aws_client: Any, table: str, error_of: Any
) -> None:
    ddb = aws_client("dynamodb", parameter_validation=False)
    pattern = "failed to satisfy constraint: Member must satisfy regular expression pattern"
    with pytest.raises(ClientError) as excinfo:
        ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}}}},
                {
                    "Update": {
                        "TableName": "bad!name",
                        "Key": {"pk": {"S": "a"}},
                        "UpdateExpression": "SET a = :a",
                        "ExpressionAttributeValues": {":a": {"S": "x"}},
                    }
                },
            ]
        )
    assert error_of(excinfo) == (
        "ValidationException",
        "1 validation error detected: Value 'bad!name' at "
        f"'transactItems.2.member.update.tableName' {pattern}: [a-zA-Z0-9_.-]+",
        400,
    )
    with pytest.raises(ClientError) as excinfo:
        ddb.transact_get_items(TransactItems=[{"Get": {"TableName": "x!", "Key": {}}}])
    assert error_of(excinfo) == (
        "ValidationException",
        "2 validation errors detected: Value 'x!' at 'transactItems.1.member.get.tableName' "
        "failed to satisfy constraint: Member must have length greater than or equal to 3; "
        f"Value 'x!' at 'transactItems.1.member.get.tableName' {pattern}: [a-zA-Z0-9_.-]+",
        400,
    )
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": {"S": "a"}, "sk": {"N": "1"}})


def test_an_action_with_no_operation(aws_client: Any, error_of: Any) -> None:
    ddb = aws_client("dynamodb", parameter_validation=False)
    with pytest.raises(ClientError) as excinfo:
        ddb.transact_write_items(TransactItems=[{}])
    assert error_of(excinfo) == (
        "ValidationException",
        "1 validation error detected: Value '' at 'transactItems' failed to satisfy constraint: "
        "TransactWriteRequest should contain Delete or Put or Update or ConditionCheck",
        400,
    )


def test_empty_transaction(aws_client: Any, error_of: Any) -> None:
    ddb = aws_client("dynamodb", parameter_validation=False)
    for call in (ddb.transact_write_items, ddb.transact_get_items):
        with pytest.raises(ClientError) as excinfo:
            call(TransactItems=[])
        assert error_of(excinfo) == (
            "ValidationException",
            "1 validation error detected: Value '[]' at 'transactItems' failed to satisfy "
            "constraint: Member must have length greater than or equal to 1",
            400,
        )
