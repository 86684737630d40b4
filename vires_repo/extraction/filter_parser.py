"""Syntax of VirES's filter language (reference vires-data-extraction.md, section 3.2).

::

    filters     := <empty> | expression | range_list
    expression  := predicate (AND predicate)* | predicate (OR predicate)*
    predicate   := NOT predicate | ( expression ) | variable (== | !=) literal
                 | variable (< | > | <= | >=) ordinal | variable & INTEGER (== | !=) INTEGER
    variable    := IDENTIFIER | IDENTIFIER [ INDEX (, INDEX)* ]
    range_list  := variable : ordinal , ordinal (; variable : ordinal , ordinal)*

AND and OR do not mix at one level (parentheses are mandatory), nested groups of the same
operator are flattened and ``NOT NOT p`` is ``p``, as in VirES.

Why a hand-written recursive-descent parser: the grammar is a dozen rules, and the contract is
VirES's error messages, which name the first token that cannot continue a valid filter. VirES
uses an LALR parser (ply), whose errors are reported at exactly that token; a recursive-descent
parser that looks one token ahead and fails on the first token that no rule accepts reports
the same token, where a parsing library would bring its own messages to translate back.
(Checked against VirES's ply grammar itself on some 110,000 generated filters, valid and not:
the same trees and the same messages. One deliberate difference: after a newline inside a
string literal VirES still says "line 1"; here the line is counted.)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from vires_repo.errors import FilterError
from vires_repo.extraction.filter_lexer import (
    LABELS,
    Token,
    line_and_column,
    syntax_error,
    tokenize,
)

MAX_PREDICATES = 4096
MAX_DIMENSIONS = 32

Value = bool | int | float | str
ComparisonOperator = Literal["==", "!=", "<", ">", "<=", ">="]
_ORDINALS = ("bool", "integer", "float")
_LITERALS = (*_ORDINALS, "string")
_COMPOSITION_NAMES = {"AND": "conjunction", "OR": "disjunction"}


@dataclass(frozen=True)
class Variable:
    """A variable, or one component of a vector or matrix variable (0-based indices)."""

    name: str
    index: tuple[int, ...] = ()

    def __str__(self) -> str:
        if not self.index:
            return self.name
        return f"{self.name}[{','.join(str(i) for i in self.index)}]"


@dataclass(frozen=True)
class Comparison:
    """``variable <operator> value``."""

    operator: ComparisonOperator
    variable: Variable
    value: Value


@dataclass(frozen=True)
class BitmaskComparison:
    """``variable & mask == value`` (or ``!=``): the masked bits equal those of ``value``."""

    operator: Literal["==", "!="]
    variable: Variable
    mask: int
    value: int


@dataclass(frozen=True)
class Negation:
    predicate: Node


@dataclass(frozen=True)
class Composition:
    """The conjunction (AND) or disjunction (OR) of two or more predicates."""

    operator: Literal["AND", "OR"]
    predicates: tuple[Node, ...]


Node = Comparison | BitmaskComparison | Negation | Composition


def parse(text: str) -> Node | None:
    """The syntax tree of a filter; None for an empty filter.

    Raises :class:`~vires_repo.errors.FilterError` with VirES's message on a syntax error.
    """
    return _Parser(text).filters()


class _Parser:
    """One token of look-ahead over the lazy tokenizer."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._tokens: Iterator[Token] = tokenize(text)
        self._next: Token | None = None
        self._fetched = False

    def peek(self) -> Token | None:
        if not self._fetched:
            self._next = next(self._tokens, None)
            self._fetched = True
        return self._next

    def at(self, *kinds: str) -> bool:
        token = self.peek()
        return token is not None and token.kind in kinds

    def expect(self, *kinds: str) -> Token:
        token = self.peek()
        if token is None or token.kind not in kinds:
            raise self.unexpected(token)
        self._fetched = False
        return token

    def unexpected(self, token: Token | None) -> FilterError:
        if token is None:
            return syntax_error("Syntax error!")
        line, column = line_and_column(self.text, token.position)
        return syntax_error(
            f"Unexpected {LABELS[token.kind]} {token.value!r} at line {line}, column {column}!"
        )

    def limit_error(self, what: str) -> FilterError:
        """A count limit broken by what was just read. VirES's parser has read one token
        ahead by then and reports where the token after that one starts (or the end)."""
        following = None if self.peek() is None else next(self._tokens, None)
        position = len(self.text) if following is None else following.position
        line, column = line_and_column(self.text, position)
        return syntax_error(f"{what}, at line {line}, column {column}!")

    # -- grammar -----------------------------------------------------------------------

    def filters(self) -> Node | None:
        if self.peek() is None:
            return None
        if self.at("identifier"):
            variable = self.variable()
            if self.at(":"):
                result = self.range_list(variable)
            else:
                result = self.chain(self.comparison(variable))
        else:
            result = self.chain(self.predicate())
        if self.peek() is not None:
            raise self.unexpected(self.peek())
        return result

    def chain(self, first: Node) -> Node:
        """``first`` followed by ``AND predicate`` or ``OR predicate`` items (not both)."""
        token = self.peek()
        if token is None or token.kind not in ("AND", "OR"):
            return first
        operator: Literal["AND", "OR"] = "AND" if token.kind == "AND" else "OR"
        predicates = list(_members(operator, first))
        while self.at(operator):
            self.expect(operator)
            predicates.extend(_members(operator, self.predicate()))
            self.check_count(_COMPOSITION_NAMES[operator], predicates)
        return Composition(operator, tuple(predicates))

    def check_count(self, name: str, predicates: list[Node]) -> None:
        if len(predicates) > MAX_PREDICATES:
            raise self.limit_error(
                f"The {name} exceeds the maximum allowed number of predicates ({MAX_PREDICATES})"
            )

    def predicate(self) -> Node:
        token = self.peek()
        if token is not None and token.kind == "NOT":
            self.expect("NOT")
            negated = self.predicate()
            return negated.predicate if isinstance(negated, Negation) else Negation(negated)
        if token is not None and token.kind == "(":
            self.expect("(")
            inner = self.chain(self.predicate())
            self.expect(")")
            return inner
        if token is not None and token.kind == "identifier":
            return self.comparison(self.variable())
        raise self.unexpected(token)

    def variable(self) -> Variable:
        name = self.expect("identifier").value
        if not self.at("["):
            return Variable(name)
        self.expect("[")
        index = [self.expect("index").value]
        while self.at(","):
            self.expect(",")
            component = self.expect("index").value
            if len(index) == MAX_DIMENSIONS:
                raise self.limit_error(
                    "The array index exceeds the maximum allowed number of dimensions "
                    f"({MAX_DIMENSIONS})"
                )
            index.append(component)
        self.expect("]")
        return Variable(name, tuple(index))

    def comparison(self, variable: Variable) -> Node:
        token = self.peek()
        if token is not None and token.kind in ("==", "!="):
            self.expect(token.kind)
            value = self.expect(*_LITERALS).value
            return Comparison("==" if token.kind == "==" else "!=", variable, value)
        if token is not None and token.kind in ("<", ">", "<=", ">="):
            self.expect(token.kind)
            operator: ComparisonOperator = token.kind  # type: ignore[assignment]
            return Comparison(operator, variable, self.expect(*_ORDINALS).value)
        if token is not None and token.kind == "&":
            self.expect("&")
            mask = self.expect("integer").value
            equal = self.expect("==", "!=").kind == "=="
            value = self.expect("integer").value
            return BitmaskComparison("==" if equal else "!=", variable, mask, value)
        raise self.unexpected(token)

    def range_list(self, variable: Variable) -> Node:
        """Legacy ``var:lo,hi;var:lo,hi``: each range is ``var >= lo AND var <= hi``."""
        predicates = self.range(variable)
        while self.at(";"):
            self.expect(";")
            predicates.extend(self.range(self.variable()))
            self.check_count("conjunction", predicates)
        return Composition("AND", tuple(predicates))

    def range(self, variable: Variable) -> list[Node]:
        self.expect(":")
        low = self.expect(*_ORDINALS).value
        self.expect(",")
        high = self.expect(*_ORDINALS).value
        return [Comparison(">=", variable, low), Comparison("<=", variable, high)]


def _members(operator: str, node: Node) -> tuple[Node, ...]:
    """``node``'s predicates if it is a group of the same operator (flattening), else itself."""
    if isinstance(node, Composition) and node.operator == operator:
        return node.predicates
    return (node,)
