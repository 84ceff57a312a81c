"""Runtime failures of a state machine: an ASL error name and a cause.

`StatesError` is what every construct raises when a state fails; Retry and Catch match its
`error`. The predefined names follow AWS's list (States.ALL, States.TaskFailed, ...).
"""

from __future__ import annotations

ALL = "States.ALL"
TASK_FAILED = "States.TaskFailed"
TIMEOUT = "States.Timeout"
HEARTBEAT_TIMEOUT = "States.HeartbeatTimeout"
RUNTIME = "States.Runtime"
DATA_LIMIT = "States.DataLimitExceeded"
RESULT_PATH_MATCH = "States.ResultPathMatchFailure"
PARAMETER_PATH = "States.ParameterPathFailure"
BRANCH_FAILED = "States.BranchFailed"
NO_CHOICE = "States.NoChoiceMatched"
INTRINSIC = "States.IntrinsicFailure"
QUERY_EVALUATION = "States.QueryEvaluationError"
PERMISSIONS = "States.Permissions"
TOLERATED_FAILURE = "States.ExceedToleratedFailureThreshold"
ITEM_READER = "States.ItemReaderFailed"
RESULT_WRITER = "States.ResultWriterFailed"

UNCATCHABLE = frozenset({RUNTIME, DATA_LIMIT})
"""Errors `States.ALL` does not match (AWS: never retried or caught by the wildcard)."""


class StatesError(Exception):
    """A state failed with ASL error `error` and human-readable `cause`."""

    def __init__(self, error: str, cause: str | None = "") -> None:
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause

    def output(self) -> dict[str, str]:
        """The error output a catcher receives: `{"Error": ..., "Cause": ...}`."""
        out = {"Error": self.error}
        if self.cause is not None:
            out["Cause"] = self.cause
        return out


def runtime(cause: str) -> StatesError:
    return StatesError(RUNTIME, cause)
