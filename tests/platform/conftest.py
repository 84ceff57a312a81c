"""Fixtures of the platform tests: an event loop of each kind, bounded in time, and supervisors
that always shut down."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from cloudlet.platform.store import Store
from cloudlet.platform.supervisor import Supervisor

T = TypeVar("T")

Runner = Callable[[Coroutine[Any, Any, T]], T]


@pytest.fixture(params=["asyncio", "uvloop"])
def run(request: pytest.FixtureRequest) -> Runner[Any]:
    """Run a coroutine to completion under the default loop or uvloop, failing after 30 s."""

    def runner(coroutine: Coroutine[Any, Any, T]) -> T:
        async def bounded() -> T:
            return await asyncio.wait_for(coroutine, 30)

        if request.param == "uvloop":
            uvloop = pytest.importorskip("uvloop")
            result: T = uvloop.run(bounded())
            return result
        return asyncio.run(bounded())

    return runner


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    db = Store(tmp_path / "cloudlet.db")
    yield db
    db.close()


@pytest.fixture
def supervising(
    store: Store, tmp_path: Path
) -> Callable[[], contextlib.AbstractAsyncContextManager[Supervisor]]:
    """`async with supervising() as sup:` a Supervisor on the test's store; shut down on exit."""

    @contextlib.asynccontextmanager
    async def supervisor() -> AsyncIterator[Supervisor]:
        sup = Supervisor(store, tmp_path / "data")
        try:
            yield sup
        finally:
            await sup.shutdown(grace=0.5)

    return supervisor
