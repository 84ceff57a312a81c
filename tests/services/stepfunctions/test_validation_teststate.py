"""ValidateStateMachineDefinition diagnostics and TestState (all inspection levels, mocks,
retry and catch outcomes)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError
from sfn_support import load, template

INVALID = load("invalid_definitions")


def test_validate_ok(sfn: Any) -> None:
    result = sfn.validate_state_machine_definition(definition=template("jsonata"))
    assert (result["result"], result["diagnostics"]) == ("OK", [])


def test_validate_reports_each_problem(sfn: Any) -> None:
    definition = json.dumps(INVALID["missing_next_target"])
    result = sfn.validate_state_machine_definition(definition=definition)
    assert result["result"] == "FAIL"
    assert result["diagnostics"] == [
        {
            "severity": "ERROR",
            "code": "MISSING_TRANSITION_TARGET",
            "message": "Missing 'Next' target: B",
            "location": "/States/A/Next",
        }
    ]
    assert result["truncated"] is False


def test_validate_truncates(sfn: Any) -> None:
    definition = json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "X": 1, "Y": 2}}})
    result = sfn.validate_state_machine_definition(definition=definition, maxResults=1)
    assert len(result["diagnostics"]) == 1
    assert result["truncated"] is True


def test_validate_express_rejects_callbacks(sfn: Any) -> None:
    result = sfn.validate_state_machine_definition(
        definition=template("task_callback"), type="EXPRESS"
    )
    assert result["result"] == "FAIL"
    assert result["diagnostics"][0]["location"] == "/States/Wait for it/Resource"


def test_test_state_pass_debug(sfn: Any) -> None:
    state = {
        "Type": "Pass",
        "InputPath": "$.a",
        "Parameters": {"b.$": "$.b"},
        "ResultPath": "$.r",
        "Next": "X",
    }
    result = sfn.test_state(
        definition=json.dumps(state), input='{"a": {"b": 1}}', inspectionLevel="DEBUG"
    )
    assert result["status"] == "SUCCEEDED"
    assert json.loads(result["output"]) == {"a": {"b": 1}, "r": {"b": 1}}
    assert result["nextState"] == "X"
    data = result["inspectionData"]
    assert json.loads(data["afterInputPath"]) == {"b": 1}
    assert json.loads(data["afterParameters"]) == {"b": 1}
    assert json.loads(data["afterResultPath"]) == {"a": {"b": 1}, "r": {"b": 1}}


def test_test_state_info_has_no_inspection(sfn: Any) -> None:
    result = sfn.test_state(definition=json.dumps({"Type": "Pass", "End": True}), input="{}")
    assert result["status"] == "SUCCEEDED"
    assert "inspectionData" not in result


def test_test_state_task_mocked_result(sfn: Any) -> None:
    result = sfn.test_state(
        definition=template("teststate_task"),
        input='{"data": {"x": 1}}',
        inspectionLevel="DEBUG",
        mock={"result": '{"Payload": {"ok": true}}'},
    )
    assert result["status"] == "SUCCEEDED"
    assert json.loads(result["output"]) == {"data": {"x": 1}, "result": {"body": {"ok": True}}}
    assert json.loads(result["inspectionData"]["result"]) == {"Payload": {"ok": True}}


@pytest.mark.parametrize(
    ("error", "retries_used", "status", "details"),
    [
        ("Flaky", 0, "RETRIABLE", {"retryIndex": 0, "retryBackoffIntervalSeconds": 3}),
        ("Flaky", 1, "RETRIABLE", {"retryIndex": 0, "retryBackoffIntervalSeconds": 6}),
        ("Flaky", 2, "FAILED", None),
        ("Fatal", 0, "CAUGHT_ERROR", {"catchIndex": 0}),
        ("Other", 0, "FAILED", None),
    ],
)
def test_test_state_task_mocked_errors(
    sfn: Any, error: str, retries_used: int, status: str, details: Any
) -> None:
    result = sfn.test_state(
        definition=template("teststate_task"),
        input='{"data": {}}',
        inspectionLevel="DEBUG",
        mock={"errorOutput": {"error": error, "cause": "why"}},
        stateConfiguration={"retrierRetryCount": retries_used},
    )
    assert (result["status"], result["error"], result["cause"]) == (status, error, "why")
    if details is not None:
        assert result["inspectionData"]["errorDetails"] == details
    if status == "CAUGHT_ERROR":
        assert result["nextState"] == "Recover"
        assert json.loads(result["output"])["error"] == {"Error": "Fatal", "Cause": "why"}


def test_test_state_from_a_machine_with_variables(sfn: Any) -> None:
    result = sfn.test_state(
        definition=template("variables"),
        stateName="Use",
        input='{"branch": [1]}',
        variables='{"greeting": "yo", "fixed": 1, "obj": {"deep": {"x": 2}}}',
    )
    assert json.loads(result["output"]) == {
        "greeting": "yo",
        "fixed": 1,
        "deep": 2,
        "branch": 1,
        "sentence": "yo 1",
    }


def test_test_state_invalid_definition(sfn: Any) -> None:
    with pytest.raises(ClientError) as raised:
        sfn.test_state(definition=json.dumps({"Type": "Nope"}), input="{}")
    assert raised.value.response["Error"]["Code"] == "InvalidDefinition"
