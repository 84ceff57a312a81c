"""CloudWatch Logs filter patterns, compiled once into a predicate over an event's message.

Three syntaxes, told apart by the first character
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html):

- Terms (anything else): `ERROR`, `"quoted phrase"`, `ERROR -DEBUG` (exclude), `?ERROR ?WARN`
  (any of), `%regex%`. Matching is case-sensitive and by substring. Plain terms must all appear,
  `-` terms must not, and at least one `?` term must when there are any. Bare terms with
  characters other than letters, digits and `_ . - / @ # + *` must be quoted, as in AWS.
- JSON (`{ ... }`): `$.a.b[0].c` selectors (`[*]` for any element) compared with `= != < > <= >=`
  against numbers, strings (`*` wildcards) or `%regex%`; `IS NULL`, `IS TRUE`, `IS FALSE`,
  `NOT EXISTS`; `&&`, `||` and parentheses. Messages that are not JSON objects never match.
- Space-delimited (`[ ... ]`): one field per word of the message (`"quoted"` and `[bracketed]`
  words count as one), `...` for any number of words, and conditions on named fields
  (`status = 4*`, `bytes > 1000`, joined with `&&` / `||`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from cloudlet.services.logs.models import invalid_parameter

Matcher = Callable[[str], bool]
_BARE_TERM = re.compile(r"^[\w.\-/@#+*]+$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")
_MISSING = object()


def compile_pattern(pattern: str | None) -> Matcher:
    """A predicate over messages; InvalidParameterException for a pattern AWS would refuse."""
    text = (pattern or "").strip()
    if not text or text == '""':
        return lambda message: True
    if text.startswith("{"):
        if not text.endswith("}"):
            raise _invalid(text)
        return _JsonParser(text[1:-1]).parse()
    if text.startswith("["):
        if not text.endswith("]"):
            raise _invalid(text)
        return _space_delimited(text[1:-1])
    return _terms(text)


def _invalid(pattern: str) -> Exception:
    return invalid_parameter(f"Invalid filter pattern: {pattern}")


# terms


def _terms(text: str) -> Matcher:
    if text.startswith("%") and text.endswith("%") and len(text) > 1:
        regex = _regex(text[1:-1], text)
        return lambda message: regex.search(message) is not None
    required: list[str] = []
    excluded: list[str] = []
    optional: list[str] = []
    for token in re.findall(r'[-?]?"(?:[^"\\]|\\.)*"|\S+', text):
        target = required
        if token[0] in "-?" and len(token) > 1:
            target = excluded if token[0] == "-" else optional
            token = token[1:]
        if token.startswith('"'):
            target.append(json.loads(token) if token.endswith('"') else token)
        elif _BARE_TERM.match(token):
            target.append(token)
        else:
            raise invalid_parameter(f"Invalid character(s) in term '{token}'")

    def match(message: str) -> bool:
        return (
            all(term in message for term in required)
            and not any(term in message for term in excluded)
            and (not optional or any(term in message for term in optional))
        )

    return match


def _regex(body: str, pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(body)
    except re.error:
        raise _invalid(pattern) from None


def _wildcard(value: str) -> Callable[[str], bool]:
    if "*" not in value:
        return lambda text: text == value
    regex = re.compile(".*".join(re.escape(part) for part in value.split("*")), re.DOTALL)
    return lambda text: regex.fullmatch(text) is not None


def _comparison(op: str, raw: str, pattern: str) -> Callable[[Any], bool]:
    """A test of one value against `op raw`, where `raw` is the pattern's literal."""
    if raw.startswith('"') and raw.endswith('"') and len(raw) >= 2:
        literal: Any = json.loads(raw) if "\\" in raw else raw[1:-1]
    elif raw.startswith("%") and raw.endswith("%") and len(raw) > 1:
        regex = _regex(raw[1:-1], pattern)
        if op not in ("=", "!="):
            raise _invalid(pattern)
        hit = op == "="
        return lambda v: isinstance(v, str) and (regex.search(v) is not None) == hit
    elif _NUMBER.match(raw):
        number = float(raw)
        compare = {
            "=": lambda v: v == number,
            "!=": lambda v: v != number,
            "<": lambda v: v < number,
            ">": lambda v: v > number,
            "<=": lambda v: v <= number,
            ">=": lambda v: v >= number,
        }[op]
        return lambda v: _as_number(v) is not None and compare(_as_number(v))
    else:
        literal = raw
    if op not in ("=", "!="):
        raise _invalid(pattern)
    test = _wildcard(str(literal))
    if op == "=":
        return lambda v: isinstance(v, str) and test(v)
    return lambda v: isinstance(v, str) and not test(v)


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and _NUMBER.match(value):
        return float(value)
    return None


# JSON patterns

_JSON_TOKEN = re.compile(
    r'\s*(\|\||&&|\(|\)|!=|<=|>=|=|<|>|"(?:[^"\\]|\\.)*"|%(?:[^%\\]|\\.)*%|[^\s()=<>!&|]+)'
)


class _JsonParser:
    """Recursive descent over `or := and ('||' and)*; and := atom ('&&' atom)*`."""

    def __init__(self, body: str) -> None:
        self.pattern = "{" + body + "}"
        self.tokens: list[str] = []
        position = 0
        while position < len(body):
            if body[position:].strip() == "":
                break
            match = _JSON_TOKEN.match(body, position)
            if match is None:
                raise _invalid(self.pattern)
            self.tokens.append(match.group(1))
            position = match.end()
        self.index = 0

    def parse(self) -> Matcher:
        test = self._or()
        if self.index != len(self.tokens):
            raise _invalid(self.pattern)

        def match(message: str) -> bool:
            try:
                document = json.loads(message)
            except ValueError:
                return False
            return isinstance(document, dict) and test(document)

        return match

    def _peek(self) -> str | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def _take(self) -> str:
        token = self._peek()
        if token is None:
            raise _invalid(self.pattern)
        self.index += 1
        return token

    def _or(self) -> Callable[[Any], bool]:
        parts = [self._and()]
        while self._peek() == "||":
            self._take()
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else lambda d: any(p(d) for p in parts)

    def _and(self) -> Callable[[Any], bool]:
        parts = [self._atom()]
        while self._peek() == "&&":
            self._take()
            parts.append(self._atom())
        return parts[0] if len(parts) == 1 else lambda d: all(p(d) for p in parts)

    def _atom(self) -> Callable[[Any], bool]:
        token = self._take()
        if token == "(":
            inner = self._or()
            if self._take() != ")":
                raise _invalid(self.pattern)
            return inner
        if not token.startswith("$"):
            raise _invalid(self.pattern)
        select = _selector(token, self.pattern)
        op = self._take()
        if op in ("IS", "NOT"):
            word = self._take()
            if op == "NOT" and word == "EXISTS":
                return lambda d: not select(d)
            expected = {"NULL": None, "TRUE": True, "FALSE": False}
            if op == "IS" and word in expected:
                want = expected[word]
                return lambda d: any(v is want for v in select(d))
            raise _invalid(self.pattern)
        if op not in ("=", "!=", "<", ">", "<=", ">="):
            raise _invalid(self.pattern)
        test = _comparison(op, self._take(), self.pattern)
        return lambda d: any(test(v) for v in select(d))


_SELECTOR_PART = re.compile(r"\.([^.\[\]]+)|\[(\d+|\*)\]")


def _selector(text: str, pattern: str) -> Callable[[Any], list[Any]]:
    """`$.a.b[0]` → a function returning the values it selects (none when missing)."""
    steps: list[tuple[str, str]] = []
    position = 1
    while position < len(text):
        match = _SELECTOR_PART.match(text, position)
        if match is None:
            raise _invalid(pattern)
        steps.append(("key", match.group(1)) if match.group(1) else ("index", match.group(2)))
        position = match.end()

    def select(document: Any) -> list[Any]:
        values = [document]
        for kind, name in steps:
            found: list[Any] = []
            for value in values:
                if kind == "key" and isinstance(value, dict) and name in value:
                    found.append(value[name])
                elif kind == "index" and isinstance(value, list):
                    if name == "*":
                        found.extend(value)
                    elif int(name) < len(value):
                        found.append(value[int(name)])
            values = found
        return values

    return select


# space-delimited patterns

_WORD = re.compile(r'"([^"]*)"|\[([^\]]*)\]|(\S+)')


def _space_delimited(body: str) -> Matcher:
    pattern = "[" + body + "]"
    fields: list[Callable[[str], bool] | None] = []
    for raw in (part.strip() for part in body.split(",")):
        if raw == "...":
            fields.append(None)
            continue
        alternatives = []
        for alternative in raw.split("||"):
            conditions = []
            for condition in alternative.split("&&"):
                found = re.match(r"^\s*[\w.-]+\s*(!=|<=|>=|=|<|>)\s*(.+?)\s*$", condition)
                if found:
                    conditions.append(_comparison(found.group(1), found.group(2), pattern))
                elif not re.match(r"^\s*[\w.-]*\s*$", condition):
                    raise _invalid(pattern)
            alternatives.append(conditions)

        def field(
            word: str, alternatives: list[list[Callable[[Any], bool]]] = alternatives
        ) -> bool:
            return any(all(c(word) for c in conds) for conds in alternatives)

        fields.append(field)

    def match_words(message: str) -> bool:
        words = [next(g for g in m.groups() if g is not None) for m in _WORD.finditer(message)]
        return _match_words(fields, 0, words, 0)

    return match_words


def _match_words(
    fields: list[Callable[[str], bool] | None], f: int, words: list[str], w: int
) -> bool:
    if f == len(fields):
        return w == len(words)
    field = fields[f]
    if field is None:
        return any(_match_words(fields, f + 1, words, i) for i in range(w, len(words) + 1))
    return w < len(words) and field(words[w]) and _match_words(fields, f + 1, words, w + 1)
