"""Opaque page tokens (`nextToken`): the position after the last item of a page."""

from __future__ import annotations

import base64
import json
from typing import Any

from cloudlet.services.stepfunctions import errors

DEFAULT_PAGE = 100
MAX_PAGE = 1000


def page_size(request: dict[str, Any]) -> int:
    size = request.get("maxResults") or DEFAULT_PAGE
    return max(1, min(int(size), MAX_PAGE))


def encode(position: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode()


def decode(token: str | None) -> Any:
    if not token:
        return None
    try:
        return json.loads(base64.urlsafe_b64decode(token.encode()))
    except ValueError:
        raise errors.invalid_token(f"Invalid PaginationToken: {token}") from None


def slice_page(items: list[dict[str, Any]], request: dict[str, Any], key: str) -> dict[str, Any]:
    size = page_size(request)
    start = int(decode(request.get("nextToken")) or 0)
    response: dict[str, Any] = {key: items[start : start + size]}
    if start + size < len(items):
        response["nextToken"] = encode(start + size)
    return response
