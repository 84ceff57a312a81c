"""Fixtures shared by the service tests.

The main tier uses `aws_client` (cloudlet's pytest plugin) against a running server. `direct`
calls a provider in-process on a fresh store, for domain behaviour that is awkward to reach over
HTTP (clock-dependent retention, the in-process logs API, ...).
"""

from __future__ import annotations

import asyncio
import inspect
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from cloudlet.config import Config
from cloudlet.context import RequestContext
from cloudlet.platform.clock import Clock
from cloudlet.platform.credentials import Credentials
from cloudlet.platform.store import Store
from cloudlet.services.registry import SERVICES


def unique(prefix: str = "t") -> str:
    """A name no other test (or xdist worker) uses."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


class Direct:
    """Providers of one in-process platform; `call("logs", "CreateLogGroup", ...)`."""

    def __init__(self, path: Path) -> None:
        store = Store(path / "cloudlet.db")
        self.platform = SimpleNamespace(
            config=Config(data_dir=path),
            store=store,
            clock=Clock(1.0, store),
            credentials=Credentials(store),
        )
        self._providers: dict[str, Any] = {}

    def provider(self, service: str) -> Any:
        if service not in self._providers:
            cls = SERVICES[service].load_provider_class()
            self._providers[service] = cls(self.platform)  # type: ignore[arg-type]
        return self._providers[service]

    def call(
        self,
        service: str,
        operation: str,
        *,
        account: str = "000000000000",
        region: str = "us-east-1",
        access_key_id: str = "",
        **params: Any,
    ) -> dict[str, Any]:
        from botocore import xform_name

        spec = SERVICES[service]
        ctx = RequestContext(
            account=account,
            region="" if spec.global_service else region,
            service=service,
            operation=operation,
            request_id=str(uuid.uuid4()),
            access_key_id=access_key_id,
        )
        result = getattr(self.provider(service), xform_name(operation))(ctx, params)
        if inspect.isawaitable(result):
            result = asyncio.run(result)
        return dict(result or {})


@pytest.fixture
def direct(tmp_path: Path) -> Iterator[Direct]:
    instance = Direct(tmp_path)
    yield instance
    instance.platform.store.close()


@pytest.fixture
def name() -> Callable[[str], str]:
    return unique
