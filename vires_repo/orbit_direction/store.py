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

A rebuild or an import replaces the whole table (:meth:`TableStore.replacing`) without
needing the old manifest: over a table of an older format version, the new files and manifest
are written first and the Parquet files of the old table are removed last, so an interrupted
replacement leaves the old manifest or the new one, each with its files.

The manifest is :mod:`.manifest`, the Parquet files :mod:`.partitions` and a window of a
table in memory :mod:`.loaded_table`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from vires_repo.errors import IndexFormatError, NotFoundError
from vires_repo.io.object_commit import Snapshot
from vires_repo.io.storage import Storage
from vires_repo.manifests import plain_file_name
from vires_repo.orbit_direction.extract import Boundaries
from vires_repo.orbit_direction.loaded_table import LoadedTable
from vires_repo.orbit_direction.manifest import (
    MANIFEST_NAME,
    POINTS_FOLDER,
    SOURCES_FOLDER,
    MonthEntry,
    TableManifest,
)
from vires_repo.orbit_direction.missions import TableKey, vires_table_name
from vires_repo.orbit_direction.partitions import read_points, read_sources
from vires_repo.orbit_direction.table import OrbitDirectionTable, Source

FOLDER = "orbit_direction"


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
        """A table's folder (NotFoundError for a name that would reach outside ``FOLDER``)."""
        try:
            plain_file_name(name)
        except ValueError as error:
            raise NotFoundError(f"no orbit-direction table {name!r}: {error}") from None
        return f"{FOLDER}/{name}"

    def table_names(self) -> list[str]:
        """Names of the tables stored (those with a manifest)."""
        return [
            name
            for name in self.storage.listdirs(FOLDER)
            if self.storage.exists(f"{FOLDER}/{name}/{MANIFEST_NAME}")
        ]

    def manifest(self, name: str) -> TableManifest | None:
        return self._parse(name, self._snapshot(name))

    def _snapshot(self, name: str) -> Snapshot:
        """The manifest's bytes and version, on which the commit of a change is conditional."""
        return self.storage.read_snapshot(f"{self.folder(name)}/{MANIFEST_NAME}")

    def _parse(self, name: str, snapshot: Snapshot) -> TableManifest | None:
        if snapshot.data is None:
            return None
        where = self.storage.url_of(f"{self.folder(name)}/{MANIFEST_NAME}")
        manifest = TableManifest.loads(snapshot.data, where)
        if manifest.name != name:
            raise IndexFormatError(f"{where} belongs to table {manifest.name}")
        return manifest

    def open(self, key: TableKey) -> LoadedTable:
        """The table of ``key`` with nothing loaded yet (an empty table if it does not exist)."""
        name = vires_table_name(key)
        snapshot = self._snapshot(name)
        manifest = self._parse(name, snapshot) or TableManifest.of(name, key)
        return LoadedTable(self, manifest, snapshot=snapshot)

    def replacing(self, key: TableKey) -> LoadedTable:
        """An empty table that replaces the stored table of ``key`` on save (rebuild, import).

        A stored manifest that cannot be read (an older format version, damaged) is replaced
        too: the Parquet files in the table's folder are removed after the new manifest is
        written."""
        name = vires_table_name(key)
        snapshot = self._snapshot(name)
        try:
            manifest = self._parse(name, snapshot) or TableManifest.of(name, key)
            loaded = LoadedTable(self, manifest, snapshot=snapshot)
        except IndexFormatError:
            loaded = LoadedTable(
                self,
                TableManifest.of(name, key),
                snapshot=snapshot,
                unreadable_files=self.parquet_files(name),
            )
        loaded.reset()
        return loaded

    def parquet_files(self, name: str) -> tuple[str, ...]:
        """The Parquet files in a table's folder (relative to it), named by its manifest or not."""
        folder = self.folder(name)
        return tuple(
            f"{sub}/{file}"
            for sub in (POINTS_FOLDER, SOURCES_FOLDER)
            for file in self.storage.listdir(f"{folder}/{sub}")
            if file.endswith(".parquet")
        )

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


def write_table(store: TableStore, table: OrbitDirectionTable, now: datetime | None = None) -> bool:
    """Replace the stored table of ``table.key`` with ``table`` (verified first), whatever
    the format of the stored one."""
    loaded = store.replacing(table.key)
    loaded.table = table
    return loaded.save(now)


def read_table(store: TableStore, table: TableKey | TableManifest) -> OrbitDirectionTable:
    """The whole stored table of a key (empty when it does not exist), or of a manifest the
    caller has read already (not read again)."""
    loaded = store.open(table) if isinstance(table, TableKey) else LoadedTable(store, table)
    loaded.ensure_all()
    return loaded.table
