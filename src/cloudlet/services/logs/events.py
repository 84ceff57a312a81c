"""Writing and reading log events: PutLogEvents' batch rules, GetLogEvents, FilterLogEvents.

Batch rules (PutLogEvents only; the in-process `LogStore.put_events` skips them): events in
chronological order and within 24 hours of each other, at most 10,000 events and 1,048,576 bytes
(UTF-8 messages plus 26 bytes each), else InvalidParameterException and nothing is stored. Events
more than two hours ahead, older than 14 days or older than the group's retention are dropped and
reported in `rejectedLogEventsInfo` (they form a prefix and a suffix, the batch being sorted).

Reads are index range scans in (timestamp, id) order, and never return events past retention.
GetLogEvents pages from a position in either direction and, at either end, hands back the token it
was given. FilterLogEvents walks the group (or some of its streams) forward, testing each message
against the compiled filter pattern, and stops after `limit` matches, 1 MB of results or
`SCAN_ROWS` examined rows — in which case it returns a `nextToken`, maybe with no events, as AWS
does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cloudlet.platform.store import Store
from cloudlet.services.logs.filter_pattern import Matcher
from cloudlet.services.logs.models import (
    EVENT_OVERHEAD_BYTES,
    MAX_BATCH_BYTES,
    MAX_BATCH_EVENTS,
    MAX_BATCH_SPAN_MS,
    TOO_NEW_MS,
    TOO_OLD_MS,
    LogGroup,
    LogStream,
    decode_token,
    encode_token,
    event_id,
    invalid_parameter,
    parse_stream_token,
    position,
    stream_token,
    unpack_position,
)

MAX_RESPONSE_BYTES = 1_048_576
DEFAULT_LIMIT = 10_000
SCAN_ROWS = 100_000
_BATCH_ROWS = 1_000


def check_batch(events: Sequence[dict[str, Any]]) -> list[tuple[int, str]]:
    """The batch as (timestamp, message) pairs, or InvalidParameterException."""
    if len(events) > MAX_BATCH_EVENTS:
        raise invalid_parameter(
            f"1 validation error detected: Value at 'logEvents' failed to satisfy constraint: "
            f"Member must have length less than or equal to {MAX_BATCH_EVENTS}"
        )
    batch = [(int(e["timestamp"]), str(e["message"])) for e in events]
    size = sum(len(message.encode()) + EVENT_OVERHEAD_BYTES for _, message in batch)
    if size > MAX_BATCH_BYTES:
        raise invalid_parameter(
            f"Upload too large: {size} bytes exceeds limit of {MAX_BATCH_BYTES}"
        )
    if any(batch[i][0] > batch[i + 1][0] for i in range(len(batch) - 1)):
        raise invalid_parameter(
            "Log events in a single PutLogEvents request must be in chronological order."
        )
    if batch and batch[-1][0] - batch[0][0] > MAX_BATCH_SPAN_MS:
        raise invalid_parameter(
            "The batch of log events in a single PutLogEvents request cannot span more than "
            "24 hours."
        )
    return batch


def split_rejected(
    batch: list[tuple[int, str]], group: LogGroup, now: int
) -> tuple[list[tuple[int, str]], dict[str, int]]:
    """(accepted events, `rejectedLogEventsInfo`) of a sorted batch."""
    too_old = sum(1 for ts, _ in batch if ts < now - TOO_OLD_MS)
    expired = sum(1 for ts, _ in batch if ts < group.oldest_kept(now))
    too_new_start = next((i for i, (ts, _) in enumerate(batch) if ts > now + TOO_NEW_MS), None)
    info: dict[str, int] = {}
    if too_old:
        info["tooOldLogEventEndIndex"] = too_old
    if expired:
        info["expiredLogEventEndIndex"] = expired
    if too_new_start is not None:
        info["tooNewLogEventStartIndex"] = too_new_start
    start = max(too_old, expired)
    end = too_new_start if too_new_start is not None else len(batch)
    return batch[start:end], info


def _time_bounds(
    group: LogGroup, now: int, start: int | None, end: int | None, inclusive_end: bool
) -> tuple[int, int]:
    """[low, high) timestamps to read: the request's range, cut at the retention period."""
    low = max(start or 0, group.oldest_kept(now))
    high = 2**62 if end is None else end + (1 if inclusive_end else 0)
    return low, high


def _take(rows: list[Any], limit: int, size_of: int) -> list[Any]:
    """Rows up to `limit` and the response size cap."""
    out: list[Any] = []
    size = 0
    for row in rows[:limit]:
        size += len(row[size_of].encode()) + EVENT_OVERHEAD_BYTES
        if out and size > MAX_RESPONSE_BYTES:
            break
        out.append(row)
    return out


def read_stream(
    store: Store, stream: LogStream, request: dict[str, Any], now: int
) -> dict[str, Any]:
    """GetLogEvents."""
    low, high = _time_bounds(
        stream.group, now, request.get("startTime"), request.get("endTime"), False
    )
    limit = request.get("limit") or DEFAULT_LIMIT
    token = request.get("nextToken")
    if token:
        direction, at = parse_stream_token(token)
    else:
        direction = "f" if request.get("startFromHead") else "b"
        at = position(low, 0) if direction == "f" else position(high, 0)
    ts, row_id = unpack_position(at)
    base = (
        "SELECT id, timestamp, message, ingestion_time FROM logs_events"
        " WHERE stream_id = ? AND timestamp >= ? AND timestamp < ?"
    )
    if direction == "f":
        rows = store.query(
            base + " AND (timestamp, id) > (?, ?) ORDER BY timestamp, id LIMIT ?",
            (stream.id, low, high, ts, row_id, limit),
        )
        rows = _take(rows, limit, 2)
    else:
        rows = store.query(
            base + " AND (timestamp, id) < (?, ?) ORDER BY timestamp DESC, id DESC LIMIT ?",
            (stream.id, low, high, ts, row_id, limit),
        )
        rows = list(reversed(_take(rows, limit, 2)))
    events = [{"timestamp": r[1], "message": r[2], "ingestionTime": r[3]} for r in rows]
    if rows:
        forward = stream_token("f", position(rows[-1][1], rows[-1][0]))
        backward = stream_token("b", position(rows[0][1], rows[0][0]))
    elif direction == "f":
        forward, backward = stream_token("f", at), stream_token("b", at + 1)
    else:
        forward, backward = stream_token("f", max(at - 1, 0)), stream_token("b", at)
    if token and not rows:
        # At either end AWS answers with the token it was given.
        forward = token if direction == "f" else forward
        backward = token if direction == "b" else backward
    return {"events": events, "nextForwardToken": forward, "nextBackwardToken": backward}


def filter_group(
    store: Store,
    group: LogGroup,
    stream_ids: list[int] | None,
    matcher: Matcher,
    request: dict[str, Any],
    now: int,
) -> dict[str, Any]:
    """FilterLogEvents over the group, or over `stream_ids` of it."""
    low, high = _time_bounds(group, now, request.get("startTime"), request.get("endTime"), True)
    limit = request.get("limit") or DEFAULT_LIMIT
    after_ts, after_id = (low, 0)
    if request.get("nextToken"):
        saved = decode_token(request["nextToken"])
        if not (isinstance(saved, list) and len(saved) == 2):
            raise invalid_parameter("The specified nextToken is invalid.")
        after_ts, after_id = int(saved[0]), int(saved[1])
    sql = (
        "SELECT e.id, e.timestamp, e.message, e.ingestion_time, s.name FROM logs_events e"
        " JOIN logs_streams s ON s.id = e.stream_id"
        " WHERE e.group_id = ? AND e.timestamp >= ? AND e.timestamp < ?"
        " AND (e.timestamp, e.id) > (?, ?)"
    )
    streams: list[int] = []
    if stream_ids is not None:
        if not stream_ids:
            return {"events": [], "searchedLogStreams": []}
        streams = stream_ids
        sql += f" AND e.stream_id IN ({', '.join('?' * len(stream_ids))})"
    sql += " ORDER BY e.timestamp, e.id LIMIT ?"
    events: list[dict[str, Any]] = []
    size, scanned = 0, 0
    last: tuple[int, int] | None = None
    while True:
        rows = store.query(sql, (group.id, low, high, after_ts, after_id, *streams, _BATCH_ROWS))
        for row in rows:
            scanned += 1
            if matcher(row[2]):
                size += len(row[2].encode()) + EVENT_OVERHEAD_BYTES
                if events and size > MAX_RESPONSE_BYTES:
                    return _filtered(events, last)
                events.append(
                    {
                        "logStreamName": row[4],
                        "timestamp": row[1],
                        "message": row[2],
                        "ingestionTime": row[3],
                        "eventId": event_id(row[1], row[0]),
                    }
                )
            last = (row[1], row[0])
            if len(events) >= limit or scanned >= SCAN_ROWS:
                more = store.query_one(
                    sql.replace("e.id, e.timestamp, e.message, e.ingestion_time, s.name", "1"),
                    (group.id, low, high, *last, *streams, 1),
                )
                return _filtered(events, last if more else None)
        if len(rows) < _BATCH_ROWS:
            return _filtered(events, None)
        after_ts, after_id = rows[-1][1], rows[-1][0]


def _filtered(events: list[dict[str, Any]], resume_after: tuple[int, int] | None) -> dict[str, Any]:
    out: dict[str, Any] = {"events": events, "searchedLogStreams": []}
    if resume_after is not None:
        out["nextToken"] = encode_token(list(resume_after))
    return out
