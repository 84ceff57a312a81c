"""Asynchronous (`Event`) invocations: a durable queue, retries through the clock, destinations.

    Invoke(Event) ─▶ lambda_async_events row (202) ─▶ deliver ─▶ invoke.run (like a sync call)
        success                    ─▶ OnSuccess destination, row deleted
        function error             ─▶ retry after ~1 min, then ~2 min (MaximumRetryAttempts, ≤ 2)
        throttle (429)             ─▶ back on the queue: 1 s, 2 s, 4 s … up to 5 min
        retries or age exhausted   ─▶ OnFailure destination (or DLQ), row deleted

Every wait is a durable clock timer (`lambda:async-retry`), so `--time-scale` shortens it and a
restart keeps it; an event that was being delivered when cloudlet stopped is delivered again at
start (at-least-once, as AWS). Event age is AWS time: real age times the time scale, compared with
`MaximumEventAgeInSeconds`. Destinations get AWS's invocation record; a Lambda destination is
invoked asynchronously with the record as its event. SQS, SNS and EventBridge destinations are
used when cloudlet serves those services, otherwise the record is logged and dropped.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from typing import TYPE_CHECKING, Any

from cloudlet.errors import ServiceError
from cloudlet.platform.store import Migration
from cloudlet.services.lambda_.models import LATEST, function_arn, iso_timestamp

if TYPE_CHECKING:
    from cloudlet.services.lambda_.provider import LambdaProvider

log = logging.getLogger(__name__)

TIMER = "lambda:async-retry"
RETRY_DELAYS = (60.0, 120.0)
"""AWS's delays before the 2nd and 3rd attempt after a function error."""
MAX_THROTTLE_DELAY = 300.0
DEFAULT_MAX_AGE = 21600

_MIGRATIONS: list[Migration] = [
    (
        "0001_async_events",
        """
        CREATE TABLE lambda_async_events (
            id TEXT PRIMARY KEY,
            account TEXT NOT NULL,
            region TEXT NOT NULL,
            function TEXT NOT NULL,
            qualifier TEXT,
            payload BLOB NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            throttles INTEGER NOT NULL DEFAULT 0,
            enqueued REAL NOT NULL,
            waiting INTEGER NOT NULL DEFAULT 0
        );
        """,
    )
]


class AsyncQueue:
    """The Event queue of one server."""

    def __init__(self, provider: LambdaProvider) -> None:
        self.provider = provider
        self.store = provider.platform.store
        self.store.migrate("lambda", _MIGRATIONS)
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        """Register the timer handler and deliver events that were in flight at the last stop."""
        self.provider.platform.clock.on(TIMER, self._timer)
        for row in self.store.query("SELECT id FROM lambda_async_events WHERE waiting = 0"):
            self._deliver_soon(row["id"])

    def reset(self) -> None:
        for task in self._tasks:
            task.cancel()
        self._tasks.clear()

    def enqueue(
        self, account: str, region: str, name: str, qualifier: str | None, payload: bytes
    ) -> str:
        event_id = str(uuid.uuid4())
        self.store.execute(
            "INSERT INTO lambda_async_events (id, account, region, function, qualifier, payload,"
            " enqueued) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (event_id, account, region, name, qualifier, payload, time.time()),
        )
        self._deliver_soon(event_id)
        return event_id

    def _deliver_soon(self, event_id: str) -> None:
        task = asyncio.ensure_future(self._deliver(event_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _timer(self, payload: dict[str, Any]) -> None:
        self.store.execute(
            "UPDATE lambda_async_events SET waiting = 0 WHERE id = ?", (payload["id"],)
        )
        self._deliver_soon(payload["id"])

    def _wait(self, event_id: str, seconds: float, **changes: int) -> None:
        sets = ", ".join(f"{column} = ?" for column in changes)
        self.store.execute(
            f"UPDATE lambda_async_events SET waiting = 1{', ' if sets else ''}{sets} WHERE id = ?",
            (*changes.values(), event_id),
        )
        self.provider.platform.clock.schedule(TIMER, seconds, {"id": event_id})

    async def _deliver(self, event_id: str) -> None:
        from cloudlet.services.lambda_ import invoke

        row = self.store.query_one("SELECT * FROM lambda_async_events WHERE id = ?", (event_id,))
        if row is None:
            return
        account, region, name, qualifier = (
            row["account"],
            row["region"],
            row["function"],
            row["qualifier"],
        )
        record = self.provider.functions.find(account, region, name)
        if record is None:
            self._drop(event_id)
            return
        config = event_invoke_config(record, qualifier)
        max_age = config.get("MaximumEventAgeInSeconds", DEFAULT_MAX_AGE)
        max_retries = config.get("MaximumRetryAttempts", 2)
        payload = bytes(row["payload"])
        age = (time.time() - row["enqueued"]) * self.provider.platform.clock.time_scale
        if age > max_age:
            await self._finish(row, record, None, "EventAgeExceeded", row["attempts"])
            return
        if record.get("reserved") == 0:  # AWS sends such events straight to the failure path
            await self._finish(row, record, None, "RetriesExhausted", row["attempts"])
            return
        try:
            result, version = await invoke.run(
                self.provider, account, region, record, qualifier, payload, request_id=event_id
            )
        except ServiceError as error:
            if error.code == "TooManyRequestsException" or (error.status_code or 400) >= 500:
                delay = min(MAX_THROTTLE_DELAY, 2.0 ** row["throttles"])
                self._wait(event_id, delay, throttles=row["throttles"] + 1)
                return
            log.info("async event %s for %s dropped: %s", event_id, name, error)
            self._drop(event_id)
            return
        attempts = row["attempts"] + 1
        if result.outcome.error_type is None:
            await self._finish(row, record, (result, version), "Success", attempts)
        elif attempts <= max_retries:
            self._wait(
                event_id, RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1], attempts=attempts
            )
        else:
            await self._finish(row, record, (result, version), "RetriesExhausted", attempts)

    async def _finish(
        self,
        row: Any,
        record: dict[str, Any],
        outcome: tuple[Any, str] | None,
        condition: str,
        attempts: int,
    ) -> None:
        self._drop(row["id"])
        config = event_invoke_config(record, row["qualifier"])
        destinations = config.get("DestinationConfig") or {}
        target = (
            destinations.get("OnSuccess" if condition == "Success" else "OnFailure") or {}
        ).get("Destination")
        if not target and condition != "Success":
            target = (record["latest"].get("DeadLetterConfig") or {}).get("TargetArn")
        if not target:
            return
        document = invocation_record(row, outcome, condition, attempts)
        await self._send(row["account"], row["region"], target, document)

    async def _send(self, account: str, region: str, target: str, document: dict[str, Any]) -> None:
        body = json.dumps(document).encode()
        parts = target.split(":")
        service = parts[2] if len(parts) > 5 else ""
        try:
            if service == "lambda":
                name = parts[6]
                qualifier = parts[7] if len(parts) > 7 else None
                if self.provider.functions.find(parts[4], parts[3], name) is not None:
                    self.enqueue(parts[4], parts[3], name, qualifier, body)
                return
            services = self.provider.platform.services
            if service == "sqs":
                url = f"{self.provider.platform.config.endpoint}/{parts[4]}/{parts[5]}"
                await services.call(
                    "sqs",
                    "SendMessage",
                    {"QueueUrl": url, "MessageBody": body.decode()},
                    account=account,
                    region=region,
                )
            elif service == "sns":
                await services.call(
                    "sns",
                    "Publish",
                    {"TopicArn": target, "Message": body.decode()},
                    account=account,
                    region=region,
                )
            elif service == "events":
                detail_type = "Lambda Function Invocation Result - " + (
                    "Success" if document["requestContext"]["condition"] == "Success" else "Failure"
                )
                entry = {
                    "Source": "lambda",
                    "DetailType": detail_type,
                    "Detail": body.decode(),
                    "EventBusName": target,
                    "Resources": [document["requestContext"]["functionArn"], target],
                }
                await services.call(
                    "events", "PutEvents", {"Entries": [entry]}, account=account, region=region
                )
            else:
                log.warning("destination %s is not supported; invocation record dropped", target)
        except ServiceError as error:
            log.warning(
                "destination %s could not be reached (%s); invocation record dropped",
                target,
                error.message,
            )

    def _drop(self, event_id: str) -> None:
        self.store.execute("DELETE FROM lambda_async_events WHERE id = ?", (event_id,))


def event_invoke_config(record: dict[str, Any], qualifier: str | None) -> dict[str, Any]:
    config: dict[str, Any] = record["event_invoke"].get(qualifier or LATEST) or {}
    return config


def invocation_record(
    row: Any, outcome: tuple[Any, str] | None, condition: str, attempts: int
) -> dict[str, Any]:
    """AWS's invocation record, as destinations receive it."""
    qualifier = row["qualifier"] or LATEST
    payload = bytes(row["payload"])
    document: dict[str, Any] = {
        "version": "1.0",
        "timestamp": iso_timestamp(),
        "requestContext": {
            "requestId": row["id"],
            "functionArn": function_arn(row["region"], row["account"], row["function"], qualifier),
            "condition": condition,
            "approximateInvokeCount": attempts,
        },
        "requestPayload": _json_or_text(payload),
    }
    if outcome is not None:
        result, version = outcome
        context: dict[str, Any] = {"statusCode": 200, "executedVersion": version}
        if result.outcome.error_type is not None:
            context["functionError"] = "Unhandled"
        document["responseContext"] = context
        document["responsePayload"] = _json_or_text(result.outcome.payload)
    return document


def _json_or_text(data: bytes) -> Any:
    try:
        return json.loads(data)
    except ValueError:
        return data.decode(errors="replace")
