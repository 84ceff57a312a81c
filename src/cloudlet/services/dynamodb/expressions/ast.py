"""Expression trees: operands, conditions and update actions, each evaluating itself.

Parsed once per expression string (see `parser.parse`) and shared by every request that uses the
same string, so nodes never hold request data: `#name` and `:value` placeholders stay in the tree
and a `Scope` (the request's ExpressionAttributeNames/Values) is passed to evaluation.

    Operand    Path · ValueRef · Size · IfNotExists · ListAppend · Arithmetic
    Condition  Compare · Between · In · And · Or · Not · Function (attribute_exists, ...)

Operands return an attribute value or None (missing); conditions return a bool. Comparing values
of different types is False, except `<>`, which is True (as AWS).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from cloudlet.services.dynamodb.expressions import evaluate as ev
from cloudlet.services.dynamodb.types import AttributeValue, Item

Element = str | int
"""A path element: an attribute or map key (`#placeholder` or plain name) or a list index."""


class Scope:
    """The placeholders of one request."""

    __slots__ = ("names", "values")

    def __init__(self, names: dict[str, str], values: dict[str, AttributeValue]) -> None:
        self.names = names
        self.values = values


class Operand:
    def value(self, item: Item, scope: Scope) -> AttributeValue | None:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class Path(Operand):
    elements: tuple[Element, ...]

    def value(self, item: Item, scope: Scope) -> AttributeValue | None:
        return ev.resolve(self.elements, item, scope.names)

    def concrete(self, scope: Scope) -> tuple[Element, ...]:
        """The path with `#placeholders` replaced by the names they stand for."""
        names = scope.names
        return tuple(names[e] if type(e) is str and e[:1] == "#" else e for e in self.elements)


@dataclass(frozen=True, slots=True)
class ValueRef(Operand):
    name: str

    def value(self, item: Item, scope: Scope) -> AttributeValue | None:
        return scope.values[self.name]


@dataclass(frozen=True, slots=True)
class Literal(Operand):
    """A value fixed in the tree (legacy parameters and PartiQL literals)."""

    literal: AttributeValue

    def value(self, item: Item, scope: Scope) -> AttributeValue | None:
        return self.literal


@dataclass(frozen=True, slots=True)
class Size(Operand):
    path: Path

    def value(self, item: Item, scope: Scope) -> AttributeValue | None:
        return ev.size(self.path.value(item, scope))


@dataclass(frozen=True, slots=True)
class IfNotExists(Operand):
    path: Path
    default: Operand

    def value(self, item: Item, scope: Scope) -> AttributeValue | None:
        found = self.path.value(item, scope)
        return found if found is not None else self.default.value(item, scope)


@dataclass(frozen=True, slots=True)
class ListAppend(Operand):
    first: Operand
    second: Operand

    def value(self, item: Item, scope: Scope) -> AttributeValue | None:
        a = ev.required(self.first.value(item, scope))
        b = ev.required(self.second.value(item, scope))
        if "L" not in a or "L" not in b:
            raise ev.wrong_operand_type()
        return {"L": a["L"] + b["L"]}


@dataclass(frozen=True, slots=True)
class Arithmetic(Operand):
    op: str
    left: Operand
    right: Operand

    def value(self, item: Item, scope: Scope) -> AttributeValue | None:
        a = ev.required(self.left.value(item, scope))
        b = ev.required(self.right.value(item, scope))
        if "N" not in a or "N" not in b:
            raise ev.wrong_operand_type()
        x, y = Decimal(a["N"]), Decimal(b["N"])
        return ev.number(x + y if self.op == "+" else x - y)


class Condition:
    parenthesized = False

    def test(self, item: Item, scope: Scope) -> bool:
        raise NotImplementedError


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


@dataclass(slots=True)
class Compare(Condition):
    op: str
    left: Operand
    right: Operand
    parenthesized: bool = False

    def test(self, item: Item, scope: Scope) -> bool:
        a = self.left.value(item, scope)
        b = self.right.value(item, scope)
        if self.op == "=":
            return a is not None and b is not None and ev.equal(a, b)
        if self.op == "<>":
            return a is None or b is None or not ev.equal(a, b)
        pair = ev.ordered(a, b)
        return pair is not None and _COMPARE[self.op](*pair)


@dataclass(slots=True)
class Between(Condition):
    subject: Operand
    low: Operand
    high: Operand
    parenthesized: bool = False

    def test(self, item: Item, scope: Scope) -> bool:
        x = self.subject.value(item, scope)
        low = ev.ordered(x, self.low.value(item, scope))
        high = ev.ordered(x, self.high.value(item, scope))
        return low is not None and high is not None and low[1] <= low[0] <= high[1]


@dataclass(slots=True)
class In(Condition):
    subject: Operand
    choices: tuple[Operand, ...]
    parenthesized: bool = False

    def test(self, item: Item, scope: Scope) -> bool:
        x = self.subject.value(item, scope)
        if x is None:
            return False
        return any(
            (c := choice.value(item, scope)) is not None and ev.equal(x, c)
            for choice in self.choices
        )


@dataclass(slots=True)
class And(Condition):
    left: Condition
    right: Condition
    parenthesized: bool = False

    def test(self, item: Item, scope: Scope) -> bool:
        return self.left.test(item, scope) and self.right.test(item, scope)


def conjuncts(condition: Condition | None) -> Iterator[Condition]:
    """The parts of a condition joined by its top-level ANDs, in order."""
    if isinstance(condition, And):
        yield from conjuncts(condition.left)
        yield from conjuncts(condition.right)
    elif condition is not None:
        yield condition


def literal_equality(
    condition: Condition, scope: Scope
) -> tuple[tuple[Element, ...], AttributeValue] | None:
    """(path, value) when `condition` reads `<path> = <literal>`, either way round."""
    if not isinstance(condition, Compare) or condition.op != "=":
        return None
    for path, value in ((condition.left, condition.right), (condition.right, condition.left)):
        if isinstance(path, Path) and isinstance(value, Literal):
            return path.concrete(scope), value.literal
    return None


@dataclass(slots=True)
class Or(Condition):
    left: Condition
    right: Condition
    parenthesized: bool = False

    def test(self, item: Item, scope: Scope) -> bool:
        return self.left.test(item, scope) or self.right.test(item, scope)


@dataclass(slots=True)
class Not(Condition):
    inner: Condition
    parenthesized: bool = False

    def test(self, item: Item, scope: Scope) -> bool:
        return not self.inner.test(item, scope)


@dataclass(slots=True)
class Function(Condition):
    """attribute_exists, attribute_not_exists, attribute_type, begins_with, contains."""

    name: str
    args: tuple[Operand, ...]
    parenthesized: bool = False

    def test(self, item: Item, scope: Scope) -> bool:
        values = [arg.value(item, scope) for arg in self.args]
        return ev.FUNCTIONS[self.name](*values)


@dataclass(frozen=True, slots=True)
class Update:
    """A parsed UpdateExpression: its actions by clause, in the order written."""

    set: tuple[tuple[Path, Operand], ...] = ()
    remove: tuple[Path, ...] = ()
    add: tuple[tuple[Path, Operand], ...] = ()
    delete: tuple[tuple[Path, Operand], ...] = ()

    def paths(self) -> list[Path]:
        return (
            [path for path, _ in self.set]
            + list(self.remove)
            + [path for path, _ in self.add]
            + [path for path, _ in self.delete]
        )
