"""Request bodies sent with `Content-Encoding: gzip` (boto3 compresses CloudWatch PutMetricData
bodies of 10 KB or more), decoded before any protocol reads them.

Decompression is bounded: a body that inflates past `MAX_BODY_BYTES` is refused as too large, so
a small hostile body cannot make the server allocate without limit.
"""

from __future__ import annotations

import zlib

from cloudlet.errors import SerializationError
from cloudlet.http import HttpRequest

_GZIP_WINDOW = 16 + zlib.MAX_WBITS


class BodyTooLarge(Exception):
    """The decoded body would exceed the limit."""


def decode_body(request: HttpRequest, limit: int) -> None:
    """Replace a gzip-encoded body by its decoded bytes, in place; other bodies stay as they are."""
    encodings = [
        part.strip().lower()
        for part in request.headers.get("content-encoding", "").split(",")
        if part.strip()
    ]
    if "gzip" not in encodings or not request.body:
        return
    inflater = zlib.decompressobj(_GZIP_WINDOW)
    try:
        body = inflater.decompress(request.body, limit + 1)
    except zlib.error as exc:
        raise SerializationError("The request body is not valid gzip data.") from exc
    if len(body) > limit or inflater.unconsumed_tail:
        raise BodyTooLarge()
    request.body = body
    remaining = [e for e in encodings if e != "gzip"]
    if remaining:
        request.headers["content-encoding"] = ", ".join(remaining)
    else:
        del request.headers["content-encoding"]
