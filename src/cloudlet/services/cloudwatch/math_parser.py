"""Metric math syntax: tokens and a recursive-descent parser producing a small AST.

    expression  := or
    or          := and (("OR" | "||") and)*
    and         := compare (("AND" | "&&") compare)*
    compare     := sum (("==" | "!=" | "<=" | ">=" | "<" | ">") sum)?
    sum         := product (("+" | "-") product)*
    product     := unary (("*" | "/") unary)*
    unary       := "-" unary | power
    power       := primary ("^" unary)?
    primary     := number | string | id | NAME "(" args? ")" | NAME | "(" expression ")"
                   | "[" expression ("," expression)* "]"

Ids (`m1`, `errors`) start with a lowercase letter; function names and keywords (`SUM`,
`REPEAT`, `DESC`) are upper case, as AWS requires. Strings take single, double or curly quotes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cloudlet.services.cloudwatch import errors


@dataclass(frozen=True)
class Number:
    value: float


@dataclass(frozen=True)
class String:
    value: str


@dataclass(frozen=True)
class Ref:
    """Another query's result, by Id."""

    id: str


@dataclass(frozen=True)
class Keyword:
    """A bare upper-case word: REPEAT, LINEAR, ASC, DESC, or a function name given to SORT."""

    name: str


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Array:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Binary:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Negate:
    operand: Node


Node = Number | String | Ref | Keyword | Call | Array | Binary | Negate

_TOKEN = re.compile(
    r"""(?:
      (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
    | (?P<string>"[^"]*"|'[^']*'|“[^”]*”)
    | (?P<id>[a-z][A-Za-z0-9_]*)
    | (?P<name>[A-Z_][A-Z0-9_]*)
    | (?P<op>==|!=|<=|>=|&&|\|\||[-+*/^<>(),\[\]])
    )""",
    re.VERBOSE,
)
_COMPARISONS = ("==", "!=", "<=", ">=", "<", ">")


class ExpressionError(Exception):
    """A syntax error; `metric_data` reports it as a ValidationError naming the query."""


def tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position == len(text):
            break
        match = _TOKEN.match(text, position)
        if match is None:
            raise ExpressionError(f"Unexpected character at position {position + 1}")
        kind = match.lastgroup or ""
        tokens.append((kind, match[kind]))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.position = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.position] if self.position < len(self.tokens) else ("end", "")

    def take(self) -> tuple[str, str]:
        token = self.peek()
        self.position += 1
        return token

    def expect(self, value: str) -> None:
        kind, text = self.take()
        if text != value or kind not in ("op",):
            found = text or "end of expression"
            raise ExpressionError(f"Expected '{value}' but found '{found}'")

    def accept(self, *values: str) -> str | None:
        kind, text = self.peek()
        if text in values and kind in ("op", "name"):
            self.position += 1
            return text
        return None

    def expression(self) -> Node:
        node = self.conjunction()
        while self.accept("OR", "||"):
            node = Binary("OR", node, self.conjunction())
        return node

    def conjunction(self) -> Node:
        node = self.comparison()
        while self.accept("AND", "&&"):
            node = Binary("AND", node, self.comparison())
        return node

    def comparison(self) -> Node:
        node = self.sum()
        op = self.accept(*_COMPARISONS)
        if op:
            node = Binary(op, node, self.sum())
        return node

    def sum(self) -> Node:
        node = self.product()
        while op := self.accept("+", "-"):
            node = Binary(op, node, self.product())
        return node

    def product(self) -> Node:
        node = self.unary()
        while op := self.accept("*", "/"):
            node = Binary(op, node, self.unary())
        return node

    def unary(self) -> Node:
        if self.accept("-"):
            return Negate(self.unary())
        return self.power()

    def power(self) -> Node:
        node = self.primary()
        if self.accept("^"):
            node = Binary("^", node, self.unary())
        return node

    def primary(self) -> Node:
        kind, text = self.take()
        if kind == "number":
            return Number(float(text))
        if kind == "string":
            return String(text[1:-1])
        if kind == "id":
            return Ref(text)
        if kind == "name":
            if self.accept("("):
                args: list[Node] = []
                if not self.accept(")"):
                    args.append(self.expression())
                    while self.accept(","):
                        args.append(self.expression())
                    self.expect(")")
                return Call(text, tuple(args))
            return Keyword(text)
        if text == "(":
            node = self.expression()
            self.expect(")")
            return node
        if text == "[":
            items = [self.expression()]
            while self.accept(","):
                items.append(self.expression())
            self.expect("]")
            return Array(tuple(items))
        raise ExpressionError(f"Unexpected '{text or 'end of expression'}'")


def parse(text: str) -> Node:
    """The AST of metric math expression `text` (ExpressionError when malformed)."""
    parser = _Parser(tokenize(text))
    if not parser.tokens:
        raise ExpressionError("Empty expression")
    node = parser.expression()
    if parser.position < len(parser.tokens):
        raise ExpressionError(f"Unexpected '{parser.peek()[1]}'")
    return node


def references(node: Node) -> set[str]:
    """The query Ids `node` refers to directly."""
    if isinstance(node, Ref):
        return {node.id}
    if isinstance(node, Call | Array):
        children = node.args if isinstance(node, Call) else node.items
        return set().union(*(references(child) for child in children)) if children else set()
    if isinstance(node, Binary):
        return references(node.left) | references(node.right)
    if isinstance(node, Negate):
        return references(node.operand)
    return set()


def uses_metrics_function(node: Node) -> bool:
    """Whether `node` calls METRICS() (which depends on every metric query)."""
    if isinstance(node, Call):
        return node.name == "METRICS" or any(uses_metrics_function(a) for a in node.args)
    if isinstance(node, Array):
        return any(uses_metrics_function(item) for item in node.items)
    if isinstance(node, Binary):
        return uses_metrics_function(node.left) or uses_metrics_function(node.right)
    if isinstance(node, Negate):
        return uses_metrics_function(node.operand)
    return False


def syntax_error(query_id: str, error: ExpressionError) -> Exception:
    """The API error for a malformed expression (the wording is cloudlet's)."""
    return errors.validation(f"Error in expression {query_id}: {error}")
