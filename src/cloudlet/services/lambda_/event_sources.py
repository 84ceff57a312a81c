"""Event source mappings from DynamoDB streams: their store, their life cycle, their pollers.

    CreateEventSourceMapping ─▶ row, State Creating ─▶ settle ─▶ Enabled + a Poller task
    Poller:  stream records after the checkpoint (`streams.read_records`) ─▶ batching window
             ─▶ FilterCriteria (dropped records count as processed) ─▶ ParallelizationFactor lanes
             (records of one item share a lane, so they stay in order)
             ─▶ batches of BatchSize, each a `Delivery` (event_delivery.py: invoke, retries,
             bisection, on-failure destination)

The checkpoint (`position`, the newest sequence number at or before which every record is
processed) is one durable UPDATE per finished batch, so a restart neither redelivers a
committed batch nor skips a record; a batch in flight at a crash is delivered again
(at-least-once, as on AWS). Retry counts of a failing batch live in memory and start again
after a restart. Every AWS-defined wait (poll interval, batching window, back-off) goes through
the platform clock; an idle mapping polls 4 times per AWS second, as Lambda does, on ticks all
idle pollers share (one loop wakeup a tick), and without a query while its stream has no record
past its position (`streams.read_records` knows each stream's newest sequence number). A batch
carries at most 6 MB of records (the synchronous payload limit).

State changes happen right after the API response (`settle`): Creating/Enabling/Updating →
Enabled (poller running), Disabling → Disabled and Deleting → gone once the poller has stopped,
which waits for an invocation in flight to finish. Pollers of Enabled mappings resume at boot.
A mapping whose function was deleted stays (as on AWS) and backs off until it exists again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cloudlet.platform.store import Migration
from cloudlet.services.dynamodb import streams
from cloudlet.services.lambda_.event_delivery import (
    Checkpoint,
    Delivery,
    Entry,
    Stopped,
    json_default,
)
from cloudlet.services.lambda_.event_filters import Criteria, compile_criteria
from cloudlet.services.lambda_.models import SYNC_PAYLOAD_LIMIT

if TYPE_CHECKING:
    from cloudlet.services.lambda_.provider import LambdaProvider

log = logging.getLogger(__name__)

POLL_SECONDS = 0.25
"""Lambda polls a stream shard 4 times per second while it finds nothing."""
MIN_REAL_SLEEP = 0.01
"""However fast `--time-scale` runs AWS time, a poller sleeps this long at least (no busy loop)."""
TRANSITIONAL = ("Creating", "Enabling", "Disabling", "Updating", "Deleting")
NOTHING_YET = "No records processed"

_MIGRATIONS: list[Migration] = [
    (
        "esm_0001_mappings",
        """
        CREATE TABLE lambda_event_source_mappings (
            uuid TEXT PRIMARY KEY,
            account TEXT NOT NULL,
            region TEXT NOT NULL,
            created REAL NOT NULL,
            config TEXT NOT NULL,
            position INTEGER NOT NULL DEFAULT 0,
            last_result TEXT NOT NULL DEFAULT 'No records processed'
        );
        CREATE INDEX lambda_esm_scope ON lambda_event_source_mappings (account, region, created);
        """,
    )
]


@dataclass
class Mapping:
    """One event source mapping as stored."""

    uuid: str
    account: str
    region: str
    config: dict[str, Any]
    """The wire-shaped configuration, plus `_function`, `_qualifier` (the target), `_enabled`
    (the state the user asked for) and `_shard` (the stream's shard id)."""
    position: int = 0
    """Checkpoint: every record with a sequence number up to this one is processed."""
    last_result: str = NOTHING_YET
    created: float = field(default_factory=time.time)


class EventSources:
    """The mappings of one server and their pollers."""

    def __init__(self, provider: LambdaProvider) -> None:
        self.provider = provider
        self.platform = provider.platform
        self.store = provider.platform.store
        self.store.migrate("lambda", _MIGRATIONS)
        self._pollers: dict[str, Poller] = {}
        self._tasks: set[asyncio.Future[None]] = set()

    # store

    def insert(self, mapping: Mapping) -> None:
        self.store.execute(
            "INSERT INTO lambda_event_source_mappings VALUES (?, ?, ?, ?, ?, ?, ?)",
            (mapping.uuid, mapping.account, mapping.region, mapping.created,
             json.dumps(mapping.config), mapping.position, mapping.last_result),
        )  # fmt: skip

    def save(self, mapping: Mapping) -> None:
        """Write the configuration (position and result are the poller's)."""
        self.store.execute(
            "UPDATE lambda_event_source_mappings SET config = ? WHERE uuid = ?",
            (json.dumps(mapping.config), mapping.uuid),
        )
        poller = self._pollers.get(mapping.uuid)
        if poller is not None:
            poller.stale = True

    def load(self, uuid: str) -> Mapping | None:
        row = self.store.query_one(
            "SELECT * FROM lambda_event_source_mappings WHERE uuid = ?", (uuid,)
        )
        return _mapping(row) if row is not None else None

    def find(self, account: str, region: str, uuid: str) -> Mapping | None:
        mapping = self.load(uuid)
        if mapping is None or (mapping.account, mapping.region) != (account, region):
            return None
        return mapping

    def listing(self, account: str, region: str) -> list[Mapping]:
        rows = self.store.query(
            "SELECT * FROM lambda_event_source_mappings WHERE account = ? AND region = ?"
            " ORDER BY created, uuid",
            (account, region),
        )
        return [_mapping(row) for row in rows]

    def commit(self, uuid: str, position: int) -> None:
        self.store.execute(
            "UPDATE lambda_event_source_mappings SET position = ? WHERE uuid = ? AND position < ?",
            (position, uuid, position),
        )

    def set_result(self, uuid: str, result: str) -> None:
        self.store.execute(
            "UPDATE lambda_event_source_mappings SET last_result = ? WHERE uuid = ?",
            (result, uuid),
        )

    # life cycle

    def start(self) -> None:
        """At provider start: finish interrupted state changes, resume enabled pollers."""
        for row in self.store.query("SELECT uuid, config FROM lambda_event_source_mappings"):
            state = json.loads(row["config"])["State"]
            if state in TRANSITIONAL:
                self.settle_soon(row["uuid"])
            elif state == "Enabled":
                self._start_poller(row["uuid"])

    async def reset(self) -> None:
        await self.shutdown()

    async def shutdown(self) -> None:
        for task in [*self._tasks, *(poller.task for poller in self._pollers.values())]:
            task.cancel()
        for task in [*self._tasks, *(poller.task for poller in self._pollers.values())]:
            with contextlib.suppress(BaseException):
                await task
        self._pollers.clear()
        self._tasks.clear()

    def settle_soon(self, uuid: str) -> None:
        """Move a mapping out of its transitional state right after the current response."""
        task = asyncio.ensure_future(self._settle(uuid))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _settle(self, uuid: str) -> None:
        await asyncio.sleep(0)
        mapping = self.load(uuid)
        if mapping is None or mapping.config["State"] not in TRANSITIONAL:
            return
        state = mapping.config["State"]
        running = state != "Deleting" and bool(mapping.config["_enabled"])
        if running:
            self._start_poller(uuid)
        else:
            await self._stop_poller(uuid)
        mapping = self.load(uuid)
        if mapping is None or mapping.config["State"] != state:
            return  # another change came in meanwhile and settles itself
        if state == "Deleting":
            self.store.execute("DELETE FROM lambda_event_source_mappings WHERE uuid = ?", (uuid,))
            return
        mapping.config["State"] = "Enabled" if running else "Disabled"
        mapping.config["LastModified"] = time.time()
        self.save(mapping)

    def _start_poller(self, uuid: str) -> None:
        poller = self._pollers.get(uuid)
        if poller is None or poller.task.done():
            self._pollers[uuid] = Poller(self, uuid)

    async def _stop_poller(self, uuid: str) -> None:
        poller = self._pollers.pop(uuid, None)
        if poller is not None:
            poller.stop()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await poller.task


def _mapping(row: Any) -> Mapping:
    return Mapping(
        uuid=row["uuid"],
        account=row["account"],
        region=row["region"],
        config=json.loads(row["config"]),
        position=row["position"],
        last_result=row["last_result"],
        created=row["created"],
    )


class Poller:
    """The polling task of one enabled mapping."""

    def __init__(self, sources: EventSources, uuid: str) -> None:
        self.sources = sources
        self.uuid = uuid
        self.clock = sources.platform.clock
        self._stopped = False
        self._waiter: asyncio.Future[None] | None = None
        self.stale = False
        """Set when the API changed the mapping: the next poll reads it again."""
        self._sid: int | None = None
        self._criteria: tuple[str, Criteria] = ("", Criteria())
        self.task = asyncio.ensure_future(self._run())

    def stop(self) -> None:
        """Stop after the invocation in flight, if any (sleeps end at once)."""
        self._stopped = True
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    @property
    def stopping(self) -> bool:
        return self._stopped

    async def sleep(self, aws_seconds: float) -> None:
        """Wait `aws_seconds` on the clock, or less when the poller is stopped."""
        await self._wait(max(MIN_REAL_SLEEP, self.clock.real_seconds(aws_seconds)))

    async def _next_poll(self) -> None:
        """Wait for the next poll tick. Every idle poller polls on the same ticks, 4 per AWS
        second, so the loop wakes once a tick for all of them, not once for each."""
        period = max(MIN_REAL_SLEEP, self.clock.real_seconds(POLL_SECONDS))
        now = asyncio.get_running_loop().time()
        await self._wait((now // period + 1) * period - now)

    async def _wait(self, delay: float) -> None:
        """Wait `delay` real seconds, or less when the poller is stopped."""
        if self._stopped:
            return
        loop = asyncio.get_running_loop()
        self._waiter = waiter = loop.create_future()
        handle = loop.call_later(delay, _wake, waiter)
        try:
            await waiter
        finally:
            handle.cancel()
            self._waiter = None

    async def _run(self) -> None:
        mapping: Mapping | None = None
        while not self._stopped:
            if mapping is None or self.stale:  # idle polls reuse the mapping they read
                self.stale = False
                mapping = self.sources.load(self.uuid)
                if mapping is None or not mapping.config["_enabled"]:
                    return
                if mapping.config["State"] in ("Disabling", "Disabled", "Deleting"):
                    return
            try:
                entries = await self._gather(mapping)
                if not entries:
                    await self._next_poll()
                    continue
                await self._process(mapping, entries)
            except Stopped:
                return
            except Exception:
                log.exception("event source mapping %s: poll failed", self.uuid)
                await self.sleep(1.0)
            mapping = None  # the checkpoint moved: read it again

    async def _gather(self, mapping: Mapping) -> list[Entry]:
        """Up to BatchSize times ParallelizationFactor records, waiting out the batching window."""
        config = mapping.config
        if self._sid is None:
            self._sid = streams.stream_id(self.sources.store, config["EventSourceArn"])
            if self._sid is None:
                return []
        limit = config["BatchSize"] * config["ParallelizationFactor"]
        records = streams.read_records(self.sources.store, self._sid, mapping.position, limit)
        window = config["MaximumBatchingWindowInSeconds"]
        if records and len(records) < limit and window > 0:
            deadline = time.monotonic() + self.clock.real_seconds(window)
            while len(records) < limit and not self._stopped:
                remaining = (deadline - time.monotonic()) * self.clock.time_scale
                if remaining <= 0:
                    break
                await self.sleep(min(remaining, POLL_SECONDS))
                records = streams.read_records(
                    self.sources.store, self._sid, mapping.position, limit
                )
        entries: list[Entry] = []
        size = 0
        for seq, body in records:
            wire = streams.to_wire(seq, body, mapping.region)
            wire["eventSourceARN"] = config["EventSourceArn"]
            text = json.dumps(wire, default=json_default, ensure_ascii=False)
            size += len(text.encode()) + 1
            if entries and size > SYNC_PAYLOAD_LIMIT - 64:
                break  # the rest waits for the next batch: an invocation carries at most 6 MB
            keys = json.dumps(body["k"], default=json_default, sort_keys=True)
            entries.append(Entry(seq, body["t"], text, keys))
        return entries

    def _filters(self, config: dict[str, Any]) -> Criteria:
        text = json.dumps(config.get("FilterCriteria") or {}, sort_keys=True)
        if self._criteria[0] != text:
            self._criteria = (text, compile_criteria(config.get("FilterCriteria")))
        return self._criteria[1]

    async def _process(self, mapping: Mapping, entries: list[Entry]) -> None:
        checkpoint = Checkpoint(self.sources, self.uuid, entries)
        criteria = self._filters(mapping.config)
        kept = [entry for entry in entries if criteria.matches(json.loads(entry.text))]
        if len(kept) < len(entries):
            chosen = {entry.seq for entry in kept}
            checkpoint.finish([entry for entry in entries if entry.seq not in chosen])
        factor = mapping.config["ParallelizationFactor"]
        lanes: list[list[Entry]] = [[] for _ in range(factor)]
        for entry in kept:  # one item's changes stay in order: they share a lane
            lanes[zlib.crc32(entry.keys.encode()) % factor].append(entry)
        outcomes = await asyncio.gather(
            *(self._lane(mapping, lane, checkpoint) for lane in lanes if lane),
            return_exceptions=True,  # every lane ends its invocation in flight before a stop
        )
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome

    async def _lane(self, mapping: Mapping, entries: list[Entry], checkpoint: Checkpoint) -> None:
        size = mapping.config["BatchSize"]
        for start in range(0, len(entries), size):
            await Delivery(self, mapping, checkpoint).run(entries[start : start + size])


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)
