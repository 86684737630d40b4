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
lookups.py (identifier, location, time window, overlap and summary queries), compaction.py
(data files, commits, compaction, undelete and purge) and this module, the writer (upserts and
de-registration).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import pyarrow as pa

from vires_repo.errors import DefinitionError
from vires_repo.products import kernels
from vires_repo.products.compaction import IndexMaintenance
from vires_repo.products.manifest import DeletedEntry, partition_folder
from vires_repo.products.row_filter import RowFilter
from vires_repo.products.schema import (
    SCHEMA,
    TIMESTAMP,
    ProductRecord,
    RecordColumns,
    first_row_problem,
    shortened,
    sort_rows,
)
from vires_repo.products.selection import ProductSelection
from vires_repo.timescales import to_micros, to_utc

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
class Deletion:
    """Who de-registers products, when and why: the record a soft delete keeps."""

    by: str
    reason: str = ""
    at: datetime | None = None
    """Default: the time of the write."""


class ProductIndex(IndexMaintenance):
    """The product records of a catalogue: reads, lookups, maintenance, and the writer."""

    def __repr__(self) -> str:
        return f"ProductIndex({self.storage.url!r})"

    # -- writing -------------------------------------------------------------------------

    def upsert(
        self,
        collection: str,
        records: Iterable[ProductRecord] = (),
        *,
        delete: Iterable[str] = (),
        deletion: Deletion | None = None,
        skip_existing: bool = False,
        now: datetime | None = None,
    ) -> UpsertResult:
        """Write one batch into one collection: one new data file plus one manifest commit.

        ``delete`` identifiers are de-registered (tombstoned) first: deleted softly, restorable
        until purged, when ``deletion`` says by whom and why, else for good at the next
        compaction (a product replaced by an overlapping one). A record whose identifier
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
            return self._upsert_table(
                collection, columns.to_table(), set(delete), skip_existing, deletion, stamp
            )

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
        import pyarrow.compute as pc  # writers only: lookups import the index without it

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

    def delete(
        self, collection: str, identifiers: Iterable[str], deletion: Deletion | None = None
    ) -> UpsertResult:
        """De-register products of one collection (unknown identifiers are ignored); softly
        when ``deletion`` is given (see :meth:`upsert`)."""
        return self.upsert(collection, (), delete=identifiers, deletion=deletion)

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
        self,
        collection: str,
        batch: pa.Table,
        delete: set[str],
        skip_existing: bool,
        deletion: Deletion | None = None,
        stamp: datetime | None = None,
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
                keep = kernels.invert(kernels.is_in(batch["identifier"], skipped))
                batch = kernels.filter_rows(batch, keep)
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
            column = kernels.cast(pa.array(created, pa.int64()), TIMESTAMP)
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
        if deletion is not None or manifest.deleted:
            updated = updated.with_deleted(
                _deleted_records(manifest.deleted, batch_ids, existing, deleted, deletion, stamp)
            )
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


def _deleted_records(
    previous: Iterable[DeletedEntry],
    registered: Iterable[str],
    existing: dict[str, tuple[str, int | None]],
    deleted: Iterable[str],
    deletion: Deletion | None,
    stamp: datetime | None,
) -> list[DeletedEntry]:
    """The ``deleted`` records after a write: a product registered again is no longer a
    deleted one (its old row is simply replaced); soft-deleted products are added."""
    again = set(registered)
    records = [record for record in previous if record.identifier not in again]
    if deletion is not None:
        when = to_utc(deletion.at or stamp or datetime.now(UTC))
        records += [
            DeletedEntry(
                identifier=name,
                file=existing[name][0],
                deleted_at=to_micros(when),
                deleted_by=deletion.by,
                reason=deletion.reason,
            )
            for name in deleted
            if name not in again
        ]
    return records


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
    return list(kernels.cast(column, pa.int64()).to_pylist())


def _last_wins(batch: pa.Table) -> pa.Table:
    """Keep the last row of each identifier (batch order)."""
    names = batch["identifier"].to_pylist()
    last = {name: row for row, name in enumerate(names)}
    if len(last) == len(names):
        return batch
    return kernels.take(batch, pa.array(sorted(last.values()), pa.int64()))
