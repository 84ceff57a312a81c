"""Delivering one batch of stream records: invoke, retries, bisection, the on-failure record.

`Delivery.run(batch)` invokes the function through Lambda's synchronous path (`invoke.run`, so
concurrency limits apply) with `{"Records": [...]}` and handles what comes back:

    success                  checkpoint past the batch, LastProcessingResult OK
    function error           BisectBatchOnFunctionError: split in two, deliver each half (a split
                             uses no retry); otherwise retry after a back-off until
                             MaximumRetryAttempts (-1: until the records expire or age out)
    ReportBatchItemFailures  checkpoint up to the lowest failed record, retry from there; an
                             invalid report (unknown, empty or null identifier, bad JSON) fails
                             the whole batch
    throttle, function not active or not found (before it ran): back off, no retry used
    retries exhausted / records older than MaximumRecordAgeInSeconds: AWS's failure record
                             (`DDBStreamBatchInfo`) to the on-failure destination, checkpoint past

`Checkpoint` turns finished records into the mapping's durable position: the newest sequence
number at or before which every record of the window is finished, whatever order lanes finish in.
"""

from __future__ import annotations

import json
import time
import uuid as uuids
from base64 import b64encode
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cloudlet.errors import ServiceError
from cloudlet.services.dynamodb import streams
from cloudlet.services.lambda_.models import function_arn, iso_timestamp, not_found

if TYPE_CHECKING:
    from cloudlet.services.lambda_.environments import Result
    from cloudlet.services.lambda_.event_sources import EventSources, Mapping, Poller

BACKOFF_BASE = 0.25
"""First back-off before retrying a failed or throttled batch (AWS seconds), doubling after."""
MAX_BACKOFF = 60.0
"""Cap of that back-off."""
OK = "OK"


@dataclass
class Entry:
    """One stream record on its way to the function."""

    seq: int
    created: float
    text: str
    """The record as the function receives it (JSON)."""
    keys: str

    @property
    def sequence_number(self) -> str:
        return str(streams.SEQUENCE_BASE + self.seq)


class Stopped(Exception):
    """The mapping was disabled or deleted while a batch was being delivered."""


class Checkpoint:
    """Advances a mapping's position as the records of one window finish, in any order."""

    def __init__(self, sources: EventSources, uuid: str, entries: list[Entry]) -> None:
        self.sources = sources
        self.uuid = uuid
        self.pending = deque(entry.seq for entry in entries)
        self.finished: set[int] = set()

    def finish(self, entries: list[Entry]) -> None:
        self.finished.update(entry.seq for entry in entries)
        position = None
        while self.pending and self.pending[0] in self.finished:
            position = self.pending.popleft()
            self.finished.discard(position)
        if position is not None:
            self.sources.commit(self.uuid, position)


class Delivery:
    """One batch through invoke, retries, bisection and the on-failure destination."""

    def __init__(self, poller: Poller, mapping: Mapping, checkpoint: Checkpoint) -> None:
        self.poller = poller
        self.sources = poller.sources
        self.provider = poller.sources.provider
        self.mapping = mapping
        self.config = mapping.config
        self.checkpoint = checkpoint

    async def run(
        self, batch: list[Entry], invoked: int = 0, last: tuple[Result, str] | None = None
    ) -> None:
        """Deliver `batch` until it succeeds or is discarded (`invoked`: earlier invocations of
        these records, when `batch` is half of a bisected one)."""
        attempts = throttles = 0
        while batch:
            if self.poller.stopping:
                raise Stopped
            expired = self._expired(batch)
            if expired:
                await self._discard(expired, "MaximumRecordAgeExceeded", invoked, last)
                batch = batch[len(expired) :]
                continue
            try:
                result, version = await self._invoke(batch)
            except ServiceError as error:  # before the function ran: no retry used
                throttles += 1
                self.sources.set_result(self.mapping.uuid, _problem(error))
                await self.poller.sleep(min(MAX_BACKOFF, BACKOFF_BASE * 2**throttles))
                continue
            invoked += 1
            last = (result, version)
            failed = _failed_from(self.config, batch, result)
            if failed is None:
                self.checkpoint.finish(batch)
                self.sources.set_result(self.mapping.uuid, OK)
                return
            index, reported = failed
            self.sources.set_result(self.mapping.uuid, "PROBLEM: Function call failed")
            self.checkpoint.finish(batch[:index])
            batch = batch[index:]
            if not reported and self.config["BisectBatchOnFunctionError"] and len(batch) > 1:
                half = len(batch) // 2
                await self.run(batch[:half], invoked, last)
                await self.run(batch[half:], invoked, last)
                return
            attempts += 1
            retries = self.config["MaximumRetryAttempts"]
            if 0 <= retries < attempts:
                await self._discard(batch, "RetryAttemptsExhausted", invoked, last)
                return
            await self.poller.sleep(min(MAX_BACKOFF, BACKOFF_BASE * 2**attempts))

    def _expired(self, batch: list[Entry]) -> list[Entry]:
        """The leading records older than MaximumRecordAgeInSeconds (AWS time), or trimmed
        from the stream meanwhile (24 hours: what -1, "until the records expire", comes to)."""
        limit = self.config["MaximumRecordAgeInSeconds"]
        now, scale = time.time(), self.poller.clock.time_scale

        def expired(entry: Entry) -> bool:
            age = now - entry.created
            return age > streams.RETENTION_SECONDS or 0 <= limit < age * scale

        count = 0
        while count < len(batch) and expired(batch[count]):
            count += 1
        return batch[:count]

    async def _invoke(self, batch: list[Entry]) -> tuple[Result, str]:
        from cloudlet.services.lambda_ import invoke

        account, region = self.mapping.account, self.mapping.region
        name, qualifier = self.config["_function"], self.config["_qualifier"]
        record = self.provider.functions.find(account, region, name)
        if record is None:
            raise not_found("Function", function_arn(region, account, name))
        payload = ('{"Records":[' + ",".join(entry.text for entry in batch) + "]}").encode()
        return await invoke.run(self.provider, account, region, record, qualifier, payload)

    async def _discard(
        self, batch: list[Entry], condition: str, invoked: int, last: tuple[Result, str] | None
    ) -> None:
        """Send AWS's record of a discarded batch to the on-failure destination; move on."""
        target = ((self.config.get("DestinationConfig") or {}).get("OnFailure") or {}).get(
            "Destination"
        )
        if target:
            document = failure_record(self.mapping, batch, condition, invoked, last)
            # The async queue's sender: a Lambda target gets an Event invocation, SQS and SNS
            # targets a message once cloudlet serves them.
            await self.provider.async_queue._send(
                self.mapping.account, self.mapping.region, target, document
            )
        self.checkpoint.finish(batch)


def failure_record(
    mapping: Mapping,
    batch: list[Entry],
    condition: str,
    invoked: int,
    last: tuple[Result, str] | None,
) -> dict[str, Any]:
    """The document an on-failure destination receives for a discarded stream batch."""
    document: dict[str, Any] = {
        "requestContext": {
            "requestId": str(uuids.uuid4()),
            "functionArn": mapping.config["FunctionArn"],
            "condition": condition,
            "approximateInvokeCount": invoked,
        }
    }
    if last is not None:
        result, version = last
        context: dict[str, Any] = {"statusCode": 200, "executedVersion": version}
        if result.outcome.error_type is not None:
            context["functionError"] = "Unhandled"
        document["responseContext"] = context
    document["version"] = "1.0"
    document["timestamp"] = iso_timestamp()
    document["DDBStreamBatchInfo"] = {
        "shardId": mapping.config["_shard"],
        "startSequenceNumber": batch[0].sequence_number,
        "endSequenceNumber": batch[-1].sequence_number,
        "approximateArrivalOfFirstRecord": _seconds(batch[0].created),
        "approximateArrivalOfLastRecord": _seconds(batch[-1].created),
        "batchSize": len(batch),
        "streamArn": mapping.config["EventSourceArn"],
    }
    return document


def _failed_from(
    config: dict[str, Any], batch: list[Entry], result: Result
) -> tuple[int, bool] | None:
    """None when the batch succeeded, else (index of the first record to retry, whether the
    function reported it through ReportBatchItemFailures)."""
    if result.outcome.error_type is not None:
        return 0, False
    if "ReportBatchItemFailures" not in (config.get("FunctionResponseTypes") or []):
        return None
    try:
        response = json.loads(result.outcome.payload or b"null")
    except ValueError:
        return 0, False  # an invalid JSON response fails the whole batch
    if not isinstance(response, dict):
        return None
    failures = response.get("batchItemFailures")
    if failures is None or failures == []:
        return None
    if not isinstance(failures, list):
        return 0, False
    index = {entry.sequence_number: position for position, entry in enumerate(batch)}
    found = []
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not isinstance(identifier, str) or identifier not in index:
            return 0, False  # null, empty or unknown identifiers fail the whole batch
        found.append(index[identifier])
    return min(found), True


def _problem(error: ServiceError) -> str:
    if error.code == "TooManyRequestsException":
        return "PROBLEM: Function call throttled."
    if error.code == "ResourceNotFoundException":
        return "PROBLEM: Function not found."
    return f"PROBLEM: {error.message}"


def json_default(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return b64encode(value).decode()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _seconds(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
