"""Asynchronous (`Event`) invocations: a durable queue, retries through the clock, destinations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cloudlet.errors import NotImplementedOperation

if TYPE_CHECKING:
    from cloudlet.services.lambda_.provider import LambdaProvider


class AsyncQueue:
    """The Event queue of one server."""

    def __init__(self, provider: LambdaProvider) -> None:
        self.provider = provider

    def start(self) -> None:
        """Re-arm events left in the queue."""

    def reset(self) -> None:
        """Forget in-memory state."""

    def enqueue(
        self, account: str, region: str, name: str, qualifier: str | None, payload: bytes
    ) -> str:
        raise NotImplementedOperation("lambda", "Invoke (InvocationType=Event)")
