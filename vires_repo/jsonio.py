"""Canonical JSON: one serializer for everything the catalogue writes.

The output is deterministic for the same value (2-space indent, UTF-8 kept as is, trailing
newline), so that a load-then-save round trip of a catalogue file produces no diff. Key order is
the order of the mapping given: callers that have no natural order sort their keys first.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

_T = TypeVar("_T")


def dumps(value: Any) -> str:
    """Serialize ``value`` as canonical catalogue JSON (with a trailing newline)."""
    return json.dumps(value, indent=2, ensure_ascii=False, separators=(",", ": ")) + "\n"


def loads(text: str | bytes) -> Any:
    """Parse JSON text (``json.JSONDecodeError`` on bad input)."""
    return json.loads(text)


def typed(value: object, kind: type[_T]) -> _T:
    """``value`` if it is a ``kind`` (a bool is not an int), else ``TypeError``: for reading
    fields of a parsed document."""
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise TypeError(f"expected {kind.__name__}, got {value!r}")
    return value


def nesting_depth(value: Any) -> int:
    """How deep lists and objects nest in a parsed JSON value (a scalar is 0, ``[]`` is 1),
    counted without recursion, so that any input can be measured."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            depth += 1
            deepest = max(deepest, depth)
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth) for child in children)
    return deepest


def dumps_rows(keys: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """``dumps`` of a list of flat objects with the same ``keys``, given as rows of scalar
    values (str, bool, None, numbers), byte for byte, several times faster: ``job dump`` of
    10^5 jobs must stay well under a second, and ``json`` indents in pure Python."""
    from json.encoder import encode_basestring

    def scalar(value: Any) -> str:
        kind = value.__class__
        if kind is str:
            return str(encode_basestring(value))
        if value is None:
            return "null"
        if kind is bool:
            return "true" if value else "false"
        return json.dumps(value, ensure_ascii=False)

    def encoded(column: tuple[Any, ...]) -> list[str]:
        """A column's JSON values; a column of strings (or of booleans) without a Python
        call per value."""
        kinds = set(map(type, column))
        if kinds == {str}:
            return list(map(encode_basestring, column))
        if kinds <= {str, type(None)}:
            return ["null" if value is None else encode_basestring(value) for value in column]
        if kinds == {bool}:
            return list(map({True: "true", False: "false"}.__getitem__, column))
        return list(map(scalar, column))

    names = [str(encode_basestring(key)).replace("%", "%%") for key in keys]
    template = "  {\n" + ",\n".join(f"    {name}: %s" for name in names) + "\n  }"
    columns = [encoded(column) for column in zip(*rows, strict=True)]
    if not columns:
        return "[]\n"
    return "[\n" + ",\n".join(map(template.__mod__, zip(*columns, strict=True))) + "\n]\n"
