"""Step Functions' tables (migrations in namespace "stepfunctions").

    sfn_definitions   definition texts by SHA-256, shared by state machines, versions and
                      executions (an execution records the hash of what it runs)
    sfn_executions    one row per Standard execution: identity, status, input/output, error,
                      the id of its last history event and the interpreter's checkpoint (JSON)
                      while it runs; indexed by state machine and start time, and by status
    sfn_events        one row per history event, keyed (execution row id, event id)
    sfn_tasks         open activity tasks and callback tokens (so they survive a restart)

State machines, versions, aliases and activities are few and small: `Documents` (kinds
"machine", "version", "alias", "activity").

`write_step` is the one write of an execution step: its new events, and the execution row's
status, checkpoint and event count. Writes are *group-committed*: steps queued during one turn of
the event loop are written in one transaction at the start of the next turn (before any new
request is read), and every read commits what is queued first, so readers always see them.
StartExecution awaits `committed()` before answering, so an acknowledged start survives a
`kill -9`; a step nobody was told about yet costs one shared commit instead of its own.
Execution row ids are handed out here (not by SQLite), so a step can be queued before its row
is written.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

import orjson

from cloudlet.platform.store import Migration, Store

_MIGRATIONS: list[Migration] = [
    (
        "0001_executions_events",
        """
        CREATE TABLE sfn_definitions (
            hash TEXT PRIMARY KEY,
            body TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE sfn_executions (
            id INTEGER PRIMARY KEY,
            arn TEXT NOT NULL UNIQUE,
            account TEXT NOT NULL,
            region TEXT NOT NULL,
            machine_arn TEXT NOT NULL,
            name TEXT NOT NULL,
            status TEXT NOT NULL,
            start REAL NOT NULL,
            stop REAL,
            input TEXT NOT NULL,
            output TEXT,
            error TEXT,
            cause TEXT,
            definition TEXT NOT NULL,
            role_arn TEXT NOT NULL,
            version_arn TEXT,
            alias_arn TEXT,
            trace_header TEXT,
            map_run_arn TEXT,
            redrive_count INTEGER NOT NULL DEFAULT 0,
            redrive_date REAL,
            last_event INTEGER NOT NULL DEFAULT 0,
            checkpoint TEXT
        );
        CREATE INDEX sfn_executions_by_machine ON sfn_executions (machine_arn, start);
        CREATE INDEX sfn_executions_by_status ON sfn_executions (status, machine_arn);
        CREATE TABLE sfn_events (
            execution INTEGER NOT NULL,
            id INTEGER NOT NULL,
            timestamp REAL NOT NULL,
            type TEXT NOT NULL,
            previous INTEGER NOT NULL,
            details TEXT NOT NULL,
            PRIMARY KEY (execution, id)
        ) WITHOUT ROWID;
        CREATE TABLE sfn_tasks (
            token TEXT PRIMARY KEY,
            execution INTEGER NOT NULL,
            activity TEXT,
            input TEXT,
            status TEXT NOT NULL,
            created REAL NOT NULL
        );
        CREATE INDEX sfn_tasks_by_activity ON sfn_tasks (activity, status, created);
        """,
    )
]

EXECUTION_COLUMNS = (
    "id, arn, account, region, machine_arn, name, status, start, stop, input, output, error,"
    " cause, definition, role_arn, version_arn, alias_arn, trace_header, map_run_arn,"
    " redrive_count, redrive_date, last_event, checkpoint"
)


def compact(value: Any) -> str:
    """Compact JSON (orjson when the value allows it: it is several times faster)."""
    try:
        return str(orjson.dumps(value).decode())
    except TypeError:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


Operation = Callable[[sqlite3.Connection], None]


class SfnStore:
    """Executions, history events, definitions and open tasks in SQLite."""

    def __init__(self, store: Store) -> None:
        store.migrate("stepfunctions", _MIGRATIONS)
        self.store = store
        self._known_definitions: set[str] = set()
        self._queue: list[Operation] = []
        self._waiters: list[asyncio.Future[None]] = []
        self._scheduled = False
        row = store.query_one("SELECT max(id) FROM sfn_executions")
        self._next_row = int(row[0] or 0) + 1 if row else 1

    # -- group commit ---------------------------------------------------------------------

    def _defer(self, operation: Operation) -> None:
        self._queue.append(operation)
        if not self._scheduled:
            self._scheduled = True
            try:
                asyncio.get_running_loop().call_soon(self.commit)
            except RuntimeError:
                self.commit()

    def commit(self) -> None:
        """Write everything queued, in one transaction, and wake who waits for it."""
        self._scheduled = False
        operations, self._queue = self._queue, []
        waiters, self._waiters = self._waiters, []
        if operations:
            with self.store.atomic() as conn:
                for operation in operations:
                    operation(conn)
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def committed(self) -> None:
        """Return once everything queued so far is in SQLite."""
        if not self._queue:
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        await waiter

    def _read(self) -> None:
        if self._queue:
            self.commit()

    # -- definitions ----------------------------------------------------------------------

    def put_definition(self, text: str) -> str:
        digest = hashlib.sha256(text.encode()).hexdigest()
        if digest not in self._known_definitions:
            self.store.execute(
                "INSERT OR IGNORE INTO sfn_definitions VALUES (?, ?)", (digest, text)
            )
            self._known_definitions.add(digest)
        return digest

    def definition(self, digest: str) -> str:
        row = self.store.query_one("SELECT body FROM sfn_definitions WHERE hash = ?", (digest,))
        return str(row[0]) if row else "{}"

    def forget(self) -> None:
        self._known_definitions.clear()
        self._queue.clear()
        self._next_row = 1

    # -- executions -----------------------------------------------------------------------

    def insert_execution(self, row: dict[str, Any]) -> int:
        """Queue a new execution row; returns its id at once."""
        row_id = self._next_row
        self._next_row += 1
        values = {"id": row_id, **row}
        sql = (
            f"INSERT INTO sfn_executions ({', '.join(values)})"
            f" VALUES ({', '.join('?' for _ in values)})"
        )
        params = tuple(values.values())

        def insert(conn: sqlite3.Connection) -> None:
            conn.execute(sql, params)

        self._defer(insert)
        return row_id

    def execution(self, arn: str) -> dict[str, Any] | None:
        self._read()
        row = self.store.query_one(
            f"SELECT {EXECUTION_COLUMNS} FROM sfn_executions WHERE arn = ?", (arn,)
        )
        return dict(row) if row is not None else None

    def executions(
        self,
        machine_arn: str,
        status: str | None,
        after: tuple[float, int] | None,
        limit: int,
        version_arn: str | None = None,
        map_run_arn: str | None = None,
        redriven: bool | None = None,
    ) -> list[dict[str, Any]]:
        """Newest first; `after` is the (start, id) of the last row of the previous page."""
        self._read()
        sql = f"SELECT {EXECUTION_COLUMNS} FROM sfn_executions WHERE "
        params: list[Any] = []
        if map_run_arn is not None:
            sql += "map_run_arn = ?"
            params.append(map_run_arn)
        else:
            sql += "machine_arn = ?"
            params.append(machine_arn)
        if version_arn is not None:
            sql += " AND (version_arn = ? OR alias_arn = ?)"
            params += [version_arn, version_arn]
        if status is not None:
            sql += " AND status = ?"
            params.append(status)
        if redriven is not None:
            sql += " AND redrive_count > 0" if redriven else " AND redrive_count = 0"
        if after is not None:
            sql += " AND (start < ? OR (start = ? AND id < ?))"
            params += [after[0], after[0], after[1]]
        sql += " ORDER BY start DESC, id DESC LIMIT ?"
        params.append(limit)
        return [dict(row) for row in self.store.query(sql, params)]

    def running(self) -> list[dict[str, Any]]:
        self._read()
        return [
            dict(row)
            for row in self.store.query(
                f"SELECT {EXECUTION_COLUMNS} FROM sfn_executions WHERE status = 'RUNNING'"
            )
        ]

    def write_step(
        self,
        execution_id: int,
        events: Sequence[tuple[int, float, str, int, dict[str, Any]]],
        fields: dict[str, Any],
    ) -> None:
        """Queue new events plus the execution row's changes (one group commit)."""
        rows = [(execution_id, e[0], e[1], e[2], e[3], compact(e[4])) for e in events]
        assignments = ", ".join(f"{key} = ?" for key in fields)
        params = (*fields.values(), execution_id)

        def write(conn: sqlite3.Connection) -> None:
            if rows:
                conn.executemany("INSERT INTO sfn_events VALUES (?, ?, ?, ?, ?, ?)", rows)
            if fields:
                conn.execute(f"UPDATE sfn_executions SET {assignments} WHERE id = ?", params)

        self._defer(write)

    # -- events ---------------------------------------------------------------------------

    def events(
        self, execution_id: int, after: int | None, limit: int, reverse: bool
    ) -> list[tuple[int, float, str, int, str]]:
        self._read()
        if reverse:
            sql = "SELECT id, timestamp, type, previous, details FROM sfn_events"
            sql += " WHERE execution = ? AND id < ? ORDER BY id DESC LIMIT ?"
            bound = after if after is not None else 2**62
        else:
            sql = "SELECT id, timestamp, type, previous, details FROM sfn_events"
            sql += " WHERE execution = ? AND id > ? ORDER BY id LIMIT ?"
            bound = after if after is not None else 0
        rows = self.store.query(sql, (execution_id, bound, limit))
        return [(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    # -- tasks ----------------------------------------------------------------------------

    def put_task(self, token: str, execution_id: int, activity: str | None, input: str) -> None:
        import time

        self.store.execute(
            "INSERT OR REPLACE INTO sfn_tasks VALUES (?, ?, ?, ?, 'SCHEDULED', ?)",
            (token, execution_id, activity, input, time.time()),
        )

    def delete_task(self, token: str) -> None:
        self.store.execute("DELETE FROM sfn_tasks WHERE token = ?", (token,))

    def tasks_of(self, execution_id: int) -> list[str]:
        rows = self.store.query("SELECT token FROM sfn_tasks WHERE execution = ?", (execution_id,))
        return [row[0] for row in rows]
