"""A window of a stored orbit-direction table in memory, and saving the months it changed.

:class:`LoadedTable` is a window of months in memory (an :class:`OrbitDirectionTable` over the
months loaded so far). Before saving, the window is verified with the VirES invariants; a window
that does not reach the table's first or last month is verified as a slice, including its seams
with the neighbouring months (the window always extends to the nearest month with points on
each side of the months it changes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import numpy as np

from vires_repo.errors import OrbitDirectionIntegrityError
from vires_repo.io.object_commit import Snapshot
from vires_repo.orbit_direction.extract import Boundaries
from vires_repo.orbit_direction.invariants import verify_boundaries
from vires_repo.orbit_direction.manifest import MANIFEST_NAME, MonthEntry, TableManifest
from vires_repo.orbit_direction.missions import TableKey
from vires_repo.orbit_direction.partitions import content_hash, points_bytes, sources_bytes
from vires_repo.orbit_direction.table import (
    OrbitDirectionTable,
    Source,
)
from vires_repo.timescales import month_end, month_of, month_start, to_datetime64
from vires_repo.timespec import format_datetime

if TYPE_CHECKING:
    from vires_repo.orbit_direction.store import TableStore

_MS = "datetime64[ms]"


@dataclass
class _Window:
    """Months ``[first, last]`` (calendar, inclusive) loaded into memory."""

    first: str
    last: str

    def covers(self, month: str) -> bool:
        return self.first <= month <= self.last


@dataclass
class LoadedTable:
    """A window of a stored table in memory; change ``table`` after :meth:`ensure`, then save.

    Changes must stay inside the loaded months: call :meth:`ensure` with the time span a change
    touches (points and sources) first.
    """

    store: TableStore
    manifest: TableManifest
    snapshot: Snapshot = Snapshot(None)
    """The stored manifest as read (its bytes and version), on which saving is conditional;
    a window of a manifest read without it can only create the table."""
    table: OrbitDirectionTable = field(init=False)
    window: _Window | None = None
    replaced: bool = False
    unreadable_files: tuple[str, ...] | None = None
    """Set when this table replaces a stored one whose manifest could not be read (an older
    format): the Parquet files found in the table's folder, removed after the new manifest is
    written (which is written even when it lists the same months as ``manifest``)."""
    _known: dict[str, tuple[Boundaries, list[Source], MonthEntry]] = field(
        init=False, default_factory=dict
    )
    """The stored content of the months read or written, so that unchanged months are not
    serialized again to find out that they did not change."""

    def __post_init__(self) -> None:
        self.table = OrbitDirectionTable(self.manifest.key)

    @property
    def key(self) -> TableKey:
        return self.manifest.key

    @property
    def name(self) -> str:
        return self.manifest.name

    @property
    def exists(self) -> bool:
        return bool(self.manifest.months)

    def _points_months(self) -> list[str]:
        return [m.month for m in self.manifest.months if m.points]

    @property
    def at_start(self) -> bool:
        """True when no stored points lie before the loaded window."""
        if self.replaced:
            return True
        months = self._points_months()
        return self.window is not None and (not months or months[0] >= self.window.first)

    @property
    def at_end(self) -> bool:
        if self.replaced:
            return True
        months = self._points_months()
        return self.window is not None and (not months or months[-1] <= self.window.last)

    def ensure_all(self) -> None:
        """Load every month."""
        if self.manifest.months:
            self.ensure(
                month_start(self.manifest.months[0].month),
                month_end(self.manifest.months[-1].month) - np.timedelta64(1, "ms"),
            )
        elif self.window is None:
            self.window = _Window("0001-01", "9999-12")

    def reset(self) -> None:
        """Start from an empty table that replaces the whole stored one on save."""
        self.table = OrbitDirectionTable(self.key)
        self.window = _Window("0001-01", "9999-12")
        self.replaced = True

    def ensure(self, start: np.datetime64, end: np.datetime64) -> None:
        """Load the months a change in ``[start, end]`` touches, the months of the sources
        overlapping it and, when no loaded point lies before ``start`` (after ``end``), the
        nearest month with points on that side: the point next to the change and the seam
        the change may alter must be in the window."""
        if self.replaced:
            return
        start, end = to_datetime64(start, "ms"), to_datetime64(end, "ms")
        first, last = month_of(start), month_of(end)
        for entry in self.manifest.months:
            if entry.sources_end is not None and entry.month <= last and entry.sources_end >= start:
                first = min(first, entry.month)
        self._extend(first, last)
        assert self.window is not None
        times = self.table.boundaries.times
        points_months = self._points_months()
        if not (times.size and times[0] < start):
            before = [m for m in points_months if m < self.window.first]
            if before:
                self._extend(before[-1], self.window.last)
        if not (times.size and times[-1] > end):
            after = [m for m in points_months if m > self.window.last]
            if after:
                self._extend(self.window.first, after[0])

    def _extend(self, first: str, last: str) -> None:
        if self.window is not None:
            if self.window.first <= first and last <= self.window.last:
                return
            first, last = min(first, self.window.first), max(last, self.window.last)
        self._load(first, last)

    def _load(self, first: str, last: str) -> None:
        old = self.window
        head: list[MonthEntry] = []
        tail: list[MonthEntry] = []
        for entry in self.manifest.months:
            if not (first <= entry.month <= last) or (old is not None and old.covers(entry.month)):
                continue
            (head if old is None or entry.month < old.first else tail).append(entry)
        parts_before = [self._read(e) for e in head]
        parts_after = [self._read(e) for e in tail]
        if parts_before or parts_after:
            boundaries = Boundaries.concatenate(
                [p for p, _ in parts_before] + [self.table.boundaries] + [p for p, _ in parts_after]
            )
            sources = [s for _, ss in parts_before for s in ss]
            sources += self.table.sources
            sources += [s for _, ss in parts_after for s in ss]
            self.table = OrbitDirectionTable(self.key, boundaries, sources)
        self.window = _Window(first, last)

    def _read(self, entry: MonthEntry) -> tuple[Boundaries, list[Source]]:
        points, sources = self.store.read_month(self.name, entry)
        self._known[entry.month] = (points, sources, entry)
        return points, sources

    def verify(self) -> None:
        verify_boundaries(
            self.table.boundaries, self.key, at_start=self.at_start, at_end=self.at_end
        )

    def save(self, now: datetime | None = None) -> bool:
        """Verify the window and write the months that changed; True if anything was written.

        Raises :class:`OrbitDirectionIntegrityError` (nothing written) on a broken invariant.
        """
        if self.window is None:
            return False
        self.verify()
        new_entries, payloads = self._partition()
        window = self.window
        outside = [m.month for m in new_entries if not (self.replaced or window.covers(m.month))]
        if outside:  # a caller changed the table without ensure(): refuse to lose months
            raise OrbitDirectionIntegrityError(
                f"{self.key}: changes in {', '.join(outside)} outside the loaded months"
            )
        kept = [m for m in self.manifest.months if not (self.replaced or window.covers(m.month))]
        months = tuple(sorted([*kept, *new_entries], key=lambda m: m.month))
        if months == self.manifest.months and self.unreadable_files is None:
            return False
        folder = self.store.folder(self.name)
        storage = self.store.storage
        old_files = {f for m in self.manifest.months for f in m.files()}
        new_files = {f for m in months for f in m.files()}
        for path, data in payloads.items():
            if path not in old_files:  # an unreadable table's file of that name is rewritten
                storage.write_bytes(f"{folder}/{path}", data)
        stamp = format_datetime((now or datetime.now(UTC)).replace(microsecond=0))
        manifest = TableManifest.of(self.name, self.key, stamp, months)
        self.snapshot = storage.commit(
            f"{folder}/{MANIFEST_NAME}", manifest.dumps().encode("utf-8"), self.snapshot
        )
        for path in sorted(old_files.union(self.unreadable_files or ()) - new_files):
            storage.remove(f"{folder}/{path}")
        self.manifest = manifest
        self.unreadable_files = None
        if self.replaced:
            self.replaced = False
            self.window = _Window("0001-01", "9999-12")
        return True

    def _partition(self) -> tuple[list[MonthEntry], dict[str, bytes]]:
        """Month entries and file contents of the in-memory window."""
        boundaries = self.table.boundaries
        sources = self.table.sources
        point_months = boundaries.times.astype("datetime64[M]")
        source_months = np.array([s.start for s in sources], _MS).astype("datetime64[M]")
        months = sorted(
            {str(m) for m in np.unique(point_months)} | {str(m) for m in np.unique(source_months)}
        )
        entries, payloads = [], {}
        for month in months:
            m = np.asarray(month, "datetime64[M]")
            selected = np.flatnonzero(point_months == m)
            part = (
                boundaries.slice(int(selected[0]), int(selected[-1]) + 1)
                if selected.size
                else Boundaries.empty()
            )
            month_sources = [s for s, sm in zip(sources, source_months, strict=True) if sm == m]
            known = self._known.get(month)
            if known is not None and known[0].equals(part) and known[1] == month_sources:
                entries.append(known[2])
                continue
            points_data = points_bytes(part) if selected.size else None
            sources_data = sources_bytes(month_sources) if month_sources else None
            entry = MonthEntry(
                month=month,
                points=content_hash(points_data) if points_data else None,
                sources=content_hash(sources_data) if sources_data else None,
                sources_end=(
                    np.array([s.end for s in month_sources], _MS).max() if month_sources else None
                ),
            )
            if points_data:
                payloads[str(entry.points_file())] = points_data
            if sources_data:
                payloads[str(entry.sources_file())] = sources_data
            self._known[month] = (part, month_sources, entry)
            entries.append(entry)
        return entries, payloads
