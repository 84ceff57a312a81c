"""Execution logging to CloudWatch Logs (a state machine's `loggingConfiguration`).

Each history event becomes one JSON log line in the configured log group, in a stream per
execution, through the in-process logs API:

    {"id": "3", "type": "PassStateExited", "details": {...}, "previous_event_id": "2",
     "event_timestamp": "1700000000000", "execution_arn": "arn:aws:states:..."}

Level ALL logs every event, ERROR only failures, FATAL only execution-level failures; without
`includeExecutionData` the input and output payloads are left out.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

ERROR_EVENTS = frozenset(
    {
        "ExecutionFailed",
        "ExecutionAborted",
        "ExecutionTimedOut",
        "TaskFailed",
        "TaskTimedOut",
        "TaskStartFailed",
        "TaskSubmitFailed",
        "LambdaFunctionFailed",
        "LambdaFunctionTimedOut",
        "LambdaFunctionStartFailed",
        "LambdaFunctionScheduleFailed",
        "ActivityFailed",
        "ActivityTimedOut",
        "ActivityScheduleFailed",
        "MapStateFailed",
        "ParallelStateFailed",
        "MapIterationFailed",
        "FailStateEntered",
        "EvaluationFailed",
    }
)
FATAL_EVENTS = frozenset({"ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut"})


class ExecutionLogger:
    def __init__(self, store: Any, config: dict[str, Any], execution_arn: str) -> None:
        self.level = config.get("level", "OFF")
        self.include_data = bool(config.get("includeExecutionData"))
        destinations = config.get("destinations") or []
        arn = (
            (destinations[0].get("cloudWatchLogsLogGroup") or {}).get("logGroupArn", "")
            if destinations
            else ""
        )
        parts = arn.split(":")
        self.account = parts[4] if len(parts) > 6 else ""
        self.region = parts[3] if len(parts) > 6 else ""
        self.group = parts[6] if len(parts) > 6 else ""
        self.store = store
        self.execution_arn = execution_arn
        _kind, _, rest = (
            execution_arn.partition(":execution:")
            if ":execution:" in execution_arn
            else execution_arn.partition(":express:")
        )
        self.stream = f"states/{rest.replace(':', '/')}" if rest else "states"

    @property
    def enabled(self) -> bool:
        return self.level != "OFF" and bool(self.group)

    def log(self, events: Sequence[tuple[int, float, str, int, dict[str, Any]]]) -> None:
        if not self.enabled or not events:
            return
        from cloudlet.services.logs.store import LogStore

        lines = []
        for event_id, stamp, kind, previous, details in events:
            if self.level == "ERROR" and kind not in ERROR_EVENTS:
                continue
            if self.level == "FATAL" and kind not in FATAL_EVENTS:
                continue
            body = {k: dict(v) if isinstance(v, dict) else v for k, v in details.items()}
            detail = next(iter(body.values()), {}) if body else {}
            if not self.include_data and isinstance(detail, dict):
                for key in ("input", "output"):
                    if key in detail:
                        detail[key] = None
            message = {
                "id": str(event_id),
                "type": kind,
                "details": detail,
                "previous_event_id": str(previous),
                "event_timestamp": str(int(stamp * 1000)),
                "execution_arn": self.execution_arn,
            }
            lines.append((int(stamp * 1000), json.dumps(message, separators=(",", ":"))))
        if lines:
            LogStore(self.store).put_events(
                self.account, self.region, self.group, self.stream, lines, create=True
            )
