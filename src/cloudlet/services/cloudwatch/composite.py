"""Composite alarm rules: parsing, the alarms a rule names, and evaluating it.

    rule    := either ("OR" either)*
    either  := factor ("AND" factor)*
    factor  := "NOT" factor | "(" rule ")" | "TRUE" | "FALSE"
             | ("ALARM" | "OK" | "INSUFFICIENT_DATA") "(" name ")"

`name` is an alarm name or ARN, in double quotes or bare (a bare one ends at the closing
parenthesis). `ALARM(x)` is true while alarm x is in ALARM, and so on. The composite alarm is in
ALARM while its rule is true and OK while it is false, except that it stays INSUFFICIENT_DATA
while every alarm it names is INSUFFICIENT_DATA (as when they were all just created).
"""

from __future__ import annotations

from dataclasses import dataclass

from cloudlet.services.cloudwatch import errors

STATES = ("ALARM", "OK", "INSUFFICIENT_DATA")


@dataclass(frozen=True)
class Check:
    state: str
    alarm: str
    """A name, or an ARN as written."""


@dataclass(frozen=True)
class Not:
    operand: Rule


@dataclass(frozen=True)
class Both:
    left: Rule
    right: Rule


@dataclass(frozen=True)
class Either:
    left: Rule
    right: Rule


@dataclass(frozen=True)
class Constant:
    value: bool


Rule = Check | Not | Both | Either | Constant


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0

    def fail(self) -> Exception:
        return errors.validation(f"Error in alarm rule: {self.text}")

    def skip_space(self) -> None:
        while self.position < len(self.text) and self.text[self.position].isspace():
            self.position += 1

    def keyword(self, *words: str) -> str | None:
        self.skip_space()
        for word in words:
            end = self.position + len(word)
            following = self.text[end : end + 1]
            if self.text[self.position : end] == word and not (
                following.isalnum() or following == "_"
            ):
                self.position = end
                return word
        return None

    def char(self, char: str) -> bool:
        self.skip_space()
        if self.text[self.position : self.position + 1] == char:
            self.position += 1
            return True
        return False

    def rule(self) -> Rule:
        node = self.both()
        while self.keyword("OR"):
            node = Either(node, self.both())
        return node

    def both(self) -> Rule:
        node = self.factor()
        while self.keyword("AND"):
            node = Both(node, self.factor())
        return node

    def factor(self) -> Rule:
        if self.keyword("NOT"):
            return Not(self.factor())
        if self.char("("):
            node = self.rule()
            if not self.char(")"):
                raise self.fail()
            return node
        constant = self.keyword("TRUE", "FALSE")
        if constant:
            return Constant(constant == "TRUE")
        state = self.keyword(*STATES)
        if state is None or not self.char("("):
            raise self.fail()
        return Check(state, self.name())

    def name(self) -> str:
        self.skip_space()
        if self.char('"'):
            end = self.text.find('"', self.position)
            if end < 0:
                raise self.fail()
            name = self.text[self.position : end]
            self.position = end + 1
        else:
            end = self.text.find(")", self.position)
            if end < 0:
                raise self.fail()
            name = self.text[self.position : end].strip()
            self.position = end
        if not name or not self.char(")"):
            raise self.fail()
        return name


def parse_rule(text: str) -> Rule:
    """The parsed rule; ValidationError when it is malformed."""
    parser = _Parser(text)
    rule = parser.rule()
    parser.skip_space()
    if parser.position != len(text):
        raise parser.fail()
    return rule


def named(rule: Rule) -> list[str]:
    """The alarm names or ARNs `rule` refers to, in order, without repeats."""
    found: list[str] = []

    def walk(node: Rule) -> None:
        if isinstance(node, Check):
            if node.alarm not in found:
                found.append(node.alarm)
        elif isinstance(node, Not):
            walk(node.operand)
        elif isinstance(node, Both | Either):
            walk(node.left)
            walk(node.right)

    walk(rule)
    return found


def name_of(reference: str) -> str:
    """The alarm name in a reference (the last part of an alarm ARN)."""
    if reference.startswith("arn:") and ":alarm:" in reference:
        return reference.split(":alarm:", 1)[1]
    return reference


def holds(rule: Rule, states: dict[str, str]) -> bool:
    """Whether `rule` is true given the alarms' states (by name)."""
    if isinstance(rule, Constant):
        return rule.value
    if isinstance(rule, Check):
        return states.get(name_of(rule.alarm)) == rule.state
    if isinstance(rule, Not):
        return not holds(rule.operand, states)
    if isinstance(rule, Both):
        return holds(rule.left, states) and holds(rule.right, states)
    return holds(rule.left, states) or holds(rule.right, states)


def composite_state(rule: Rule, states: dict[str, str]) -> str:
    names = [name_of(r) for r in named(rule)]
    if names and all(states.get(n, "INSUFFICIENT_DATA") == "INSUFFICIENT_DATA" for n in names):
        return "INSUFFICIENT_DATA"
    return "ALARM" if holds(rule, states) else "OK"
