"""Canonical JSON: one serializer for everything the catalogue writes.

The output is deterministic for the same value (2-space indent, UTF-8 kept as is, trailing
newline), so that a load-then-save round trip of a catalogue file produces no diff. Key order is
the order of the mapping given: callers that have no natural order sort their keys first.
"""

from __future__ import annotations

import json
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
