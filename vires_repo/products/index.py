"""The product index: data files per collection behind a manifest commit point.

Layout (relative to the catalogue root)::

    products/collection=<ID>/_manifest-<ID>.json              the commit point (manifest.py)
    products/collection=<ID>/part-<sha256[:16]>-<ID>.parquet  immutable, content-named data
    products/collection=<ID>/part-<sha256[:16]>-<ID>.jsonl    files (formats: see schema.py)

(manifest.py says why the names end with the collection identifier.)

A batch of fewer than ``small_batch_rows`` rows (a daily registration) is written as a
JSON-lines file, which git compresses and deltas well; larger batches and compaction outputs
are Parquet. Compaction merges the small files into Parquet, so the text files live only until
the next compaction of their collection.

Writers hold the catalogue lock, write new data files, then replace the manifest atomically.
A crash at any point leaves the previous manifest (and so the previous state) valid; rerunning
the write produces the same file names and completes it. Readers take no lock: they read the
manifest, skip files (and Parquet row groups) by their time and identifier ranges, drop
tombstoned rows, and retry with a fresh manifest if a compaction removed a file under them.

The class is built in layers, one module each: reading.py (manifests and filtered scans),
lookups.py (identifier, location, time window, overlap and summary queries) and this module,
the writer (upserts and compaction).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.compute as pc

from vires_repo.errors import DefinitionError
from vires_repo.io.storage import Snapshot, Storage
from vires_repo.products.lookups import IndexLookups
from vires_repo.products.manifest import (
    FileEntry,
    Manifest,
    manifest_name,
    manifest_path,
    partition_file,
    partition_folder,
)
from vires_repo.products.row_filter import RowFilter
from vires_repo.products.schema import (
    JSONL_SUFFIX,
    PARQUET_SUFFIX,
    SCHEMA,
    TIMESTAMP,
    ProductRecord,
    RecordColumns,
    content_name,
    first_row_problem,
    jsonl_bytes,
    parquet_bytes,
    shortened,
    sort_rows,
)
from vires_repo.products.selection import ProductSelection
from vires_repo.timescales import to_utc

COMPACTION_FILE_THRESHOLD = 10  # measured: fewer manifest lines outweigh more compactions
TOMBSTONE_THRESHOLD = 1024
MAX_ROWS_PER_FILE = 250_000
SMALL_BATCH_ROWS = 1_000  # batches of fewer rows are written as JSON lines
_BULK_CHUNK_ROWS = 50_000


@dataclass(frozen=True)
class UpsertResult:
    collection: str
    inserted: tuple[str, ...] = ()
    replaced: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    data_files: tuple[str, ...] = ()
    compacted: bool = False


@dataclass(frozen=True)
class CompactionResult:
    collection: str
    files_before: int
    files_after: int
    removed_files: tuple[str, ...]


class ProductIndex(IndexLookups):
    """The product records of a catalogue: reads, lookups, and the writer."""

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

    def __repr__(self) -> str:
        return f"ProductIndex({self.storage.url!r})"

    # -- writing -------------------------------------------------------------------------

    def upsert(
        self,
        collection: str,
        records: Iterable[ProductRecord] = (),
        *,
        delete: Iterable[str] = (),
        skip_existing: bool = False,
        now: datetime | None = None,
    ) -> UpsertResult:
        """Write one batch into one collection: one new data file plus one manifest commit.

        ``delete`` identifiers are de-registered (tombstoned) first. A record whose identifier
        is registered already replaces that product (keeping its ``created`` time), unless
        ``skip_existing`` is set, in which case it is skipped. Within the batch the last record
        of an identifier wins. Compaction runs automatically past the thresholds.
        """
        stamp = to_utc(now or datetime.now(UTC))
        columns = RecordColumns()
        partition_folder(collection)
        for record in records:
            _check_collection(record, collection)
            columns.append(record, stamp)
        with self.storage.lock():
            return self._upsert_table(collection, columns.to_table(), set(delete), skip_existing)

    def upsert_table(
        self,
        collection: str,
        table: pa.Table,
        *,
        skip_existing: bool = False,
        now: datetime | None = None,
    ) -> UpsertResult:
        """:meth:`upsert` for rows that are already columns of the index schema (bulk
        imports build them without per-row objects); null ``created``/``updated`` become
        ``now``. All rows must belong to ``collection``."""
        stamp = pa.scalar(to_utc(now or datetime.now(UTC)), TIMESTAMP)
        columns = {}
        for field in SCHEMA:
            column = table[field.name].cast(field.type)
            if field.name in ("created", "updated"):
                column = pc.fill_null(column, stamp)
            columns[field.name] = column
        table = pa.table(columns, schema=SCHEMA)
        partition_folder(collection)
        if table.num_rows and pc.any(pc.not_equal(table["collection"], collection)).as_py():
            raise DefinitionError(f"rows of other collections given for {collection}")
        _check_rows(table)
        with self.storage.lock():
            return self._upsert_table(collection, table, set(), skip_existing)

    def delete(self, collection: str, identifiers: Iterable[str]) -> UpsertResult:
        """De-register products of one collection (unknown identifiers are ignored)."""
        return self.upsert(collection, (), delete=identifiers)

    def bulk_upsert(
        self,
        records: Iterable[ProductRecord],
        *,
        skip_existing: bool = False,
        now: datetime | None = None,
    ) -> dict[str, UpsertResult]:
        """Import many records of any collections: one commit per touched collection.

        Records are buffered column-wise per collection (no per-row objects kept), so a
        million-record import needs a few hundred MB.
        """
        stamp = to_utc(now or datetime.now(UTC))
        buffers: dict[str, RecordColumns] = {}
        chunks: dict[str, list[pa.Table]] = {}
        buffered = 0

        def flush() -> None:
            for name, buffer in buffers.items():
                chunks.setdefault(name, []).append(buffer.to_table())
            buffers.clear()

        for record in records:
            buffer = buffers.get(record.collection)
            if buffer is None:
                partition_folder(record.collection)  # refuses an unusable identifier
                buffer = buffers[record.collection] = RecordColumns()
            buffer.append(record, stamp)
            buffered += 1
            if buffered >= _BULK_CHUNK_ROWS:
                flush()
                buffered = 0
        flush()
        results = {}
        with self.storage.lock():
            for collection in sorted(chunks):
                table = pa.concat_tables(chunks.pop(collection))
                results[collection] = self._upsert_table(collection, table, set(), skip_existing)
        return results

    def _upsert_table(
        self, collection: str, batch: pa.Table, delete: set[str], skip_existing: bool
    ) -> UpsertResult:
        batch = _last_wins(batch)
        manifest, snapshot = self._manifest_snapshot(collection)
        batch_ids = batch["identifier"].to_pylist()
        targets = tuple(sorted(delete.union(batch_ids)))
        existing: dict[str, tuple[str, int | None]] = {}  # identifier -> (file, created micros)
        if targets and manifest.files:
            row_filter = RowFilter.of(ProductSelection(identifiers=targets))
            columns = ["identifier", "created"]
            scan = self._scan(collection, row_filter, columns, manifest, check_rows=False)
            for entry, table in scan:
                for name, micros in zip(
                    table["identifier"].to_pylist(), _micros(table["created"]), strict=True
                ):
                    existing[name] = (entry.file, micros)
        deleted = sorted(delete.intersection(existing))
        if skip_existing:
            skipped = [name for name in batch_ids if name in existing and name not in delete]
            if skipped:
                keep = pc.invert(pc.is_in(batch["identifier"], value_set=pa.array(skipped)))
                batch = batch.filter(keep)
                batch_ids = batch["identifier"].to_pylist()
        else:
            skipped = []
        replaced = [name for name in batch_ids if name in existing and name not in delete]
        inserted = [name for name in batch_ids if name not in replaced]
        if replaced:
            created = _micros(batch["created"])
            for row, name in enumerate(batch_ids):
                if name in existing and existing[name][1] is not None:
                    created[row] = existing[name][1]
            position = batch.schema.get_field_index("created")
            column = pa.array(created, pa.int64()).cast(TIMESTAMP)
            batch = batch.set_column(position, "created", column)
        dead: dict[str, set[str]] = {}
        for name in (*deleted, *batch_ids):
            if name in existing:
                dead.setdefault(existing[name][0], set()).add(name)
        small = batch.num_rows < self.small_batch_rows
        entries = self._write_data_files(collection, sort_rows(batch), as_text=small)
        updated = manifest.with_tombstones(dead)
        for entry in entries:
            updated = updated.with_file(entry)
        snapshot = self._commit(updated, snapshot)
        compacted = self._compact_if_needed(updated, snapshot)
        return UpsertResult(
            collection=collection,
            inserted=tuple(inserted),
            replaced=tuple(replaced),
            skipped=tuple(skipped),
            deleted=tuple(deleted),
            data_files=tuple(entry.file for entry in entries),
            compacted=compacted,
        )

    def _write_data_files(
        self, collection: str, table: pa.Table, *, as_text: bool = False
    ) -> list[FileEntry]:
        """Write sorted rows as data files of at most ``max_rows_per_file`` rows each
        (JSON lines with ``as_text``, else Parquet)."""
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
            identifiers = pc.min_max(part["identifier"]).as_py()
            entries.append(
                FileEntry(
                    file=name,
                    sha256=digest,
                    bytes=len(data),
                    rows=part.num_rows,
                    min_begin_time=pc.min(part["begin_time"].cast(pa.int64())).as_py(),
                    max_end_time=pc.max(part["end_time"].cast(pa.int64())).as_py(),
                    min_identifier=identifiers["min"],
                    max_identifier=identifiers["max"],
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
        if manifest.tombstone_count > self.tombstone_threshold:
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
        """Merge all live rows of a collection (or of every collection) into as few files as
        ``max_rows_per_file`` allows, drop tombstones and remove unreferenced files."""
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
        parts = [
            table
            for entry in victims
            if (table := self._read_entry(collection, entry, RowFilter(), SCHEMA.names))
        ]
        merged = sort_rows(pa.concat_tables(parts)) if parts else SCHEMA.empty_table()
        victim_names = {entry.file for entry in victims}
        added = self._write_data_files(collection, merged)
        compacted = manifest.with_files(victim_names, [])
        for entry in added:
            compacted = compacted.with_file(entry)
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


def _check_collection(record: ProductRecord, collection: str) -> None:
    if record.collection != collection:
        raise DefinitionError(
            f"product {record.collection}/{record.identifier} does not belong to "
            f"collection {collection}"
        )


def _check_rows(table: pa.Table) -> None:
    """The checks of ``RecordColumns.append``, column-wise (:func:`first_row_problem`)."""
    found = first_row_problem(table)
    if found is not None:
        row, problem = found
        identifier = table["identifier"][row].as_py()
        product = f" (product {shortened(identifier)})" if identifier else ""
        raise DefinitionError(f"product row refused: {problem}{product}")


def _micros(column: pa.ChunkedArray) -> list[int | None]:
    """Times as microseconds (rows read without checks may hold any value, even beyond the
    range of Python's datetime)."""
    return list(column.cast(pa.int64()).to_pylist())


def _last_wins(batch: pa.Table) -> pa.Table:
    """Keep the last row of each identifier (batch order)."""
    names = batch["identifier"].to_pylist()
    last = {name: row for row, name in enumerate(names)}
    if len(last) == len(names):
        return batch
    return batch.take(pa.array(sorted(last.values()), pa.int64()))
