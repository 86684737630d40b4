"""The Arrow compute kernels of the index's read path, called without ``pyarrow.compute``.

``import pyarrow.compute`` generates a Python wrapper for each of its ~500 kernels (20-25 ms,
see ``scripts/bench_floor.py``), and ``Table.filter``, ``Table.take`` and ``Array.cast``
import it on first use. A lookup command (``product exists``, ``product list``) costs little
more than ``import pyarrow.parquet`` otherwise, so the read path calls the few kernels it needs
through ``pyarrow._compute.call_function``, the function those wrappers call (same kernels,
same results; pyproject.toml pins pyarrow's major version). So does the writer path of a
registration (a small upsert: its data file and manifest), a command a user waits for; other
writers (bulk imports, compaction), which run long enough not to notice, use
``pyarrow.compute`` as usual.

Scalars for the kernels are made with their type given (:func:`int64`, :data:`TRUE`):
``pa.scalar(value)`` infers the type, which imports dateutil on first use (3 ms).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import pyarrow as pa
from pyarrow import _compute

Comparison = Literal["greater_equal", "less_equal", "less"]
SortKeys = Sequence[tuple[str, Literal["ascending", "descending"]]]
TRUE = pa.scalar(True, pa.bool_())
FALSE = pa.scalar(False, pa.bool_())


def int64(value: int) -> pa.Scalar:
    return pa.scalar(value, pa.int64())


def filter_rows(values: Any, mask: Any) -> Any:
    """The rows (of a table or array) where ``mask`` is true (null counts as false)."""
    return _compute.call_function("filter", [values, mask])


def take(values: Any, indices: Any) -> Any:
    """The rows at ``indices``, in that order."""
    return _compute.call_function("take", [values, indices])


def sort_indices(table: Any, keys: SortKeys) -> Any:
    """Row positions that sort ``table`` by ``keys`` (stable)."""
    return _compute.call_function("sort_indices", [table], _compute.SortOptions(list(keys)))


def sorted_rows(table: Any, keys: SortKeys) -> Any:
    """``table`` sorted by ``keys`` (stable)."""
    return take(table, sort_indices(table, keys))


def is_in(values: Any, value_set: Sequence[str]) -> Any:
    """Whether each string is one of ``value_set`` (null for a null value)."""
    options = _compute.SetLookupOptions(pa.array(value_set, pa.string()))
    return _compute.call_function("is_in", [values], options)


def compare(operator: Comparison, values: Any, scalar: Any) -> Any:
    return _compute.call_function(operator, [values, scalar])


def match_substring(values: Any, pattern: str) -> Any:
    options = _compute.MatchSubstringOptions(pattern)
    return _compute.call_function("match_substring", [values], options)


def and_kleene(left: Any, right: Any) -> Any:
    return _compute.call_function("and_kleene", [left, right])


def or_(left: Any, right: Any) -> Any:
    return _compute.call_function("or", [left, right])


def invert(values: Any) -> Any:
    return _compute.call_function("invert", [values])


def false_if_null(values: Any) -> Any:
    """A boolean mask with nulls as false (``pyarrow.compute.fill_null(values, False)``)."""
    return _compute.call_function("coalesce", [values, FALSE])


def cast(values: Any, target: pa.DataType) -> Any:
    """``values`` as ``target`` (a safe cast: overflow and lossy conversions fail)."""
    return _compute.call_function("cast", [values], _compute.CastOptions.safe(target))


def strftime(values: Any, format: str) -> Any:
    """Times as text (``pyarrow.compute.strftime`` with the C locale)."""
    return _compute.call_function("strftime", [values], _compute.StrftimeOptions(format))


def call(function: str, *arguments: Any, pattern: str | None = None) -> Any:
    """Any other kernel by its name, on ``arguments`` (arrays and scalars): ``call("less",
    a, b)`` is ``pyarrow.compute.less(a, b)``; ``pattern`` for the substring kernels."""
    options = None if pattern is None else _compute.MatchSubstringOptions(pattern)
    return _compute.call_function(function, list(arguments), options)
