"""The extraction loop: per source, per product slice (reference section 8):

read the window's records -> sample (VirES samples before it filters) -> compute the
auxiliaries the filter needs -> filter -> compute the other auxiliaries -> count against the
size limit -> write. The writing runs in a thread while the next product is processed (Arrow's
Parquet writer and file I/O release the GIL), with at most one product waiting: memory holds
three products at most, whatever the window.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from vires_repo.catalog import Catalog
from vires_repo.definitions.models import grade_of
from vires_repo.extraction.reading import TIMESTAMP, Columns, read_slice
from vires_repo.extraction.request import rejected
from vires_repo.extraction.selection import ProductSlice, select_slices
from vires_repo.extraction.variables import DATA_SOURCE, SPACECRAFT, SourcePlan, spacecraft_letter
from vires_repo.extraction.writers.base import OutputWriter

Progress = Callable[[int, int], None]
"""Told (products done, products in total) before each product and at the end."""


class RowFilter(Protocol):
    """A parsed filter expression (extraction.filters)."""

    @property
    def variables(self) -> Collection[str]: ...
    def evaluate(self, columns: Columns) -> npt.NDArray[np.bool_]: ...


class AuxiliaryComputer(Protocol):
    """The auxiliary variables of one request (extraction.auxiliaries)."""

    def computed_with(self, name: str) -> Collection[str]: ...
    def compute(
        self,
        name: str,
        columns: Columns,
        *,
        mission: str,
        spacecraft: str | None,
        grade: str | None = None,
    ) -> npt.NDArray[Any]: ...


class Sampler(Protocol):
    """VirES's minimum-step sampler (extraction.sampling): kept indices and the state to
    pass with the next product's times."""

    def __call__(
        self,
        times: npt.NDArray[np.datetime64],
        step: timedelta,
        state: Any,
        *,
        group_samples: bool = False,
    ) -> tuple[npt.NDArray[np.int64], Any]: ...


@dataclass(frozen=True)
class Processing:
    """What happens to the records between reading and writing."""

    auxiliaries: AuxiliaryComputer | None = None
    row_filter: RowFilter | None = None
    sampling_step: timedelta | None = None
    sampler: Sampler | None = None
    max_samples: int | None = None


def plan_slices(
    catalog: Catalog, plans: Sequence[SourcePlan], begin: np.datetime64, end: np.datetime64
) -> list[list[ProductSlice]]:
    """The product slices of every source (known up front, for the progress total)."""
    return [select_slices(catalog, plan.source, begin, end) for plan in plans]


@dataclass(frozen=True)
class RunResult:
    source_products: list[str]
    """The products that gave at least one record of the window, sorted."""
    records: int
    products: int


def run(
    plans: Sequence[SourcePlan],
    slices: Sequence[Sequence[ProductSlice]],
    writer: OutputWriter,
    processing: Processing,
    progress: Progress | None = None,
) -> RunResult:
    """Extract every slice into ``writer`` (the caller closes it)."""
    total = sum(len(pieces) for pieces in slices)
    done = written = 0
    products: set[str] = set()
    behind = _WritingThread(writer)
    try:
        for plan, pieces in zip(plans, slices, strict=True):
            state: Any = None
            for piece in pieces:
                if progress is not None:
                    progress(done, total)
                columns, read, state = _process(plan, piece, processing, state)
                count = len(columns[TIMESTAMP])
                if read:
                    products.add(piece.identifier)
                written += count
                if processing.max_samples is not None and written > processing.max_samples:
                    raise rejected(
                        "end_time",
                        "Requested data exceeds the maximum limit of "
                        f"{processing.max_samples} records!",
                    )
                behind.write({name: columns[name] for name in plan.outputs}, count)
                done += 1
    except BaseException:
        behind.stop()
        raise
    behind.finish()
    if progress is not None:
        progress(total, total)
    return RunResult(sorted(products), written, total)


class _WritingThread:
    """Hands records to ``writer`` in a thread, one product waiting at most; the writer's
    error comes back from the next :meth:`write` or from :meth:`finish`."""

    def __init__(self, writer: OutputWriter) -> None:
        self._writer = writer
        self._queue: queue.Queue[tuple[Mapping[str, Any], int] | None] = queue.Queue(1)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name="extraction-writer", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._error is None:
                try:
                    self._writer.write(*item)
                except BaseException as error:  # handed to the producing thread
                    self._error = error

    def write(self, columns: Mapping[str, Any], count: int) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put((columns, count))

    def stop(self) -> None:
        self._queue.put(None)
        self._thread.join()

    def finish(self) -> None:
        self.stop()
        if self._error is not None:
            raise self._error


def _process(
    plan: SourcePlan, piece: ProductSlice, processing: Processing, state: Any
) -> tuple[dict[str, Any], int, Any]:
    """The records of one slice ready to write, how many were read, the sampler's state."""
    source = plan.source
    is_sorted = source.dataset not in (source.master.product_type.get("unsortedDatasets") or ())
    columns: dict[str, Any] = read_slice(piece, plan.read, plan.time_variable, is_sorted=is_sorted)
    read = len(columns[TIMESTAMP])
    if read and processing.sampling_step and processing.sampler is not None:
        indices, state = processing.sampler(
            columns[TIMESTAMP],
            processing.sampling_step,
            state,
            group_samples=bool(source.master.definition.get("groupSamples")),
        )
        columns = _take(columns, indices)
    count = len(columns[TIMESTAMP])
    columns[SPACECRAFT] = np.full(count, spacecraft_letter(source), dtype="U1")
    columns[DATA_SOURCE] = np.full(count, piece.source_index, dtype=np.uint8)
    row_filter = processing.row_filter
    first = _filter_auxiliaries(plan, processing)
    owner = source.collections[piece.source_index].definition
    _compute(owner, columns, first, processing)
    if row_filter is not None and count:
        columns = _take(columns, np.flatnonzero(row_filter.evaluate(columns)))
    rest = [name for name in plan.auxiliaries if name not in first]
    _compute(owner, columns, rest, processing)
    return columns, read, state


def _filter_auxiliaries(plan: SourcePlan, processing: Processing) -> list[str]:
    """The auxiliaries to compute before filtering: those the filter tests, and the planned
    ones their evaluation gives as well (``MLT`` with ``QDLat``), filtered with the rows
    rather than evaluated a second time on the rows that pass."""
    row_filter, auxiliaries = processing.row_filter, processing.auxiliaries
    if row_filter is None or auxiliaries is None:
        return []
    tested = {name for name in plan.auxiliaries if name in row_filter.variables}
    along = {other for name in tested for other in auxiliaries.computed_with(name)}
    return [name for name in plan.auxiliaries if name in tested or name in along]


def _compute(
    owner: Mapping[str, Any],
    columns: dict[str, Any],
    names: Sequence[str],
    processing: Processing,
) -> None:
    """Compute ``names`` for the records of ``owner``, the definition of the collection the
    product belongs to: its grade picks the tables (a FAST product reads the FAST orbit
    directions, also when it fills the gaps of an OPER master)."""
    if not names:
        return
    if processing.auxiliaries is None:
        raise RuntimeError("auxiliary variables planned without an auxiliary source")
    mission, spacecraft = str(owner.get("mission") or ""), owner.get("spacecraft") or None
    grade = grade_of(dict(owner))
    for name in names:
        columns[name] = processing.auxiliaries.compute(
            name, columns, mission=mission, spacecraft=spacecraft, grade=grade
        )


def _take(columns: Mapping[str, Any], indices: npt.NDArray[Any]) -> dict[str, Any]:
    return {name: values[indices] for name, values in columns.items()}
