"""An orbit-direction table in memory: boundary points and the products they came from.

One table per (mission, spacecraft, grade, kind GEO|QD). Products are added one at a time with
samples of their neighbours as context (reference 8.4): the new boundaries replace the table's
points inside a trim window that reaches four samples into each neighbour, where both the old
and the new computation saw enough samples to agree, so the joined table equals the boundaries
of one continuous file.

The points are kept as a list of time-ordered chunks (numpy views), so adding or removing a
product touches only the chunks around its time window: O(product size), not O(table size).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np

from vires_repo.errors import NotFoundError, OrbitDirectionIntegrityError, ProductFileError
from vires_repo.orbit_direction.extract import (
    Boundaries,
    BoundaryType,
    Int8Array,
    OrbitDirection,
    OrbitSamples,
    SampleIssues,
    TimeArray,
    sanitize_samples,
)
from vires_repo.orbit_direction.invariants import verify_boundaries
from vires_repo.orbit_direction.missions import TableKey
from vires_repo.timescales import to_datetime64, to_epoch_ms

INPUT_MARGIN = 6
"""Samples read from each neighbouring product."""
TRIM_MARGIN = 4
"""The merge seam lies this many samples inside a neighbouring product."""


@dataclass(frozen=True)
class Source:
    """A processed product and the time range of its own samples (datetime64[ms])."""

    product_id: str
    start: np.datetime64
    end: np.datetime64


@dataclass(frozen=True)
class ProductInput:
    """Samples of one product with its neighbours' edges, and where its boundaries apply.

    ``trim_start``/``trim_end`` frame the boundaries this product contributes;
    ``previous_end`` is the previous product's last sample before ``start`` (its source range
    is clipped to it). ``issues`` lists what sanitizing fixed, per role (body, previous, next).
    """

    samples: OrbitSamples
    start: np.datetime64
    end: np.datetime64
    trim_start: np.datetime64
    trim_end: np.datetime64
    previous_end: np.datetime64 | None
    issues: tuple[tuple[str, SampleIssues], ...]


def prepare_product_input(
    body: OrbitSamples,
    previous: OrbitSamples | None = None,
    next_samples: OrbitSamples | None = None,
    *,
    nominal_sampling: np.timedelta64,
    gap_threshold: np.timedelta64 | None = None,
) -> ProductInput:
    """Join a product's samples with the last samples of ``previous`` and the first of
    ``next_samples`` (reference 8.4); the product is cut where the next one begins.

    The seam after the product is the 4th sample of the next product measured from the end of
    the *cut* product (VirES measures it from the uncut end, which for products overlapping
    their successor puts the seam before the successor's context). All three inputs are
    sanitized; what was fixed is in ``issues`` for the caller to warn about.

    With ``gap_threshold`` the neighbours' samples are kept only as far as they continue the
    product without a gap: samples beyond a gap belong to another segment, whose boundaries the
    table already holds from the neighbour's own extraction (with sparse neighbours the seam
    would otherwise reach across the gap and cut points the new samples cannot reproduce).
    """
    body, body_issues = sanitize_samples(body)
    issues = [("body", body_issues)]
    if not len(body):
        raise ProductFileError("the product has no samples")
    start = body.times[0]
    margin_after = nominal_sampling
    trim_start = start
    previous_end = None
    head_part: list[OrbitSamples] = []
    tail_part: list[OrbitSamples] = []
    if previous is not None:
        previous, previous_issues = sanitize_samples(previous)
        issues.append(("previous", previous_issues))
        head = previous.take(previous.times < start)
        head = head.take(slice(max(0, len(head) - INPUT_MARGIN), None))
        if len(head):
            previous_end = to_datetime64(head.times[-1], "ms")
            if gap_threshold is not None:
                gaps = np.flatnonzero(np.diff(np.append(head.times, start)) > gap_threshold)
                head = head.take(slice(int(gaps[-1]) + 1 if gaps.size else 0, None))
        if len(head):
            trim_start = head.times[-min(TRIM_MARGIN, len(head))]
            head_part.append(head)
    if next_samples is not None:
        next_samples, next_issues = sanitize_samples(next_samples)
        issues.append(("next", next_issues))
        tail = next_samples.take(slice(0, INPUT_MARGIN))
        if len(tail):
            body = body.take(body.times < tail.times[0])
            if not len(body):
                raise ProductFileError(
                    "Empty time selection! The next product covers the whole product."
                )
            if gap_threshold is not None:
                gaps = np.flatnonzero(
                    np.diff(np.insert(tail.times, 0, body.times[-1])) > gap_threshold
                )
                tail = tail.take(slice(0, int(gaps[0]) if gaps.size else None))
        if len(tail):
            seam = tail.times[min(TRIM_MARGIN, len(tail)) - 1]
            margin_after = max(margin_after, seam - body.times[-1])
            tail_part.append(tail)
    end = body.times[-1]
    return ProductInput(
        samples=OrbitSamples.concatenate([*head_part, body, *tail_part]),
        start=to_datetime64(start, "ms"),
        end=to_datetime64(end, "ms"),
        trim_start=to_datetime64(trim_start, "ms"),
        trim_end=to_datetime64(end + margin_after, "ms"),
        previous_end=previous_end,
        issues=tuple(issues),
    )


class OrbitDirectionTable:
    """Boundary points (strictly increasing times) and sources of one table."""

    def __init__(
        self,
        key: TableKey,
        boundaries: Boundaries | None = None,
        sources: list[Source] | None = None,
    ) -> None:
        self.key = key
        self._chunks: list[Boundaries] = []
        self._firsts: list[int] = []
        self._lasts: list[int] = []
        if boundaries is not None and len(boundaries):
            self._set_chunks(0, 0, [boundaries])
        self._sources: dict[str, Source] = {}
        self._source_starts: list[tuple[int, str]] = []
        for source in sources or []:
            self._insert_source(source)

    # -- reading -------------------------------------------------------------------------

    @property
    def boundaries(self) -> Boundaries:
        """All points as one set of arrays (the chunks are merged on the way)."""
        if len(self._chunks) > 1:
            self._set_chunks(0, len(self._chunks), [Boundaries.concatenate(self._chunks)])
        return self._chunks[0] if self._chunks else Boundaries.empty()

    @property
    def sources(self) -> list[Source]:
        """Processed products in time order."""
        return [self._sources[product_id] for _, product_id in self._source_starts]

    def __contains__(self, product_id: object) -> bool:
        return product_id in self._sources

    def __len__(self) -> int:
        return sum(len(chunk) for chunk in self._chunks)

    def lookup(self, times: TimeArray) -> tuple[Int8Array, Int8Array]:
        """Orbit direction and boundary type of the last point at or before each time.

        Before the first and after the last point the VirES no-data values apply:
        direction 0 (undefined) and boundary type -1.
        """
        table = self.boundaries
        index = np.searchsorted(table.times, times, side="right") - 1
        directions = np.full(index.shape, OrbitDirection.UNDEFINED, np.int8)
        types = np.full(index.shape, BoundaryType.END, np.int8)
        if not len(table):
            return directions, types
        inside = (index >= 0) & (times <= table.times[-1])
        directions[inside] = table.directions[index[inside]]
        types[inside] = table.types[index[inside]]
        return directions, types

    def subset(self, start: np.datetime64, end: np.datetime64) -> Boundaries:
        """The points in ``[start, end]`` plus one more on each side."""
        table = self.boundaries
        first = max(int(np.searchsorted(table.times, start, side="left")) - 1, 0)
        stop = min(int(np.searchsorted(table.times, end, side="right")) + 1, len(table))
        return table.slice(first, stop)

    # -- changing ------------------------------------------------------------------------

    def update(
        self,
        product_id: str,
        boundaries: Boundaries,
        product: ProductInput,
        previous_id: str | None = None,
    ) -> None:
        """Add the boundaries extracted from ``product.samples`` (replacing any of the same id).

        Raises :class:`OrbitDirectionIntegrityError` (table unchanged) if the new points would
        open a block inside an open block or close one before points that continue it.
        """
        trim_start, trim_end = to_epoch_ms(product.trim_start), to_epoch_ms(product.trim_end)
        body = boundaries.within(product.trim_start, product.trim_end)
        lo, hi, head, tail = self._cut(trim_start, trim_end)
        before, after = self._point_before(lo, head), self._point_after(hi, tail)
        if len(body) and before is not None:
            if before[0] != BoundaryType.END and body.types[0] == BoundaryType.START:
                raise OrbitDirectionIntegrityError(
                    f"{self.key}: cannot add {product_id}: unexpected segment start at "
                    f"{body.times[0]} inside the block open since {before[1]}"
                )
        if len(body) and after is not None:
            if after[0] != BoundaryType.START and body.types[-1] == BoundaryType.END:
                raise OrbitDirectionIntegrityError(
                    f"{self.key}: cannot add {product_id}: unexpected segment end at "
                    f"{body.times[-1]} before the points continuing at {after[1]}"
                )
        self._set_chunks(lo, hi, [head, body, tail])
        previous = self._sources.get(previous_id or "")
        if previous is not None and product.previous_end is not None:
            clipped = min(previous.end, product.previous_end)
            self._sources[previous.product_id] = Source(
                previous.product_id, previous.start, clipped
            )
        self._remove_source(product_id)
        for overlapping in self._overlapping_sources(product.start, product.end):
            self._remove_source(overlapping)
        self._insert_source(Source(product_id, product.start, product.end))

    def remove(self, product_id: str) -> None:
        """Cut out the points of a product's time range and close the blocks around the hole."""
        if product_id not in self._sources:
            raise NotFoundError(f"{product_id} not found in the {self.key} orbit-direction table")
        source = self._sources[product_id]
        start, end = to_epoch_ms(source.start), to_epoch_ms(source.end)
        lo, hi, head, tail = self._cut(start, end)
        before, after = self._point_before(lo, head), self._point_after(hi, tail)
        removed = Boundaries.concatenate(self._chunks[lo:hi]).within(source.start, source.end)
        if len(removed):
            last_direction = int(removed.directions[-1])
        else:
            last_direction = before[2] if before is not None else OrbitDirection.UNDEFINED
        parts = [head]
        if before is not None and before[0] != BoundaryType.END:
            parts.append(_single_point(source.start, BoundaryType.END, OrbitDirection.UNDEFINED))
        if after is not None and after[0] != BoundaryType.START:
            parts.append(_single_point(source.end, BoundaryType.START, last_direction))
        parts.append(tail)
        self._set_chunks(lo, hi, parts)
        self._remove_source(product_id)

    def verify(self) -> None:
        """Check the invariants VirES checks before saving a table; raise on the first breach."""
        verify_boundaries(self.boundaries, self.key)

    # -- internals -----------------------------------------------------------------------

    def _cut(self, start_ms: int, end_ms: int) -> tuple[int, int, Boundaries, Boundaries]:
        """Chunks ``[lo, hi)`` touching ``[start, end]`` and their points before and after it."""
        lo = bisect.bisect_left(self._lasts, start_ms)
        hi = bisect.bisect_right(self._firsts, end_ms)
        if lo >= hi:
            return lo, lo, Boundaries.empty(), Boundaries.empty()
        first, last = self._chunks[lo], self._chunks[hi - 1]
        start = np.datetime64(start_ms, "ms")
        end = np.datetime64(end_ms, "ms")
        head = first.slice(0, int(np.searchsorted(first.times, start, side="left")))
        tail = last.slice(int(np.searchsorted(last.times, end, side="right")), len(last))
        return lo, hi, head, tail

    def _point_before(self, lo: int, head: Boundaries) -> tuple[int, np.datetime64, int] | None:
        """Type, time and direction of the last point before a cut (None if there is none)."""
        chunk = head if len(head) else (self._chunks[lo - 1] if lo > 0 else None)
        if chunk is None:
            return None
        return int(chunk.types[-1]), chunk.times[-1], int(chunk.directions[-1])

    def _point_after(self, hi: int, tail: Boundaries) -> tuple[int, np.datetime64] | None:
        chunk = tail if len(tail) else (self._chunks[hi] if hi < len(self._chunks) else None)
        if chunk is None:
            return None
        return int(chunk.types[0]), chunk.times[0]

    def _set_chunks(self, lo: int, hi: int, parts: list[Boundaries]) -> None:
        kept = [part for part in parts if len(part)]
        self._chunks[lo:hi] = kept
        self._firsts[lo:hi] = [to_epoch_ms(part.times[0]) for part in kept]
        self._lasts[lo:hi] = [to_epoch_ms(part.times[-1]) for part in kept]

    def _insert_source(self, source: Source) -> None:
        source = Source(
            source.product_id, to_datetime64(source.start, "ms"), to_datetime64(source.end, "ms")
        )
        self._sources[source.product_id] = source
        bisect.insort(self._source_starts, (to_epoch_ms(source.start), source.product_id))

    def _remove_source(self, product_id: str) -> None:
        source = self._sources.pop(product_id, None)
        if source is not None:
            del self._source_starts[
                bisect.bisect_left(self._source_starts, (to_epoch_ms(source.start), product_id))
            ]

    def _overlapping_sources(self, start: np.datetime64, end: np.datetime64) -> list[str]:
        """Ids of sources whose range touches ``[start, end]`` (sources do not overlap, so
        their ends grow with their starts and the search stops at the first one before)."""
        index = bisect.bisect_right(self._source_starts, (to_epoch_ms(end), "\uffff"))
        found = []
        while index > 0:
            index -= 1
            product_id = self._source_starts[index][1]
            if self._sources[product_id].end < start:
                break
            found.append(product_id)
        return found


def _single_point(time: np.datetime64, kind: int, direction: int) -> Boundaries:
    return Boundaries(
        np.array([time], "datetime64[ms]"),
        np.array([kind], np.int8),
        np.array([direction], np.int8),
    )
