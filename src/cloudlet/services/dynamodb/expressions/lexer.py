"""Tokens of DynamoDB expressions, with positions for AWS's syntax-error messages.

AWS reports a syntax error as `Syntax error; token: "<tok>", near: "<text>"`, where `<text>` is the
source from the start of the token before the offending one to the end of the token after it
(`ADD hits : incr` → token ":", near "hits : incr"); at the end of input the token is `<EOF>`.
A character no token starts with is a one-character token of its own, so the parser reports it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cloudlet.services.dynamodb.errors import expression_error

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<name>\#[A-Za-z0-9_]+)
  | (?P<value>:[A-Za-z0-9_]+)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<number>[0-9]+)
  | (?P<op><>|<=|>=|[=<>(),.\[\]+\-])
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    """`name` (#n), `value` (:v), `ident`, `number`, `op`, `other` or `eof`."""
    text: str
    start: int
    end: int

    @property
    def upper(self) -> str:
        return self.text.upper()


def tokenize(source: str) -> list[Token]:
    """Every token of `source` (whitespace dropped), ending with an `eof` token."""
    tokens = []
    for match in _TOKEN.finditer(source):
        kind = match.lastgroup
        assert kind is not None
        if kind != "space":
            tokens.append(Token(kind, match.group(), match.start(), match.end()))
    tokens.append(Token("eof", "<EOF>", len(source), len(source)))
    return tokens


class Cursor:
    """A position in a token list, and AWS's error for the token there."""

    def __init__(self, source: str, kind: str) -> None:
        self.source = source
        self.kind = kind
        """`Condition`, `Update`, `Projection`, `KeyCondition` or `Filter` (for messages)."""
        self.tokens = tokenize(source)
        self.index = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def peek(self, offset: int = 1) -> Token:
        return self.tokens[min(self.index + offset, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if self.index < len(self.tokens) - 1:
            self.index += 1
        return token

    def at(self, text: str) -> bool:
        token = self.tokens[self.index]
        return token.kind in ("op", "ident") and token.upper == text

    def accept(self, text: str) -> bool:
        if self.at(text):
            self.advance()
            return True
        return False

    def expect(self, text: str) -> Token:
        if not self.at(text):
            raise self.syntax_error()
        return self.advance()

    def syntax_error(self) -> Exception:
        index = self.index
        token = self.tokens[index]
        start = self.tokens[index - 1].start if index > 0 else token.start
        end = self.tokens[index + 1].end if index + 1 < len(self.tokens) else token.end
        if token.kind == "eof":
            end = len(self.source)
        near = self.source[start:end]
        return expression_error(self.kind, f'Syntax error; token: "{token.text}", near: "{near}"')

    def error(self, detail: str) -> Exception:
        return expression_error(self.kind, detail)
