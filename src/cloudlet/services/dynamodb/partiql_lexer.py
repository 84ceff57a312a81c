"""PartiQL tokens: the statement text cut into words, literals and operators, comments dropped.

Whitespace, `-- line` comments and `/* block */` comments separate tokens and are otherwise
ignored, as AWS reads them. Text the lexer cannot read (a `#`, an unterminated block comment or
string) is refused with AWS's bare "wasn't well formed" message. Every token keeps its offset, so
errors that name a position (`at <line>:<column>:<length>`) can point at it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cloudlet.errors import ServiceError
from cloudlet.services.dynamodb.errors import validation

_TOKEN = re.compile(
    r"(?P<space>\s+|--[^\n]*|/\*.*?\*/)"
    r"|(?P<string>'(?:[^']|'')*')"
    r"|(?P<quoted>\"(?:[^\"]|\"\")*\")"
    r"|(?P<number>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_$]*)"
    r"|(?P<op><<|>>|<>|<=|>=|!=|[-+=<>(),.\[\]{}:?*;])",
    re.DOTALL,
)


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    """string, quoted, number, word, op or end."""
    text: str
    offset: int

    def is_word(self, *words: str) -> bool:
        return self.kind == "word" and self.text.upper() in words


def not_well_formed(detail: str = "") -> ServiceError:
    """AWS's parser error: `Statement wasn't well formed, can't be processed: <detail>`."""
    return validation(f"Statement wasn't well formed, can't be processed: {detail}")


def tokenize(text: str) -> list[Token]:
    """The tokens of a statement, ending with an `end` token."""
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise not_well_formed()
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append(Token(kind, match.group(), position))
        position = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


def position(text: str, token: Token, length: int | None = None) -> str:
    """`<line>:<column>:<length>` of a token, counted from 1 as AWS does."""
    before = text[: token.offset]
    line = before.count("\n") + 1
    column = token.offset - (before.rfind("\n") + 1) + 1
    return f"{line}:{column}:{len(token.text) if length is None else length}"
