"""Function URLs."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cloudlet.services.lambda_.provider import LambdaProvider


class Urls:
    """Function URL listeners of one server."""

    def __init__(self, provider: LambdaProvider) -> None:
        self.provider = provider

    async def start(self) -> None:
        """Listen again for the URLs that exist."""

    async def stop(self) -> None:
        """Stop listening."""

    async def function_deleted(self, account: str, region: str, name: str) -> None:
        """Stop serving a deleted function's URLs."""
