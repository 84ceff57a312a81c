"""BatchGetItem and BatchWriteItem."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError


def test_batch_write_and_get(ddb: Any, table: str) -> None:
    ddb.batch_write_item(
        RequestItems={
            table: [
                {
                    "PutRequest": {
                        "Item": {"pk": {"S": "b"}, "sk": {"N": str(n)}, "v": {"N": str(n)}}
                    }
                }
                for n in range(5)
            ]
        }
    )
    ddb.batch_write_item(
        RequestItems={table: [{"DeleteRequest": {"Key": {"pk": {"S": "b"}, "sk": {"N": "0"}}}}]}
    )
    result = ddb.batch_get_item(
        RequestItems={
            table: {
                "Keys": [{"pk": {"S": "b"}, "sk": {"N": str(n)}} for n in range(3)],
                "ProjectionExpression": "v",
            }
        }
    )
    assert sorted(item["v"]["N"] for item in result["Responses"][table]) == ["1", "2"]
    assert result["UnprocessedKeys"] == {}


@pytest.mark.parametrize("operation", ["get", "write"])
def test_duplicates_refused(ddb: Any, table: str, error_of: Any, operation: str) -> None:
    key = {"pk": {"S": "d"}, "sk": {"N": "1"}}
    with pytest.raises(ClientError) as excinfo:
        if operation == "get":
            ddb.batch_get_item(RequestItems={table: {"Keys": [key, key]}})
        else:
            ddb.batch_write_item(
                RequestItems={
                    table: [{"PutRequest": {"Item": key}}, {"DeleteRequest": {"Key": key}}]
                }
            )
    assert error_of(excinfo) == (
        "ValidationException",
        "Provided list of item keys contains duplicates",
        400,
    )


def test_too_many_items(ddb: Any, table: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        ddb.batch_write_item(
            RequestItems={
                table: [
                    {"PutRequest": {"Item": {"pk": {"S": "x"}, "sk": {"N": str(n)}}}}
                    for n in range(26)
                ]
            }
        )
    assert excinfo.value.response["Error"]["Code"] == "ValidationException"


def test_batch_write_is_validated_before_writing(ddb: Any, table: str) -> None:
    with pytest.raises(ClientError):
        ddb.batch_write_item(
            RequestItems={
                table: [
                    {"PutRequest": {"Item": {"pk": {"S": "ok"}, "sk": {"N": "1"}}}},
                    {"PutRequest": {"Item": {"pk": {"S": ""}, "sk": {"N": "1"}}}},
                ]
            }
        )
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": {"S": "ok"}, "sk": {"N": "1"}})


@pytest.mark.parametrize("value", [{"N": "5"}, {"L": [{"S": "x"}]}])
def test_batch_write_key_of_the_wrong_type(
    ddb: Any, table: str, error_of: Any, value: dict[str, Any]
) -> None:
    # PutItem names the expected and actual types; BatchWriteItem answers the schema mismatch.
    with pytest.raises(ClientError) as excinfo:
        ddb.batch_write_item(
            RequestItems={table: [{"PutRequest": {"Item": {"pk": value, "sk": {"N": "1"}}}}]}
        )
    assert error_of(excinfo) == (
        "ValidationException",
        "The provided key element does not match the schema",
        400,
    )


@pytest.mark.parametrize("item", [{"sk": {"N": "1"}}, {"pk": {"S": "a"}}, {"other": {"S": "x"}}])
def test_batch_write_item_without_its_key(
    ddb: Any, table: str, error_of: Any, item: dict[str, Any]
) -> None:
    with pytest.raises(ClientError) as excinfo:
        ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": item}}]})
    assert error_of(excinfo) == (
        "ValidationException",
        "The provided key element does not match the schema",
        400,
    )


def test_malformed_table_name_in_request_items(ddb: Any, table: str, error_of: Any) -> None:
    requested = {"bad!name": {"Keys": [{"pk": {"S": "a"}}]}}
    with pytest.raises(ClientError) as excinfo:
        ddb.batch_get_item(RequestItems=requested)
    assert error_of(excinfo) == (
        "ValidationException",
        "1 validation error detected: Value "
        '\'{"bad!name":{"Keys":[{"pk":{"S":"a"}}]}}\' at \'requestItems\' failed to satisfy '
        "constraint: Map keys must satisfy constraint: [Member must have length less than or "
        "equal to 255, Member must have length greater than or equal to 3, Member must satisfy "
        "regular expression pattern: [a-zA-Z0-9_.-]+]",
        400,
    )


@pytest.mark.parametrize(
    ("projection", "names", "paths"),
    [
        ("v, v", None, "path one: [v], path two: [v]"),
        ("#a, #b", {"#a": "v", "#b": "v"}, "path one: [v], path two: [v]"),
        ("m, m.x", None, "path one: [m], path two: [m, x]"),
    ],
)
def test_overlapping_projection_paths(
    ddb: Any, table: str, error_of: Any, projection: str, names: Any, paths: str
) -> None:
    spec: dict[str, Any] = {
        "Keys": [{"pk": {"S": "none"}, "sk": {"N": "1"}}],
        "ProjectionExpression": projection,
    }
    if names:
        spec["ExpressionAttributeNames"] = names
    with pytest.raises(ClientError) as excinfo:
        ddb.batch_get_item(RequestItems={table: spec})
    assert error_of(excinfo) == (
        "ValidationException",
        "Invalid ProjectionExpression: Two document paths overlap with each other; must remove "
        f"or rewrite one of these paths; {paths}",
        400,
    )


def test_projection_styles_may_not_mix_across_tables(
    ddb: Any, table: str, make_table: Any, error_of: Any
) -> None:
    other = make_table()
    with pytest.raises(ClientError) as excinfo:
        ddb.batch_get_item(
            RequestItems={
                table: {
                    "Keys": [{"pk": {"S": "a"}, "sk": {"N": "1"}}],
                    "ProjectionExpression": "pk",
                },
                other: {"Keys": [{"pk": {"S": "b"}}], "AttributesToGet": ["pk"]},
            }
        )
    assert error_of(excinfo) == (
        "ValidationException",
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {AttributesToGet} Expression parameters: "
        "{ProjectionExpression}",
        400,
    )
