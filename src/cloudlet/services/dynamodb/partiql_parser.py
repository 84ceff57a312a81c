"""PartiQL statements parsed into the expression trees DynamoDB's data path evaluates.

`parse(text, parameters)` reads one statement (SELECT, INSERT, UPDATE in either clause order,
DELETE; UPDATE and DELETE with an optional `RETURNING`) and returns it with its WHERE clause as
an `ast.Condition`, its assignments as `ast.Update` parts and its values as `ast.Literal`s (`?`
parameters are substituted in order).
Attribute names become `#<n>` placeholders of the statement's `ast.Scope`, so any name works.

The parser refuses what AWS's refuses, with AWS's words: a token after a complete statement
(`Unexpected token after expression`), an empty or broken WHERE (`Unexpected term`,
`Unexpected keyword`, `Unexpected operator`, `Missing right-hand side expression of infix
operator`), a table alias (`Aliasing is not supported`), and an ordering comparison (`<`, `<=`,
`>`, `>=`, BETWEEN) with a value of a type that has no order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cloudlet.errors import ServiceError
from cloudlet.services.dynamodb.errors import validation
from cloudlet.services.dynamodb.expressions import ast
from cloudlet.services.dynamodb.partiql_lexer import Token, not_well_formed, position, tokenize
from cloudlet.services.dynamodb.partiql_values import literal_number
from cloudlet.services.dynamodb.types import (
    SET_TYPES,
    AttributeValue,
    AttributeValueError,
    Item,
    check_value,
)

Node = ast.Condition | ast.Operand

_CLAUSES = {"WHERE", "ORDER", "SET", "REMOVE", "VALUE", "FROM", "SELECT", "INSERT", "UPDATE"}
_KEYWORDS = _CLAUSES | {"DELETE", "INTO", "BY", "ASC", "DESC", "AS", "LIMIT", "VALUES", "RETURNING"}
_OPERATOR_WORDS = {"AND", "OR", "IS", "IN", "LIKE", "BETWEEN"}
_COMPARISONS = {"=", "<>", "!=", "<", "<=", ">", ">="}
_ORDERED_TYPES = {"S", "N", "B"}
_LEFTOVER = "Unexpected token after expression"
_UPDATE_RETURNING = {
    ("ALL", "NEW"): "ALL_NEW",
    ("ALL", "OLD"): "ALL_OLD",
    ("MODIFIED", "NEW"): "UPDATED_NEW",
    ("MODIFIED", "OLD"): "UPDATED_OLD",
}
_DELETE_RETURNING = {("ALL", "OLD"): "ALL_OLD"}
_IS_TYPES = {
    "NULL": "NULL",
    "BOOL": "BOOL",
    "BOOLEAN": "BOOL",
    "STRING": "S",
    "VARCHAR": "S",
    "CHAR": "S",
    "SYMBOL": "S",
    "CHARACTER": "S",
    "INT": "N",
    "INTEGER": "N",
    "INT2": "N",
    "INT4": "N",
    "INT8": "N",
    "SMALLINT": "N",
    "BIGINT": "N",
    "DECIMAL": "N",
    "NUMERIC": "N",
    "FLOAT": "N",
    "REAL": "N",
    "DOUBLE": "N",
    "LIST": "L",
    "STRUCT": "M",
    "TUPLE": "M",
    "BLOB": "B",
}
_TWO_WORD_TYPES = {"DOUBLE": "PRECISION", "CHARACTER": "VARYING"}
_PATH_FUNCTIONS = {"attribute_exists", "attribute_not_exists"}
_CONDITION_FUNCTIONS = {*_PATH_FUNCTIONS, "attribute_type", "begins_with", "contains"}


@dataclass
class Select:
    table: str
    index: str | None
    projection: list[ast.Path] | None
    where: ast.Condition | None
    order: tuple[ast.Path, bool] | None
    """The ORDER BY path and whether it is descending."""
    scope: ast.Scope


@dataclass
class Insert:
    table: str
    item: Item


@dataclass
class Update:
    table: str
    where: ast.Condition | None
    scope: ast.Scope
    sets: list[tuple[ast.Path, ast.Operand]] = field(default_factory=list)
    removes: list[ast.Path] = field(default_factory=list)
    adds: list[tuple[ast.Path, ast.Operand]] = field(default_factory=list)
    """`SET a = set_add(a, <<...>>)`, an ADD of the set."""
    deletes: list[tuple[ast.Path, ast.Operand]] = field(default_factory=list)
    """`SET a = set_delete(a, <<...>>)`, a DELETE of the set."""
    returning: str = "NONE"
    """`RETURNING ALL|MODIFIED NEW|OLD *` as a ReturnValues mode."""


@dataclass
class Delete:
    table: str
    where: ast.Condition | None
    scope: ast.Scope
    returning: str = "NONE"
    """`RETURNING ALL OLD *` as a ReturnValues mode."""


Statement = Select | Insert | Update | Delete


def parse(text: str, parameters: list[AttributeValue]) -> Statement:
    """One statement, with its `?` parameters (already validated) in place."""
    parser = _Parser(text, parameters)
    statement = parser.statement()
    parser.finish()
    return statement


def incorrect_operand(operator: str, value: AttributeValue) -> ServiceError:
    return validation(
        "Incorrect operand type for operator or function; operator or function: "
        f"{operator}, operand type: {next(iter(value))}"
    )


class _Parser:
    def __init__(self, text: str, parameters: list[AttributeValue]) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.at = 0
        self.parameters = parameters
        self.used = 0
        self.names: dict[str, str] = {}
        self.scope = ast.Scope(self.names, {})

    # -- tokens ----------------------------------------------------------------------------

    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.at + ahead, len(self.tokens) - 1)]

    def take(self) -> Token:
        token = self.peek()
        self.at = min(self.at + 1, len(self.tokens) - 1)
        return token

    def word(self, *words: str) -> Token | None:
        if self.peek().is_word(*words):
            return self.take()
        return None

    def op(self, text: str) -> bool:
        token = self.peek()
        if token.kind == "op" and token.text == text:
            self.take()
            return True
        return False

    def at_end(self) -> bool:
        token = self.peek()
        return token.kind == "end" or (token.kind == "op" and token.text == ";")

    def finish(self) -> None:
        self.op(";")
        if self.peek().kind != "end":
            raise not_well_formed(_LEFTOVER)
        if self.used != len(self.parameters):
            raise validation("Number of parameters in request and statement don't match.")

    # -- statements ------------------------------------------------------------------------

    def statement(self) -> Statement:
        if self.word("SELECT"):
            return self.select()
        if self.word("INSERT"):
            return self.insert()
        if self.word("UPDATE"):
            return self.update()
        if self.word("DELETE"):
            return self.delete()
        if self.word("FROM"):
            return self.from_first_update()
        raise not_well_formed("Unexpected term")

    def table(self, missing: str) -> str:
        token = self.peek()
        if token.kind == "quoted" or (token.kind == "word" and token.text.upper() not in _KEYWORDS):
            self.take()
            return _unquote(token)
        raise not_well_formed(missing)

    def no_alias(self) -> None:
        token = self.peek()
        if token.kind == "quoted" or (
            token.kind == "word" and token.text.upper() not in _KEYWORDS - {"AS"}
        ):
            raise validation("Aliasing is not supported")

    def where(self) -> ast.Condition | None:
        if not self.word("WHERE"):
            return None
        return self.condition(self.or_())

    def select(self) -> Select:
        projection = None if self.op("*") else self.projection()
        if not self.word("FROM"):
            raise not_well_formed("Unexpected term")
        table = self.table("Unexpected term")
        index = self.table("Unexpected term") if self.op(".") else None
        self.no_alias()
        where = self.where()
        order = None
        if self.word("ORDER"):
            if not self.word("BY"):
                raise not_well_formed("Unexpected term")
            path = self.path()
            descending = self.word("ASC", "DESC")
            order = (path, descending is not None and descending.text.upper() == "DESC")
        return Select(table, index, projection, where, order, self.scope)

    def projection(self) -> list[ast.Path]:
        paths = []
        while True:
            token = self.peek()
            if token.kind == "word" and self.peek(1).text == "(":
                raise validation(f"Unexpected path component at {position(self.text, token)}")
            paths.append(self.path())
            if not self.op(","):
                return paths

    def insert(self) -> Insert:
        if not self.word("INTO"):
            raise not_well_formed("Unexpected term")
        table = self.table("Expected identifier for simple path")
        if not self.word("VALUE"):
            raise not_well_formed(_LEFTOVER)
        value = self.literal("root", item=True)
        if "M" not in value:
            raise not_well_formed("Unexpected term")
        return Insert(table, value["M"])

    def update(self) -> Update:
        table = self.table("Expected identifier for simple path")
        self.no_alias()
        statement = Update(table, None, self.scope)
        self.assignments(statement)
        statement.where = self.where()
        statement.returning = self.returning(_UPDATE_RETURNING)
        return statement

    def from_first_update(self) -> Update:
        table = self.table("Expected identifier for simple path")
        self.no_alias()
        statement = Update(table, self.where(), self.scope)
        self.assignments(statement)
        statement.returning = self.returning(_UPDATE_RETURNING)
        return statement

    def assignments(self, statement: Update) -> None:
        while True:
            if self.word("SET"):
                self.assignment(statement)
                while self.op(","):
                    self.assignment(statement)
            elif self.word("REMOVE"):
                statement.removes.append(self.path())
                while self.op(","):
                    statement.removes.append(self.path())
            else:
                return

    def assignment(self, statement: Update) -> None:
        target = self.path()
        if not self.op("="):
            raise not_well_formed("Unexpected term")
        if self.peek().is_word("SET_ADD", "SET_DELETE") and self.peek(1).text == "(":
            name, members = self.set_function(target)
            (statement.adds if name == "SET_ADD" else statement.deletes).append((target, members))
            return
        value = self.operand(self.term())
        for sign in ("+", "-"):
            if self.op(sign):
                value = ast.Arithmetic(sign, value, self.operand(self.rhs(self.term)))
        statement.sets.append((target, value))

    def set_function(self, target: ast.Path) -> tuple[str, ast.Operand]:
        """`set_add(<target>, <set>)` or `set_delete(...)`: (upper-case name, the set)."""
        token = self.take()
        name = token.text.upper()
        self.take()  # (
        first_token = self.peek()
        args = self.arguments()
        at = position(self.text, token)
        if len(args) != 2:
            raise validation(f"{name} must have exactly two arguments at {at}")
        first, second = args
        if not isinstance(first, ast.Path) or first.concrete(self.scope) != target.concrete(
            self.scope
        ):
            raise validation(
                f"The first argument to {name} must equal the assignment value at {at}"
            )
        if not isinstance(second, ast.Literal) or next(iter(second.literal)) not in SET_TYPES:
            raise validation(
                f"The second argument to {name} must be a value with type SET at "
                f"{position(self.text, first_token)}"
            )
        return name, second

    def arguments(self) -> list[Node]:
        """A function's arguments, after its `(`."""
        args: list[Node] = []
        if self.op(")"):
            return args
        args.append(self.term())
        while self.op(","):
            args.append(self.term())
        if not self.op(")"):
            raise not_well_formed("Unexpected term")
        return args

    def delete(self) -> Delete:
        if not self.word("FROM"):
            raise not_well_formed("Expected identifier for simple path")
        table = self.table("Expected identifier for simple path")
        self.no_alias()
        where = self.where()
        return Delete(table, where, self.scope, self.returning(_DELETE_RETURNING))

    def returning(self, modes: dict[tuple[str, str], str]) -> str:
        """The ReturnValues mode of an optional `RETURNING <ALL|MODIFIED> <NEW|OLD> *`."""
        if not self.word("RETURNING"):
            return "NONE"
        which, age = self.take().text.upper(), self.take().text.upper()
        if (which, age) not in modes or not self.op("*"):
            raise not_well_formed("Unexpected term")
        return modes[(which, age)]

    # -- conditions ------------------------------------------------------------------------

    def condition(self, node: Node) -> ast.Condition:
        if isinstance(node, ast.Condition):
            return node
        raise not_well_formed("Unexpected term")

    def operand(self, node: Node) -> ast.Operand:
        if isinstance(node, ast.Operand):
            return node
        raise not_well_formed("Unexpected term")

    def rhs(self, parse: Callable[[], Node]) -> Node:
        if self.at_end():
            raise not_well_formed("Missing right-hand side expression of infix operator")
        return parse()

    def or_(self) -> Node:
        left = self.and_()
        while self.word("OR"):
            left = ast.Or(self.condition(left), self.condition(self.rhs(self.and_)))
        return left

    def and_(self) -> Node:
        left = self.not_()
        while self.word("AND"):
            left = ast.And(self.condition(left), self.condition(self.rhs(self.not_)))
        return left

    def not_(self) -> Node:
        if self.word("NOT"):
            return ast.Not(self.condition(self.not_()))
        return self.predicate()

    def predicate(self) -> Node:
        left = self.term()
        token = self.peek()
        if token.kind == "op" and token.text in _COMPARISONS:
            self.take()
            return _compare(token.text, left, self.rhs(self.term))
        negated = bool(token.is_word("NOT") and self.peek(1).is_word("BETWEEN", "IN"))
        if negated:
            self.take()
        node: ast.Condition | None = None
        if between := self.word("BETWEEN"):
            node = self.between(between.text, self.operand(left))
        elif self.word("IN"):
            node = ast.In(self.operand(left), tuple(self.choices()))
        elif self.word("IS"):
            return self.is_(self.operand(left))
        if node is None:
            return left
        return ast.Not(node) if negated else node

    def between(self, written: str, subject: ast.Operand) -> ast.Condition:
        low = self.operand(self.rhs(self.term))
        if not self.word("AND"):
            raise not_well_formed("Unexpected term")
        high = self.operand(self.rhs(self.term))
        for side in (subject, low, high):
            _check_ordered(written, side)
        return ast.Between(subject, low, high)

    def choices(self) -> list[ast.Operand]:
        closer = "]" if self.op("[") else ")"
        if closer == ")" and not self.op("("):
            raise not_well_formed("Unexpected term")
        choices = [self.operand(self.term())]
        while self.op(","):
            choices.append(self.operand(self.term()))
        if not self.op(closer):
            raise not_well_formed("Unexpected term")
        return choices

    def is_(self, subject: ast.Operand) -> ast.Condition:
        negated = self.word("NOT") is not None
        token = self.take()
        name = token.text.upper() if token.kind == "word" else ""
        if name == "MISSING":
            test: ast.Condition = ast.Function("attribute_not_exists", (subject,))
        elif name in _IS_TYPES:
            if name in _TWO_WORD_TYPES:
                self.word(_TWO_WORD_TYPES[name])
            test = ast.Function("attribute_type", (subject, ast.Literal({"S": _IS_TYPES[name]})))
        else:
            raise not_well_formed("Expected type name")
        return ast.Not(test) if negated else test

    def term(self) -> Node:
        token = self.peek()
        if self.at_end():
            raise not_well_formed("Unexpected term")
        if token.kind == "op":
            if token.text == "(":
                self.take()
                node = self.or_()
                if not self.op(")"):
                    raise not_well_formed("Unexpected term")
                return node
            if token.text in ("?", "[", "{", "<<", "-"):
                return ast.Literal(self.literal("root"))
            if token.text in _COMPARISONS:
                raise not_well_formed("Unexpected operator")
            raise not_well_formed("Unexpected term")
        if token.kind in ("string", "number"):
            return ast.Literal(self.literal("root"))
        if token.kind == "word":
            upper = token.text.upper()
            if upper in ("TRUE", "FALSE", "NULL"):
                return ast.Literal(self.literal("root"))
            if upper in _OPERATOR_WORDS:
                raise not_well_formed("Unexpected operator")
            if upper in _KEYWORDS:
                raise not_well_formed("Unexpected keyword")
            if self.peek(1).text == "(":
                return self.function()
        return self.path()

    def function(self) -> Node:
        token = self.take()
        name = token.text.lower()
        self.take()  # (
        args = self.arguments()
        if name not in _CONDITION_FUNCTIONS and name != "size":
            raise validation(f"Unrecognized function: {name} at {position(self.text, token)}")
        arity = 1 if name in _PATH_FUNCTIONS or name == "size" else 2
        if len(args) != arity:
            raise validation(
                "Incorrect number of operands for operator or function; operator or function: "
                f"{name}, number of operands: {len(args)}"
            )
        if not isinstance(args[0], ast.Path):
            raise validation(
                f"Operator or function requires a document path; operator or function: {name}"
            )
        if name == "size":
            return ast.Size(args[0])
        return ast.Function(name, tuple(self.operand(arg) for arg in args))

    def path(self) -> ast.Path:
        elements: list[str | int] = [self.name(self.take())]
        while True:
            if self.peek().text == "." and self.peek().kind == "op":
                self.take()
                elements.append(self.name(self.take()))
            elif self.op("["):
                index = self.take()
                if index.kind != "number" or not index.text.isdigit() or not self.op("]"):
                    raise not_well_formed("Unexpected term")
                elements.append(int(index.text))
            else:
                return ast.Path(tuple(elements))

    def name(self, token: Token) -> str:
        if token.kind not in ("word", "quoted"):
            raise not_well_formed("Unexpected term")
        placeholder = f"#{len(self.names)}"
        self.names[placeholder] = _unquote(token)
        return placeholder

    # -- values ----------------------------------------------------------------------------

    def literal(self, where: str, item: bool = False) -> AttributeValue:
        """A value: a literal (numbers checked as found at `where`) or a `?` parameter.
        `item`: the map of an INSERT, whose attribute values are each a `root`."""
        token = self.take()
        kind, text = token.kind, token.text
        if kind == "op" and text == "?":
            return self.parameter()
        if kind == "string":
            return {"S": text[1:-1].replace("''", "'")}
        if kind == "number":
            return literal_number(text, where)
        if kind == "op" and text == "-" and self.peek().kind == "number":
            return literal_number("-" + self.take().text, where)
        if kind == "word" and text.upper() in ("TRUE", "FALSE"):
            return {"BOOL": text.upper() == "TRUE"}
        if kind == "word" and text.upper() == "NULL":
            return {"NULL": True}
        if kind == "op" and text == "[":
            members = self.members("]", lambda i: f"{where}[{i}]")
            return {"L": members}
        if kind == "op" and text == "{":
            return {"M": self.fields(where, item)}
        if kind == "op" and text == "<<":
            return _set(self.members(">>", lambda i: where))
        if kind == "word" and self.peek().text == "(":
            raise validation(
                f"Unsupported data type: {text.lower()} under key {where} at "
                f"{position(self.text, token)}"
            )
        raise not_well_formed("Unexpected term")

    def parameter(self) -> AttributeValue:
        if self.used >= len(self.parameters):
            raise validation("Number of parameters in request and statement don't match.")
        self.used += 1
        return self.parameters[self.used - 1]

    def members(self, closer: str, where: Callable[[int], str]) -> list[AttributeValue]:
        members: list[AttributeValue] = []
        if self.op(closer):
            return members
        while True:
            members.append(self.literal(where(len(members))))
            if self.op(closer):
                return members
            if not self.op(","):
                raise not_well_formed("Unexpected term")

    def fields(self, where: str, item: bool) -> dict[str, AttributeValue]:
        fields: dict[str, AttributeValue] = {}
        if self.op("}"):
            return fields
        while True:
            key = self.take()
            if key.kind != "string" or not self.op(":"):
                raise not_well_formed("Unexpected term")
            name = key.text[1:-1].replace("''", "'")
            fields[name] = self.literal(where if item else f"{where}.{name}")
            if self.op("}"):
                return fields
            if not self.op(","):
                raise not_well_formed("Unexpected term")


def _unquote(token: Token) -> str:
    if token.kind == "quoted":
        return token.text[1:-1].replace('""', '"')
    return token.text


def _set(members: list[AttributeValue]) -> AttributeValue:
    if not members:
        raise validation("Empty bags are not supported")
    kinds = {next(iter(member)) for member in members}
    if len(kinds) != 1 or not kinds <= _ORDERED_TYPES:
        raise validation("Unsupported set element type")
    kind = kinds.pop()
    try:
        return check_value({kind + "S": [member[kind] for member in members]})
    except AttributeValueError as error:
        raise error.in_older_words() from None


def _check_ordered(operator: str, operand: ast.Operand) -> None:
    if isinstance(operand, ast.Literal) and next(iter(operand.literal)) not in _ORDERED_TYPES:
        raise incorrect_operand(operator, operand.literal)


def _compare(operator: str, left: Node, right: Node) -> ast.Condition:
    if operator == "!=":
        operator = "<>"
    truth = _truth_test(operator, left, right) or _truth_test(operator, right, left)
    if truth is not None:
        return truth
    if not isinstance(left, ast.Operand) or not isinstance(right, ast.Operand):
        raise not_well_formed("Unexpected term")
    if operator not in ("=", "<>"):
        _check_ordered(operator, left)
        _check_ordered(operator, right)
    return ast.Compare(operator, left, right)


def _truth_test(operator: str, condition: Node, value: Node) -> ast.Condition | None:
    """`attribute_exists(x) = true` and the like: the condition itself or its negation."""
    if not isinstance(condition, ast.Condition) or not isinstance(value, ast.Literal):
        return None
    truth: Any = value.literal.get("BOOL")
    if operator not in ("=", "<>") or truth is None:
        return None
    return condition if truth == (operator == "=") else ast.Not(condition)
