"""Tokens of VirES's filter language (reference vires-data-extraction.md, section 3.1).

The tokenizer is lazy, as VirES's: it reads one token when the parser asks for it, so a
syntax error reported at a token wins over a lexical error further on. Its error texts are
VirES's (``Illegal character ...``, ``Missing closing single quote!``, ...), raised as
:class:`~vires_repo.errors.FilterError` with the ``Invalid filter specification!`` prefix.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import Any

from vires_repo.errors import FilterError

MAX_TOKEN_LENGTH = 128
MAX_INDEX_DIGITS = 9

LABELS = {
    "identifier": "variable identifier",
    "string": "string literal",
    "bool": "Boolean literal",
    "float": "float number literal",
    "integer": "integer number literal",
    "index": "integer index",
    "==": "equal",
    "!=": "not equal",
    ">": "greater than",
    "<": "less than",
    ">=": "greater than or equal",
    "<=": "less than or equal",
    "&": "bitwise AND",
    "AND": "logical AND",
    "OR": "logical OR",
    "NOT": "logical NOT",
    ":": "colon",
    ";": "semicolon",
    ",": "comma",
    "[": "left_square_bracket",
    "]": "right_square_bracket",
    "(": "left_round_bracket",
    ")": "right_round_bracket",
}
"""What VirES calls each kind of token in its ``Unexpected <label> ...`` messages."""

_RESERVED: dict[str, tuple[str, Any]] = {
    "AND": ("AND", "AND"),
    "OR": ("OR", "OR"),
    "NOT": ("NOT", "NOT"),
    "INF": ("float", float("inf")),
    "NAN": ("float", float("nan")),
    "TRUE": ("bool", True),
    "FALSE": ("bool", False),
}
"""Reserved words, case-insensitive: their token kind and value."""

_IGNORED = " \t\r"
_IDENTIFIER = re.compile(r"([a-zA-Z_]|\\[a-zA-Z0-9_ -])([a-zA-Z0-9_]|\\[ -]){0,128}")
_NUMBER = re.compile(
    r"[+-]?((\.[0-9]+|[0-9]+(\.[0-9]*)?)(e[+-]?([1-9][0-9]*|0))?|nan|inf)\w{0,128}", re.IGNORECASE
)
_ESCAPE = re.compile(r"\\(.)")
_OPERATORS = ("==", "!=", ">=", "<=", "(", ")", ":", ";", ",", ">", "<", "&")
_SINGLE_QUOTED = re.compile(r"([^']|''){1,129}")
_DOUBLE_QUOTED = re.compile(r'([^"]|""){1,129}')
_INDEX = re.compile(r"\d{1,10}")


@dataclass(frozen=True)
class Token:
    """One token: its kind (a key of :data:`LABELS`), value and offset in the text."""

    kind: str
    value: Any
    position: int


def syntax_error(detail: str) -> FilterError:
    return FilterError(f"Invalid filter specification! {detail}")


def line_and_column(text: str, position: int) -> tuple[int, int]:
    """1-based line and column of an offset."""
    line_start = text.rfind("\n", 0, position) + 1
    return text.count("\n", 0, position) + 1, position - line_start + 1


def _at(text: str, position: int) -> str:
    line, column = line_and_column(text, position)
    return f"line {line}, column {column}"


def _check_length(text: str, label: str, value: str, position: int, limit: int) -> None:
    if len(value) > limit:
        raise syntax_error(f"{label} longer then {limit} characters at {_at(text, position)}!")


def _illegal(text: str, position: int) -> FilterError:
    return syntax_error(f"Illegal character {text[position]!r}, {_at(text, position)}!")


def tokenize(text: str) -> Iterator[Token]:
    """The tokens of ``text``, read one at a time."""
    position = 0
    while position < len(text):
        char = text[position]
        if char in _IGNORED:
            position += 1
        elif char in "'\"":
            position = yield from _quoted(text, position)
        elif char == "[":
            yield Token("[", "[", position)
            position = yield from _index(text, position + 1)
        else:
            token, position = _plain(text, position)
            yield token


def _plain(text: str, position: int) -> tuple[Token, int]:
    """The identifier, reserved word, number or operator at ``position``, and where it ends.

    Tried in VirES's order: an identifier first (so ``nan`` and ``inf`` are reserved words),
    then a number, then the operators, longest first.
    """
    match = _IDENTIFIER.match(text, position)
    if match:
        word = match.group()
        reserved = _RESERVED.get(word.upper())
        if reserved:
            return Token(reserved[0], reserved[1], position), match.end()
        name = _ESCAPE.sub(r"\1", word)
        _check_length(text, "Variable identifier", name, position, MAX_TOKEN_LENGTH)
        return Token("identifier", name, position), match.end()
    match = _NUMBER.match(text, position)
    if match:
        return _number(text, match.group(), position), match.end()
    for operator in _OPERATORS:
        if text.startswith(operator, position):
            return Token(operator, operator, position), position + len(operator)
    raise _illegal(text, position)


def _number(text: str, literal: str, position: int) -> Token:
    _check_length(text, "Number", literal, position, MAX_TOKEN_LENGTH)
    try:
        return Token("integer", int(literal), position)
    except ValueError:
        pass
    try:
        return Token("float", float(literal), position)
    except ValueError:
        pass
    raise syntax_error(f"Not a valid number literal {literal} at {_at(text, position)}!")


def _quoted(text: str, position: int) -> Generator[Token, None, int]:
    """The string of a quoted literal (VirES emits no token for an empty one)."""
    quote = text[position]
    pattern = _SINGLE_QUOTED if quote == "'" else _DOUBLE_QUOTED
    position += 1
    while True:
        if position >= len(text):
            kind = "single" if quote == "'" else "double"
            raise syntax_error(f"Missing closing {kind} quote!")
        match = pattern.match(text, position)
        if match is None:  # the closing quote
            return position + 1
        value = match.group().replace(quote * 2, quote)
        _check_length(text, "String literal", value, position, MAX_TOKEN_LENGTH)
        yield Token("string", value, position)
        position = match.end()


def _index(text: str, position: int) -> Generator[Token, None, int]:
    """The tokens between ``[`` and ``]``: integer indices and commas."""
    while True:
        if position >= len(text):
            raise syntax_error("Missing closing square bracket!")
        char = text[position]
        if char in _IGNORED:
            position += 1
        elif char == "]":
            yield Token("]", "]", position)
            return position + 1
        elif char == ",":
            yield Token(",", ",", position)
            position += 1
        else:
            match = _INDEX.match(text, position)
            if match is None:
                raise _illegal(text, position)
            _check_length(text, "Integer index", match.group(), position, MAX_INDEX_DIGITS)
            yield Token("index", int(match.group()), position)
            position = match.end()
