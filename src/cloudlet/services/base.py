"""The base class of every service provider.

A provider is thin: one method per implemented operation, named by botocore's snake_case operation
name (`get_caller_identity`), taking the request context and the parsed request dict and returning
a dict shaped like the operation's output. Methods may be plain or `async`. An operation without a
method answers 501 `NotImplemented` naming the service and operation.

Providers are created on a service's first use (`ServiceManager.provider`), get the shared
`Platform`, and may hook into its life cycle with `start`, `reset` and `shutdown`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from cloudlet.platform.runtime import Platform


class Provider:
    """One AWS service's operations."""

    service: ClassVar[str]
    """botocore's service name, as in `ServiceSpec.name`."""

    resumes: ClassVar[bool] = False
    """True for services with work that must go on after a restart without waiting for a request
    (engine processes, instances, evaluation loops): cloudlet then starts the provider at boot
    when its data directory holds state of the service."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform

    async def start(self) -> None:
        """Called once, right after the provider is created (re-arm work, register timers)."""

    async def reset(self) -> None:
        """Forget in-memory state; the store is wiped and child processes ended by the platform."""

    async def shutdown(self) -> None:
        """Called once when cloudlet stops."""
