"""PartiQL: ExecuteStatement, BatchExecuteStatement and ExecuteTransaction."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError


def test_insert_select_update_delete(ddb: Any, table: str, error_of: Any) -> None:
    ddb.execute_statement(
        Statement=f"INSERT INTO \"{table}\" VALUE {{'pk': 'a', 'sk': 1, 'tags': <<'x', 'y'>>}}"
    )
    with pytest.raises(ClientError) as excinfo:
        ddb.execute_statement(Statement=f"INSERT INTO \"{table}\" VALUE {{'pk': 'a', 'sk': 1}}")
    assert error_of(excinfo) == (
        "DuplicateItemException",
        "Duplicate primary key exists in table",
        400,
    )
    ddb.execute_statement(
        Statement=f'UPDATE "{table}" SET v = ? WHERE pk = ? AND sk = 1',
        Parameters=[{"N": "7"}, {"S": "a"}],
    )
    rows = ddb.execute_statement(Statement=f"SELECT pk, v FROM \"{table}\" WHERE pk = 'a'")
    assert rows["Items"] == [{"pk": {"S": "a"}, "v": {"N": "7"}}]
    ddb.execute_statement(Statement=f"DELETE FROM \"{table}\" WHERE pk = 'a' AND sk = 1")
    assert ddb.execute_statement(Statement=f'SELECT * FROM "{table}"')["Items"] == []


def test_batch_and_transaction(ddb: Any, table: str) -> None:
    batch = ddb.batch_execute_statement(
        Statements=[
            {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 'b', 'sk': 1}}"},
            {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 'b', 'sk': 1}}"},
        ]
    )["Responses"]
    assert batch[0] == {} and batch[1]["Error"]["Code"] == "DuplicateItem"
    with pytest.raises(ddb.exceptions.TransactionCanceledException):
        ddb.execute_transaction(
            TransactStatements=[
                {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 'c', 'sk': 1}}"},
                {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 'b', 'sk': 1}}"},
            ]
        )
    rows = ddb.execute_statement(Statement=f"SELECT * FROM \"{table}\" WHERE pk = 'c'")
    assert rows["Items"] == []


def test_select_from_an_index(ddb: Any, make_table: Any, error_of: Any) -> None:
    name = make_table(
        extra=(("g", "S"),),
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-g",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "g": {"S": "x"}})
    found = ddb.execute_statement(Statement=f'SELECT * FROM "{name}"."by-g" WHERE g = \'x\'')
    assert [item["pk"] for item in found["Items"]] == [{"S": "a"}]
    for statement, consistent, message in [
        (
            f'SELECT * FROM "{name}"."by-g"',
            True,
            "Strongly consistent read is not supported on Global Secondary Indexes",
        ),
        (f'SELECT * FROM "{name}"."nope"', True, "The table does not have the specified index"),
    ]:
        with pytest.raises(ClientError) as excinfo:
            ddb.execute_statement(Statement=statement, ConsistentRead=consistent)
        assert error_of(excinfo) == ("ValidationException", message, 400)
