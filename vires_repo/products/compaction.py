"""The partition keeper of the product index: writing data files, committing manifests,
compaction, and the soft-delete lifecycle (undelete, purge).

Compaction merges data files into Parquet and drops dead rows (replaced products, purged
ones) but keeps the rows of soft-deleted products, tombstoned in the new file and their
``deleted`` records pointing there, so that a product stays restorable until it is purged.
Purging removes the ``deleted`` records and then compacts the files that held them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import pyarrow as pa

from vires_repo.io.object_commit import Snapshot
from vires_repo.io.storage import Storage
from vires_repo.products import kernels
from vires_repo.products.data_files import (
    JSONL_SUFFIX,
    PARQUET_SUFFIX,
    content_name,
    jsonl_bytes,
    parquet_bytes,
)
from vires_repo.products.lookups import IndexLookups
from vires_repo.products.manifest import (
    DeletedEntry,
    FileEntry,
    Manifest,
    manifest_name,
    manifest_path,
    partition_file,
    partition_folder,
)
from vires_repo.products.row_filter import RowFilter
from vires_repo.products.schema import SCHEMA, sort_rows
from vires_repo.timescales import to_micros

COMPACTION_FILE_THRESHOLD = 10  # measured: fewer manifest lines outweigh more compactions
TOMBSTONE_THRESHOLD = 1024
MAX_ROWS_PER_FILE = 250_000
SMALL_BATCH_ROWS = 1_000  # batches of fewer rows are written as JSON lines


@dataclass(frozen=True)
class CompactionResult:
    collection: str
    files_before: int
    files_after: int
    removed_files: tuple[str, ...]


class IndexMaintenance(IndexLookups):
    """Data-file writing, manifest commits, compaction, undelete and purge (the callers hold
    the catalogue lock)."""

    def __init__(
        self,
        storage: Storage,
        *,
        compaction_threshold: int = COMPACTION_FILE_THRESHOLD,
        tombstone_threshold: int = TOMBSTONE_THRESHOLD,
        max_rows_per_file: int = MAX_ROWS_PER_FILE,
        small_batch_rows: int = SMALL_BATCH_ROWS,
    ) -> None:
        if compaction_threshold < 4:
            raise ValueError("compaction_threshold must be at least 4")
        super().__init__(storage)
        self.compaction_threshold = compaction_threshold
        self.tombstone_threshold = tombstone_threshold
        self.max_rows_per_file = max_rows_per_file
        self.small_batch_rows = small_batch_rows

    # -- data files and commits ----------------------------------------------------------

    def _write_data_files(
        self,
        collection: str,
        table: pa.Table,
        *,
        as_text: bool = False,
        tombstones: frozenset[str] = frozenset(),
    ) -> list[FileEntry]:
        """Write sorted rows as data files of at most ``max_rows_per_file`` rows each
        (JSON lines with ``as_text``, else Parquet); the rows of ``tombstones`` (soft-deleted
        products kept by a compaction) are tombstoned in the file that holds them."""
        entries = []
        for start in range(0, table.num_rows, self.max_rows_per_file):
            part = table.slice(start, self.max_rows_per_file)
            if as_text:
                data = jsonl_bytes(part)
                name, digest = content_name(data, collection, JSONL_SUFFIX)
            else:
                data = parquet_bytes(part)
                name, digest = content_name(data, collection, PARQUET_SUFFIX)
            self.storage.write_if_changed(partition_file(collection, name), data)
            identifiers = kernels.call("min_max", part["identifier"]).as_py()
            begins = kernels.cast(part["begin_time"], pa.int64())
            ends = kernels.cast(part["end_time"], pa.int64())
            dead = tombstones.intersection(part["identifier"].to_pylist()) if tombstones else ()
            entries.append(
                FileEntry(
                    file=name,
                    sha256=digest,
                    bytes=len(data),
                    rows=part.num_rows,
                    min_begin_time=kernels.call("min", begins).as_py(),
                    max_end_time=kernels.call("max", ends).as_py(),
                    min_identifier=identifiers["min"],
                    max_identifier=identifiers["max"],
                    tombstones=frozenset(dead),
                )
            )
        return entries

    def _commit(self, manifest: Manifest, read: Snapshot) -> Snapshot:
        """Replace the manifest read as ``read`` (refused on an object store if another writer
        committed meanwhile); the snapshot of the manifest written."""
        path = manifest_path(manifest.collection)
        return self.storage.commit(path, manifest.dumps().encode("utf-8"), read)

    # -- compaction ----------------------------------------------------------------------

    def _compact_if_needed(self, manifest: Manifest, snapshot: Snapshot) -> bool:
        if manifest.dead_rows > self.tombstone_threshold:
            self._compact(manifest, snapshot, manifest.files)
            return True
        if len(manifest.files) > self.compaction_threshold:
            # Merge the smallest files only: the large, old files stay as they are, so that a
            # compaction rewrites (and adds to git) little more than the recent small appends.
            keep = self.compaction_threshold // 4
            by_size = sorted(manifest.files, key=lambda entry: entry.live_rows)
            self._compact(manifest, snapshot, by_size[: len(manifest.files) - keep + 1])
            return True
        return False

    def compact(self, collection: str | None = None) -> list[CompactionResult]:
        """Merge all rows of a collection (or of every collection) into as few files as
        ``max_rows_per_file`` allows, drop dead rows (soft-deleted ones stay until purged)
        and remove unreferenced files."""
        results = []
        with self.storage.lock():
            for name in [collection] if collection else self.collections():
                manifest, snapshot = self._manifest_snapshot(name)
                results.append(self._compact(manifest, snapshot, manifest.files))
        return results

    def _compact(
        self, manifest: Manifest, snapshot: Snapshot, victims: Sequence[FileEntry]
    ) -> CompactionResult:
        collection = manifest.collection
        folder = partition_folder(collection)
        parts = []
        kept_deleted: set[str] = set()
        for entry in victims:
            deleted = manifest.deleted_in(entry.file)
            kept_deleted |= deleted
            readable = replace(entry, tombstones=entry.tombstones - deleted)
            table = self._read_entry(collection, readable, RowFilter(), SCHEMA.names)
            if table:
                parts.append(table)
        merged = sort_rows(pa.concat_tables(parts)) if parts else SCHEMA.empty_table()
        victim_names = {entry.file for entry in victims}
        added = self._write_data_files(collection, merged, tombstones=frozenset(kept_deleted))
        compacted = manifest.with_files(victim_names, [])
        for entry in added:
            compacted = compacted.with_file(entry)
        moved = {identifier: entry.file for entry in added for identifier in entry.tombstones}
        compacted = compacted.with_deleted(
            replace(record, file=moved[record.identifier])
            if record.file in victim_names
            else record
            for record in manifest.deleted
        )
        self._commit(compacted, snapshot)
        live = {entry.file for entry in compacted.files} | {manifest_name(collection)}
        removed = tuple(name for name in self.storage.listdir(folder) if name not in live)
        for name in removed:
            self.storage.remove(f"{folder}/{name}")
        return CompactionResult(
            collection=collection,
            files_before=len(manifest.files),
            files_after=len(compacted.files),
            removed_files=removed,
        )

    # -- the soft-delete lifecycle -------------------------------------------------------

    def deleted(self, collection: str) -> tuple[DeletedEntry, ...]:
        """The soft-deleted products of a collection (sorted by identifier)."""
        return self.manifest(collection).deleted

    def deleted_table(self, collection: str, columns: Sequence[str]) -> pa.Table:
        """The rows of the soft-deleted products of a collection, as they were deleted."""
        import pyarrow.compute as pc  # (see _write_data_files)

        manifest = self.manifest(collection)
        needed = list(dict.fromkeys(["identifier", *columns]))
        parts = []
        for entry in manifest.files:
            deleted = manifest.deleted_in(entry.file)
            if not deleted:
                continue
            table = self._read_rows(collection, entry, RowFilter(), needed)
            if table is not None:
                keep = pc.is_in(table["identifier"], value_set=pa.array(sorted(deleted)))
                parts.append(table.filter(keep).select(list(columns)))
        schema = pa.schema([SCHEMA.field(name) for name in columns])
        return pa.concat_tables(parts) if parts else schema.empty_table()

    def undelete(self, collection: str, identifiers: Iterable[str]) -> list[str]:
        """Make soft-deleted products live again (their rows as they were); returns those
        restored, sorted (identifiers that are not deleted products are ignored)."""
        wanted = set(identifiers)
        with self.storage.lock():
            manifest, snapshot = self._manifest_snapshot(collection)
            restored = [record for record in manifest.deleted if record.identifier in wanted]
            if not restored:
                return []
            alive: dict[str, set[str]] = {}
            for record in restored:
                alive.setdefault(record.file, set()).add(record.identifier)
            names = {record.identifier for record in restored}
            updated = manifest.without_tombstones(alive).with_deleted(
                record for record in manifest.deleted if record.identifier not in names
            )
            self._commit(updated, snapshot)
        return sorted(names)

    def purge_deleted(
        self, collection: str, *, deleted_before: datetime | None = None
    ) -> tuple[list[DeletedEntry], CompactionResult | None]:
        """Remove for good the soft-deleted products (deleted before ``deleted_before``, all
        by default): their records go, and the files that held them are compacted, which
        drops their rows. Returns the purged records and the compaction."""
        cutoff = None if deleted_before is None else to_micros(deleted_before)
        with self.storage.lock():
            manifest, snapshot = self._manifest_snapshot(collection)
            purged = [
                record
                for record in manifest.deleted
                if cutoff is None or record.deleted_at < cutoff
            ]
            if not purged:
                return [], None
            gone = {record.identifier for record in purged}
            files = {record.file for record in purged}
            remaining = manifest.with_deleted(
                record for record in manifest.deleted if record.identifier not in gone
            )
            victims = [entry for entry in remaining.files if entry.file in files]
            return purged, self._compact(remaining, snapshot, victims)
