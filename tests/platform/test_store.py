"""The SQLite store: named migrations, transactions and savepoints, documents, and durability of an
acknowledged write across `kill -9`."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cloudlet.platform.store import Documents, Store

HELPERS = Path(__file__).parent / "helpers"


def count(store: Store, table: str) -> int:
    row = store.query_one(f"SELECT count(*) FROM {table}")
    assert row is not None
    return int(row[0])


# Migrations


def test_migrations_are_applied_once_and_in_order(store: Store) -> None:
    first = [
        ("0001_items", "CREATE TABLE items (id INTEGER PRIMARY KEY)"),
        ("0002_name", "ALTER TABLE items ADD COLUMN name TEXT;\nINSERT INTO items VALUES (1, 'a')"),
    ]
    store.migrate("svc", first)
    store.migrate("svc", first)
    store.migrate("svc", [*first, ("0003_more", "INSERT INTO items VALUES (2, 'b')")])
    store.migrate("svc", [*first, ("0003_more", "INSERT INTO items VALUES (2, 'b')")])

    assert [tuple(row) for row in store.query("SELECT * FROM items ORDER BY id")] == [
        (1, "a"),
        (2, "b"),
    ]
    applied = store.query("SELECT name FROM _migrations WHERE namespace = 'svc' ORDER BY rowid")
    assert [row[0] for row in applied] == ["0001_items", "0002_name", "0003_more"]


def test_migrations_are_per_namespace(store: Store) -> None:
    store.migrate("one", [("0001", "CREATE TABLE one_t (x)")])
    store.migrate("two", [("0001", "CREATE TABLE two_t (x)")])
    assert {"one_t", "two_t"} <= set(store.tables())


def test_a_failing_migration_leaves_nothing_behind(store: Store) -> None:
    broken = [("0001_half", "CREATE TABLE half (x);\nINSERT INTO no_such_table VALUES (1);")]
    with pytest.raises(sqlite3.OperationalError):
        store.migrate("svc", broken)
    assert "half" not in store.tables()
    assert store.query("SELECT * FROM _migrations WHERE namespace = 'svc'") == []


def test_migration_statements_may_share_a_line(store: Store) -> None:
    store.migrate("svc", [("0001", "CREATE TABLE a (x); CREATE TABLE b (x);")])
    assert {"a", "b"} <= set(store.tables())


def test_semicolons_inside_literals_do_not_split_statements(store: Store) -> None:
    store.migrate("svc", [("0001", "CREATE TABLE t (x); INSERT INTO t VALUES ('a;b');")])
    assert store.query("SELECT x FROM t")[0][0] == "a;b"


def test_migrations_survive_reopening(tmp_path: Path) -> None:
    migrations = [("0001_t", "CREATE TABLE t (x);\nINSERT INTO t VALUES (1);")]
    for _ in range(2):
        store = Store(tmp_path / "db")
        store.migrate("svc", migrations)
        assert count(store, "t") == 1
        store.close()


# Transactions


@pytest.fixture
def table(store: Store) -> Store:
    store.migrate("test", [("0001", "CREATE TABLE t (x INTEGER)")])
    return store


def values(store: Store) -> list[int]:
    return [row[0] for row in store.query("SELECT x FROM t ORDER BY x")]


def test_atomic_commits_or_rolls_back_as_a_whole(table: Store) -> None:
    with table.atomic() as conn:
        conn.execute("INSERT INTO t VALUES (1)")
        conn.execute("INSERT INTO t VALUES (2)")
    with pytest.raises(RuntimeError), table.atomic() as conn:
        conn.execute("INSERT INTO t VALUES (3)")
        raise RuntimeError("abort")
    assert values(table) == [1, 2]


def test_nested_atomic_rolls_back_only_the_savepoint(table: Store) -> None:
    with table.atomic() as outer:
        outer.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(ValueError), table.atomic() as inner:
            inner.execute("INSERT INTO t VALUES (2)")
            raise ValueError("inner")
        with table.atomic() as inner:
            inner.execute("INSERT INTO t VALUES (3)")
            with pytest.raises(KeyError), table.atomic() as innermost:
                innermost.execute("INSERT INTO t VALUES (4)")
                raise KeyError("innermost")
        outer.execute("INSERT INTO t VALUES (5)")
    assert values(table) == [1, 3, 5]


def test_outer_rollback_discards_released_savepoints(table: Store) -> None:
    with pytest.raises(RuntimeError), table.atomic():
        with table.atomic() as inner:
            inner.execute("INSERT INTO t VALUES (1)")
        raise RuntimeError("outer")
    assert values(table) == []
    table.execute("INSERT INTO t VALUES (2)")  # the connection is usable again, outside atomic
    assert values(table) == [2]


def test_writes_are_there_after_reopening(table: Store) -> None:
    table.execute("INSERT INTO t VALUES (1)")
    with table.atomic() as conn:
        conn.execute("INSERT INTO t VALUES (2)")
    table.close()
    reopened = Store(table.path)
    try:
        assert values(reopened) == [1, 2]
    finally:
        reopened.close()


def test_the_database_belongs_to_one_store_at_a_time(table: Store) -> None:
    table.execute("INSERT INTO t VALUES (1)")
    other = sqlite3.connect(table.path, timeout=0)
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("SELECT * FROM t").fetchall()
    finally:
        other.close()


def test_wipe_empties_tables_but_keeps_schema(table: Store) -> None:
    table.execute("INSERT INTO t VALUES (1)")
    table.wipe()
    assert values(table) == []
    assert "t" in table.tables()


# Documents


@pytest.fixture
def docs(store: Store) -> Documents:
    return Documents(store, "iam")


def test_documents_put_get_insert_delete(docs: Documents) -> None:
    assert docs.get("111122223333", "", "role", "admin") is None
    docs.put("111122223333", "", "role", "admin", {"Arn": "a", "Tags": []})
    assert docs.get("111122223333", "", "role", "admin") == {"Arn": "a", "Tags": []}
    docs.put("111122223333", "", "role", "admin", {"Arn": "b"})
    assert docs.get("111122223333", "", "role", "admin") == {"Arn": "b"}
    assert docs.insert("111122223333", "", "role", "admin", {"Arn": "c"}) is False
    assert docs.insert("111122223333", "", "role", "other", {"Arn": "c"}) is True
    assert docs.delete("111122223333", "", "role", "admin") is True
    assert docs.delete("111122223333", "", "role", "admin") is False
    assert docs.get("111122223333", "", "role", "admin") is None


def test_documents_are_scoped(store: Store, docs: Documents) -> None:
    docs.put("111122223333", "us-east-1", "group", "g", {"n": 1})
    assert docs.get("444455556666", "us-east-1", "group", "g") is None
    assert docs.get("111122223333", "eu-west-1", "group", "g") is None
    assert docs.get("111122223333", "us-east-1", "user", "g") is None
    assert Documents(store, "sts").get("111122223333", "us-east-1", "group", "g") is None


def test_documents_list_prefix_after_limit(docs: Documents) -> None:
    for name in ["b", "a", "app-2", "app-1", "apple", "ap", "c"]:
        docs.put("1", "r", "fn", name, {"name": name})

    def ids(**kwargs: object) -> list[str]:
        return [i for i, _ in docs.list("1", "r", "fn", **kwargs)]  # type: ignore[arg-type]

    assert ids() == ["a", "ap", "app-1", "app-2", "apple", "b", "c"]
    assert ids(prefix="app") == ["app-1", "app-2", "apple"]
    assert ids(prefix="app", after="app-1") == ["app-2", "apple"]
    assert ids(prefix="app", limit=2) == ["app-1", "app-2"]
    assert ids(after="apple", limit=1) == ["b"]
    assert ids(prefix="zzz") == []
    assert docs.list("1", "r", "fn", prefix="apple") == [("apple", {"name": "apple"})]


_ids = st.text(st.characters(exclude_categories=["Cs"]), max_size=6)


@settings(max_examples=150, deadline=None)
@given(
    names=st.sets(_ids, max_size=12),
    prefix=_ids,
    after=st.none() | _ids,
    limit=st.none() | st.integers(0, 5),
)
def test_documents_list_matches_a_plain_filter(
    names: set[str],
    prefix: str,
    after: str | None,
    limit: int | None,
) -> None:
    store = Store(":memory:")
    docs = Documents(store, "svc")
    for name in names:
        docs.put("1", "r", "k", name, {})
    expected = sorted(n for n in names if n.startswith(prefix) and (after is None or n > after))
    listed = [i for i, _ in docs.list("1", "r", "k", prefix=prefix, after=after, limit=limit)]
    assert listed == expected[:limit]
    store.close()


# Durability


def test_acknowledged_writes_survive_kill_9(tmp_path: Path) -> None:
    db = tmp_path / "durable.db"
    writer = subprocess.Popen(
        [sys.executable, str(HELPERS / "store_writer.py"), str(db)],
        stdout=subprocess.PIPE,
        text=True,
    )
    acknowledged: list[int] = []
    try:
        assert writer.stdout is not None
        for line in writer.stdout:
            acknowledged.append(int(line))
            if len(acknowledged) == 300:
                writer.send_signal(signal.SIGKILL)  # mid-stream: more rows may be in flight
                break
    finally:
        writer.kill()
        writer.wait(timeout=30)
        if writer.stdout is not None:
            writer.stdout.close()
    assert writer.returncode == -signal.SIGKILL

    reopened = Store(db)
    try:
        stored = {row[0] for row in reopened.query("SELECT n FROM rows")}
    finally:
        reopened.close()
    assert set(acknowledged) <= stored
    assert stored == set(range(len(stored)))  # no holes: commits are in order
