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

The hot lookups (identifier, time window, overlaps) use pyarrow directly: a DuckDB connection
costs more to open than these lookups take (see scripts/bench_product_index.py).
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from vires_repo.errors import DefinitionError, IndexFormatError, NotFoundError
from vires_repo.io.storage import Storage
from vires_repo.products.manifest import (
    LEGACY_MANIFEST_NAME,
    PRODUCTS_FOLDER,
    FileEntry,
    Manifest,
    collection_of_folder,
    manifest_name,
    manifest_path,
    partition_file,
    partition_folder,
)
from vires_repo.products.schema import (
    JSONL_SUFFIX,
    PARQUET_SUFFIX,
    SCHEMA,
    TIMESTAMP,
    ProductRecord,
    RecordColumns,
    check_format,
    content_name,
    jsonl_bytes,
    parquet_bytes,
    read_jsonl,
    sort_rows,
    table_to_records,
)
from vires_repo.products.selection import ProductSelection
from vires_repo.timescales import from_micros, to_micros, to_utc

COMPACTION_FILE_THRESHOLD = 10  # measured: fewer manifest lines outweigh more compactions
TOMBSTONE_THRESHOLD = 1024
MAX_ROWS_PER_FILE = 250_000
SMALL_BATCH_ROWS = 1_000  # batches of fewer rows are written as JSON lines
_BULK_CHUNK_ROWS = 50_000
_READ_ATTEMPTS = 3


@dataclass(frozen=True)
class Overlap:
    """An existing product whose time range overlaps (inclusively) a new product's range."""

    identifier: str
    existing_identifier: str
    existing_begin_time: datetime
    existing_end_time: datetime


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


@dataclass(frozen=True)
class CollectionSummary:
    """What ``get_collection_info`` reports per collection (reference section 12)."""

    collection: str
    product_count: int
    begin_time: datetime | None
    end_time: datetime | None
    last_updated: datetime | None
    max_product_duration: timedelta


def vires_max_product_duration(duration: timedelta) -> timedelta:
    """Round a product duration as VirES does: up to whole seconds, plus a 1 s buffer."""
    extra = 2 if duration.microseconds else 1
    return timedelta(days=duration.days, seconds=duration.seconds + extra)


@dataclass(frozen=True)
class _RowFilter:
    """Row predicates in stored units (microseconds), used to prune files and row groups."""

    identifiers: tuple[str, ...] | None = None  # sorted
    begin_from: int | None = None  # begin_time >= begin_from
    begin_to: int | None = None  # begin_time <= begin_to
    end_from: int | None = None  # end_time >= end_from
    end_before: int | None = None  # end_time < end_before
    created_from: int | None = None
    created_before: int | None = None
    updated_from: int | None = None
    updated_before: int | None = None
    product_types: frozenset[str] | None = None
    locations: tuple[str, ...] | None = None

    @classmethod
    def of(cls, selection: ProductSelection) -> _RowFilter:
        if selection.needs_definitions:
            raise ValueError("resolve missions, spacecraft and grades to collections first")

        def micros(value: datetime | None) -> int | None:
            return None if value is None else to_micros(value)

        return cls(
            identifiers=tuple(sorted(set(selection.identifiers))) or None,
            begin_from=micros(selection.after),
            end_before=micros(selection.before),
            created_from=micros(selection.created_after),
            created_before=micros(selection.created_before),
            updated_from=micros(selection.updated_after),
            updated_before=micros(selection.updated_before),
            product_types=frozenset(selection.product_types) or None,
            locations=tuple(dict.fromkeys(selection.locations)) or None,
        )

    def _any_identifier_within(self, low: str, high: str) -> bool:
        assert self.identifiers is not None
        position = bisect.bisect_left(self.identifiers, low)
        return position < len(self.identifiers) and self.identifiers[position] <= high

    def file_may_match(self, entry: FileEntry) -> bool:
        # The manifest keeps min(begin_time) and max(end_time) only; with begin <= end per row
        # they also bound max(begin_time) from above and min(end_time) from below.
        if self.identifiers is not None and not self._any_identifier_within(
            entry.min_identifier, entry.max_identifier
        ):
            return False
        latest = entry.max_end_time
        earliest = entry.min_begin_time
        return not (
            (self.begin_from is not None and latest < self.begin_from)
            or (self.end_from is not None and latest < self.end_from)
            or (self.begin_to is not None and earliest > self.begin_to)
            or (self.end_before is not None and earliest >= self.end_before)
        )

    def row_group_may_match(self, row_group: Any) -> bool:
        identifier = row_group.column(1).statistics
        if (
            self.identifiers is not None
            and identifier is not None
            and identifier.has_min_max
            and not self._any_identifier_within(identifier.min, identifier.max)
        ):
            return False
        begin = row_group.column(3).statistics
        end = row_group.column(4).statistics
        if begin is not None and begin.has_min_max:
            if self.begin_from is not None and begin.max_raw < self.begin_from:
                return False
            if self.begin_to is not None and begin.min_raw > self.begin_to:
                return False
        if end is not None and end.has_min_max:
            if self.end_from is not None and end.max_raw < self.end_from:
                return False
            if self.end_before is not None and end.min_raw >= self.end_before:
                return False
        return True

    def columns(self) -> set[str]:
        needed = {"identifier"}
        if self.begin_from is not None or self.begin_to is not None:
            needed.add("begin_time")
        if self.end_from is not None or self.end_before is not None:
            needed.add("end_time")
        if self.created_from is not None or self.created_before is not None:
            needed.add("created")
        if self.updated_from is not None or self.updated_before is not None:
            needed.add("updated")
        if self.product_types is not None:
            needed.add("product_type")
        if self.locations is not None:
            needed.update(("location", "datasets"))
        return needed

    def mask(self, table: pa.Table) -> pa.ChunkedArray | pa.Array | None:
        masks: list[Any] = []

        def bound(column: str, value: int | None, compare: Callable[..., Any]) -> None:
            if value is not None:
                masks.append(compare(table[column], pa.scalar(value, TIMESTAMP)))

        if self.identifiers is not None:
            masks.append(pc.is_in(table["identifier"], value_set=pa.array(self.identifiers)))
        bound("begin_time", self.begin_from, pc.greater_equal)
        bound("begin_time", self.begin_to, pc.less_equal)
        bound("end_time", self.end_from, pc.greater_equal)
        bound("end_time", self.end_before, pc.less)
        bound("created", self.created_from, pc.greater_equal)
        bound("created", self.created_before, pc.less)
        bound("updated", self.updated_from, pc.greater_equal)
        bound("updated", self.updated_before, pc.less)
        if self.product_types is not None:
            types = pa.array(sorted(self.product_types), pa.string())
            masks.append(pc.is_in(table["product_type"], value_set=types))
        if self.locations is not None:
            masks.append(_location_mask(table, self.locations))
        if not masks:
            return None
        combined = masks[0]
        for other in masks[1:]:
            combined = pc.and_kleene(combined, other)
        return pc.fill_null(combined, False)


def _location_mask(table: pa.Table, locations: tuple[str, ...]) -> pa.Array:
    """Rows where any dataset's ``location`` equals one of ``locations`` exactly."""
    exact = pc.fill_null(
        pc.is_in(table["location"], value_set=pa.array(locations, pa.string())), False
    )
    candidates = exact
    for location in locations:
        pattern = '"location":' + json.dumps(location, ensure_ascii=False)
        candidates = pc.or_(candidates, pc.match_substring(table["datasets"], pattern))
    flags = exact.to_numpy().copy()
    # A substring hit is confirmed by parsing, so the path inside another value never counts.
    unsure = np.flatnonzero(pc.fill_null(candidates, False).to_numpy() & ~flags)
    if unsure.size:
        wanted = set(locations)
        texts = table["datasets"].take(pa.array(unsure)).to_pylist()
        for row, text in zip(unsure, texts, strict=True):
            datasets = json.loads(text).values()
            flags[row] = any(entry.get("location") in wanted for entry in datasets)
    return pa.array(flags, pa.bool_())


class ProductIndex:
    """The product records of a catalogue (one partition per collection)."""

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
        self.storage = storage
        self.compaction_threshold = compaction_threshold
        self.tombstone_threshold = tombstone_threshold
        self.max_rows_per_file = max_rows_per_file
        self.small_batch_rows = small_batch_rows

    def __repr__(self) -> str:
        return f"ProductIndex({self.storage.url!r})"

    # -- manifests -----------------------------------------------------------------------

    def collections(self) -> list[str]:
        """Identifiers of the collections that have a partition (sorted)."""
        names = (collection_of_folder(name) for name in self.storage.listdirs(PRODUCTS_FOLDER))
        return [name for name in names if name]

    def manifest(self, collection: str) -> Manifest:
        """The committed state of a collection (empty if it has no partition yet)."""
        path = manifest_path(collection)
        try:
            text = self.storage.read_bytes(path)
        except NotFoundError:
            self._refuse_legacy_manifest(collection)
            return Manifest(collection)
        manifest = Manifest.loads(text, self.storage.url_of(path))
        if manifest.collection != collection:
            raise IndexFormatError(
                f"{self.storage.url_of(path)} belongs to collection {manifest.collection!r}"
            )
        return manifest

    def _refuse_legacy_manifest(self, collection: str) -> None:
        """A partition written before manifests were named after their collection would
        otherwise look empty (and a registration would hide its products)."""
        legacy = partition_file(collection, LEGACY_MANIFEST_NAME)
        if self.storage.exists(legacy):
            raise IndexFormatError(
                f"{self.storage.url_of(legacy)}: the product index manifest is now named "
                f"{manifest_name(collection)}; rename the file (e.g. with git mv), "
                "its content is unchanged"
            )

    def file_url(self, collection: str, entry: FileEntry) -> str:
        """URL (or local path) of a data file, for DuckDB and other readers."""
        return self.storage.url_of(partition_file(collection, entry.file))

    # -- reading -------------------------------------------------------------------------

    def _open(self, relpath: str) -> Any:
        source: Any
        if self.storage.is_local:
            source = self.storage.path(relpath)  # pyarrow's own file I/O: no copies
        else:
            source = pa.BufferReader(self.storage.read_bytes(relpath))
        parquet = pq.ParquetFile(source)
        check_format(parquet.metadata.metadata, self.storage.url_of(relpath))
        return parquet

    def _read_rows(
        self, collection: str, entry: FileEntry, row_filter: _RowFilter, columns: Sequence[str]
    ) -> pa.Table | None:
        """The rows of the file's row groups that may match (None if none may)."""
        relpath = partition_file(collection, entry.file)
        if entry.file.endswith(JSONL_SUFFIX):
            return read_jsonl(self.storage.read_bytes(relpath), self.storage.url_of(relpath))
        parquet = self._open(relpath)
        metadata = parquet.metadata
        groups = [
            index
            for index in range(metadata.num_row_groups)
            if row_filter.row_group_may_match(metadata.row_group(index))
        ]
        if not groups:
            return None
        needed = list(dict.fromkeys([*columns, *sorted(row_filter.columns())]))
        return parquet.read_row_groups(groups, columns=needed)

    def _read_entry(
        self, collection: str, entry: FileEntry, row_filter: _RowFilter, columns: Sequence[str]
    ) -> pa.Table | None:
        table = self._read_rows(collection, entry, row_filter, columns)
        if table is None:
            return None
        mask = row_filter.mask(table)
        if entry.tombstones:
            alive = pc.invert(
                pc.is_in(table["identifier"], value_set=pa.array(sorted(entry.tombstones)))
            )
            mask = alive if mask is None else pc.and_(mask, alive)
        if mask is not None:
            table = table.filter(mask)
        return table.select(list(columns)) if table.num_rows else None

    def _scan(
        self,
        collection: str,
        row_filter: _RowFilter,
        columns: Sequence[str],
        manifest: Manifest | None = None,
    ) -> list[tuple[FileEntry, pa.Table]]:
        """Matching live rows per data file; rereads the manifest if a file vanished."""
        for attempt in range(_READ_ATTEMPTS):
            current = manifest if manifest is not None and attempt == 0 else None
            current = current or self.manifest(collection)
            try:
                parts = []
                for entry in current.files:
                    if row_filter.file_may_match(entry):
                        table = self._read_entry(collection, entry, row_filter, columns)
                        if table is not None:
                            parts.append((entry, table))
                return parts
            except (FileNotFoundError, NotFoundError):
                if attempt == _READ_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    def _select_collections(self, selection: ProductSelection) -> list[str]:
        if selection.collections:
            return sorted(set(selection.collections))
        return self.collections()

    def read_table(
        self, selection: ProductSelection | None = None, columns: Sequence[str] | None = None
    ) -> pa.Table:
        """Selected live rows as Arrow, sorted by collection, begin_time, identifier."""
        selection = selection or ProductSelection()
        wanted = list(columns or SCHEMA.names)
        keys = [name for name in ("collection", "begin_time", "identifier") if name in wanted]
        row_filter = _RowFilter.of(selection)
        tables = [
            table
            for collection in self._select_collections(selection)
            for _entry, table in self._scan(collection, row_filter, wanted)
        ]
        schema = pa.schema([SCHEMA.field(name) for name in wanted])
        if not tables:
            return schema.empty_table()
        result = pa.concat_tables(tables)
        if keys and result.num_rows > 1:
            result = result.take(pc.sort_indices(result, [(key, "ascending") for key in keys]))
        return result

    def select(self, selection: ProductSelection | None = None) -> list[ProductRecord]:
        """Selected products, sorted by collection, begin_time, identifier."""
        return table_to_records(self.read_table(selection))

    def find(
        self, identifiers: Sequence[str], collections: Sequence[str] = ()
    ) -> list[ProductRecord]:
        """Products by identifier, in the given collections or in any collection."""
        if not identifiers:
            return []
        return self.select(ProductSelection(identifiers=identifiers, collections=collections))

    def exists(self, identifier: str, collection: str | None = None) -> bool:
        selection = ProductSelection(
            identifiers=(identifier,), collections=(collection,) if collection else ()
        )
        return bool(self.read_table(selection, columns=["identifier"]).num_rows > 0)

    def find_by_location(
        self, locations: Sequence[str], collections: Sequence[str] = ()
    ) -> list[ProductRecord]:
        """Products with a dataset whose data-file location equals one of ``locations``."""
        if not locations:
            return []
        return self.select(ProductSelection(locations=locations, collections=collections))

    def in_window(self, collection: str, start: datetime, stop: datetime) -> list[ProductRecord]:
        """Products of a collection with data in ``[start, stop)``, by begin_time: the run-time
        query of VirES (``end_time >= start and begin_time < stop``, reference section 12)."""
        row_filter = _RowFilter(end_from=to_micros(start), begin_to=to_micros(stop) - 1)
        parts = self._scan(collection, row_filter, SCHEMA.names)
        if not parts:
            return []
        table = sort_rows(pa.concat_tables([table for _entry, table in parts]))
        return table_to_records(table)

    def find_overlaps(
        self, collection: str, products: Iterable[tuple[str, datetime, datetime]]
    ) -> list[Overlap]:
        """Existing products of ``collection`` overlapping each new ``(identifier, begin, end)``.

        Overlap is inclusive, as in VirES: ``existing.begin <= new.end and existing.end >=
        new.begin`` (touching intervals overlap). A product with the same identifier is
        reported too; the caller decides whether it is an update or a conflict.
        """
        new = [(name, to_micros(begin), to_micros(end)) for name, begin, end in products]
        if not new:
            return []
        low = min(begin for _name, begin, _end in new)
        high = max(end for _name, _begin, end in new)
        columns = ["identifier", "begin_time", "end_time"]
        parts = self._scan(collection, _RowFilter(end_from=low, begin_to=high), columns)
        if not parts:
            return []
        table = pa.concat_tables([table for _entry, table in parts])
        table = table.take(pc.sort_indices(table, [("begin_time", "ascending")]))
        begins = table["begin_time"].cast(pa.int64()).to_numpy()
        ends = table["end_time"].cast(pa.int64()).to_numpy()
        names = table["identifier"].to_pylist()
        longest = int((ends - begins).max())
        overlaps = []
        for name, begin, end in new:
            first = int(np.searchsorted(begins, begin - longest, side="left"))
            last = int(np.searchsorted(begins, end, side="right"))
            for position in np.nonzero(ends[first:last] >= begin)[0] + first:
                overlaps.append(
                    Overlap(
                        identifier=name,
                        existing_identifier=names[position],
                        existing_begin_time=from_micros(int(begins[position])),
                        existing_end_time=from_micros(int(ends[position])),
                    )
                )
        return overlaps

    def max_product_duration(self, collection: str) -> timedelta:
        """The collection's ``maxProductDuration`` derived from its live products (VirES
        rounding: whole seconds plus a 1 s buffer; format with ``timespec.format_timedelta``)."""
        longest: int | None = None
        for _entry, table in self._scan(collection, _RowFilter(), ["begin_time", "end_time"]):
            spans = pc.subtract(
                table["end_time"].cast(pa.int64()), table["begin_time"].cast(pa.int64())
            )
            longest = max(longest or 0, pc.max(spans).as_py())
        if longest is None:
            return timedelta(0)  # no products: the VirES default
        return vires_max_product_duration(timedelta(microseconds=longest))

    def summaries(self, collections: Sequence[str] = ()) -> list[CollectionSummary]:
        """Per collection: product count, first begin, last end, last update, max duration."""
        summaries = []
        for collection in sorted(set(collections)) or self.collections():
            columns = ["begin_time", "end_time", "updated"]
            parts = self._scan(collection, _RowFilter(), columns)
            if not parts:
                summaries.append(CollectionSummary(collection, 0, None, None, None, timedelta(0)))
                continue
            table = pa.concat_tables([table for _entry, table in parts])
            begins = table["begin_time"].cast(pa.int64())
            ends = table["end_time"].cast(pa.int64())
            longest = pc.max(pc.subtract(ends, begins)).as_py()
            summaries.append(
                CollectionSummary(
                    collection=collection,
                    product_count=table.num_rows,
                    begin_time=pc.min(table["begin_time"]).as_py(),
                    end_time=pc.max(table["end_time"]).as_py(),
                    last_updated=pc.max(table["updated"]).as_py(),
                    max_product_duration=vires_max_product_duration(
                        timedelta(microseconds=longest)
                    ),
                )
            )
        return summaries

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
        manifest = self.manifest(collection)
        batch_ids = batch["identifier"].to_pylist()
        targets = tuple(sorted(delete.union(batch_ids)))
        existing: dict[str, tuple[str, datetime]] = {}  # identifier -> (file, created)
        if targets and manifest.files:
            row_filter = _RowFilter(identifiers=targets)
            columns = ["identifier", "created"]
            for entry, table in self._scan(collection, row_filter, columns, manifest):
                for name, created in zip(
                    table["identifier"].to_pylist(), table["created"].to_pylist(), strict=True
                ):
                    existing[name] = (entry.file, created)
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
            created = batch["created"].to_pylist()
            for row, name in enumerate(batch_ids):
                if name in existing:
                    created[row] = existing[name][1]
            position = batch.schema.get_field_index("created")
            batch = batch.set_column(position, "created", pa.array(created, TIMESTAMP))
        dead: dict[str, set[str]] = {}
        for name in (*deleted, *batch_ids):
            if name in existing:
                dead.setdefault(existing[name][0], set()).add(name)
        small = batch.num_rows < self.small_batch_rows
        entries = self._write_data_files(collection, sort_rows(batch), as_text=small)
        updated = manifest.with_tombstones(dead)
        for entry in entries:
            updated = updated.with_file(entry)
        self._commit(updated)
        compacted = self._compact_if_needed(updated)
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

    def _commit(self, manifest: Manifest) -> None:
        path = manifest_path(manifest.collection)
        self.storage.write_if_changed(path, manifest.dumps().encode("utf-8"))

    # -- compaction ----------------------------------------------------------------------

    def _compact_if_needed(self, manifest: Manifest) -> bool:
        if manifest.tombstone_count > self.tombstone_threshold:
            self._compact(manifest, manifest.files)
            return True
        if len(manifest.files) > self.compaction_threshold:
            # Merge the smallest files only: the large, old files stay as they are, so that a
            # compaction rewrites (and adds to git) little more than the recent small appends.
            keep = self.compaction_threshold // 4
            by_size = sorted(manifest.files, key=lambda entry: entry.live_rows)
            self._compact(manifest, by_size[: len(manifest.files) - keep + 1])
            return True
        return False

    def compact(self, collection: str | None = None) -> list[CompactionResult]:
        """Merge all live rows of a collection (or of every collection) into as few files as
        ``max_rows_per_file`` allows, drop tombstones and remove unreferenced files."""
        results = []
        with self.storage.lock():
            for name in [collection] if collection else self.collections():
                manifest = self.manifest(name)
                results.append(self._compact(manifest, manifest.files))
        return results

    def _compact(self, manifest: Manifest, victims: Sequence[FileEntry]) -> CompactionResult:
        collection = manifest.collection
        folder = partition_folder(collection)
        parts = [
            table
            for entry in victims
            if (table := self._read_entry(collection, entry, _RowFilter(), SCHEMA.names))
        ]
        merged = sort_rows(pa.concat_tables(parts)) if parts else SCHEMA.empty_table()
        victim_names = {entry.file for entry in victims}
        added = self._write_data_files(collection, merged)
        compacted = manifest.with_files(victim_names, [])
        for entry in added:
            compacted = compacted.with_file(entry)
        self._commit(compacted)
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
    """The checks of ``RecordColumns.append``, column-wise: identifier and times present,
    no product ending before it begins."""
    for name in ("collection", "identifier", "begin_time", "end_time"):
        if table[name].null_count:
            raise DefinitionError(f"{table[name].null_count} product row(s) without {name}")
    if pc.any(pc.equal(pc.utf8_length(table["identifier"]), 0)).as_py():
        raise DefinitionError("product row(s) with an empty identifier")
    backwards = pc.less(table["end_time"], table["begin_time"])
    if pc.any(backwards).as_py():
        first = table.filter(backwards)["identifier"][0].as_py()
        raise DefinitionError(f"product {first}: end time is before begin time")


def _last_wins(batch: pa.Table) -> pa.Table:
    """Keep the last row of each identifier (batch order)."""
    names = batch["identifier"].to_pylist()
    last = {name: row for row, name in enumerate(names)}
    if len(last) == len(names):
        return batch
    return batch.take(pa.array(sorted(last.values()), pa.int64()))
