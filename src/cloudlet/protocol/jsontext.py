"""JSON text in and out of request and response bodies (orjson, with `json` for its gaps).

Every JSON body the protocol layer reads or writes goes through `loads` and `dumps`, so the codec is
chosen in one place. `loads` raises `ValueError` (a `json.JSONDecodeError`) on bad input.
"""

from __future__ import annotations

import json
from typing import Any

import orjson


def loads(text: bytes | str) -> Any:
    """Parse a JSON document."""
    return orjson.loads(text)


def dumps(document: Any) -> bytes:
    """Compact JSON, as AWS sends it; values JSON has no form for are written as strings."""
    try:
        return orjson.dumps(document, default=str)
    except TypeError:
        # Integers beyond 64 bits and non-string keys: json writes both.
        return json.dumps(document, separators=(",", ":"), default=str).encode()
