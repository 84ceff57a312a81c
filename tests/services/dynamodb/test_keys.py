"""Key encoding: byte order of encoded keys is DynamoDB's order (N numeric, S and B by bytes)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from cloudlet.services.dynamodb import keys
from cloudlet.services.dynamodb.types import format_number, normalize_number

numbers = (
    st.decimals(
        min_value=Decimal("-1e125"), max_value=Decimal("1e125"), allow_nan=False, places=None
    )
    .filter(lambda d: d == 0 or -130 <= d.adjusted() <= 125)
    .map(
        lambda d: (
            Decimal(normalize_number(format(d.normalize(), "f")))
            if len(d.normalize().as_tuple().digits) <= 38
            else Decimal(0)
        )
    )
)


@given(numbers, numbers)
def test_numbers_sort_numerically(a: Decimal, b: Decimal) -> None:
    ea = keys.encode({"N": format_number(a)})
    eb = keys.encode({"N": format_number(b)})
    assert (ea < eb) == (a < b) and (ea == eb) == (a == b)


@given(st.text(), st.text())
def test_strings_sort_by_utf8_bytes(a: str, b: str) -> None:
    ea, eb = keys.encode({"S": a}), keys.encode({"S": b})
    assert (ea < eb) == (a.encode() < b.encode())


@given(st.binary(), st.binary(), st.binary(), st.binary())
def test_concatenated_keys_sort_by_first_then_second(
    a: bytes, b: bytes, c: bytes, d: bytes
) -> None:
    left = keys.encode({"B": a}) + keys.encode({"B": b})
    right = keys.encode({"B": c}) + keys.encode({"B": d})
    assert (left < right) == ((a, b) < (c, d))


@given(st.binary(min_size=1), st.binary())
def test_prefix_bounds(prefix: bytes, value: bytes) -> None:
    low = keys.encode_prefix({"B": prefix})
    high = keys.prefix_end(low)
    encoded = keys.encode({"B": value})
    inside = encoded >= low and (high is None or encoded < high)
    assert inside == value.startswith(prefix)


@given(st.integers(min_value=1, max_value=64))
def test_segments_cover_the_hash_space(total: int) -> None:
    bounds = [keys.segment_bounds(segment, total) for segment in range(total)]
    assert bounds[0][0] == 0 and bounds[-1][1] == keys.HASH_SPACE
    assert all(bounds[i][1] == bounds[i + 1][0] for i in range(total - 1))
