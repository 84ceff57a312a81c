"""Property test: condition evaluation agrees with a simple reference model on random items."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cloudlet.services.dynamodb.expressions.ast import Scope
from cloudlet.services.dynamodb.expressions.parser import parse_condition

NAMES = ["a", "b", "c"]
scalars = st.one_of(
    st.integers(-5, 5).map(lambda n: {"N": str(n)}),
    st.sampled_from(["", "x", "xy", "y"]).map(lambda s: {"S": s}),
    st.booleans().map(lambda b: {"BOOL": b}),
)
items = st.dictionaries(st.sampled_from(NAMES), scalars)
OPS = ["=", "<>", "<", "<=", ">", ">="]


def python_of(value: dict[str, Any] | None) -> Any:
    if value is None:
        return None
    ((kind, inner),) = value.items()
    return (kind, Decimal(inner) if kind == "N" else inner)


def reference_compare(op: str, a: Any, b: Any) -> bool:
    if op == "=":
        return a is not None and b is not None and a == b
    if op == "<>":
        return a is None or b is None or a != b
    if a is None or b is None or a[0] != b[0] or a[0] == "BOOL":
        return False
    x, y = a[1], b[1]
    return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]


clauses = st.tuples(st.sampled_from(NAMES), st.sampled_from([*OPS, "exists", "begins"]), scalars)


def render(clause: tuple[str, str, Any], index: int) -> str:
    name, op, _ = clause
    if op == "exists":
        return f"attribute_exists({name})"
    if op == "begins":
        return f"begins_with({name}, :v{index})"
    return f"{name} {op} :v{index}"


def reference(clause: tuple[str, str, Any], item: dict[str, Any]) -> bool:
    name, op, value = clause
    if op == "exists":
        return name in item
    if op == "begins":
        found = item.get(name)
        return bool(found and "S" in found and "S" in value and found["S"].startswith(value["S"]))
    return reference_compare(op, python_of(item.get(name)), python_of(value))


@settings(max_examples=300, deadline=None)
@given(
    items,
    st.lists(clauses, min_size=1, max_size=4),
    st.lists(st.booleans(), min_size=4, max_size=4),
)
def test_conditions_match_reference(
    item: dict[str, Any], parts: list[Any], use_or: list[bool]
) -> None:
    expression = render(parts[0], 0)
    expected = reference(parts[0], item)
    for index, part in enumerate(parts[1:], start=1):
        joiner = "OR" if use_or[index] else "AND"
        expression = f"({expression}) {joiner} {render(part, index)}"
        here = reference(part, item)
        expected = (expected or here) if joiner == "OR" else (expected and here)
    values = {f":v{i}": part[2] for i, part in enumerate(parts) if part[1] != "exists"}
    tree = parse_condition(expression).tree
    assert tree.test(item, Scope({}, values)) == expected, expression
