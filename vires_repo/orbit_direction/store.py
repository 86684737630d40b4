"""Orbit-direction tables in the catalogue: monthly Parquet partitions behind a manifest.

Layout below the catalogue root, one folder per table, named after the VirES table file::

    orbit_direction/<TABLE>/_manifest.json                       the commit point
    orbit_direction/<TABLE>/points/<YYYY-MM>-<hash>.parquet      boundary points of the month
    orbit_direction/<TABLE>/sources/<YYYY-MM>-<hash>.parquet     sources starting in the month

Why monthly partitions: a daily registration changes the points of one or two months and the
sources of one month, so it reads and rewrites a few small files whatever the length of the
table (the cost stays flat after years of data, and git receives a few KB per day instead of a
rewritten multi-year table). A month holds about a thousand points, few enough that whole
months are the unit of reading, verifying and writing.

Why a manifest: an update may touch several files (two months, points and sources). Partition
files are immutable and named after their content hash; a writer adds the new files, then
replaces ``_manifest.json`` atomically (the commit point), then deletes the files it replaced.
Readers open only the files the manifest lists, so they see the old or the new table, never a
mix, and an interrupted writer leaves only unreferenced files behind. The manifest lists per
month the two file hashes and the latest end time of the month's sources (so that the sources
overlapping a time window are found without reading every month), one line per month.

Same content gives the same bytes: file names are content hashes, the Parquet writer settings are
pinned, and the manifest changes (including its ``updated`` time) only when some partition does.

:class:`LoadedTable` is a window of months in memory (an :class:`OrbitDirectionTable` over the
months loaded so far). Before saving, the window is verified with the VirES invariants; a window
that does not reach the table's first or last month is verified as a slice, including its seams
with the neighbouring months (the window always extends to the nearest month with points on
each side of the months it changes).
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from vires_repo.errors import IndexFormatError, NotFoundError
from vires_repo.io.storage import Storage
from vires_repo.orbit_direction.extract import Boundaries, TimeArray
from vires_repo.orbit_direction.missions import TableKey, vires_table_name
from vires_repo.orbit_direction.table import (
    POINTS_SCHEMA,
    SOURCES_SCHEMA,
    OrbitDirectionIntegrityError,
    OrbitDirectionTable,
    Source,
    verify_boundaries,
)
from vires_repo.timespec import format_datetime

FOLDER = "orbit_direction"
MANIFEST_NAME = "_manifest.json"
FORMAT_VERSION = 1
_HASH_CHARS = 12
_MS = "datetime64[ms]"

# -- months ---------------------------------------------------------------------------------


def to_ms(value: np.datetime64 | datetime) -> np.datetime64:
    """A time as ``datetime64[ms]`` (an aware ``datetime`` is converted to UTC first)."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    result: np.datetime64 = np.asarray(value).astype(_MS).reshape(-1)[0]
    return result


def month_of(time: np.datetime64) -> str:
    return str(np.asarray(time).astype("datetime64[M]"))


def month_start(month: str) -> np.datetime64:
    result: np.datetime64 = np.asarray(month, "datetime64[M]").astype(_MS).reshape(-1)[0]
    return result


def month_end(month: str) -> np.datetime64:
    """The first millisecond of the next month."""
    result: np.datetime64 = (np.asarray(month, "datetime64[M]") + 1).astype(_MS).reshape(-1)[0]
    return result


# -- manifest -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthEntry:
    """The files of one month: content hashes (None: no such rows) and the latest source end."""

    month: str
    points: str | None = None
    sources: str | None = None
    sources_end: np.datetime64 | None = None

    def points_file(self) -> str | None:
        return f"points/{self.month}-{self.points}.parquet" if self.points else None

    def sources_file(self) -> str | None:
        return f"sources/{self.month}-{self.sources}.parquet" if self.sources else None

    def files(self) -> list[str]:
        return [f for f in (self.points_file(), self.sources_file()) if f]

    def to_json(self) -> dict[str, object]:
        end = self.sources_end
        return {
            "month": self.month,
            "points": self.points,
            "sources": self.sources,
            "sources_end": None if end is None else f"{np.datetime_as_string(end, 'ms')}Z",
        }

    @classmethod
    def from_json(cls, item: object, where: str) -> MonthEntry:
        if not isinstance(item, dict) or not isinstance(item.get("month"), str):
            raise IndexFormatError(f"{where}: a month entry must be an object with a month")
        end = item.get("sources_end")
        try:
            return cls(
                month=month_of(np.asarray(item["month"], "datetime64[M]").reshape(-1)[0]),
                points=_optional_str(item.get("points")),
                sources=_optional_str(item.get("sources")),
                sources_end=None
                if end is None
                else to_ms(np.asarray(str(end).rstrip("Z"), _MS).reshape(-1)[0]),
            )
        except ValueError as error:
            raise IndexFormatError(f"{where}: bad month entry {item!r}: {error}") from None


def _optional_str(value: object) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True)
class TableManifest:
    """What ``_manifest.json`` holds: the table's key, last change and months (sorted)."""

    name: str
    key: TableKey
    updated: str | None = None
    months: tuple[MonthEntry, ...] = ()

    def dumps(self) -> str:
        """Deterministic text, one line per month (so a daily update is a one-line diff)."""
        head = {
            "format_version": FORMAT_VERSION,
            "table": self.name,
            "mission": self.key.mission,
            "spacecraft": self.key.spacecraft,
            "grade": self.key.grade,
            "kind": self.key.kind,
            "updated": self.updated,
        }
        lines = [f"  {json.dumps(k)}: {json.dumps(v)}," for k, v in head.items()]
        months = [f"    {json.dumps(m.to_json())}" for m in self.months]
        body = ",\n".join(months)
        return (
            "{\n"
            + "\n".join(lines)
            + '\n  "months": [\n'
            + body
            + ("\n" if body else "")
            + "  ]\n}\n"
        )

    @classmethod
    def loads(cls, text: bytes, where: str) -> TableManifest:
        try:
            data = json.loads(text)
        except ValueError as error:
            raise IndexFormatError(f"{where}: unreadable manifest: {error}") from None
        if not isinstance(data, dict) or data.get("format_version") != FORMAT_VERSION:
            raise IndexFormatError(
                f"{where}: not an orbit-direction manifest of format version {FORMAT_VERSION}"
            )
        kind = data.get("kind")
        if kind not in ("GEO", "QD"):
            raise IndexFormatError(f"{where}: unknown table kind {kind!r}")
        key = TableKey(
            str(data.get("mission")),
            _optional_str(data.get("spacecraft")),
            _optional_str(data.get("grade")),
            kind,
        )
        months = tuple(MonthEntry.from_json(item, where) for item in data.get("months") or [])
        return cls(str(data.get("table")), key, _optional_str(data.get("updated")), months)


# -- Parquet --------------------------------------------------------------------------------


def _parquet_bytes(table: pa.Table) -> bytes:
    """Pinned writer settings: the same rows always give the same bytes."""
    buffer = io.BytesIO()
    pq.write_table(
        table,
        buffer,
        version="2.6",
        compression="zstd",
        compression_level=9,
        use_dictionary=["product_id"] if "product_id" in table.column_names else False,
        column_encoding={
            name: "DELTA_BINARY_PACKED"
            for name in table.column_names
            if pa.types.is_timestamp(table.schema.field(name).type)
        },
        write_statistics=True,
        data_page_version="1.0",
        store_schema=False,
    )
    return buffer.getvalue()


def _content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:_HASH_CHARS]


def _times(column: pa.ChunkedArray) -> TimeArray:
    values = column.cast(pa.int64()).to_numpy(zero_copy_only=False)
    times: TimeArray = np.asarray(values, np.int64).astype(_MS)
    return times


def points_table(boundaries: Boundaries) -> pa.Table:
    return pa.table(
        [
            pa.array(boundaries.times.astype(_MS), POINTS_SCHEMA.field("time").type),
            pa.array(boundaries.types, pa.int8()),
            pa.array(boundaries.directions, pa.int8()),
        ],
        schema=POINTS_SCHEMA,
    )


def sources_table(sources: Sequence[Source]) -> pa.Table:
    time_type = SOURCES_SCHEMA.field("start").type
    return pa.table(
        [
            pa.array([s.product_id for s in sources], pa.string()),
            pa.array(np.array([s.start for s in sources], _MS), time_type),
            pa.array(np.array([s.end for s in sources], _MS), time_type),
        ],
        schema=SOURCES_SCHEMA,
    )


def read_points(data: bytes, where: str) -> Boundaries:
    table = _read_parquet(data, where, POINTS_SCHEMA)
    return Boundaries(
        _times(table.column("time")),
        table.column("boundary_type").to_numpy().astype(np.int8),
        table.column("orbit_direction").to_numpy().astype(np.int8),
    )


def read_sources(data: bytes, where: str) -> list[Source]:
    table = _read_parquet(data, where, SOURCES_SCHEMA)
    starts, ends = _times(table.column("start")), _times(table.column("end"))
    ids = table.column("product_id").to_pylist()
    return [Source(str(i), s, e) for i, s, e in zip(ids, starts, ends, strict=True)]


def _read_parquet(data: bytes, where: str, schema: pa.Schema) -> pa.Table:
    try:
        table = pq.read_table(pa.BufferReader(data))
        return table.select(schema.names).cast(schema)
    except (pa.ArrowException, KeyError) as error:
        raise IndexFormatError(f"{where}: unreadable orbit-direction partition: {error}") from None


# -- the store ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableFiles:
    """A table's key and the URLs of its live partition files (for SQL views)."""

    name: str
    key: TableKey
    points: tuple[str, ...]
    sources: tuple[str, ...]


class TableStore:
    """The orbit-direction tables of a catalogue."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    def folder(self, name: str) -> str:
        return f"{FOLDER}/{name}"

    def table_names(self) -> list[str]:
        """Names of the tables stored (those with a manifest)."""
        return [
            name
            for name in self.storage.listdirs(FOLDER)
            if self.storage.exists(f"{FOLDER}/{name}/{MANIFEST_NAME}")
        ]

    def manifest(self, name: str) -> TableManifest | None:
        path = f"{self.folder(name)}/{MANIFEST_NAME}"
        try:
            data = self.storage.read_bytes(path)
        except NotFoundError:
            return None
        manifest = TableManifest.loads(data, self.storage.url_of(path))
        if manifest.name != name:
            raise IndexFormatError(f"{self.storage.url_of(path)} belongs to table {manifest.name}")
        return manifest

    def open(self, key: TableKey) -> LoadedTable:
        """The table of ``key`` with nothing loaded yet (an empty table if it does not exist)."""
        name = vires_table_name(key)
        manifest = self.manifest(name) or TableManifest(name, key)
        return LoadedTable(self, manifest)

    def files(self, name: str) -> TableFiles | None:
        manifest = self.manifest(name)
        if manifest is None:
            return None
        folder = self.folder(name)
        return TableFiles(
            name,
            manifest.key,
            tuple(
                self.storage.url_of(f"{folder}/{f}")
                for m in manifest.months
                if (f := m.points_file())
            ),
            tuple(
                self.storage.url_of(f"{folder}/{f}")
                for m in manifest.months
                if (f := m.sources_file())
            ),
        )

    def read_month(self, name: str, entry: MonthEntry) -> tuple[Boundaries, list[Source]]:
        folder = self.folder(name)
        points, sources = Boundaries.empty(), []
        if (path := entry.points_file()) is not None:
            points = read_points(self.storage.read_bytes(f"{folder}/{path}"), path)
        if (path := entry.sources_file()) is not None:
            sources = read_sources(self.storage.read_bytes(f"{folder}/{path}"), path)
        return points, sources


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
    table: OrbitDirectionTable = field(init=False)
    window: _Window | None = None
    replaced: bool = False
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
        start, end = to_ms(start), to_ms(end)
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
        if months == self.manifest.months:
            return False
        folder = self.store.folder(self.name)
        storage = self.store.storage
        old_files = {f for m in self.manifest.months for f in m.files()}
        new_files = {f for m in months for f in m.files()}
        for path, data in payloads.items():
            if path not in old_files:
                storage.write_bytes(f"{folder}/{path}", data)
        stamp = format_datetime((now or datetime.now(UTC)).replace(microsecond=0))
        manifest = TableManifest(self.name, self.key, stamp, months)
        storage.write_bytes(f"{folder}/{MANIFEST_NAME}", manifest.dumps().encode("utf-8"))
        for path in sorted(old_files - new_files):
            storage.remove(f"{folder}/{path}")
        self.manifest = manifest
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
            entry = MonthEntry(month)
            if selected.size:
                data = _parquet_bytes(points_table(part))
                entry = replace(entry, points=_content_hash(data))
                payloads[str(entry.points_file())] = data
            if month_sources:
                data = _parquet_bytes(sources_table(month_sources))
                entry = replace(
                    entry,
                    sources=_content_hash(data),
                    sources_end=to_ms(np.array([s.end for s in month_sources], _MS).max()),
                )
                payloads[str(entry.sources_file())] = data
            self._known[month] = (part, month_sources, entry)
            entries.append(entry)
        return entries, payloads


def write_table(store: TableStore, table: OrbitDirectionTable, now: datetime | None = None) -> bool:
    """Replace the stored table of ``table.key`` with ``table`` (verified first)."""
    loaded = store.open(table.key)
    loaded.reset()
    loaded.table = table
    return loaded.save(now)


def read_table(store: TableStore, table: TableKey | TableManifest) -> OrbitDirectionTable:
    """The whole stored table of a key (empty when it does not exist), or of a manifest the
    caller has read already (not read again)."""
    loaded = store.open(table) if isinstance(table, TableKey) else LoadedTable(store, table)
    loaded.ensure_all()
    return loaded.table
