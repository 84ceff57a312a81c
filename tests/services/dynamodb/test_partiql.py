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


def test_select_by_partition_key_reads_that_partition(ddb: Any, table: str) -> None:
    """A WHERE fixing the partition key reads that partition in sort-key order, so Limit counts
    its items (a Scan would spend the page on other partitions)."""
    for pk in "bcdefgh":
        ddb.put_item(TableName=table, Item={"pk": {"S": pk}, "sk": {"N": "1"}})
    for sk in ("3", "1", "2"):
        ddb.put_item(TableName=table, Item={"pk": {"S": "a"}, "sk": {"N": sk}, "v": {"S": sk}})
    statement = f"SELECT sk FROM \"{table}\" WHERE v <> 'none' AND pk = ?"
    pages, token = [], None
    while True:
        page = ddb.execute_statement(
            Statement=statement,
            Parameters=[{"S": "a"}],
            Limit=1,
            **({"NextToken": token} if token else {}),
        )
        pages.append(page["Items"])
        token = page.get("NextToken")
        if token is None:
            break
    assert pages[:3] == [[{"sk": {"N": "1"}}], [{"sk": {"N": "2"}}], [{"sk": {"N": "3"}}]]
    assert all(page == [] for page in pages[3:])


def test_batch_and_transaction_selects_name_only_the_key(
    ddb: Any, table: str, error_of: Any
) -> None:
    ddb.put_item(TableName=table, Item={"pk": {"S": "k"}, "sk": {"N": "1"}, "s": {"S": "v"}})
    statement = f"SELECT * FROM \"{table}\" WHERE pk = 'k' AND sk = 1 AND attribute_exists(s)"
    batch = ddb.batch_execute_statement(Statements=[{"Statement": statement}])["Responses"]
    assert batch == [
        {
            "Error": {
                "Code": "ValidationError",
                "Message": "Select statements within BatchExecuteStatement must specify the "
                "primary key in the where clause.",
            }
        }
    ]
    with pytest.raises(ClientError) as excinfo:
        ddb.execute_transaction(TransactStatements=[{"Statement": statement}])
    assert error_of(excinfo) == (
        "ValidationException",
        "Validation failed in TransactStatements[0]: Select statements within "
        "ExecuteTransaction must specify the primary key in the where clause.",
        400,
    )
    only_key = f"SELECT s FROM \"{table}\" WHERE pk = 'k' AND sk = 1"
    answer = ddb.batch_execute_statement(Statements=[{"Statement": only_key}])["Responses"]
    assert [response["Item"] for response in answer] == [{"s": {"S": "v"}}]


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


def test_batch_errors_use_the_batch_codes(ddb: Any, table: str) -> None:
    responses = ddb.batch_execute_statement(
        Statements=[
            {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 'e', 'sk': 1}}"},
            {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 'e', 'sk': 1}}"},
            {"Statement": f"UPDATE \"{table}\" SET v = 1 WHERE pk = 'none' AND sk = 1"},
            {"Statement": f"SELECT * FROM \"{table}\" WHERE pk = 'e' AND sk = 1 foo"},
            {"Statement": "SELECT * FROM \"never-created\" WHERE pk = 'e'"},
            {"Statement": f'SELECT * FROM "{table}" WHERE v = 1'},
        ]
    )["Responses"]
    assert [r.get("Error", {}).get("Code") for r in responses] == [
        None,
        "DuplicateItem",
        "ConditionalCheckFailed",
        "ValidationError",
        "ResourceNotFound",
        "ValidationError",
    ]
    assert responses[5]["Error"]["Message"] == (
        "Select statements within BatchExecuteStatement must specify the primary key in the "
        "where clause."
    )


def test_write_responses(ddb: Any, table: str) -> None:
    insert = f"INSERT INTO \"{table}\" VALUE {{'pk': 'w', 'sk': 1}}"
    assert ddb.execute_statement(Statement=insert)["Items"] == []
    update = f"UPDATE \"{table}\" SET v = 2 WHERE pk = 'w' AND sk = 1"
    assert ddb.execute_statement(Statement=update)["Items"] == []
    for _ in range(2):  # the second DELETE finds nothing and still succeeds
        delete = f"DELETE FROM \"{table}\" WHERE pk = 'w' AND sk = 1"
        assert ddb.execute_statement(Statement=delete)["Items"] == []
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": {"S": "w"}, "sk": {"N": "1"}})


def test_delete_condition_beyond_the_key(ddb: Any, table: str) -> None:
    ddb.put_item(TableName=table, Item={"pk": {"S": "d"}, "sk": {"N": "1"}, "v": {"N": "1"}})
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        ddb.execute_statement(
            Statement=f"DELETE FROM \"{table}\" WHERE pk = 'd' AND sk = 1 AND v = 2"
        )
    assert ddb.get_item(TableName=table, Key={"pk": {"S": "d"}, "sk": {"N": "1"}})["Item"]


def test_transaction_responses_and_capacity(ddb: Any, table: str) -> None:
    ddb.put_item(TableName=table, Item={"pk": {"S": "t"}, "sk": {"N": "1"}})
    writes = ddb.execute_transaction(
        TransactStatements=[
            {"Statement": f"UPDATE \"{table}\" SET v = 2 WHERE pk = 't' AND sk = 1"},
            {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 't', 'sk': 2}}"},
        ],
        ReturnConsumedCapacity="TOTAL",
    )
    assert writes["Responses"] == []
    assert [entry["TableName"] for entry in writes["ConsumedCapacity"]] == [table]
    reads = ddb.execute_transaction(
        TransactStatements=[
            {"Statement": f"SELECT v FROM \"{table}\" WHERE pk = 't' AND sk = 1"},
            {"Statement": f"SELECT * FROM \"{table}\" WHERE pk = 't' AND sk = 3"},
        ]
    )
    assert reads["Responses"] == [{"Item": {"v": {"N": "2"}}}, {}]
    assert "ConsumedCapacity" not in reads


@pytest.mark.parametrize("operator", ["<", "<=", ">", ">="])
@pytest.mark.parametrize(
    "value",
    [
        {"BOOL": True},
        {"NULL": True},
        {"L": [{"S": "a"}]},
        {"M": {"a": {"S": "b"}}},
        {"SS": ["a"]},
        {"NS": ["1"]},
        {"BS": [b"\x01"]},
    ],
)
def test_ordering_refuses_unordered_operands(
    ddb: Any, table: str, error_of: Any, operator: str, value: dict[str, Any]
) -> None:
    with pytest.raises(ClientError) as excinfo:
        ddb.execute_statement(
            Statement=f"SELECT pk FROM \"{table}\" WHERE pk = 'x' AND val {operator} ?",
            Parameters=[value],
        )
    kind = next(iter(value))
    assert error_of(excinfo) == (
        "ValidationException",
        "Incorrect operand type for operator or function; operator or function: "
        f"{operator}, operand type: {kind}",
        400,
    )


def test_ordering_operands_between_and_equality(ddb: Any, table: str, error_of: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        ddb.execute_statement(
            Statement=f'SELECT pk FROM "{table}" WHERE val BETWEEN ? AND ?',
            Parameters=[{"BOOL": True}, {"BOOL": False}],
        )
    assert error_of(excinfo)[1] == (
        "Incorrect operand type for operator or function; operator or function: BETWEEN, "
        "operand type: BOOL"
    )
    ddb.put_item(TableName=table, Item={"pk": {"S": "o"}, "sk": {"N": "1"}, "val": {"N": "1"}})
    for statement, expected in [("val = ?", 0), ("val <> ?", 1)]:
        found = ddb.execute_statement(
            Statement=f"SELECT pk FROM \"{table}\" WHERE pk = 'o' AND {statement}",
            Parameters=[{"BOOL": True}],
        )
        assert len(found["Items"]) == expected


NOT_A_NUMBER = "The parameter cannot be converted to a numeric value"
NESTING = (
    "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels "
    "beyond supported limit"
)


def _deep(depth: int, leaf: dict[str, Any]) -> dict[str, Any]:
    for _ in range(depth):
        leaf = {"M": {"n": leaf}}
    return leaf


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT * FROM \"{t}\" WHERE pk = 'p' AND n = ?",
        "INSERT INTO \"{t}\" VALUE {{'pk': 'p', 'sk': 1, 'n': ?}}",
        "UPDATE \"{t}\" SET n = ? WHERE pk = 'p' AND sk = 1",
    ],
)
@pytest.mark.parametrize(
    ("parameter", "message"),
    [
        ({"N": "1e99999999999"}, f"{NOT_A_NUMBER}: 1e99999999999"),
        ({"N": "-1e99999999999"}, f"{NOT_A_NUMBER}: -1e99999999999"),
        ({"N": "1e2147483648"}, f"{NOT_A_NUMBER}: 1e2147483648"),
        ({"N": "1e-2147483648"}, f"{NOT_A_NUMBER}: 1e-2147483648"),
        ({"N": "1e-99999999999"}, f"{NOT_A_NUMBER}: 1e-99999999999"),
        ({"N": ""}, NOT_A_NUMBER),
        (
            {"N": "1e2147483647"},
            "Number underflow. Attempting to store a number with magnitude smaller than "
            "supported range",
        ),
        ({"L": [{"N": "1"}, {"N": "1e99999999999"}]}, f"{NOT_A_NUMBER}: 1e99999999999"),
        ({"M": {"x": {"N": "1e99999999999"}}}, f"{NOT_A_NUMBER}: 1e99999999999"),
        ({"NS": ["1", "1e99999999999"]}, f"{NOT_A_NUMBER}: 1e99999999999"),
        (_deep(40, {"N": "abc"}), NESTING),
        ({"M": {"bad": {"N": "abc"}, "d": _deep(40, {"S": "x"})}}, f"{NOT_A_NUMBER}: abc"),
        ({"M": {"d": _deep(40, {"S": "x"}), "bad": {"N": "abc"}}}, NESTING),
    ],
)
def test_parameter_numbers_and_nesting(
    ddb: Any,
    table: str,
    error_of: Any,
    statement: str,
    parameter: dict[str, Any],
    message: str,
) -> None:
    with pytest.raises(ClientError) as excinfo:
        ddb.execute_statement(Statement=statement.format(t=table), Parameters=[parameter])
    assert error_of(excinfo) == ("ValidationException", message, 400)
    assert ddb.scan(TableName=table)["Items"] == []


def test_parameter_errors_in_batch_and_transaction(ddb: Any, table: str, error_of: Any) -> None:
    update = f"UPDATE \"{table}\" SET n = ? WHERE pk = 'p' AND sk = 1"
    with pytest.raises(ClientError) as excinfo:
        ddb.execute_transaction(
            TransactStatements=[{"Statement": update, "Parameters": [{"N": "1e99999999999"}]}]
        )
    assert error_of(excinfo)[1] == f"{NOT_A_NUMBER}: 1e99999999999"
    responses = ddb.batch_execute_statement(
        Statements=[
            {
                "Statement": f"SELECT * FROM \"{table}\" WHERE pk = 'p' AND sk = 1 AND x = ?",
                "Parameters": [_deep(100, {"S": "x"})],
            }
        ]
    )["Responses"]
    assert responses == [{"Error": {"Code": "ValidationError", "Message": NESTING}}]


def test_returning_gives_the_item(ddb: Any, table: str, error_of: Any) -> None:
    key = "pk = 'r' AND sk = 1"
    ddb.put_item(
        TableName=table, Item={"pk": {"S": "r"}, "sk": {"N": "1"}, "a": {"N": "1"}, "b": {"S": "x"}}
    )

    def run(statement: str) -> Any:
        return ddb.execute_statement(Statement=statement)["Items"]

    assert run(f'UPDATE "{table}" SET a = a + 1 WHERE {key} RETURNING MODIFIED OLD *') == [
        {"a": {"N": "1"}}
    ]
    assert run(f'UPDATE "{table}" SET a = a + 1 WHERE {key} RETURNING MODIFIED NEW *') == [
        {"a": {"N": "3"}}
    ]
    whole = {"pk": {"S": "r"}, "sk": {"N": "1"}, "a": {"N": "4"}, "b": {"S": "x"}}
    assert run(f'UPDATE "{table}" SET a = a + 1 WHERE {key} RETURNING ALL NEW *') == [whole]
    assert run(f'FROM "{table}" WHERE {key} SET c = 1 RETURNING ALL OLD *') == [whole]
    assert run(f'DELETE FROM "{table}" WHERE {key} RETURNING ALL OLD *') == [
        {**whole, "c": {"N": "1"}}
    ]
    assert run(f'DELETE FROM "{table}" WHERE {key} RETURNING ALL OLD *') == []
    with pytest.raises(ClientError) as excinfo:
        run(f'DELETE FROM "{table}" WHERE {key} RETURNING ALL NEW *')
    assert error_of(excinfo) == (
        "ValidationException",
        "Statement wasn't well formed, can't be processed: Unexpected term",
        400,
    )
