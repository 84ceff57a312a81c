"""Control plane: CreateTable, DescribeTable, ListTables, UpdateTable, DeleteTable, tags, limits."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError


def test_create_describe_delete(error_of: Any, ddb: Any, make_table: Any) -> None:
    name = make_table(range=("sk", "N"))
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert table["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    assert table["TableArn"] == f"arn:aws:dynamodb:us-east-1:000000000000:table/{name}"
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["ItemCount"] == 0
    assert ddb.delete_table(TableName=name)["TableDescription"]["TableStatus"] == "DELETING"
    with pytest.raises(ClientError) as excinfo:
        ddb.describe_table(TableName=name)
    assert error_of(excinfo) == (
        "ResourceNotFoundException",
        f"Requested resource not found: Table: {name} not found",
        400,
    )


def test_create_existing_table(error_of: Any, ddb: Any, make_table: Any) -> None:
    name = make_table()
    with pytest.raises(ClientError) as excinfo:
        ddb.create_table(
            TableName=name,
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
    assert error_of(excinfo) == ("ResourceInUseException", f"Table already exists: {name}", 400)


@pytest.mark.parametrize(
    ("definitions", "schema", "extra", "message"),
    [
        (
            [("pk", "S"), ("other", "S")],
            [("pk", "HASH")],
            {},
            "One or more parameter values were invalid: Number of attributes in KeySchema does "
            "not exactly match number of attributes defined in AttributeDefinitions",
        ),
        (
            [("pk", "S")],
            [("pk", "RANGE")],
            {},
            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
        ),
        (
            [("pk", "S")],
            [("pk", "HASH"), ("pk", "RANGE")],
            {},
            "Invalid KeySchema: Some index key attribute have no definition",
        ),
        (
            [("pk", "S"), ("x", "S")],
            [("pk", "HASH")],
            {
                "LocalSecondaryIndexes": [
                    {
                        "IndexName": "lsi1",
                        "KeySchema": [
                            {"AttributeName": "pk", "KeyType": "HASH"},
                            {"AttributeName": "x", "KeyType": "RANGE"},
                        ],
                        "Projection": {"ProjectionType": "ALL"},
                    }
                ]
            },
            "One or more parameter values were invalid: Table KeySchema does not have a range "
            "key, which is required when specifying a LocalSecondaryIndex",
        ),
        (
            [("pk", "S"), ("sk", "S"), ("tk", "S")],
            [("pk", "HASH"), ("sk", "RANGE"), ("tk", "RANGE")],
            {},
            "1 validation error detected: Value '[KeySchemaElement(attributeName=pk, "
            "keyType=HASH), KeySchemaElement(attributeName=sk, keyType=RANGE), "
            "KeySchemaElement(attributeName=tk, keyType=RANGE)]' at 'keySchema' failed to "
            "satisfy constraint: Member must have length less than or equal to 2",
        ),
        (
            [("pk", "S")],
            [("pk", "HASH")],
            {"BillingMode": "PROVISIONED"},
            "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits "
            "must both be specified when BillingMode is PROVISIONED",
        ),
    ],
)
def test_create_table_validation(
    error_of: Any, ddb: Any, definitions: Any, schema: Any, extra: dict[str, Any], message: str
) -> None:
    extra = {"BillingMode": "PAY_PER_REQUEST", **extra}
    with pytest.raises(ClientError) as excinfo:
        ddb.create_table(
            TableName=f"t-{uuid.uuid4().hex[:12]}",
            AttributeDefinitions=[{"AttributeName": n, "AttributeType": t} for n, t in definitions],
            KeySchema=[{"AttributeName": n, "KeyType": t} for n, t in schema],
            **extra,
        )
    assert error_of(excinfo) == ("ValidationException", message, 400)


def test_list_tables_paginates(ddb: Any, make_table: Any, aws_client: Any) -> None:
    client = aws_client("dynamodb", region_name="eu-west-3", account="123456789012")
    names = sorted(f"t-{uuid.uuid4().hex[:12]}" for _ in range(3))
    for name in names:
        client.create_table(
            TableName=name,
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
    try:
        first = client.list_tables(Limit=2)
        assert first["TableNames"] == names[:2]
        assert first["LastEvaluatedTableName"] == names[1]
        rest = client.list_tables(ExclusiveStartTableName=first["LastEvaluatedTableName"])
        assert rest["TableNames"] == names[2:]
        assert names[0] not in ddb.list_tables()["TableNames"]
    finally:
        for name in names:
            client.delete_table(TableName=name)


def test_provisioned_throughput_and_update(ddb: Any, make_table: Any) -> None:
    name = make_table(
        BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 3},
    )
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 5
    assert "BillingModeSummary" not in table
    updated = ddb.update_table(TableName=name, BillingMode="PAY_PER_REQUEST")
    assert updated["TableDescription"]["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"


def test_deletion_protection(error_of: Any, ddb: Any, make_table: Any) -> None:
    name = make_table(DeletionProtectionEnabled=True)
    with pytest.raises(ClientError) as excinfo:
        ddb.delete_table(TableName=name)
    code, message, status = error_of(excinfo)
    assert (code, status) == ("ValidationException", 400)
    assert "protected against deletion" in message
    ddb.update_table(TableName=name, DeletionProtectionEnabled=False)
    ddb.delete_table(TableName=name)


def test_tags(ddb: Any, make_table: Any) -> None:
    name = make_table(Tags=[{"Key": "a", "Value": "1"}])
    arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "b", "Value": "2"}])
    ddb.untag_resource(ResourceArn=arn, TagKeys=["a"])
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "b", "Value": "2"}]


def test_describe_limits_and_endpoints(ddb: Any) -> None:
    limits = ddb.describe_limits()
    assert limits["TableMaxReadCapacityUnits"] == 40000
    endpoints = ddb.describe_endpoints()["Endpoints"]
    assert endpoints[0]["Address"] == "dynamodb.us-east-1.amazonaws.com"


def test_continuous_backups_flag(ddb: Any, make_table: Any) -> None:
    name = make_table()
    ddb.update_continuous_backups(
        TableName=name,
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
    )
    described = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    assert described["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"


def test_data_plane_on_missing_table(error_of: Any, ddb: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        ddb.get_item(TableName="no-such-table", Key={"pk": {"S": "x"}})
    assert error_of(excinfo) == ("ResourceNotFoundException", "Requested resource not found", 400)


def test_empty_key_schema(error_of: Any, aws_client: Any) -> None:
    ddb = aws_client("dynamodb", parameter_validation=False)
    with pytest.raises(ClientError) as excinfo:
        ddb.create_table(
            TableName="empty-schema",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[],
            BillingMode="PAY_PER_REQUEST",
        )
    assert error_of(excinfo) == (
        "ValidationException",
        "1 validation error detected: Value '[]' at 'keySchema' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1",
        400,
    )


def test_three_key_elements_and_a_bad_name_are_reported_together(
    error_of: Any, aws_client: Any
) -> None:
    ddb = aws_client("dynamodb", parameter_validation=False)
    with pytest.raises(ClientError) as excinfo:
        ddb.create_table(
            TableName="x!",
            AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in "abc"],
            KeySchema=[
                {"AttributeName": "a", "KeyType": "HASH"},
                {"AttributeName": "b", "KeyType": "RANGE"},
                {"AttributeName": "c", "KeyType": "RANGE"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
    assert error_of(excinfo) == (
        "ValidationException",
        "3 validation errors detected: Value '[KeySchemaElement(attributeName=a, keyType=HASH), "
        "KeySchemaElement(attributeName=b, keyType=RANGE), KeySchemaElement(attributeName=c, "
        "keyType=RANGE)]' at 'keySchema' failed to satisfy constraint: Member must have length "
        "less than or equal to 2; Value 'x!' at 'tableName' failed to satisfy constraint: Member "
        "must have length greater than or equal to 3; Value 'x!' at 'tableName' failed to "
        "satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
        400,
    )
    assert "x!" not in ddb.list_tables()["TableNames"]


@pytest.mark.parametrize(
    "index_keys",
    [[("a", "HASH"), ("b", "HASH")], [("a", "HASH"), ("b", "RANGE"), ("c", "RANGE")]],
)
def test_multi_attribute_index_keys_are_not_implemented(
    error_of: Any, ddb: Any, make_table: Any, index_keys: list[tuple[str, str]]
) -> None:
    name = f"t-{uuid.uuid4().hex[:12]}"
    index = {
        "IndexName": "multi",
        "KeySchema": [{"AttributeName": n, "KeyType": t} for n, t in index_keys],
        "Projection": {"ProjectionType": "ALL"},
    }
    names = ["pk", *(n for n, _ in index_keys)]
    with pytest.raises(ClientError) as excinfo:
        ddb.create_table(
            TableName=name,
            AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in names],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            GlobalSecondaryIndexes=[index],
            BillingMode="PAY_PER_REQUEST",
        )
    message = "An index key of several HASH or RANGE attributes is not implemented in cloudlet yet."
    assert error_of(excinfo) == ("NotImplemented", message, 501)
    assert name not in ddb.list_tables()["TableNames"]
    existing = make_table()
    with pytest.raises(ClientError) as excinfo:
        ddb.update_table(
            TableName=existing,
            AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in names],
            GlobalSecondaryIndexUpdates=[{"Create": index}],
            DeletionProtectionEnabled=True,
        )
    assert error_of(excinfo) == ("NotImplemented", message, 501)
    described = ddb.describe_table(TableName=existing)["Table"]  # a failed update changes nothing
    assert "GlobalSecondaryIndexes" not in described
    assert described["DeletionProtectionEnabled"] is False


@pytest.mark.parametrize(
    ("name", "constraints"),
    [
        ("a" * 256, ["Member must have length less than or equal to 255"]),
        ("bad table!@#", ["Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"]),
        (
            "a!",
            [
                "Member must have length greater than or equal to 3",
                "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
            ],
        ),
    ],
)
def test_malformed_table_names(
    error_of: Any, aws_client: Any, name: str, constraints: list[str]
) -> None:
    ddb = aws_client("dynamodb", parameter_validation=False)  # boto3 checks some of it first
    details = "; ".join(
        f"Value '{name}' at 'tableName' failed to satisfy constraint: {constraint}"
        for constraint in constraints
    )
    count = len(constraints)
    message = f"{count} validation error{'s' if count > 1 else ''} detected: {details}"
    calls = [
        lambda: ddb.put_item(TableName=name, Item={"pk": {"S": "x"}}),
        lambda: ddb.describe_table(TableName=name),
        lambda: ddb.create_table(
            TableName=name,
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        ),
    ]
    for call in calls:
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_of(excinfo) == ("ValidationException", message, 400)


def test_table_arn_names_the_table(error_of: Any, ddb: Any, make_table: Any) -> None:
    name = make_table()
    arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
    ddb.put_item(TableName=arn, Item={"pk": {"S": "via-arn"}})
    assert ddb.get_item(TableName=name, Key={"pk": {"S": "via-arn"}})["Item"]
    assert ddb.describe_table(TableName=arn)["Table"]["TableName"] == name
    elsewhere = arn.replace(":us-east-1:", ":eu-west-1:")
    with pytest.raises(ClientError) as excinfo:
        ddb.get_item(TableName=elsewhere, Key={"pk": {"S": "via-arn"}})
    assert error_of(excinfo) == ("ResourceNotFoundException", "Requested resource not found", 400)


def test_enum_values_are_enforced(error_of: Any, aws_client: Any, make_table: Any) -> None:
    # DynamoDB refuses a value outside a member's enum (most services let new values through)
    ddb = aws_client("dynamodb", parameter_validation=False)
    name = make_table()
    enum = "failed to satisfy constraint: Member must satisfy enum value set"
    calls = [
        (
            lambda: ddb.get_item(
                TableName=name, Key={"pk": {"S": "x"}}, ReturnConsumedCapacity="INVALID"
            ),
            f"Value 'INVALID' at 'returnConsumedCapacity' {enum}: [INDEXES, TOTAL, NONE]",
        ),
        (
            lambda: ddb.create_table(
                TableName="enum-checked",
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "X"}],
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                BillingMode="PAY_PER_REQUEST",
            ),
            f"Value 'X' at 'attributeDefinitions.1.member.attributeType' {enum}: [S, N, B]",
        ),
    ]
    for call, detail in calls:
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_of(excinfo) == (
            "ValidationException",
            f"1 validation error detected: {detail}",
            400,
        )
    assert "enum-checked" not in ddb.list_tables()["TableNames"]


def test_faults_are_listed_in_corals_order(error_of: Any, aws_client: Any) -> None:
    """Several faults come in the order AWS lists them: members by Coral's hash order (not the
    model's or the request's), enums with the values in AWS's order (captured messages)."""
    ddb = aws_client("dynamodb", parameter_validation=False)
    enum = "failed to satisfy constraint: Member must satisfy enum value set"
    null = "failed to satisfy constraint: Member must not be null"
    short = "failed to satisfy constraint: Member must have length greater than or equal to"
    calls = [
        (
            lambda: ddb.update_item(
                TableName="",
                UpdateExpression="SET a = :a",
                ExpressionAttributeValues={":a": {"S": "x"}},
                ReturnConsumedCapacity="INVALID",
                ReturnValues="INVALID",
            ),
            "4 validation errors detected: "
            f"Value 'INVALID' at 'returnConsumedCapacity' {enum}: [INDEXES, TOTAL, NONE]; "
            f"Value '' at 'tableName' {short} 1; "
            f"Value 'INVALID' at 'returnValues' {enum}: "
            "[ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]; "
            f"Value null at 'key' {null}",
        ),
        (
            lambda: ddb.update_item(
                TableName="absent-table",
                AttributeUpdates={"x": {"Action": "PUT", "Value": {"S": "1"}}},
                Expected={"a": {"Exists": False}, "b": {"Exists": False}},
                ConditionalOperator="XOR",
            ),
            f"2 validation errors detected: Value 'XOR' at 'conditionalOperator' {enum}: "
            f"[OR, AND]; Value null at 'key' {null}",
        ),
        (
            lambda: ddb.create_table(
                TableName="absent-table",
                BillingMode="PAY_PER_REQUEST",
                AttributeDefinitions=[
                    {"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk", "lr", "gh")
                ],
                KeySchema=[
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"},
                ],
                LocalSecondaryIndexes=[
                    {
                        "IndexName": "aa",
                        "KeySchema": [
                            {"AttributeName": "pk", "KeyType": "HASH"},
                            {"AttributeName": "lr", "KeyType": "RANGE"},
                        ],
                        "Projection": {"ProjectionType": "ALL"},
                    }
                ],
                GlobalSecondaryIndexes=[
                    {
                        "IndexName": "zz",
                        "KeySchema": [{"AttributeName": "gh", "KeyType": "HASH"}],
                        "Projection": {"ProjectionType": "ALL"},
                    }
                ],
            ),
            "2 validation errors detected: "
            f"Value 'zz' at 'globalSecondaryIndexes.1.member.indexName' {short} 3; "
            f"Value 'aa' at 'localSecondaryIndexes.1.member.indexName' {short} 3",
        ),
        (
            lambda: ddb.scan(
                TableName="absent-table",
                ScanFilter={"a": {"ComparisonOperator": "SOME"}},
                Limit=0,
                Segment=-1,
                TotalSegments=0,
            ),
            "4 validation errors detected: "
            f"Value '0' at 'totalSegments' failed to satisfy constraint: Member must have value "
            "greater than or equal to 1; "
            f"Value 'SOME' at 'scanFilter.a.member.comparisonOperator' {enum}: [IN, NULL, BETWEEN, "
            "LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]; "
            "Value '-1' at 'segment' failed to satisfy constraint: Member must have value greater "
            "than or equal to 0; "
            "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater "
            "than or equal to 1",
        ),
    ]
    for call, message in calls:
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_of(excinfo) == ("ValidationException", message, 400)
    assert "absent-table" not in ddb.list_tables()["TableNames"]
