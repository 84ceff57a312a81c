"""State machine API: create, describe, update, delete, list, tags and definition checks."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from sfn_support import Machines, load, template

INVALID = load("invalid_definitions")


def test_create_describe_delete(sfn: Any, machines: Machines, name: Callable[[str], str]) -> None:
    sm_name = name("sm")
    created = sfn.create_state_machine(
        name=sm_name, definition=template("pass_single"), roleArn=machines.role
    )
    arn = created["stateMachineArn"]
    assert arn == f"arn:aws:states:us-east-1:{machines.account}:stateMachine:{sm_name}"
    described = sfn.describe_state_machine(stateMachineArn=arn)
    assert described["name"] == sm_name
    assert described["definition"] == template("pass_single")
    assert (described["type"], described["status"]) == ("STANDARD", "ACTIVE")
    assert described["creationDate"] == created["creationDate"]
    assert described["loggingConfiguration"] == {"level": "OFF", "includeExecutionData": False}
    sfn.delete_state_machine(stateMachineArn=arn)
    with pytest.raises(ClientError) as raised:
        sfn.describe_state_machine(stateMachineArn=arn)
    error = raised.value.response
    assert error["Error"]["Code"] == "StateMachineDoesNotExist"
    assert error["Error"]["Message"] == f"State Machine Does Not Exist: '{arn}'"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_create_is_idempotent_for_the_same_definition(sfn: Any, machines: Machines) -> None:
    arn = machines.create("pass_single", name="same-name")
    again = sfn.create_state_machine(
        name="same-name", definition=template("pass_single"), roleArn=machines.role
    )
    assert again["stateMachineArn"] == arn
    with pytest.raises(ClientError) as raised:
        sfn.create_state_machine(
            name="same-name", definition=template("fail"), roleArn=machines.role
        )
    assert raised.value.response["Error"]["Code"] == "StateMachineAlreadyExists"
    assert raised.value.response["Error"]["Message"] == f"State Machine Already Exists: '{arn}'"


@pytest.mark.parametrize("bad", ["has space", "a/b", "semi;colon", "star*"])
def test_invalid_names(sfn: Any, machines: Machines, bad: str) -> None:
    with pytest.raises(ClientError) as raised:
        sfn.create_state_machine(
            name=bad, definition=template("pass_single"), roleArn=machines.role
        )
    assert raised.value.response["Error"]["Code"] == "InvalidName"
    assert raised.value.response["Error"]["Message"] == f"Invalid Name: '{bad}'"


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("missing_states", "SCHEMA_VALIDATION_FAILED: These fields are required: [States] at /"),
        (
            "missing_next_target",
            "MISSING_TRANSITION_TARGET: Missing 'Next' target: B at /States/A/Next",
        ),
        ("unreachable", 'MISSING_TRANSITION_TARGET: State "B" is not reachable. at /States/B'),
        (
            "unknown_field",
            'SCHEMA_VALIDATION_FAILED: The field "Foo" is not supported by Step Functions'
            " at /States/A",
        ),
        (
            "bad_path",
            "SCHEMA_VALIDATION_FAILED: The value for the field 'InputPath' must be a valid"
            " JSONPath at /States/A/InputPath",
        ),
    ],
)
def test_invalid_definition_messages(
    sfn: Any, machines: Machines, case: str, expected: str
) -> None:
    with pytest.raises(ClientError) as raised:
        sfn.create_state_machine(
            name="bad", definition=json.dumps(INVALID[case]), roleArn=machines.role
        )
    error = raised.value.response
    assert error["Error"]["Code"] == "InvalidDefinition"
    assert error["Error"]["Message"] == f"Invalid State Machine Definition: '{expected}'"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400


@pytest.mark.parametrize("case", sorted(INVALID))
def test_every_invalid_definition_is_rejected(sfn: Any, machines: Machines, case: str) -> None:
    value = INVALID[case]
    text = value if isinstance(value, str) else json.dumps(value)
    with pytest.raises(ClientError) as raised:
        sfn.create_state_machine(name="bad", definition=text, roleArn=machines.role)
    assert raised.value.response["Error"]["Code"] == "InvalidDefinition"


def test_update_changes_definition_and_revision(sfn: Any, machines: Machines) -> None:
    arn = machines.create("pass_single")
    updated = sfn.update_state_machine(stateMachineArn=arn, definition=template("fail"))
    described = sfn.describe_state_machine(stateMachineArn=arn)
    assert described["definition"] == template("fail")
    assert described["revisionId"] == updated["revisionId"]
    with pytest.raises(ClientError) as raised:
        sfn.update_state_machine(stateMachineArn=arn)
    assert raised.value.response["Error"]["Code"] == "MissingRequiredParameter"


def test_list_state_machines_pages(sfn: Any, machines: Machines) -> None:
    arns = sorted(machines.create("pass_single", name=f"list-{i}") for i in range(3))
    first = sfn.list_state_machines(maxResults=2)
    second = sfn.list_state_machines(maxResults=2, nextToken=first["nextToken"])
    listed = [m["stateMachineArn"] for m in first["stateMachines"] + second["stateMachines"]]
    assert listed == arns
    assert "nextToken" not in second
    assert first["stateMachines"][0]["type"] == "STANDARD"


def test_tags(sfn: Any, machines: Machines) -> None:
    arn = machines.create("pass_single", tags=[{"key": "a", "value": "1"}])
    sfn.tag_resource(resourceArn=arn, tags=[{"key": "b", "value": "2"}])
    sfn.untag_resource(resourceArn=arn, tagKeys=["a"])
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "b", "value": "2"}]
    missing = arn + "-gone"
    with pytest.raises(ClientError) as raised:
        sfn.list_tags_for_resource(resourceArn=missing)
    assert raised.value.response["Error"]["Code"] == "ResourceNotFound"
    assert raised.value.response["Error"]["Message"] == f"Resource not found: '{missing}'"


def test_invalid_arn(sfn: Any) -> None:
    with pytest.raises(ClientError) as raised:
        sfn.describe_state_machine(stateMachineArn="not-an-arn")
    assert raised.value.response["Error"]["Code"] == "InvalidArn"
    assert (
        raised.value.response["Error"]["Message"] == "Invalid Arn: 'Invalid ARN prefix: not-an-arn'"
    )
