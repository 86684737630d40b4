"""VirES's data filters: parsing a filter expression and evaluating it over numpy columns.

``parse_filter`` reads the language of reference vires-data-extraction.md section 3 (tokens in
:mod:`.filter_lexer`, syntax in :mod:`.filter_parser`); :class:`Filter` evaluates it with
VirES's semantics (section 3.3):

* ``x < v`` (``>``, ``<=``, ``>=``, ``==``) is false where ``x`` is NaN, ``x != v`` true;
* ``x == NaN`` / ``x != NaN`` test for NaN;
* ``x == 'text'`` compares strings (byte strings with the UTF-8 encoded text);
* ``x & m == v`` is ``(x & m) == (v & m)``, ``!=`` its negation;
* ``x[i]``, ``x[i,j]`` select a component of a vector or matrix variable;
* ``Timestamp`` (and any time column) compares as CDF_EPOCH milliseconds.

The top-level conjunction is a list of independent filters (duplicates removed) that must all
pass; :attr:`Filter.parts` keeps them apart, so that a filter whose variables are all present
can be applied before the others, as VirES does.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from vires_repo.errors import FilterError
from vires_repo.extraction.filter_parser import (
    BitmaskComparison,
    Comparison,
    Composition,
    Negation,
    Node,
    Variable,
    parse,
)
from vires_repo.timescales import datetime64_to_cdf_epoch

Columns = Mapping[str, npt.NDArray[Any]]
Mask = npt.NDArray[np.bool_]

_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
}
_NUMERIC_KINDS = "biuf"
_INTEGER_KINDS = "biu"
_STRING_KINDS = "US"


def parse_filter(text: str | None) -> Filter:
    """The filter of a VirES filter expression (an empty or None text selects every row).

    Raises :class:`~vires_repo.errors.FilterError` with VirES's message on a syntax error.
    """
    root = parse(text or "")
    if root is None:
        return Filter(())
    members = (
        root.predicates if isinstance(root, Composition) and root.operator == "AND" else (root,)
    )
    return Filter(tuple(dict.fromkeys(members)))


@dataclass(frozen=True)
class Filter:
    """Independent predicates, all of which a row must pass."""

    parts: tuple[Node, ...]
    variables: frozenset[str] = field(init=False)
    """The variables the filter reads (``B_NEC`` for ``B_NEC[2]``)."""

    def __post_init__(self) -> None:
        names = frozenset(v.name for part in self.parts for v in _variables(part))
        object.__setattr__(self, "variables", names)

    def __bool__(self) -> bool:
        return bool(self.parts)

    def __str__(self) -> str:
        return " AND ".join(format_node(part) for part in self.parts)

    def check_variables(self, available: Collection[str]) -> None:
        """Raise :class:`FilterError` for the first variable (in filter order) not available."""
        for part in self.parts:
            for variable in _variables(part):
                if variable.name not in available:
                    raise _missing(variable)

    def evaluate(self, columns: Columns) -> Mask:
        """The rows (a boolean mask) that pass every predicate.

        Raises :class:`FilterError` for a missing variable or one whose shape does not fit
        (VirES's messages).
        """
        size = _row_count(columns)
        mask = np.ones(size, dtype=np.bool_)
        for part in self.parts:
            mask &= _evaluate(part, columns)
        return mask

    def split(self, available: Collection[str]) -> tuple[Filter, Filter]:
        """The parts whose variables are all ``available`` and the others (deferred)."""
        ready = tuple(p for p in self.parts if all(v.name in available for v in _variables(p)))
        return Filter(ready), Filter(tuple(p for p in self.parts if p not in ready))


def _row_count(columns: Columns) -> int:
    for values in columns.values():
        return len(values)
    raise ValueError("a filter needs at least one column to count the rows")


def _variables(node: Node) -> list[Variable]:
    """The variables of ``node`` in the order they appear."""
    if isinstance(node, Comparison | BitmaskComparison):
        return [node.variable]
    if isinstance(node, Negation):
        return _variables(node.predicate)
    return [v for member in node.predicates for v in _variables(member)]


def _missing(variable: Variable) -> FilterError:
    return FilterError(f"Variable {variable} does not exist!")


def _evaluate(node: Node, columns: Columns) -> Mask:
    if isinstance(node, Comparison):
        return _compare(node, _data(columns, node.variable))
    if isinstance(node, BitmaskComparison):
        return _bitmask(node, _data(columns, node.variable))
    if isinstance(node, Negation):
        return ~_evaluate(node.predicate, columns)
    masks = (_evaluate(member, columns) for member in node.predicates)
    combine = np.logical_and if node.operator == "AND" else np.logical_or
    result = next(masks).copy()
    for mask in masks:
        combine(result, mask, out=result)
    return result


def _data(columns: Columns, variable: Variable) -> npt.NDArray[Any]:
    """The values a predicate compares: a scalar column or one component of an array column."""
    data = columns.get(variable.name)
    if data is None:
        raise _missing(variable)
    if variable.index:
        if data.ndim != len(variable.index) + 1:
            if data.ndim == 1:
                raise _shape_error(f"The index of {variable} cannot be applied to scalar data!")
            raise _shape_error(
                f"The index of {variable} does not match the array dimentsion ({data.ndim - 1})!"
            )
        if any(i >= size for i, size in zip(variable.index, data.shape[1:], strict=True)):
            shape = ",".join(str(size) for size in data.shape[1:])
            raise _shape_error(f"Index of {variable} exceeds the array size ({shape})!")
        selection: tuple[Any, ...] = (slice(None), *variable.index)
        data = data[selection]
    elif data.ndim != 1:
        raise _shape_error(
            f"Scalar filters cannot be applied to a non-scalar variable {variable.name}!"
        )
    if data.dtype.kind == "M":
        return datetime64_to_cdf_epoch(data)
    return data


def _shape_error(message: str) -> FilterError:
    return FilterError(message, input_error=False)


def _compare(node: Comparison, data: npt.NDArray[Any]) -> Mask:
    value = node.value
    if isinstance(value, str):
        if data.dtype.kind not in _STRING_KINDS:
            raise _shape_error(
                f"A string cannot be compared with the non-string variable {node.variable}!"
            )
        text: str | bytes = value.encode("utf-8") if data.dtype.kind == "S" else value
        return np.asarray(_COMPARE[node.operator](data, text), dtype=np.bool_)
    if data.dtype.kind not in _NUMERIC_KINDS:
        raise _shape_error(
            f"A number cannot be compared with the non-numeric variable {node.variable}!"
        )
    if isinstance(value, float) and math.isnan(value) and node.operator in ("==", "!="):
        isnan: Mask = np.isnan(data)
        return isnan if node.operator == "==" else ~isnan
    return np.asarray(_COMPARE[node.operator](data, value), dtype=np.bool_)


def _bitmask(node: BitmaskComparison, data: npt.NDArray[Any]) -> Mask:
    if data.dtype.kind not in _INTEGER_KINDS:
        raise _shape_error(
            f"A bitmask cannot be applied to the non-integer variable {node.variable}!"
        )
    mask, value = node.mask, node.value & node.mask
    wide = np.uint64 if data.dtype == np.uint64 else np.int64
    limits = np.iinfo(wide)
    if limits.min <= mask <= limits.max and limits.min <= value <= limits.max:
        masked = data.astype(wide, copy=False) & wide(mask)
        equal = masked == wide(value)
    else:  # bits beyond 64: Python integers, as VirES's numpy objects would compare
        equal = np.fromiter((int(x) & mask == value for x in data), np.bool_, len(data))
    return np.asarray(equal if node.operator == "==" else ~equal, dtype=np.bool_)


def format_node(node: Node) -> str:
    """VirES's text of a predicate (used in its messages)."""
    if isinstance(node, Comparison):
        value = node.value
        if isinstance(value, float) and math.isnan(value) and node.operator in ("==", "!="):
            return f"{node.variable} IS {'NOT ' if node.operator == '!=' else ''}NaN"
        return f"{node.variable} {node.operator} {value!r}"
    if isinstance(node, BitmaskComparison):
        return f"{node.variable} & {node.mask} {node.operator} {node.value & node.mask}"
    if isinstance(node, Negation):
        return f"NOT {format_node(node.predicate)}"
    return "(" + f" {node.operator} ".join(format_node(m) for m in node.predicates) + ")"
