"""CloudWatch Logs' persistence, and the in-process API other services write logs through.

Three tables (migrations in namespace "logs"):

    logs_groups   one row per log group: (account, region, name) unique, retention, tags, bytes
    logs_streams  one row per stream of a group (cascade-deleted with it), with its event stats
    logs_events   one row per event: group id, stream id, timestamp, ingestion time, message;
                  indexed by (stream_id, timestamp, id) for GetLogEvents and by
                  (group_id, timestamp, id) for FilterLogEvents, so every read is a range scan

Other services (Lambda, Step Functions, the supervisor's captured output) write logs in-process,
without the API's batch rules (chronological order, 24-hour span, age limits):

    from cloudlet.services.logs.store import LogStore

    logs = LogStore(platform.store)
    logs.put_events(account, region, "/aws/lambda/my-fn", "2026/01/01/[$LATEST]abc",
                    [(timestamp_ms, "START RequestId: ..."), ...], create=True)

`create=True` creates the group and stream when missing (as Lambda's service role does); events
are sorted by timestamp. `LogStore` is cheap to construct (its migrations run once per database).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Sequence
from typing import Any

from cloudlet.errors import ServiceError
from cloudlet.platform.store import Migration, Store
from cloudlet.services.logs.models import (
    LogGroup,
    LogStream,
    group_not_found,
    stream_not_found,
)

_MIGRATIONS: list[Migration] = [
    (
        "0001_groups_streams_events",
        """
        CREATE TABLE logs_groups (
            id INTEGER PRIMARY KEY,
            account TEXT NOT NULL,
            region TEXT NOT NULL,
            name TEXT NOT NULL,
            creation_time INTEGER NOT NULL,
            retention_days INTEGER,
            kms_key_id TEXT,
            log_group_class TEXT NOT NULL DEFAULT 'STANDARD',
            tags TEXT NOT NULL DEFAULT '{}',
            stored_bytes INTEGER NOT NULL DEFAULT 0,
            UNIQUE (account, region, name)
        );
        CREATE TABLE logs_streams (
            id INTEGER PRIMARY KEY,
            group_id INTEGER NOT NULL REFERENCES logs_groups (id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            creation_time INTEGER NOT NULL,
            first_event_timestamp INTEGER,
            last_event_timestamp INTEGER,
            last_ingestion_time INTEGER,
            stored_bytes INTEGER NOT NULL DEFAULT 0,
            UNIQUE (group_id, name)
        );
        CREATE TABLE logs_events (
            id INTEGER PRIMARY KEY,
            group_id INTEGER NOT NULL,
            stream_id INTEGER NOT NULL,
            timestamp INTEGER NOT NULL,
            ingestion_time INTEGER NOT NULL,
            message TEXT NOT NULL
        );
        CREATE INDEX logs_events_by_stream ON logs_events (stream_id, timestamp, id);
        CREATE INDEX logs_events_by_group ON logs_events (group_id, timestamp, id);
        """,
    )
]

_GROUP_COLUMNS = (
    "id, account, region, name, creation_time, retention_days, kms_key_id, log_group_class,"
    " tags, stored_bytes"
)
_STREAM_COLUMNS = (
    "id, name, creation_time, first_event_timestamp, last_event_timestamp, last_ingestion_time,"
    " stored_bytes"
)


def now_ms() -> int:
    return int(time.time() * 1000)


def _group(row: sqlite3.Row) -> LogGroup:
    return LogGroup(
        id=row[0],
        account=row[1],
        region=row[2],
        name=row[3],
        creation_time=row[4],
        retention_days=row[5],
        kms_key_id=row[6],
        log_group_class=row[7],
        tags=json.loads(row[8]),
        stored_bytes=row[9],
    )


def _stream(group: LogGroup, row: sqlite3.Row) -> LogStream:
    return LogStream(row[0], group, *row[1:])


class LogStore:
    """Log groups, streams and events of every account and region."""

    def __init__(self, store: Store) -> None:
        store.migrate("logs", _MIGRATIONS)
        self.store = store

    # groups

    def find_group(self, account: str, region: str, name: str) -> LogGroup | None:
        row = self.store.query_one(
            f"SELECT {_GROUP_COLUMNS} FROM logs_groups"
            " WHERE account = ? AND region = ? AND name = ?",
            (account, region, name),
        )
        return _group(row) if row else None

    def group(self, account: str, region: str, name: str) -> LogGroup:
        group = self.find_group(account, region, name)
        if group is None:
            raise group_not_found()
        return group

    def create_group(
        self,
        account: str,
        region: str,
        name: str,
        *,
        kms_key_id: str | None = None,
        tags: dict[str, str] | None = None,
        log_group_class: str | None = None,
    ) -> LogGroup:
        cursor = self.store.execute(
            "INSERT OR IGNORE INTO logs_groups"
            " (account, region, name, creation_time, kms_key_id, log_group_class, tags)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                account,
                region,
                name,
                now_ms(),
                kms_key_id,
                log_group_class or "STANDARD",
                json.dumps(tags or {}),
            ),
        )
        if cursor.rowcount != 1:
            raise ServiceError(
                "The specified log group already exists", code="ResourceAlreadyExistsException"
            )
        return self.group(account, region, name)

    def delete_group(self, group: LogGroup) -> None:
        with self.store.atomic() as conn:
            conn.execute("DELETE FROM logs_events WHERE group_id = ?", (group.id,))
            conn.execute("DELETE FROM logs_groups WHERE id = ?", (group.id,))

    def groups(
        self,
        account: str,
        region: str,
        *,
        prefix: str | None = None,
        pattern: str | None = None,
        log_group_class: str | None = None,
        names: Sequence[str] | None = None,
        after: str | None = None,
        limit: int = 50,
    ) -> list[LogGroup]:
        """Groups in name order, after `after`; `pattern` is a case-insensitive substring."""
        sql = f"SELECT {_GROUP_COLUMNS} FROM logs_groups WHERE account = ? AND region = ?"
        params: list[Any] = [account, region]
        if prefix:
            sql += " AND name >= ? AND name < ?"
            params += [prefix, prefix + "\U0010ffff"]
        if pattern:
            sql += " AND instr(lower(name), lower(?)) > 0"
            params.append(pattern)
        if log_group_class:
            sql += " AND log_group_class = ?"
            params.append(log_group_class)
        if names is not None:
            sql += f" AND name IN ({', '.join('?' * len(names))})"
            params += list(names)
        if after is not None:
            sql += " AND name > ?"
            params.append(after)
        sql += " ORDER BY name LIMIT ?"
        params.append(limit)
        return [_group(row) for row in self.store.query(sql, params)]

    def set_retention(self, group: LogGroup, days: int | None) -> None:
        self.store.execute(
            "UPDATE logs_groups SET retention_days = ? WHERE id = ?", (days, group.id)
        )
        group.retention_days = days
        if days is not None:
            self.expire(group)

    def set_tags(self, group: LogGroup, tags: dict[str, str]) -> None:
        self.store.execute(
            "UPDATE logs_groups SET tags = ? WHERE id = ?", (json.dumps(tags), group.id)
        )
        group.tags = tags

    # streams

    def find_stream(self, group: LogGroup, name: str) -> LogStream | None:
        row = self.store.query_one(
            f"SELECT {_STREAM_COLUMNS} FROM logs_streams WHERE group_id = ? AND name = ?",
            (group.id, name),
        )
        return _stream(group, row) if row else None

    def stream(self, group: LogGroup, name: str) -> LogStream:
        stream = self.find_stream(group, name)
        if stream is None:
            raise stream_not_found()
        return stream

    def create_stream(self, group: LogGroup, name: str) -> LogStream:
        cursor = self.store.execute(
            "INSERT OR IGNORE INTO logs_streams (group_id, name, creation_time) VALUES (?, ?, ?)",
            (group.id, name, now_ms()),
        )
        if cursor.rowcount != 1:
            raise ServiceError(
                "The specified log stream already exists", code="ResourceAlreadyExistsException"
            )
        return self.stream(group, name)

    def delete_stream(self, stream: LogStream) -> None:
        with self.store.atomic() as conn:
            conn.execute("DELETE FROM logs_events WHERE stream_id = ?", (stream.id,))
            conn.execute("DELETE FROM logs_streams WHERE id = ?", (stream.id,))
            conn.execute(
                "UPDATE logs_groups SET stored_bytes = max(0, stored_bytes - ?) WHERE id = ?",
                (stream.stored_bytes, stream.group.id),
            )

    def streams(
        self,
        group: LogGroup,
        *,
        prefix: str | None = None,
        by_last_event: bool = False,
        descending: bool = False,
        after: list[Any] | None = None,
        limit: int = 50,
    ) -> list[LogStream]:
        """Streams by name, or by last event time (streams without events first), keyset-paged:
        `after` is the sort key of the previous page's last stream (see `stream_sort_key`)."""
        order = "DESC" if descending else "ASC"
        key = "coalesce(last_event_timestamp, -1), name" if by_last_event else "name"
        sql = f"SELECT {_STREAM_COLUMNS} FROM logs_streams WHERE group_id = ?"
        params: list[Any] = [group.id]
        if prefix:
            sql += " AND name >= ? AND name < ?"
            params += [prefix, prefix + "\U0010ffff"]
        if after is not None:
            sql += f" AND ({key}) {'<' if descending else '>'} ({', '.join('?' * len(after))})"
            params += after
        if by_last_event:
            sql += f" ORDER BY coalesce(last_event_timestamp, -1) {order}, name {order}"
        else:
            sql += f" ORDER BY name {order}"
        sql += " LIMIT ?"
        params.append(limit)
        return [_stream(group, row) for row in self.store.query(sql, params)]

    # events

    def append(
        self, stream: LogStream, events: Sequence[tuple[int, str]], ingestion_time: int
    ) -> None:
        """Store events (already validated) and update the stream's and group's statistics."""
        if not events:
            return
        size = sum(len(message.encode()) for _, message in events)
        first = min(ts for ts, _ in events)
        last = max(ts for ts, _ in events)
        group_id = stream.group.id
        with self.store.atomic() as conn:
            conn.executemany(
                "INSERT INTO logs_events (group_id, stream_id, timestamp, ingestion_time, message)"
                " VALUES (?, ?, ?, ?, ?)",
                [(group_id, stream.id, ts, ingestion_time, message) for ts, message in events],
            )
            conn.execute(
                "UPDATE logs_streams SET"
                " first_event_timestamp = min(coalesce(first_event_timestamp, ?), ?),"
                " last_event_timestamp = max(coalesce(last_event_timestamp, ?), ?),"
                " last_ingestion_time = ?, stored_bytes = stored_bytes + ? WHERE id = ?",
                (first, first, last, last, ingestion_time, size, stream.id),
            )
            conn.execute(
                "UPDATE logs_groups SET stored_bytes = stored_bytes + ? WHERE id = ?",
                (size, group_id),
            )

    def put_events(
        self,
        account: str,
        region: str,
        group_name: str,
        stream_name: str,
        events: Iterable[tuple[int, str]],
        *,
        create: bool = True,
    ) -> int:
        """The in-process API: append `(timestamp_ms, message)` events; returns how many.

        With `create`, a missing group or stream is created; otherwise ResourceNotFoundException.
        """
        batch = sorted(events, key=lambda event: event[0])
        group = self.find_group(account, region, group_name)
        if group is None:
            if not create:
                raise group_not_found()
            try:
                group = self.create_group(account, region, group_name)
            except ServiceError:
                group = self.group(account, region, group_name)
        stream = self.find_stream(group, stream_name)
        if stream is None:
            if not create:
                raise stream_not_found()
            try:
                stream = self.create_stream(group, stream_name)
            except ServiceError:
                stream = self.stream(group, stream_name)
        self.append(stream, batch, now_ms())
        return len(batch)

    # retention

    def expire(self, group: LogGroup, now: int | None = None) -> int:
        """Delete the group's events past its retention period; returns how many."""
        if group.retention_days is None:
            return 0
        cutoff = group.oldest_kept(now if now is not None else now_ms())
        with self.store.atomic() as conn:
            deleted = conn.execute(
                "DELETE FROM logs_events WHERE group_id = ? AND timestamp < ?", (group.id, cutoff)
            ).rowcount
            if deleted:
                self._recount(conn, group.id)
        return int(deleted)

    def expire_all(self) -> int:
        """Apply every group's retention period (at start-up and periodically)."""
        rows = self.store.query(
            f"SELECT {_GROUP_COLUMNS} FROM logs_groups WHERE retention_days IS NOT NULL"
        )
        now = now_ms()
        return sum(self.expire(_group(row), now) for row in rows)

    def _recount(self, conn: sqlite3.Connection, group_id: int) -> None:
        conn.execute(
            "UPDATE logs_streams SET"
            " first_event_timestamp = (SELECT min(timestamp) FROM logs_events e"
            "   WHERE e.stream_id = logs_streams.id),"
            " last_event_timestamp = (SELECT max(timestamp) FROM logs_events e"
            "   WHERE e.stream_id = logs_streams.id),"
            " stored_bytes = (SELECT coalesce(sum(length(CAST(message AS BLOB))), 0)"
            "   FROM logs_events e WHERE e.stream_id = logs_streams.id)"
            " WHERE group_id = ?",
            (group_id,),
        )
        conn.execute(
            "UPDATE logs_groups SET stored_bytes = (SELECT coalesce(sum(stored_bytes), 0)"
            " FROM logs_streams WHERE group_id = ?) WHERE id = ?",
            (group_id, group_id),
        )
