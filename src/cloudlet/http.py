"""Plain HTTP request and response values shared by the gateway and the protocol layer.

The gateway builds an `HttpRequest` from the ASGI scope and body; the protocol layer reads it and
produces an `HttpResponse`, which the gateway writes back. Neither side knows the other's internals.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import parse_qs


@dataclass(slots=True)
class HttpRequest:
    """One HTTP request as received."""

    method: str
    path: str
    """The raw (still percent-encoded) path, without the query string."""
    query_string: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    """Header names lower-cased; repeated headers joined with ", "."""
    body: bytes = b""

    _query: dict[str, list[str]] | None = field(default=None, repr=False)

    @property
    def query(self) -> dict[str, list[str]]:
        """The query string decoded into lists of values (blank values kept)."""
        if self._query is None:
            self._query = parse_qs(self.query_string, keep_blank_values=True)
        return self._query

    def query_value(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()


@dataclass(slots=True)
class HttpResponse:
    """One HTTP response to send; `stream` (when set) is sent after `body`, chunk by chunk."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    stream: AsyncIterator[bytes] | None = None
