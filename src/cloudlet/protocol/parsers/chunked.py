"""`aws-chunked` request bodies (S3 uploads signed chunk by chunk, or with trailing checksums).

    <hex size>[;chunk-signature=<sig>] CRLF <data> CRLF ... 0[;...] CRLF
    [<trailer>: <value> CRLF]* CRLF

Sent when `Content-Encoding` includes `aws-chunked` or `x-amz-content-sha256` is one of the
`STREAMING-*` values. Chunk signatures and trailing checksums are not verified here.
"""

from __future__ import annotations

from cloudlet.http import HttpRequest


def is_aws_chunked(request: HttpRequest) -> bool:
    """Whether the body of `request` is in the aws-chunked encoding."""
    headers = request.headers
    if "aws-chunked" in headers.get("content-encoding", ""):
        return True
    return headers.get("x-amz-content-sha256", "").startswith("STREAMING-")


def decode_aws_chunked(body: bytes) -> bytes:
    """The payload carried by an aws-chunked `body` (ValueError when it is not one)."""
    chunks: list[bytes] = []
    position = 0
    while True:
        line_end = body.index(b"\r\n", position)
        size = int(body[position:line_end].split(b";", 1)[0].strip(), 16)
        if size < 0:
            raise ValueError("negative chunk size")
        if size == 0:
            return b"".join(chunks)
        start = line_end + 2
        end = start + size
        if end > len(body):
            raise ValueError("truncated aws-chunked body")
        chunks.append(body[start:end])
        position = end + 2 if body[end : end + 2] == b"\r\n" else end
