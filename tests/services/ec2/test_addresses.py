"""Loopback address leases: where a cloudlet without leases starts, and that leases go up."""

from __future__ import annotations

from pathlib import Path

from cloudlet.platform.store import Store
from cloudlet.services.ec2.addresses import Addresses, _random_start, dotted, number


def test_a_cloudlet_without_leases_starts_in_a_random_block() -> None:
    starts = {dotted(_random_start()) for _ in range(50)}
    assert len(starts) > 1
    for start in starts:
        a, b, _, d = (int(part) for part in start.split("."))
        assert (a, d) == (127, 1) and b >= 1


def test_later_leases_follow_the_highest(tmp_path: Path) -> None:
    addresses = Addresses(Store(tmp_path / "a.db"))
    first, second = addresses.lease("i-1"), addresses.lease("i-2")
    assert number(second) > number(first) >= number("127.1.0.1")
    addresses.unlock_all()
