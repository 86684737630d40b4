"""Which rows of the product index a selection keeps, described once for its three uses.

A :class:`RowFilter` is a set of conditions on stored columns (times in microseconds since
1970 UTC). The same conditions decide

* whether a data file may hold matching rows, from the ranges its manifest entry records;
* whether a Parquet row group may, from its column statistics;
* which rows of a table read match, as a pyarrow mask.

Each condition answers the first two with one question, "may a value within ``[low, high]``
satisfy me?", so pruning and the row mask cannot disagree.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pyarrow as pa

from vires_repo.products import kernels
from vires_repo.products.schema import TIMESTAMP
from vires_repo.products.selection import ProductSelection
from vires_repo.timescales import to_micros

if TYPE_CHECKING:
    from vires_repo.products.manifest import FileEntry

Operator = Literal[">=", "<=", "<", "in"]
_COMPARE: dict[Operator, kernels.Comparison] = {
    ">=": "greater_equal",
    "<=": "less_equal",
    "<": "less",
}


@dataclass(frozen=True)
class Condition:
    """``column <operator> value``: a time bound (microseconds) or membership in sorted names."""

    column: str
    operator: Operator
    value: int | tuple[str, ...]

    def may_hold_within(self, low: Any, high: Any) -> bool:
        """Whether some value within ``[low, high]`` satisfies the condition."""
        if self.operator == "in":
            assert isinstance(self.value, tuple)
            position = bisect.bisect_left(self.value, low)
            return position < len(self.value) and self.value[position] <= high
        if self.operator == ">=":
            return bool(high >= self.value)
        if self.operator == "<=":
            return bool(low <= self.value)
        return bool(low < self.value)

    def mask(self, table: pa.Table) -> Any:
        column = table[self.column]
        if self.operator == "in":
            assert isinstance(self.value, tuple)
            return kernels.is_in(column, self.value)
        return kernels.compare(_COMPARE[self.operator], column, pa.scalar(self.value, TIMESTAMP))


@dataclass(frozen=True)
class RowFilter:
    """Conditions that all hold, plus exact data-file ``locations`` (any dataset's)."""

    conditions: tuple[Condition, ...] = ()
    locations: tuple[str, ...] = ()

    @classmethod
    def of(cls, selection: ProductSelection) -> RowFilter:
        """The row conditions of a selection whose collection options are resolved."""
        if selection.needs_definitions:
            raise ValueError("resolve missions, spacecraft and grades to collections first")
        conditions = []
        if selection.identifiers:
            conditions.append(
                Condition("identifier", "in", tuple(sorted(set(selection.identifiers))))
            )
        if selection.product_types:
            conditions.append(
                Condition("product_type", "in", tuple(sorted(set(selection.product_types))))
            )
        bounds: tuple[tuple[str, Operator, datetime | None], ...] = (
            ("begin_time", ">=", selection.after),
            ("end_time", "<", selection.before),
            ("created", ">=", selection.created_after),
            ("created", "<", selection.created_before),
            ("updated", ">=", selection.updated_after),
            ("updated", "<", selection.updated_before),
        )
        for column, operator, value in bounds:
            if value is not None:
                conditions.append(Condition(column, operator, to_micros(value)))
        return cls(tuple(conditions), tuple(dict.fromkeys(selection.locations)))

    @classmethod
    def overlapping(cls, first: int, last: int) -> RowFilter:
        """Products with data in ``[first, last]`` (microseconds, inclusive)."""
        return cls((Condition("end_time", ">=", first), Condition("begin_time", "<=", last)))

    def may_match(self, ranges: Mapping[str, tuple[Any, Any]]) -> bool:
        """Whether rows whose columns lie within ``ranges`` may match (unknown: they may)."""
        return all(
            condition.may_hold_within(*ranges[condition.column])
            for condition in self.conditions
            if condition.column in ranges
        )

    def file_may_match(self, entry: FileEntry) -> bool:
        # The manifest keeps min(begin_time) and max(end_time) only; with begin <= end per row
        # they bound both time columns.
        times = (entry.min_begin_time, entry.max_end_time)
        return self.may_match(
            {
                "identifier": (entry.min_identifier, entry.max_identifier),
                "begin_time": times,
                "end_time": times,
            }
        )

    def row_group_may_match(self, row_group: Any, positions: Mapping[str, int]) -> bool:
        """From the statistics of the row group's columns (``positions``: column -> index)."""
        ranges = {}
        for condition in self.conditions:
            statistics = row_group.column(positions[condition.column]).statistics
            if statistics is not None and statistics.has_min_max:
                if statistics.physical_type == "INT64":  # timestamps: compare raw micros
                    ranges[condition.column] = (statistics.min_raw, statistics.max_raw)
                else:
                    ranges[condition.column] = (statistics.min, statistics.max)
        return self.may_match(ranges)

    def columns(self) -> set[str]:
        """The columns the row mask reads."""
        needed = {"identifier", *(condition.column for condition in self.conditions)}
        if self.locations:
            needed.update(("location", "datasets"))
        return needed

    def mask(self, table: pa.Table) -> pa.ChunkedArray | pa.Array | None:
        masks = [condition.mask(table) for condition in self.conditions]
        if self.locations:
            masks.append(_location_mask(table, self.locations))
        if not masks:
            return None
        combined = masks[0]
        for other in masks[1:]:
            combined = kernels.and_kleene(combined, other)
        return kernels.false_if_null(combined)


def _location_mask(table: pa.Table, locations: Sequence[str]) -> pa.Array:
    """Rows where any dataset's ``location`` equals one of ``locations`` exactly."""
    exact = kernels.false_if_null(kernels.is_in(table["location"], locations))
    candidates = exact
    for location in locations:
        pattern = '"location":' + json.dumps(location, ensure_ascii=False)
        candidates = kernels.or_(candidates, kernels.match_substring(table["datasets"], pattern))
    flags = exact.to_numpy().copy()
    # A substring hit is confirmed by parsing, so the path inside another value never counts.
    unsure = np.flatnonzero(kernels.false_if_null(candidates).to_numpy() & ~flags)
    if unsure.size:
        wanted = set(locations)
        texts = kernels.take(table["datasets"], pa.array(unsure)).to_pylist()
        for row, text in zip(unsure, texts, strict=True):
            datasets = json.loads(text).values()
            flags[row] = any(entry.get("location") in wanted for entry in datasets)
    return pa.array(flags, pa.bool_())
