"""The context object: what `$$` (JSONPath) and `$states.context` (JSONata) read.

    {"Execution": {"Id", "Input", "Name", "RoleArn", "StartTime", "RedriveCount"},
     "StateMachine": {"Id", "Name"},
     "State": {"EnteredTime", "Name", "RetryCount"},
     "Task": {"Token"}                 (inside a Task, when it has a token)
     "Map": {"Item": {"Index", "Value"}}   (in a Map's ItemSelector)}

Times are ISO 8601 with milliseconds and `Z`, as AWS writes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


def iso_millis(epoch: float) -> str:
    """`2019-03-26T20:14:13.192Z` for an epoch time."""
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass
class ExecutionInfo:
    """The execution-level part of the context object."""

    arn: str
    name: str
    input: Any
    role_arn: str
    start_time: float
    state_machine_arn: str
    state_machine_name: str
    redrive_count: int = 0
    redrive_time: float | None = None

    def execution(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "Id": self.arn,
            "Input": self.input,
            "Name": self.name,
            "RoleArn": self.role_arn,
            "StartTime": iso_millis(self.start_time),
            "RedriveCount": self.redrive_count,
        }
        if self.redrive_time is not None:
            out["RedriveTime"] = iso_millis(self.redrive_time)
        return out


def build(
    info: ExecutionInfo,
    state_name: str,
    entered: float,
    retry_count: int = 0,
    task_token: str | None = None,
    map_item: tuple[int, Any] | None = None,
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "Execution": info.execution(),
        "State": {
            "EnteredTime": iso_millis(entered),
            "Name": state_name,
            "RetryCount": retry_count,
        },
        "StateMachine": {"Id": info.state_machine_arn, "Name": info.state_machine_name},
    }
    if task_token is not None:
        context["Task"] = {"Token": task_token}
    if map_item is not None:
        context["Map"] = {"Item": {"Index": map_item[0], "Value": map_item[1]}}
    return context
