"""Key values as byte strings that sort the way DynamoDB orders keys.

SQLite compares BLOBs with memcmp, so a Query is an index range scan once each key value is
encoded so that byte order is AWS's order:

    S, B   0x01, the bytes (UTF-8 for S) with 0x00 escaped as 0x00 0xFF, then a 0x00
           terminator (an escaped 0x00 is followed by 0xFF, so a shorter value sorts first).
    N      0x02 negative / 0x03 zero / 0x04 positive, then for non-zero numbers one exponent
           byte and one byte per digit, then a terminator; negative numbers invert exponent and
           digits and end in 0xFF, so larger magnitudes sort first.

Every encoding is self-delimiting and starts with a byte below 0xFF, so encodings can be
concatenated (an index's sort key followed by the table's key keeps rows unique and ordered) and
`prefix + b"\\xff"` bounds everything that starts with `prefix`.

`partition_hash` spreads partitions over 32 bits the way AWS hashes partition keys: Scan walks
rows in hash order and parallel scan segments are hash ranges.
"""

from __future__ import annotations

import zlib
from decimal import Decimal

from cloudlet.services.dynamodb.types import AttributeValue, integer_digits

HASH_SPACE = 1 << 32


def encode(value: AttributeValue) -> bytes:
    """The sortable bytes of one scalar key value (S, N or B)."""
    ((kind, inner),) = value.items()
    if kind == "S":
        return encode_bytes(inner.encode())
    if kind == "B":
        return encode_bytes(inner)
    digits = integer_digits(inner)
    if digits is not None:
        return _encode_integer(inner[0] == "-", digits)
    return encode_number(Decimal(inner))


def encode_bytes(raw: bytes) -> bytes:
    return b"\x01" + raw.replace(b"\x00", b"\x00\xff") + b"\x00"


def encode_prefix(value: AttributeValue) -> bytes:
    """The bytes every encoding of an S/B value starting with `value` starts with."""
    ((kind, inner),) = value.items()
    raw = inner.encode() if kind == "S" else inner
    return b"\x01" + raw.replace(b"\x00", b"\x00\xff")


def encode_number(number: Decimal) -> bytes:
    if not number:
        return b"\x03"
    sign, digits, _ = number.as_tuple()
    exponent = number.adjusted() + 130  # 0 .. 255 for AWS's range
    stripped = list(digits)
    while stripped and stripped[-1] == 0:
        stripped.pop()
    if sign:
        return b"\x02" + bytes([255 - exponent]) + bytes(10 - d for d in stripped) + b"\xff"
    return b"\x04" + bytes([exponent]) + bytes(d + 1 for d in stripped) + b"\x00"


_DIGIT_UP = bytes.maketrans(b"0123456789", bytes(range(1, 11)))
_DIGIT_DOWN = bytes.maketrans(b"0123456789", bytes(range(10, 0, -1)))


def _encode_integer(negative: bool, digits: str) -> bytes:
    """`encode_number` of a canonical integer's text, without building a Decimal."""
    exponent = len(digits) - 1 + 130
    stripped = digits.rstrip("0").encode()
    if negative:
        return b"\x02" + bytes([255 - exponent]) + stripped.translate(_DIGIT_DOWN) + b"\xff"
    return b"\x04" + bytes([exponent]) + stripped.translate(_DIGIT_UP) + b"\x00"


def prefix_end(prefix: bytes) -> bytes | None:
    """The smallest byte string greater than every string starting with `prefix` (None: none)."""
    trimmed = prefix.rstrip(b"\xff")
    if not trimmed:
        return None
    return trimmed[:-1] + bytes([trimmed[-1] + 1])


def partition_hash(encoded_hash_key: bytes) -> int:
    """The 32-bit position of a partition in scan order."""
    return zlib.crc32(encoded_hash_key)


def segment_bounds(segment: int, total: int) -> tuple[int, int]:
    """The [low, high) hash range parallel-scan segment `segment` of `total` covers."""
    return segment * HASH_SPACE // total, (segment + 1) * HASH_SPACE // total
