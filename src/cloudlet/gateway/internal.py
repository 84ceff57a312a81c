"""cloudlet's own endpoints under `/_cloudlet/`: health, reset and service coverage."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any, ClassVar

from cloudlet import __version__
from cloudlet.http import HttpRequest, HttpResponse
from cloudlet.services.registry import SERVICES

if TYPE_CHECKING:
    from cloudlet.gateway.app import Gateway
    from cloudlet.platform.runtime import Platform

PREFIX = "/_cloudlet/"


def _json(status: int, body: dict[str, Any]) -> HttpResponse:
    return HttpResponse(
        status,
        {"Content-Type": "application/json"},
        json.dumps(body, separators=(",", ":")).encode(),
    )


class InternalEndpoints:
    """`GET health`, `POST reset`, `GET coverage`."""

    def __init__(self, platform: Platform, gateway: Gateway) -> None:
        self.platform = platform
        self.gateway = gateway

    async def handle(self, request: HttpRequest) -> HttpResponse:
        name = request.path[len(PREFIX) :].strip("/")
        route = self._routes.get((request.method, name))
        if route is None:
            allowed = [method for method, path in self._routes if path == name]
            if allowed:
                return _json(405, {"error": f"use {' or '.join(allowed)} for /_cloudlet/{name}"})
            return _json(404, {"error": f"no internal endpoint /_cloudlet/{name}"})
        return await route(self, request)

    async def health(self, request: HttpRequest) -> HttpResponse:
        config = self.platform.config
        return _json(
            200,
            {
                "status": "running",
                "version": __version__,
                "services": {name: "available" for name in SERVICES},
                "time_scale": self.platform.clock.time_scale,
                "endpoint": config.endpoint,
                "data_dir": str(config.data_dir),
                "pid": os.getpid(),
            },
        )

    async def reset(self, request: HttpRequest) -> HttpResponse:
        await self.gateway.reset_state()
        return _json(200, {"status": "reset"})

    async def coverage(self, request: HttpRequest) -> HttpResponse:
        services = {}
        for name, spec in SERVICES.items():
            implemented, missing = self.platform.services.coverage(spec)
            services[name] = {"implemented": implemented, "not_implemented": missing}
        return _json(200, {"services": services})

    _routes: ClassVar[dict[tuple[str, str], Any]] = {
        ("GET", "health"): health,
        ("POST", "reset"): reset,
        ("GET", "coverage"): coverage,
    }
