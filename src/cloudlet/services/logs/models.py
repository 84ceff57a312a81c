"""CloudWatch Logs' domain objects, limits, errors and pagination tokens.

`LogGroup` and `LogStream` are rows of `store.LogStore`, with `describe` giving the API shapes
(timestamps are epoch milliseconds, as Logs' `long` members are). ARNs: a group's `arn` ends in
`:*` (it names the group's streams too); `logGroupArn` does not, and is what `TagResource` and
`logGroupIdentifier` take (both forms are accepted here).

Event positions: an event's place in a stream is `(timestamp, id)`, `id` being the row id; both
pack into one integer, written as GetLogEvents tokens in AWS's form (`f/<56 digits>/s` forward,
`b/<56 digits>/s` backward) and as FilterLogEvents' 56-digit `eventId`.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any

from cloudlet.errors import ServiceError

RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
)  # fmt: skip
"""The values PutRetentionPolicy accepts."""

DAY_MS = 86_400_000
MAX_BATCH_EVENTS = 10_000
MAX_BATCH_BYTES = 1_048_576
EVENT_OVERHEAD_BYTES = 26
"""PutLogEvents counts each event's UTF-8 message plus 26 bytes against the batch size."""
MAX_BATCH_SPAN_MS = DAY_MS
TOO_NEW_MS = 2 * 3_600_000
TOO_OLD_MS = 14 * DAY_MS
MAX_TAGS = 50

_POSITION = 10**19
"""Packs (timestamp, id) into one integer: ids stay below 2**63 < 10**19."""


def invalid_parameter(message: str) -> ServiceError:
    return ServiceError(message, code="InvalidParameterException")


def group_not_found() -> ServiceError:
    return ServiceError("The specified log group does not exist.", code="ResourceNotFoundException")


def stream_not_found() -> ServiceError:
    return ServiceError(
        "The specified log stream does not exist.", code="ResourceNotFoundException"
    )


def group_arn(region: str, account: str, name: str) -> str:
    """`logGroupArn` (without the `:*` of `arn`)."""
    return f"arn:aws:logs:{region}:{account}:log-group:{name}"


_GROUP_ARN = re.compile(r"^arn:aws[a-z-]*:logs:([a-z0-9-]+):(\d{12}):log-group:([^:]+)(?::\*)?$")


def parse_group_arn(arn: str) -> tuple[str, str, str] | None:
    """(region, account, group name) of a log group ARN, with or without `:*`."""
    match = _GROUP_ARN.match(arn)
    return (match.group(1), match.group(2), match.group(3)) if match else None


@dataclass
class LogGroup:
    id: int
    account: str
    region: str
    name: str
    creation_time: int
    retention_days: int | None
    kms_key_id: str | None
    log_group_class: str
    tags: dict[str, str]
    stored_bytes: int

    @property
    def arn(self) -> str:
        return group_arn(self.region, self.account, self.name)

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "logGroupName": self.name,
            "creationTime": self.creation_time,
            "metricFilterCount": 0,
            "arn": f"{self.arn}:*",
            "storedBytes": self.stored_bytes,
            "logGroupClass": self.log_group_class,
            "logGroupArn": self.arn,
        }
        if self.retention_days is not None:
            out["retentionInDays"] = self.retention_days
        if self.kms_key_id:
            out["kmsKeyId"] = self.kms_key_id
        return out

    def oldest_kept(self, now_ms: int) -> int:
        """Events older than this (epoch ms) are past the retention period."""
        if self.retention_days is None:
            return 0
        return now_ms - self.retention_days * DAY_MS


@dataclass
class LogStream:
    id: int
    group: LogGroup
    name: str
    creation_time: int
    first_event_timestamp: int | None
    last_event_timestamp: int | None
    last_ingestion_time: int | None
    stored_bytes: int

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "logStreamName": self.name,
            "creationTime": self.creation_time,
            "arn": f"{self.group.arn}:log-stream:{self.name}",
            "storedBytes": self.stored_bytes,
        }
        if self.first_event_timestamp is not None:
            out["firstEventTimestamp"] = self.first_event_timestamp
            out["lastEventTimestamp"] = self.last_event_timestamp
        if self.last_ingestion_time is not None:
            out["lastIngestionTime"] = self.last_ingestion_time
            out["uploadSequenceToken"] = sequence_token(self.last_ingestion_time)
        return out


def position(timestamp: int, event_id: int) -> int:
    return timestamp * _POSITION + event_id


def unpack_position(value: int) -> tuple[int, int]:
    """(timestamp, id) of a packed position."""
    return divmod(value, _POSITION)


def event_id(timestamp: int, row_id: int) -> str:
    """FilterLogEvents' `eventId`: 56 digits, as AWS's are."""
    return f"{position(timestamp, row_id):056d}"


def sequence_token(value: int) -> str:
    """PutLogEvents' `nextSequenceToken` (ignored on input, as AWS has done since 2023)."""
    return f"{value:056d}"


def stream_token(direction: str, value: int) -> str:
    return f"{direction}/{value:056d}/s"


def parse_stream_token(token: str) -> tuple[str, int]:
    """(direction "f" or "b", packed position) of a GetLogEvents token."""
    parts = token.split("/")
    if len(parts) != 3 or parts[0] not in ("f", "b") or not parts[1].isdigit():
        raise invalid_parameter("The specified nextToken is invalid.")
    return parts[0], int(parts[1])


def encode_token(value: Any) -> str:
    """An opaque pagination token for any JSON value."""
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


def decode_token(token: str) -> Any:
    try:
        return json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, binascii.Error):
        raise invalid_parameter("The specified nextToken is invalid.") from None
