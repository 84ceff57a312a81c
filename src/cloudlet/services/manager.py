"""Creates providers on first use, dispatches operations to them, and is the internal client.

`dispatch` serves a parsed request from the gateway; `call` is how one service calls another
(Step Functions invoking Lambda, an alarm running a scaling policy): same operation names, same
dict shapes, same validation as a public call, with no HTTP round trip.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cloudlet.context import RequestContext
from cloudlet.errors import NotImplementedOperation, ServiceNotServed, ValidationError
from cloudlet.services.registry import SERVICES, ServiceSpec

if TYPE_CHECKING:
    from cloudlet.platform.runtime import Platform
    from cloudlet.services.base import Provider

log = logging.getLogger(__name__)

Handler = Callable[[RequestContext, dict[str, Any]], Any]


_UNRESOLVED: Any = object()
"""`_handlers` has no entry yet for this operation (None means the provider has no method)."""


def snake_case(operation: str) -> str:
    """botocore's `xform_name`, without importing botocore on the hot path."""
    from botocore import xform_name

    return str(xform_name(operation))


class ServiceManager:
    """The providers of one running cloudlet."""

    def __init__(self) -> None:
        self.platform: Platform | None = None
        self._providers: dict[str, Provider] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._handlers: dict[tuple[str, str], tuple[Handler, bool] | None] = {}
        """Per (service, operation): the provider method and whether it is async; None: absent."""

    def bind(self, platform: Platform) -> None:
        self.platform = platform

    def loaded(self) -> list[str]:
        return list(self._providers)

    async def provider(self, name: str) -> Provider:
        """The provider of service `name`, created and started on first use."""
        provider = self._providers.get(name)
        if provider is not None:
            return provider
        spec = SERVICES.get(name)
        if spec is None:
            raise ServiceNotServed(name)
        lock = self._locks.setdefault(name, asyncio.Lock())
        async with lock:
            provider = self._providers.get(name)
            if provider is None:
                assert self.platform is not None, "ServiceManager.bind() first"
                provider = spec.load_provider_class()(self.platform)
                await provider.start()
                self._providers[name] = provider
        return provider

    async def dispatch(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        """Run one operation of one service; raises `ServiceError` for AWS-shaped failures."""
        key = (ctx.service, ctx.operation)
        entry = self._handlers.get(key, _UNRESOLVED)
        if entry is _UNRESOLVED:
            provider = await self.provider(ctx.service)
            method = getattr(provider, snake_case(ctx.operation), None)
            entry = (method, inspect.iscoroutinefunction(method)) if callable(method) else None
            self._handlers[key] = entry
        if entry is None:
            raise NotImplementedOperation(ctx.service, ctx.operation)
        handler, is_async = entry
        result = await handler(ctx, params) if is_async else handler(ctx, params)
        return result if result is not None else {}

    async def call(
        self,
        service: str,
        operation: str,
        params: dict[str, Any],
        *,
        account: str,
        region: str,
    ) -> dict[str, Any]:
        """The internal client: a validated call of `service.operation` as `account` in `region`."""
        from botocore.validate import ParamValidator

        from cloudlet.protocol import service_model

        if service not in SERVICES:
            raise ServiceNotServed(service)
        model = service_model(service)
        if operation not in model.operation_names:
            raise ValidationError(f"Unknown operation {operation} for service {service}")
        input_shape = model.operation_model(operation).input_shape
        if input_shape is not None:
            report = ParamValidator().validate(params, input_shape)
            if report.has_errors():
                raise ValidationError(report.generate_report())
        ctx = RequestContext(
            account=account,
            region=region,
            service=service,
            operation=operation,
            request_id=str(uuid.uuid4()),
        )
        return await self.dispatch(ctx, params)

    def coverage(self, spec: ServiceSpec) -> tuple[list[str], list[str]]:
        """(implemented, not implemented) operation names of one service, from its model."""
        from cloudlet.protocol import service_model

        cls = spec.load_provider_class()
        implemented: list[str] = []
        missing: list[str] = []
        for operation in service_model(spec.name).operation_names:
            target = implemented if callable(getattr(cls, snake_case(operation), None)) else missing
            target.append(operation)
        return implemented, missing

    async def reset(self) -> None:
        for provider in list(self._providers.values()):
            await provider.reset()

    async def shutdown(self) -> None:
        for name, provider in list(self._providers.items()):
            try:
                await provider.shutdown()
            except Exception:
                log.exception("shutdown of %s failed", name)

    async def resume(self) -> None:
        """At boot: start the providers that resume work and have state in this data directory."""
        assert self.platform is not None, "ServiceManager.bind() first"
        store = self.platform.store
        used = {row[0] for row in store.query("SELECT DISTINCT namespace FROM _migrations")}
        if "documents" in store.tables():
            used |= {row[0] for row in store.query("SELECT DISTINCT service FROM documents")}
        for name in sorted(used & SERVICES.keys()):
            try:
                if SERVICES[name].load_provider_class().resumes:
                    await self.provider(name)
            except Exception:
                log.exception("resuming %s failed", name)

    async def resolve_timer(self, kind: str) -> None:
        """Load the service owning timer `kind` (`<service>:<what>`) so its handler exists."""
        service = kind.split(":", 1)[0]
        if service in SERVICES:
            await self.provider(service)
