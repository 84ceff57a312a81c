"""Lambda event source mappings from DynamoDB streams: the API, delivery, filters, failures.

The function under test is `functions/stream_sink.py`: it writes every event it receives into a
DynamoDB "sink" table (read back here) and then succeeds, fails on poison records or reports
batch item failures, as its MODE says. On-failure destinations are a second sink function.
"""

from __future__ import annotations

import contextlib
import io
import json
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from cloudlet.errors import ServiceError
from cloudlet.services.lambda_.event_filters import compile_criteria
from cloudlet.testing import CloudletProcess, wait_for

Error = Callable[[Any], tuple[str, str, int]]
SINK = "stream_sink.handler"
HANDLER_FILE = Path(__file__).parent / "functions" / "stream_sink.py"


# fixtures


@pytest.fixture
def ddb(aws_client: Callable[..., Any], account: str) -> Any:
    return aws_client("dynamodb", account=account)


@pytest.fixture
def tables(ddb: Any) -> Iterator[Callable[..., tuple[str, str]]]:
    """`tables(view=None)` → (table name, latest stream ARN or "")."""
    created: list[str] = []

    def make(view: str | None = None) -> tuple[str, str]:
        name = f"esm-{uuid.uuid4().hex[:10]}"
        extra = {"StreamSpecification": {"StreamEnabled": True, "StreamViewType": view}}
        ddb.create_table(
            TableName=name,
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
            **(extra if view else {}),
        )
        created.append(name)
        return name, ddb.describe_table(TableName=name)["Table"].get("LatestStreamArn", "")

    yield make
    for name in created:
        with contextlib.suppress(ClientError):
            ddb.delete_table(TableName=name)


@pytest.fixture
def source(tables: Callable[..., tuple[str, str]]) -> tuple[str, str]:
    """A table with a NEW_AND_OLD_IMAGES stream: (name, stream ARN)."""
    return tables("NEW_AND_OLD_IMAGES")


@pytest.fixture
def sink_function(
    create_function: Callable[..., dict[str, Any]], tables: Callable[..., tuple[str, str]]
) -> Callable[..., tuple[str, str]]:
    """`sink_function(mode="ok")` → (function name, its sink table)."""

    def make(mode: str = "ok", **settings: Any) -> tuple[str, str]:
        sink, _ = tables()
        config = create_function(
            handler=SINK,
            Environment={"Variables": {"SINK_TABLE": sink, "MODE": mode}},
            Timeout=30,
            **settings,
        )
        return config["FunctionName"], sink

    return make


@pytest.fixture
def mapping(lambda_client: Any) -> Iterator[Callable[..., dict[str, Any]]]:
    """`mapping(function, stream_arn, **settings)`: created, waited for, deleted afterwards."""
    created: list[str] = []

    def make(function: str, arn: str, **settings: Any) -> dict[str, Any]:
        settings.setdefault("StartingPosition", "TRIM_HORIZON")
        response = lambda_client.create_event_source_mapping(
            FunctionName=function, EventSourceArn=arn, **settings
        )
        created.append(response["UUID"])
        settled = "Disabled" if settings.get("Enabled") is False else "Enabled"
        return wait_state(lambda_client, response["UUID"], settled)

    yield make
    for mapping_uuid in created:
        with contextlib.suppress(ClientError):
            lambda_client.delete_event_source_mapping(UUID=mapping_uuid)


def wait_state(client: Any, mapping_uuid: str, state: str) -> dict[str, Any]:
    def settled() -> dict[str, Any] | None:
        config: dict[str, Any] = client.get_event_source_mapping(UUID=mapping_uuid)
        return config if config["State"] == state else None

    return wait_for(settled, f"mapping {mapping_uuid} to be {state}", timeout=30)


def events(ddb: Any, sink: str) -> list[dict[str, Any]]:
    """The events the sink function received, oldest first."""
    items = ddb.scan(TableName=sink, ConsistentRead=True)["Items"]
    items.sort(key=lambda item: float(item["at"]["N"]))
    return [json.loads(item["event"]["S"]) for item in items]


def wait_events(ddb: Any, sink: str, records: int = 1) -> list[dict[str, Any]]:
    """Events, once they carry at least `records` records in all."""

    def enough() -> list[dict[str, Any]] | None:
        found = events(ddb, sink)
        return found if sum(len(e.get("Records", [1])) for e in found) >= records else None

    return wait_for(enough, f"{records} records in {sink}", timeout=60)


def function_arn(client: Any, name: str) -> str:
    arn: str = client.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    return arn


def keys(event: dict[str, Any]) -> list[str]:
    return [record["dynamodb"]["Keys"]["pk"]["S"] for record in event["Records"]]


def put(ddb: Any, table: str, *names: str, **attributes: dict[str, Any]) -> None:
    for name in names:
        ddb.put_item(TableName=table, Item={"pk": {"S": name}, **attributes})


# the API


def test_create_answers_creating_with_aws_defaults(
    lambda_client: Any, sink_function: Any, source: tuple[str, str], account: str
) -> None:
    function, _ = sink_function()
    _, arn = source
    response = lambda_client.create_event_source_mapping(
        FunctionName=function, EventSourceArn=arn, StartingPosition="LATEST"
    )
    assert response.pop("ResponseMetadata")["HTTPStatusCode"] == 202
    mapping_uuid = response.pop("UUID")
    assert isinstance(response.pop("LastModified"), datetime)
    assert response == {
        "StartingPosition": "LATEST",
        "BatchSize": 100,
        "MaximumBatchingWindowInSeconds": 0,
        "ParallelizationFactor": 1,
        "EventSourceArn": arn,
        "FunctionArn": f"arn:aws:lambda:us-east-1:{account}:function:{function}",
        "LastProcessingResult": "No records processed",
        "State": "Creating",
        "StateTransitionReason": "User action",
        "DestinationConfig": {"OnFailure": {}},
        "MaximumRecordAgeInSeconds": -1,
        "BisectBatchOnFunctionError": False,
        "MaximumRetryAttempts": -1,
        "TumblingWindowInSeconds": 0,
        "FunctionResponseTypes": [],
        "EventSourceMappingArn": (
            f"arn:aws:lambda:us-east-1:{account}:event-source-mapping:{mapping_uuid}"
        ),
    }
    try:
        enabled = wait_state(lambda_client, mapping_uuid, "Enabled")
        assert enabled["UUID"] == mapping_uuid
        for query in ({"FunctionName": function}, {"EventSourceArn": arn}, {}):
            listed = lambda_client.list_event_source_mappings(**query)["EventSourceMappings"]
            assert [m["UUID"] for m in listed] == [mapping_uuid]
    finally:
        deleted = lambda_client.delete_event_source_mapping(UUID=mapping_uuid)
        assert deleted["State"] == "Deleting"
        assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 202


BAD_CREATES = [
    pytest.param(
        {"StartingPosition": None},
        "InvalidParameterValueException",
        "1 validation error detected: Value null at 'startingPosition' failed to satisfy"
        " constraint: Member must not be null.",
        id="no-starting-position",
    ),
    pytest.param(
        {"StartingPosition": "AT_TIMESTAMP", "StartingPositionTimestamp": 1700000000},
        "InvalidParameterValueException",
        "Unsupported starting position for arn type: {arn}",
        id="at-timestamp",
    ),
    pytest.param(
        {"StartingPositionTimestamp": 1700000000},
        "InvalidParameterValueException",
        "Timestamp only valid with StartingPosition AT_TIMESTAMP",
        id="timestamp-without-at-timestamp",
    ),
    pytest.param(
        {"FunctionName": "no-such-function"},
        "InvalidParameterValueException",
        "Function does not exist",
        id="no-function",
    ),
    pytest.param(
        {"EventSourceArn": "{arn}0"},
        "InvalidParameterValueException",
        "Stream not found: {arn}0",
        id="no-stream",
    ),
    pytest.param(
        {"MaximumRecordAgeInSeconds": 30},
        "InvalidParameterValueException",
        "MaximumRecordAgeInSeconds must be either -1 (forever) or between 60 and 604800"
        " (inclusive)",
        id="record-age",
    ),
    pytest.param(
        {"FilterCriteria": {"Filters": [{"Pattern": '{"eventName": "INSERT"}'}]}},
        "InvalidParameterValueException",
        "Invalid filter pattern definition.",
        id="filter",
    ),
    pytest.param(
        {"BatchSize": 10_001},
        "ValidationException",
        "1 validation error detected: Value '10001' at 'batchSize' failed to satisfy"
        " constraint: Member must have value less than or equal to 10000",
        id="batch-size",
    ),
    pytest.param(
        {"DestinationConfig": {"OnSuccess": {"Destination": "arn:aws:sqs:us-east-1:1:q"}}},
        "InvalidParameterValueException",
        "Unsupported DestinationConfig parameter for given event source mapping type.",
        id="on-success",
    ),
]


@pytest.mark.parametrize(("change", "code", "message"), BAD_CREATES)
def test_create_rejects(
    lambda_client: Any,
    sink_function: Any,
    source: tuple[str, str],
    aws_error: Error,
    change: dict[str, Any],
    code: str,
    message: str,
) -> None:
    function, _ = sink_function()
    _, arn = source
    request = {"FunctionName": function, "EventSourceArn": arn, "StartingPosition": "LATEST"}
    for key, value in change.items():
        if value is None:
            request.pop(key)
        else:
            request[key] = value.format(arn=arn) if isinstance(value, str) else value
    with pytest.raises(ClientError) as caught:
        lambda_client.create_event_source_mapping(**request)
    assert aws_error(caught.value) == (code, message.format(arn=arn), 400)
    assert (
        lambda_client.list_event_source_mappings(FunctionName=function)["EventSourceMappings"] == []
    )


def test_duplicate_mapping_conflicts(
    lambda_client: Any, sink_function: Any, source: tuple[str, str], mapping: Any, aws_error: Error
) -> None:
    function, _ = sink_function()
    _, arn = source
    first = mapping(function, arn)
    with pytest.raises(ClientError) as caught:
        lambda_client.create_event_source_mapping(
            FunctionName=function, EventSourceArn=arn, StartingPosition="LATEST"
        )
    assert aws_error(caught.value) == (
        "ResourceConflictException",
        f'The event source arn (" {arn} ") and function (" {function} ") provided mapping'
        f" already exists. Please update or delete the existing mapping with UUID {first['UUID']}",
        409,
    )


@pytest.mark.parametrize("operation", ["get", "update", "delete"])
def test_unknown_uuid_is_not_found(lambda_client: Any, aws_error: Error, operation: str) -> None:
    call = getattr(lambda_client, f"{operation}_event_source_mapping")
    with pytest.raises(ClientError) as caught:
        call(UUID=str(uuid.uuid4()))
    assert aws_error(caught.value) == (
        "ResourceNotFoundException",
        "The resource you requested does not exist.",
        404,
    )


def test_list_filters_and_pages(
    lambda_client: Any, sink_function: Any, tables: Any, mapping: Any
) -> None:
    _, arn = tables("KEYS_ONLY")
    _, other_arn = tables("KEYS_ONLY")
    functions = [sink_function()[0] for _ in range(3)]
    uuids = [mapping(function, arn)["UUID"] for function in functions]
    elsewhere = mapping(functions[0], other_arn)["UUID"]
    first = lambda_client.list_event_source_mappings(EventSourceArn=arn, MaxItems=2)
    assert [m["UUID"] for m in first["EventSourceMappings"]] == uuids[:2]
    rest = lambda_client.list_event_source_mappings(EventSourceArn=arn, Marker=first["NextMarker"])
    assert [m["UUID"] for m in rest["EventSourceMappings"]] == uuids[2:]
    assert "NextMarker" not in rest
    by_function = lambda_client.list_event_source_mappings(FunctionName=functions[0])
    assert [m["UUID"] for m in by_function["EventSourceMappings"]] == [uuids[0], elsewhere]


def test_update_settings_and_function(
    lambda_client: Any, sink_function: Any, source: tuple[str, str], mapping: Any, ddb: Any
) -> None:
    function, _ = sink_function()
    other, other_sink = sink_function()
    table, arn = source
    created = mapping(function, arn, FilterCriteria={"Filters": [{"Pattern": '{"a": [1]}'}]})
    updated = lambda_client.update_event_source_mapping(
        UUID=created["UUID"],
        FunctionName=other,
        BatchSize=5,
        MaximumRetryAttempts=3,
        FilterCriteria={},
    )
    assert updated["State"] == "Updating"
    assert updated["ResponseMetadata"]["HTTPStatusCode"] == 202
    settled = wait_state(lambda_client, created["UUID"], "Enabled")
    assert settled["FunctionArn"].endswith(f":function:{other}")
    assert (settled["BatchSize"], settled["MaximumRetryAttempts"]) == (5, 3)
    assert "FilterCriteria" not in settled
    put(ddb, table, "after-update")
    assert keys(wait_events(ddb, other_sink)[0]) == ["after-update"]


# delivery


@pytest.mark.parametrize("view", ["NEW_AND_OLD_IMAGES", "KEYS_ONLY"])
def test_function_gets_aws_stream_records(
    sink_function: Any, tables: Any, mapping: Any, ddb: Any, view: str
) -> None:
    function, sink = sink_function()
    table, arn = tables(view)
    mapping(function, arn)
    key = {"pk": {"S": "item"}}
    ddb.put_item(TableName=table, Item={**key, "v": {"N": "1"}, "b": {"B": b"\x00\x01"}})
    ddb.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="SET v = :v",
        ExpressionAttributeValues={":v": {"N": "2"}},
    )
    ddb.delete_item(TableName=table, Key=key)
    records = [r for event in wait_events(ddb, sink, 3) for r in event["Records"]]
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    numbers = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
    assert numbers == sorted(numbers)
    images = {
        "INSERT": ({"pk": {"S": "item"}, "v": {"N": "1"}, "b": {"B": "AAE="}}, None),
        "MODIFY": (
            {"pk": {"S": "item"}, "v": {"N": "2"}, "b": {"B": "AAE="}},
            {"pk": {"S": "item"}, "v": {"N": "1"}, "b": {"B": "AAE="}},
        ),
        "REMOVE": (None, {"pk": {"S": "item"}, "v": {"N": "2"}, "b": {"B": "AAE="}}),
    }
    for record in records:
        dynamodb = record["dynamodb"]
        assert {k: v for k, v in record.items() if k != "dynamodb"} == {
            "eventID": record["eventID"],
            "eventName": record["eventName"],
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": "us-east-1",
            "eventSourceARN": arn,
        }
        assert isinstance(dynamodb.pop("ApproximateCreationDateTime"), int | float)
        assert dynamodb.pop("Keys") == key and dynamodb.pop("StreamViewType") == view
        assert len(dynamodb.pop("SequenceNumber")) == 21 and dynamodb.pop("SizeBytes") > 0
        new, old = images[record["eventName"]] if view != "KEYS_ONLY" else (None, None)
        assert dynamodb == {
            **({"NewImage": new} if new else {}),
            **({"OldImage": old} if old else {}),
        }


def test_batch_size_is_respected(
    lambda_client: Any, sink_function: Any, source: tuple[str, str], mapping: Any, ddb: Any
) -> None:
    function, sink = sink_function()
    table, arn = source
    created = mapping(function, arn, BatchSize=3, Enabled=False)
    put(ddb, table, *(f"k{i}" for i in range(7)))
    lambda_client.update_event_source_mapping(UUID=created["UUID"], Enabled=True)
    received = wait_events(ddb, sink, 7)
    assert [keys(event) for event in received] == [
        ["k0", "k1", "k2"],
        ["k3", "k4", "k5"],
        ["k6"],
    ]
    assert wait_state(lambda_client, created["UUID"], "Enabled")["LastProcessingResult"] == "OK"


def test_batching_window_gathers_records(
    sink_function: Any, source: tuple[str, str], mapping: Any, ddb: Any
) -> None:
    function, sink = sink_function()
    table, arn = source
    mapping(function, arn, BatchSize=10, MaximumBatchingWindowInSeconds=3)
    put(ddb, table, "w1", "w2", "w3")
    assert [keys(event) for event in wait_events(ddb, sink, 3)] == [["w1", "w2", "w3"]]


def test_latest_starts_after_existing_records(
    sink_function: Any, source: tuple[str, str], mapping: Any, ddb: Any
) -> None:
    function, sink = sink_function()
    table, arn = source
    put(ddb, table, "before")
    mapping(function, arn, StartingPosition="LATEST")
    put(ddb, table, "after")
    assert [keys(event) for event in wait_events(ddb, sink)] == [["after"]]


def test_parallelization_keeps_each_item_in_order(
    sink_function: Any, source: tuple[str, str], mapping: Any, ddb: Any, lambda_client: Any
) -> None:
    function, sink = sink_function()
    table, arn = source
    created = mapping(function, arn, BatchSize=2, ParallelizationFactor=3, Enabled=False)
    for version in range(3):
        for item in ("a", "b", "c", "d"):
            put(ddb, table, item, v={"N": str(version)})
    lambda_client.update_event_source_mapping(UUID=created["UUID"], Enabled=True)
    records = [r for event in wait_events(ddb, sink, 12) for r in event["Records"]]
    assert len(records) == 12 and all(len(e["Records"]) <= 2 for e in events(ddb, sink))
    for item in ("a", "b", "c", "d"):
        versions = [
            r["dynamodb"]["NewImage"]["v"]["N"]
            for r in records
            if r["dynamodb"]["Keys"]["pk"]["S"] == item
        ]
        assert versions == ["0", "1", "2"]


def test_filter_criteria_select_records(
    sink_function: Any, source: tuple[str, str], mapping: Any, ddb: Any
) -> None:
    function, sink = sink_function()
    table, arn = source
    orders = {"dynamodb": {"NewImage": {"kind": {"S": [{"prefix": "order"}]}}}}
    mapping(
        function,
        arn,
        FilterCriteria={
            "Filters": [
                {"Pattern": json.dumps({"eventName": ["INSERT"], **orders})},
                {"Pattern": json.dumps({"eventName": ["REMOVE"]})},
            ]
        },
    )
    put(ddb, table, "o1", kind={"S": "order-1"})
    put(ddb, table, "n1", kind={"S": "note"})
    put(ddb, table, "o1", kind={"S": "order-1b"})  # MODIFY: filtered out
    ddb.delete_item(TableName=table, Key={"pk": {"S": "n1"}})
    put(ddb, table, "o2", kind={"S": "order-2"})
    records = [r for event in wait_events(ddb, sink, 3) for r in event["Records"]]
    assert [(r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"]) for r in records] == [
        ("INSERT", "o1"),
        ("REMOVE", "n1"),
        ("INSERT", "o2"),
    ]


# failures


def test_bisect_retries_then_on_failure_destination(
    lambda_client: Any,
    sink_function: Any,
    source: tuple[str, str],
    mapping: Any,
    ddb: Any,
    aws_client: Callable[..., Any],
) -> None:
    function, sink = sink_function("poison")
    destination, destination_sink = sink_function()
    table, arn = source
    destination_arn = function_arn(lambda_client, destination)
    created = mapping(
        function,
        arn,
        BatchSize=4,
        Enabled=False,
        BisectBatchOnFunctionError=True,
        MaximumRetryAttempts=1,
        DestinationConfig={"OnFailure": {"Destination": destination_arn}},
    )
    put(ddb, table, "a", "b")
    put(ddb, table, "p", poison={"BOOL": True})
    put(ddb, table, "d")
    lambda_client.update_event_source_mapping(UUID=created["UUID"], Enabled=True)
    (failure,) = wait_events(ddb, destination_sink)
    received = wait_events(ddb, sink, 11)
    assert [keys(event) for event in received] == [
        ["a", "b", "p", "d"],  # fails: split in two
        ["a", "b"],
        ["p", "d"],  # fails: split again
        ["p"],
        ["p"],  # the one retry: discarded after it
        ["d"],
    ]
    poison = received[3]["Records"][0]
    assert failure.pop("timestamp").endswith("Z")
    assert (
        failure.pop("requestContext").items()
        >= {
            "functionArn": created["FunctionArn"],
            "condition": "RetryAttemptsExhausted",
            "approximateInvokeCount": 4,
        }.items()
    )
    info = failure.pop("DDBStreamBatchInfo")
    assert failure == {
        "responseContext": {
            "statusCode": 200,
            "executedVersion": "$LATEST",
            "functionError": "Unhandled",
        },
        "version": "1.0",
    }
    streams = aws_client("dynamodbstreams")
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    assert info.pop("approximateArrivalOfFirstRecord").endswith("Z")
    assert info.pop("approximateArrivalOfLastRecord").endswith("Z")
    assert info == {
        "shardId": shard,
        "startSequenceNumber": poison["dynamodb"]["SequenceNumber"],
        "endSequenceNumber": poison["dynamodb"]["SequenceNumber"],
        "batchSize": 1,
        "streamArn": arn,
    }
    settled = lambda_client.get_event_source_mapping(UUID=created["UUID"])
    assert settled["LastProcessingResult"] == "OK"


def test_report_batch_item_failures_retries_from_the_failed_record(
    lambda_client: Any, sink_function: Any, source: tuple[str, str], mapping: Any, ddb: Any
) -> None:
    function, sink = sink_function("report")
    destination, destination_sink = sink_function()
    table, arn = source
    created = mapping(
        function,
        arn,
        BatchSize=3,
        Enabled=False,
        MaximumRetryAttempts=2,
        FunctionResponseTypes=["ReportBatchItemFailures"],
        DestinationConfig={"OnFailure": {"Destination": function_arn(lambda_client, destination)}},
    )
    assert created["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    put(ddb, table, "r1")
    put(ddb, table, "r2", fail={"BOOL": True})
    put(ddb, table, "r3")
    lambda_client.update_event_source_mapping(UUID=created["UUID"], Enabled=True)
    (failure,) = wait_events(ddb, destination_sink)
    put(ddb, table, "r4")
    received = wait_events(ddb, sink, 8)
    assert [keys(event) for event in received] == [
        ["r1", "r2", "r3"],
        ["r2", "r3"],  # checkpoint after r1, then the two retries
        ["r2", "r3"],
        ["r4"],
    ]
    numbers = [r["dynamodb"]["SequenceNumber"] for r in received[1]["Records"]]
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert failure["requestContext"]["approximateInvokeCount"] == 3
    assert "functionError" not in failure["responseContext"]
    info = failure["DDBStreamBatchInfo"]
    assert (info["startSequenceNumber"], info["endSequenceNumber"], info["batchSize"]) == (
        numbers[0],
        numbers[1],
        2,
    )


def test_invalid_item_failure_report_fails_the_whole_batch(
    sink_function: Any, source: tuple[str, str], mapping: Any, ddb: Any, lambda_client: Any
) -> None:
    function, sink = sink_function("bogus")
    destination, destination_sink = sink_function()
    table, arn = source
    created = mapping(
        function,
        arn,
        Enabled=False,
        MaximumRetryAttempts=0,
        FunctionResponseTypes=["ReportBatchItemFailures"],
        DestinationConfig={"OnFailure": {"Destination": function_arn(lambda_client, destination)}},
    )
    put(ddb, table, "x1", "x2")
    lambda_client.update_event_source_mapping(UUID=created["UUID"], Enabled=True)
    (failure,) = wait_events(ddb, destination_sink)
    assert failure["DDBStreamBatchInfo"]["batchSize"] == 2
    assert failure["requestContext"]["approximateInvokeCount"] == 1
    assert [keys(event) for event in events(ddb, sink)] == [["x1", "x2"]]


def test_throttled_batches_are_retried(
    lambda_client: Any, sink_function: Any, source: tuple[str, str], mapping: Any, ddb: Any
) -> None:
    function, sink = sink_function()
    table, arn = source
    lambda_client.put_function_concurrency(FunctionName=function, ReservedConcurrentExecutions=0)
    created = mapping(function, arn, MaximumRetryAttempts=0)
    put(ddb, table, "t1")

    def throttled() -> bool:
        config = lambda_client.get_event_source_mapping(UUID=created["UUID"])
        return bool(config["LastProcessingResult"] == "PROBLEM: Function call throttled.")

    wait_for(throttled, "a throttled batch")
    assert events(ddb, sink) == []
    lambda_client.delete_function_concurrency(FunctionName=function)
    assert [keys(event) for event in wait_events(ddb, sink)] == [["t1"]]


def test_mapping_outlives_its_function(
    lambda_client: Any,
    create_function: Callable[..., dict[str, Any]],
    sink_function: Any,
    source: tuple[str, str],
    mapping: Any,
    ddb: Any,
) -> None:
    function, sink = sink_function()
    table, arn = source
    created = mapping(function, arn)
    lambda_client.delete_function(FunctionName=function)
    put(ddb, table, "orphan")

    def problem() -> bool:
        config = lambda_client.get_event_source_mapping(UUID=created["UUID"])
        return bool(config["LastProcessingResult"] == "PROBLEM: Function not found.")

    wait_for(problem, "the mapping to report its missing function")
    create_function(
        handler=SINK, FunctionName=function, Environment={"Variables": {"SINK_TABLE": sink}}
    )
    assert [keys(event) for event in wait_events(ddb, sink)] == [["orphan"]]


# life cycle


def test_disable_pauses_and_enable_resumes(
    lambda_client: Any, sink_function: Any, source: tuple[str, str], mapping: Any, ddb: Any
) -> None:
    function, sink = sink_function()
    table, arn = source
    created = mapping(function, arn)
    put(ddb, table, "e1")
    wait_events(ddb, sink)
    disabling = lambda_client.update_event_source_mapping(UUID=created["UUID"], Enabled=False)
    assert disabling["State"] == "Disabling"
    wait_state(lambda_client, created["UUID"], "Disabled")
    put(ddb, table, "e2")
    time.sleep(1.0)  # four poll intervals: an enabled mapping would have delivered e2 by now
    assert [keys(event) for event in events(ddb, sink)] == [["e1"]]
    enabling = lambda_client.update_event_source_mapping(UUID=created["UUID"], Enabled=True)
    assert enabling["State"] == "Enabling"
    assert [keys(event) for event in wait_events(ddb, sink, 2)] == [["e1"], ["e2"]]


def test_delete_stops_delivery(
    lambda_client: Any,
    sink_function: Any,
    source: tuple[str, str],
    mapping: Any,
    ddb: Any,
    aws_error: Error,
) -> None:
    function, sink = sink_function()
    table, arn = source
    created = mapping(function, arn)
    put(ddb, table, "d1")
    wait_events(ddb, sink)
    lambda_client.delete_event_source_mapping(UUID=created["UUID"])

    def gone() -> bool:
        try:
            lambda_client.get_event_source_mapping(UUID=created["UUID"])
        except ClientError as error:
            return aws_error(error)[2] == 404
        return False

    wait_for(gone, "the mapping to be deleted")
    put(ddb, table, "d2")
    time.sleep(1.0)
    assert [keys(event) for event in events(ddb, sink)] == [["d1"]]
    assert (
        lambda_client.list_event_source_mappings(FunctionName=function)["EventSourceMappings"] == []
    )


# servers of their own: a restart, a scaled clock


def _clients(endpoint: str, account: str) -> tuple[Any, Any]:
    settings = {
        "endpoint_url": endpoint,
        "region_name": "us-east-1",
        "aws_access_key_id": account,
        "aws_secret_access_key": "test",
    }
    return boto3.client("lambda", **settings), boto3.client("dynamodb", **settings)


def _table(ddb: Any) -> tuple[str, str]:
    """A table with a KEYS_ONLY stream on a server of the test's own: (name, stream ARN)."""
    name = f"own-{uuid.uuid4().hex[:8]}"
    ddb.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
    )
    return name, ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]


def _function(lambda_client: Any, account: str, sink: str) -> str:
    """A sink function writing into `sink`, Active; returns its ARN."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.write(HANDLER_FILE, HANDLER_FILE.name)
    arn: str = lambda_client.create_function(
        FunctionName=f"own-{uuid.uuid4().hex[:8]}",
        Runtime="python3.11",
        Role=f"arn:aws:iam::{account}:role/lambda-role",
        Handler=SINK,
        Code={"ZipFile": archive.getvalue()},
        Environment={"Variables": {"SINK_TABLE": sink}},
    )["FunctionArn"]
    wait_for(
        lambda: lambda_client.get_function(FunctionName=arn)["Configuration"]["State"] == "Active",
        "the function to be Active",
    )
    return arn


def _disabled_mapping(lambda_client: Any, function: str, arn: str) -> str:
    created = lambda_client.create_event_source_mapping(
        FunctionName=function, EventSourceArn=arn, StartingPosition="TRIM_HORIZON", Enabled=False
    )
    wait_state(lambda_client, created["UUID"], "Disabled")
    mapping_uuid: str = created["UUID"]
    return mapping_uuid


def test_restart_resumes_without_duplicates(tmp_path: Path, account: str) -> None:
    server = CloudletProcess(data_dir=tmp_path / "data")
    try:
        server.start()
        lambda_client, ddb = _clients(server.endpoint, account)
        (table, arn), (sink, _) = _table(ddb), _table(ddb)
        mapping_uuid = _disabled_mapping(
            lambda_client, _function(lambda_client, account, sink), arn
        )
        put(ddb, table, "s1", "s2", "s3")
        lambda_client.update_event_source_mapping(UUID=mapping_uuid, Enabled=True)
        wait_events(ddb, sink, 3)

        def committed() -> bool:  # LastProcessingResult turns OK once the batch is checkpointed
            config = lambda_client.get_event_source_mapping(UUID=mapping_uuid)
            return bool(config["LastProcessingResult"] == "OK")

        wait_for(committed, "the batch to be committed")
        server.stop()
        server.start()
        put(ddb, table, "s4", "s5")
        received = [key for event in wait_events(ddb, sink, 5) for key in keys(event)]
        assert received == ["s1", "s2", "s3", "s4", "s5"]
        assert lambda_client.get_event_source_mapping(UUID=mapping_uuid)["State"] == "Enabled"
    finally:
        server.cleanup()


def test_records_past_maximum_age_go_to_the_destination(account: str) -> None:
    with CloudletProcess(time_scale=60) as server:  # one AWS minute is a real second
        lambda_client, ddb = _clients(server.endpoint, account)
        (table, arn), (sink, _), (destination_sink, _) = _table(ddb), _table(ddb), _table(ddb)
        function = _function(lambda_client, account, sink)
        destination = _function(lambda_client, account, destination_sink)
        mapping_uuid = _disabled_mapping(lambda_client, function, arn)
        put(ddb, table, "old")
        time.sleep(1.5)  # 90 AWS seconds
        lambda_client.update_event_source_mapping(
            UUID=mapping_uuid,
            Enabled=True,
            MaximumRecordAgeInSeconds=60,
            DestinationConfig={"OnFailure": {"Destination": destination}},
        )
        (failure,) = wait_events(ddb, destination_sink)
        assert failure["requestContext"]["condition"] == "MaximumRecordAgeExceeded"
        assert failure["requestContext"]["approximateInvokeCount"] == 0
        assert "responseContext" not in failure
        assert failure["DDBStreamBatchInfo"]["batchSize"] == 1
        assert events(ddb, sink) == []


# the filter grammar (in-process)


@pytest.mark.parametrize(
    ("pattern", "event", "matched"),
    [
        ({"a": ["x"]}, {"a": "x"}, True),
        ({"a": ["x", "y"]}, {"a": "y"}, True),
        ({"a": ["x"]}, {"a": ["z", "x"]}, True),
        ({"a": ["x"]}, {"b": "x"}, False),
        ({"a": [None]}, {"a": None}, True),
        ({"a": [""]}, {"a": ""}, True),
        ({"a": [5]}, {"a": 5.0}, True),
        ({"a": [5]}, {"a": "5"}, False),
        ({"a": [{"equals-ignore-case": "AbC"}]}, {"a": "aBc"}, True),
        ({"a": [{"prefix": "us-"}]}, {"a": "us-east-1"}, True),
        ({"a": [{"suffix": ".png"}]}, {"a": "x.jpg"}, False),
        ({"a": [{"anything-but": ["x", "y"]}]}, {"a": "z"}, True),
        ({"a": [{"anything-but": "x"}]}, {"a": "x"}, False),
        ({"a": [{"anything-but": "x"}]}, {}, False),
        ({"a": [{"anything-but": {"prefix": "us-"}}]}, {"a": "eu-west-1"}, True),
        ({"a": [{"numeric": [">", 0, "<=", 10]}]}, {"a": 10}, True),
        ({"a": [{"numeric": [">", 0, "<=", 10]}]}, {"a": 0}, False),
        ({"a": [{"numeric": ["=", 3]}]}, {"a": True}, False),
        ({"a": [{"exists": True}]}, {"a": None}, True),
        ({"a": [{"exists": False}]}, {"b": 1}, True),
        ({"a": {"b": [{"exists": False}]}}, {}, True),
        ({"a": {"b": ["x"]}, "c": ["y"]}, {"a": {"b": "x"}, "c": "y"}, True),
        ({"a": {"b": ["x"]}, "c": ["y"]}, {"a": {"b": "x"}, "c": "n"}, False),
        ({"$or": [{"a": ["1"]}, {"b": ["2"]}]}, {"b": "2"}, True),
        ({"a": []}, {"a": "x"}, False),
    ],
)
def test_filter_grammar(pattern: dict[str, Any], event: Any, matched: bool) -> None:
    criteria = compile_criteria({"Filters": [{"Pattern": json.dumps(pattern)}]})
    assert criteria.matches(event) is matched


@pytest.mark.parametrize(
    "pattern",
    [
        "not json",
        "[]",
        "{}",
        '{"a": "x"}',
        '{"a": [[1]]}',
        '{"a": [{"unknown": 1}]}',
        '{"a": [{"prefix": 1}]}',
        '{"a": [{"numeric": ["<", 5, ">", 1]}]}',
        '{"a": [{"numeric": ["~", 5]}]}',
        '{"a": [{"exists": "yes"}]}',
        '{"a": [{"anything-but": []}]}',
        '{"$or": [{"a": ["1"]}]}',
        '{"a": [{"prefix": "x", "suffix": "y"}]}',
    ],
)
def test_filter_grammar_rejects(pattern: str) -> None:
    with pytest.raises(ServiceError) as caught:
        compile_criteria({"Filters": [{"Pattern": pattern}]})
    assert (caught.value.code, caught.value.message) == (
        "InvalidParameterValueException",
        "Invalid filter pattern definition.",
    )
