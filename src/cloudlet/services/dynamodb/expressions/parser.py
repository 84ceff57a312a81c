"""Recursive-descent parsers for condition, update and projection expressions, cached by text.

    condition  := or ; or := and (OR and)* ; and := not (AND not)* ; not := NOT not | primary
    primary    := "(" condition ")" | function "(" operands ")"
                | operand (comparator operand | BETWEEN operand AND operand | IN "(" operands ")")
    operand    := path | :value | size "(" path ")"
    path       := name ("." name | "[" digits "]")*       name := identifier | #placeholder
    update     := (SET action ("," action)* | REMOVE path ("," path)*
                  | ADD path :value ("," ...)* | DELETE path :value ("," ...)*)+
    action     := path "=" term [("+" | "-") term]
    term       := "(" term [("+" | "-") term] ")" | value
    value      := operand | if_not_exists "(" path "," value ")"
                | list_append "(" value "," value ")"
    projection := path ("," path)*

`parse_condition`, `parse_update` and `parse_projection` return a `Parsed` (the tree plus the
placeholders it uses) from a bounded cache keyed by the expression's kind and text, so a
repeated request parses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cloudlet.services.dynamodb.expressions import ast
from cloudlet.services.dynamodb.expressions.evaluate import ARITY, FUNCTIONS
from cloudlet.services.dynamodb.expressions.lexer import Cursor
from cloudlet.services.dynamodb.expressions.reserved import is_reserved

_CACHE: dict[tuple[str, str], Parsed] = {}
_CACHE_LIMIT = 4096
_COMPARATORS = frozenset({"=", "<>", "<", "<=", ">", ">="})
_CLAUSES = ("SET", "REMOVE", "ADD", "DELETE")


@dataclass
class Parsed:
    """One parsed expression."""

    tree: Any
    """`ast.Condition`, `ast.Update` or a tuple of `ast.Path` (projection)."""
    names: set[str] = field(default_factory=set)
    """`#placeholders` used."""
    values: set[str] = field(default_factory=set)
    """`:placeholders` used."""


def parse_condition(source: str, kind: str = "Condition") -> Parsed:
    """A ConditionExpression, FilterExpression or KeyConditionExpression (`kind` names it)."""
    return _cached(kind, source, _ConditionParser)


def parse_update(source: str) -> Parsed:
    return _cached("Update", source, _UpdateParser)


def parse_projection(source: str) -> Parsed:
    return _cached("Projection", source, _ProjectionParser)


def _cached(kind: str, source: str, parser: type[_Parser]) -> Parsed:
    key = (kind, source)
    parsed = _CACHE.get(key)
    if parsed is None:
        parsed = parser(source, kind).parse()
        if len(_CACHE) >= _CACHE_LIMIT:
            _CACHE.clear()
        _CACHE[key] = parsed
    return parsed


class _Parser:
    def __init__(self, source: str, kind: str) -> None:
        self.cursor = Cursor(source, kind)
        self.result = Parsed(None)

    def parse(self) -> Parsed:
        if not self.cursor.source.strip():
            raise self.cursor.error("The expression can not be empty;")
        self.result.tree = self.root()
        if self.cursor.token.kind != "eof":
            raise self.cursor.syntax_error()
        return self.result

    def root(self) -> Any:
        raise NotImplementedError

    # -- shared pieces ---------------------------------------------------------------------

    def path(self) -> ast.Path:
        elements: list[str | int] = [self.name()]
        cursor = self.cursor
        while True:
            if cursor.at("."):
                cursor.advance()
                elements.append(self.name())
            elif cursor.at("["):
                cursor.advance()
                token = cursor.token
                if token.kind != "number":
                    raise cursor.syntax_error()
                cursor.advance()
                cursor.expect("]")
                elements.append(int(token.text))
            else:
                return ast.Path(tuple(elements))

    def name(self) -> str:
        cursor = self.cursor
        token = cursor.token
        if token.kind == "name":
            self.result.names.add(token.text)
            cursor.advance()
            return token.text
        if token.kind == "ident":
            if is_reserved(token.text):
                raise cursor.error(
                    f"Attribute name is a reserved keyword; reserved keyword: {token.text}"
                )
            cursor.advance()
            return token.text
        raise cursor.syntax_error()

    def value_ref(self) -> ast.ValueRef:
        token = self.cursor.advance()
        self.result.values.add(token.text)
        return ast.ValueRef(token.text)

    def function_name(self) -> str | None:
        """The function called here (identifier followed by "("), if any."""
        cursor = self.cursor
        if cursor.token.kind == "ident" and cursor.peek().text == "(":
            return cursor.token.text
        return None

    def arguments(self, name: str, parse_one: Any) -> list[Any]:
        cursor = self.cursor
        cursor.advance()
        cursor.expect("(")
        args = [parse_one()]
        while cursor.accept(","):
            args.append(parse_one())
        cursor.expect(")")
        expected = ARITY.get(name)
        if expected is not None and len(args) != expected:
            raise cursor.error(
                "Incorrect number of operands for operator or function; operator or function: "
                f"{name}, number of operands: {len(args)}"
            )
        return args


class _ConditionParser(_Parser):
    def root(self) -> ast.Condition:
        return self.condition()

    def condition(self) -> ast.Condition:
        node = self.conjunction()
        while self.cursor.accept("OR"):
            node = ast.Or(node, self.conjunction())
        return node

    def conjunction(self) -> ast.Condition:
        node = self.negation()
        while self.cursor.accept("AND"):
            node = ast.And(node, self.negation())
        return node

    def negation(self) -> ast.Condition:
        if self.cursor.accept("NOT"):
            return ast.Not(self.negation())
        return self.primary()

    def primary(self) -> ast.Condition:
        cursor = self.cursor
        if cursor.accept("("):
            inner = self.condition()
            cursor.expect(")")
            if inner.parenthesized:
                raise cursor.error("The expression has redundant parentheses;")
            inner.parenthesized = True
            return inner
        name = self.function_name()
        if name is not None and name != "size":
            if name not in FUNCTIONS:
                raise cursor.error(f"Invalid function name; function: {name}")
            args = self.arguments(name, self.operand)
            if not isinstance(args[0], ast.Path):
                raise cursor.error(
                    f"Operator or function requires a document path; operator or function: {name}"
                )
            return ast.Function(name, tuple(args))
        left = self.operand()
        token = cursor.token
        if token.kind == "op" and token.text in _COMPARATORS:
            cursor.advance()
            return ast.Compare(token.text, left, self.operand())
        if cursor.accept("BETWEEN"):
            low = self.operand()
            cursor.expect("AND")
            return ast.Between(left, low, self.operand())
        if cursor.accept("IN"):
            cursor.expect("(")
            choices = [self.operand()]
            while cursor.accept(","):
                choices.append(self.operand())
            cursor.expect(")")
            return ast.In(left, tuple(choices))
        raise cursor.syntax_error()

    def operand(self) -> ast.Operand:
        cursor = self.cursor
        token = cursor.token
        if token.kind == "value":
            return self.value_ref()
        name = self.function_name()
        if name is not None:
            if name != "size":
                if name in FUNCTIONS:
                    raise cursor.syntax_error()
                raise cursor.error(f"Invalid function name; function: {name}")
            (path,) = self.arguments(name, self.operand)
            if not isinstance(path, ast.Path):
                raise cursor.error(
                    "Operator or function requires a document path; operator or function: size"
                )
            return ast.Size(path)
        return self.path()


class _UpdateParser(_Parser):
    def root(self) -> ast.Update:
        cursor = self.cursor
        sections: dict[str, list[Any]] = {}
        while cursor.token.kind != "eof":
            clause = cursor.token.upper if cursor.token.kind == "ident" else ""
            if clause not in _CLAUSES:
                raise cursor.syntax_error()
            if clause in sections:
                raise cursor.error(
                    f'The "{clause}" section can only be used once in an update expression;'
                )
            cursor.advance()
            parse_one = {
                "SET": self.set_action,
                "REMOVE": self.path,
                "ADD": self.path_and_value,
                "DELETE": self.path_and_value,
            }[clause]
            actions = [parse_one()]
            while cursor.accept(","):
                actions.append(parse_one())
            sections[clause] = actions
        return ast.Update(
            set=tuple(sections.get("SET", ())),
            remove=tuple(sections.get("REMOVE", ())),
            add=tuple(sections.get("ADD", ())),
            delete=tuple(sections.get("DELETE", ())),
        )

    def set_action(self) -> tuple[ast.Path, ast.Operand]:
        path = self.path()
        self.cursor.expect("=")
        return path, self.set_value()

    def set_value(self) -> ast.Operand:
        left = self.term()
        token = self.cursor.token
        if token.kind == "op" and token.text in "+-":
            self.cursor.advance()
            return ast.Arithmetic(token.text, left, self.term())
        return left

    def term(self) -> ast.Operand:
        if self.cursor.accept("("):
            inner = self.set_value()
            self.cursor.expect(")")
            return inner
        return self.value()

    def value(self) -> ast.Operand:
        cursor = self.cursor
        if cursor.token.kind == "value":
            return self.value_ref()
        name = self.function_name()
        if name is None:
            return self.path()
        if name == "if_not_exists":
            path, default = self.arguments(name, self.value)
            if not isinstance(path, ast.Path):
                raise cursor.error(
                    "Operator or function requires a document path; operator or function: "
                    "if_not_exists"
                )
            return ast.IfNotExists(path, default)
        if name == "list_append":
            first, second = self.arguments(name, self.value)
            return ast.ListAppend(first, second)
        if name in FUNCTIONS or name == "size":
            raise cursor.error(
                f"The function is not allowed in an update expression; function: {name}"
            )
        raise cursor.error(f"Invalid function name; function: {name}")

    def path_and_value(self) -> tuple[ast.Path, ast.Operand]:
        path = self.path()
        if self.cursor.token.kind != "value":
            raise self.cursor.syntax_error()
        return path, self.value_ref()


class _ProjectionParser(_Parser):
    def root(self) -> tuple[ast.Path, ...]:
        paths = [self.path()]
        while self.cursor.accept(","):
            paths.append(self.path())
        return tuple(paths)
