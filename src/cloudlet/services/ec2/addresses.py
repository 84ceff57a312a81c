"""Loopback addresses (127.x.y.z) for instances and load balancers, unique on this host.

Every instance and load balancer has its own address, so ports never collide between them. An
address is leased from this cloudlet's SQLite (`ec2_addresses`: address → owner) *and* locked
host-wide, because other cloudlets (test servers, a second data directory) share the host's
loopback network: one byte-range lock per address (`fcntl.lockf` at offset = the address as a
32-bit number) in one file in the temporary directory. The kernel drops a process's locks when it
exits, even by `kill -9`, so a lock held is a lease held by a live cloudlet; nothing goes stale.

Leases are held from launch until the owner is terminated; after a restart `reclaim` locks the
leases recorded in SQLite again (and answers False for one another cloudlet took meanwhile). A
cloudlet's first lease is the first address of a random 127.x.y.0/24 (x ≥ 1), and later ones
follow its highest: cloudlets running side by side (test servers) lease far apart, so the
addresses of one that is stopped or killed are not taken by another before it comes back.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import random
import tempfile
import threading
from pathlib import Path

from cloudlet.platform.store import Migration, Store

log = logging.getLogger(__name__)

_MIGRATIONS: list[Migration] = [
    (
        "0001_addresses",
        """
        CREATE TABLE ec2_addresses (
            address INTEGER PRIMARY KEY,
            owner TEXT NOT NULL
        );
        """,
    )
]

FIRST = (127 << 24) | (1 << 16) | 1
"""127.1.0.1: 127.0.0.0/16 is left to everything else that binds loopback addresses."""
LAST = (127 << 24) | 0xFFFFFE

_LOCK_FILE = Path(tempfile.gettempdir()) / "cloudlet-loopback-addresses.lock"
_lock_fd: int | None = None
_lock_guard = threading.Lock()


def _host_fd() -> int | None:
    """The process's one descriptor of the lock file (never closed: closing drops its locks)."""
    global _lock_fd
    with _lock_guard:
        if _lock_fd is None:
            try:
                _lock_fd = os.open(_LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o666)
                with contextlib.suppress(OSError):
                    os.chmod(_LOCK_FILE, 0o666)
            except OSError as exc:
                log.warning("no host-wide address locks (%s): addresses may collide", exc)
                _lock_fd = -1
        return _lock_fd if _lock_fd >= 0 else None


def _lock(number: int) -> bool:
    fd = _host_fd()
    if fd is None:
        return True
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, number)
    except OSError:
        return False
    return True


def _unlock(number: int) -> None:
    fd = _host_fd()
    if fd is not None:
        with contextlib.suppress(OSError):
            fcntl.lockf(fd, fcntl.LOCK_UN, 1, number)


def _random_start() -> int:
    """127.x.y.1 for a random x ≥ 1 and y: where a cloudlet without leases starts."""
    return (127 << 24) | (random.randrange(1, 256) << 16) | (random.randrange(256) << 8) | 1


def dotted(number: int) -> str:
    return ".".join(str((number >> shift) & 0xFF) for shift in (24, 16, 8, 0))


def number(address: str) -> int:
    a, b, c, d = (int(part) for part in address.split("."))
    return (a << 24) | (b << 16) | (c << 8) | d


class Addresses:
    """Address leases of one cloudlet."""

    def __init__(self, store: Store) -> None:
        store.migrate("ec2", _MIGRATIONS)
        self.store = store
        self._held: set[int] = set()

    def lease(self, owner: str) -> str:
        """A free loopback address (never .0 or .255) for `owner`."""
        with self.store.atomic() as conn:
            row = conn.execute("SELECT MAX(address) FROM ec2_addresses").fetchone()
            candidate = row[0] + 1 if row[0] is not None else _random_start()
            for _ in range(LAST - FIRST):
                if candidate > LAST:
                    candidate = FIRST
                if candidate & 0xFF not in (0, 255):
                    taken = conn.execute(
                        "SELECT 1 FROM ec2_addresses WHERE address = ?", (candidate,)
                    ).fetchone()
                    if not taken and _lock(candidate):
                        self._held.add(candidate)
                        conn.execute("INSERT INTO ec2_addresses VALUES (?, ?)", (candidate, owner))
                        return dotted(candidate)
                candidate += 1
        raise RuntimeError("no loopback address left")

    def reclaim(self, address: str) -> bool:
        """Lock a recorded lease again after a restart; False if another cloudlet holds it."""
        value = number(address)
        if _lock(value):
            self._held.add(value)
            return True
        return False

    def release(self, address: str) -> None:
        value = number(address)
        self.store.execute("DELETE FROM ec2_addresses WHERE address = ?", (value,))
        self._held.discard(value)
        _unlock(value)

    def unlock_all(self) -> None:
        """Drop every host-wide lock this cloudlet holds (its state was reset)."""
        for value in self._held:
            _unlock(value)
        self._held.clear()

    def owned(self) -> list[tuple[str, str]]:
        """(address, owner) of every lease of this cloudlet."""
        rows = self.store.query("SELECT address, owner FROM ec2_addresses")
        return [(dotted(row[0]), row[1]) for row in rows]
