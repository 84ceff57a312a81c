"""Persistence: one SQLite database (WAL) under the data directory, shared by every service.

`Store` owns the connection, named migrations and transactions. Services declare their tables as
named migrations (`store.migrate("logs", [("0001_events", "CREATE TABLE ...")])`), applied once and
recorded in `_migrations`. `Store.atomic()` is the one way to group writes: the outermost call is a
`BEGIN IMMEDIATE` transaction, nested calls are SAVEPOINTs. Outside `atomic()` every statement
commits on its own, so a write is durable once `execute` returns: WAL with `synchronous=NORMAL`
survives a `kill -9` of the server (the WAL is in the OS page cache; only a power loss could drop
the last transactions).

`Documents` is a small JSON document table for services whose resources are few and small (IAM
roles, log groups, ...): keyed by service, account, region, kind and id, listed in id order.

The event loop calls the store directly: SQLite answers in microseconds for these sizes, far less
than a thread hop would cost. The connection holds the database in `locking_mode=EXCLUSIVE`: the
data directory belongs to one cloudlet process anyway (`runner.claim_data_dir`), and without
shared locks a statement makes no `fcntl` calls and the WAL index lives in heap memory (a
GetItem's read costs half as much). The lock ends with the process, so a restart after `kill -9`
opens the database and recovers the WAL as usual. Pages are 1 KB (set when the file is created):
every commit writes its changed pages whole to the WAL, and cloudlet's rows are small, so a 1 KB
page makes a one-item write a third cheaper than SQLite's default 4 KB (measured: 6.9 vs 10.2 µs);
the price is paid by rows of hundreds of KB (a 300 KB item: 3.3 vs 1.6 ms).
"""

from __future__ import annotations

import builtins
import json
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

Migration = tuple[str, str]
"""A named migration: (name, SQL script)."""

_META_TABLES = frozenset({"_migrations", "sqlite_sequence"})


def quote_identifier(name: str) -> str:
    """Quote a table or column name for SQL (names are never bound as values)."""
    return '"' + name.replace('"', '""') + '"'


class Store:
    """The SQLite database of one cloudlet."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self._conn = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, cached_statements=512
        )
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        self._depth = 0
        for pragma in (
            "page_size=1024",
            "locking_mode=EXCLUSIVE",
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "foreign_keys=ON",
            "busy_timeout=5000",
            "temp_store=MEMORY",
        ):
            self._conn.execute(f"PRAGMA {pragma}")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS _migrations ("
            " namespace TEXT NOT NULL, name TEXT NOT NULL, applied_at REAL NOT NULL,"
            " PRIMARY KEY (namespace, name))"
        )

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def migrate(self, namespace: str, migrations: Sequence[Migration]) -> None:
        """Apply, in order, the migrations of `namespace` not applied yet."""
        with self._lock:
            applied = {
                row[0]
                for row in self._conn.execute(
                    "SELECT name FROM _migrations WHERE namespace = ?", (namespace,)
                )
            }
            for name, script in migrations:
                if name in applied:
                    continue
                with self.atomic() as conn:
                    for statement in _split_statements(script):
                        conn.execute(statement)
                    conn.execute(
                        "INSERT INTO _migrations VALUES (?, ?, ?)", (namespace, name, time.time())
                    )

    @contextmanager
    def atomic(self) -> Iterator[sqlite3.Connection]:
        """A transaction (outermost) or SAVEPOINT (nested); rolled back on any exception."""
        with self._lock:
            if self._depth == 0:
                self._conn.execute("BEGIN IMMEDIATE")
                begin, commit, rollback = None, "COMMIT", "ROLLBACK"
            else:
                savepoint = f"sp{self._depth}"
                begin = f"SAVEPOINT {savepoint}"
                commit = f"RELEASE {savepoint}"
                rollback = f"ROLLBACK TO {savepoint}; RELEASE {savepoint}"
            if begin:
                self._conn.execute(begin)
            self._depth += 1
            try:
                yield self._conn
            except BaseException:
                self._depth -= 1
                for statement in rollback.split("; "):
                    self._conn.execute(statement)
                raise
            self._depth -= 1
            self._conn.execute(commit)

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Cursor:
        with self._lock:
            return self._conn.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> sqlite3.Cursor:
        with self._lock:
            return self._conn.executemany(sql, rows)

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def query_one(
        self, sql: str, params: Sequence[Any] | dict[str, Any] = ()
    ) -> sqlite3.Row | None:
        with self._lock:
            row: sqlite3.Row | None = self._conn.execute(sql, params).fetchone()
            return row

    def tables(self) -> list[str]:
        rows = self.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        return [row[0] for row in rows if row[0] not in _META_TABLES]

    def wipe(self) -> None:
        """Delete every row of every service table; the schema stays."""
        with self.atomic() as conn:
            for table in self.tables():
                conn.execute(f"DELETE FROM {quote_identifier(table)}")


def _split_statements(script: str) -> list[str]:
    """The complete SQL statements of a script (a `;` inside a string literal stays put)."""
    statements, current = [], ""
    for piece in script.split(";"):
        current += piece + ";"
        if sqlite3.complete_statement(current):
            if current.strip(" \t\r\n;"):
                statements.append(current.strip())
            current = ""
    return statements


def _prefix_end(prefix: str) -> str | None:
    """The smallest string greater than every string starting with `prefix` (None: no bound)."""
    while prefix and ord(prefix[-1]) == 0x10FFFF:
        prefix = prefix[:-1]
    return prefix[:-1] + chr(ord(prefix[-1]) + 1) if prefix else None


_DOCUMENT_MIGRATIONS: list[Migration] = [
    (
        "0001_documents",
        """
        CREATE TABLE documents (
            service TEXT NOT NULL,
            account TEXT NOT NULL,
            region TEXT NOT NULL,
            kind TEXT NOT NULL,
            id TEXT NOT NULL,
            body TEXT NOT NULL,
            PRIMARY KEY (service, account, region, kind, id)
        ) WITHOUT ROWID;
        """,
    )
]


class Documents:
    """JSON documents of one service, per account and region (region "" for global services)."""

    def __init__(self, store: Store, service: str) -> None:
        store.migrate("platform", _DOCUMENT_MIGRATIONS)
        self.store = store
        self.service = service

    def put(self, account: str, region: str, kind: str, id: str, body: dict[str, Any]) -> None:
        self.store.execute(
            "INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?, ?, ?)",
            (self.service, account, region, kind, id, json.dumps(body, separators=(",", ":"))),
        )

    def insert(self, account: str, region: str, kind: str, id: str, body: dict[str, Any]) -> bool:
        """Insert unless the id exists; True when inserted."""
        cursor = self.store.execute(
            "INSERT OR IGNORE INTO documents VALUES (?, ?, ?, ?, ?, ?)",
            (self.service, account, region, kind, id, json.dumps(body, separators=(",", ":"))),
        )
        return cursor.rowcount == 1

    def get(self, account: str, region: str, kind: str, id: str) -> dict[str, Any] | None:
        row = self.store.query_one(
            "SELECT body FROM documents WHERE service = ? AND account = ? AND region = ?"
            " AND kind = ? AND id = ?",
            (self.service, account, region, kind, id),
        )
        return json.loads(row[0]) if row else None

    def delete(self, account: str, region: str, kind: str, id: str) -> bool:
        cursor = self.store.execute(
            "DELETE FROM documents WHERE service = ? AND account = ? AND region = ?"
            " AND kind = ? AND id = ?",
            (self.service, account, region, kind, id),
        )
        return cursor.rowcount > 0

    def list(
        self,
        account: str,
        region: str,
        kind: str,
        prefix: str = "",
        after: str | None = None,
        limit: int | None = None,
    ) -> list[tuple[str, dict[str, Any]]]:
        """(id, body) pairs in id order: ids starting with `prefix`, strictly after `after`."""
        sql = (
            "SELECT id, body FROM documents WHERE service = ? AND account = ? AND region = ?"
            " AND kind = ? AND id >= ?"
        )
        params: list[Any] = [self.service, account, region, kind, prefix]
        end = _prefix_end(prefix)
        if end is not None:
            sql += " AND id < ?"
            params.append(end)
        if after is not None:
            sql += " AND id > ?"
            params.append(after)
        sql += " ORDER BY id"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [(row[0], json.loads(row[1])) for row in self.store.query(sql, params)]

    def all(
        self, account: str, region: str, kind: str, prefix: str = ""
    ) -> builtins.list[dict[str, Any]]:
        """The bodies `list` finds, without their ids."""
        return [body for _, body in self.list(account, region, kind, prefix)]

    def every(self, kind: str) -> builtins.list[tuple[str, str, dict[str, Any]]]:
        """(account, region, body) of every document of `kind`, in every account and region."""
        rows = self.store.query(
            "SELECT account, region, body FROM documents WHERE service = ? AND kind = ?",
            (self.service, kind),
        )
        return [(row[0], row[1], json.loads(row[2])) for row in rows]
