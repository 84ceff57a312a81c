"""GetExecutionHistory: stored events → AWS's `HistoryEvent` shape, paged.

An event is `{timestamp, type, id, previousEventId, <type>EventDetails}`; ids start at 1 and the
first `*StateEntered` has previousEventId 0 like `ExecutionStarted`. `includeExecutionData:
false` drops the `input` and `output` payloads (their `...Details` stay).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from cloudlet.services.stepfunctions import paging
from cloudlet.services.stepfunctions.storage import SfnStore

_PAYLOADS = ("input", "output")


def event(row: tuple[int, float, str, int, str], include_data: bool) -> dict[str, Any]:
    event_id, stamp, kind, previous, details = row
    out: dict[str, Any] = {
        "timestamp": datetime.fromtimestamp(stamp, UTC),
        "type": kind,
        "id": event_id,
        "previousEventId": previous,
    }
    body = json.loads(details)
    if not include_data:
        for value in body.values():
            if isinstance(value, dict):
                for key in _PAYLOADS:
                    value.pop(key, None)
    out.update(body)
    return out


def page(store: SfnStore, execution_id: int, request: dict[str, Any]) -> dict[str, Any]:
    size = paging.page_size(request)
    reverse = bool(request.get("reverseOrder"))
    after = paging.decode(request.get("nextToken"))
    include = request.get("includeExecutionData", True) is not False
    rows = store.events(execution_id, after, size + 1, reverse)
    response: dict[str, Any] = {"events": [event(row, include) for row in rows[:size]]}
    if len(rows) > size:
        response["nextToken"] = paging.encode(rows[size - 1][0])
    return response
