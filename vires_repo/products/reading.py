"""Reading the product index: manifests, and the live rows of a collection that a row filter
keeps.

Readers take no lock: they read the manifest, skip data files and Parquet row groups that
cannot match (row_filter.py), drop tombstoned rows, and read again with a fresh manifest when
a compaction removed a file under them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from vires_repo.errors import IndexFormatError, NotFoundError
from vires_repo.io.object_commit import Snapshot
from vires_repo.io.storage import Storage
from vires_repo.products import kernels
from vires_repo.products.data_files import JSONL_SUFFIX, check_format, read_jsonl
from vires_repo.products.manifest import (
    LEGACY_MANIFEST_NAME,
    PRODUCTS_FOLDER,
    FileEntry,
    Manifest,
    collection_of_folder,
    manifest_name,
    manifest_path,
    partition_file,
)
from vires_repo.products.row_filter import RowFilter
from vires_repo.products.schema import (
    MAX_IDENTIFIER_BYTES,
    SCHEMA,
    ProductRecord,
    first_row_problem,
    shortened,
    table_to_records,
)
from vires_repo.products.selection import ProductSelection

_READ_ATTEMPTS = 3  # a file vanishes only when a compaction commits during the read


class IndexReader:
    """Read access to the product records of a catalogue (one partition per collection)."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    # -- manifests -----------------------------------------------------------------------

    def collections(self) -> list[str]:
        """Identifiers of the collections that have a partition (sorted)."""
        names = (collection_of_folder(name) for name in self.storage.listdirs(PRODUCTS_FOLDER))
        return [name for name in names if name]

    def manifest(self, collection: str) -> Manifest:
        """The committed state of a collection (empty if it has no partition yet)."""
        return self._manifest_snapshot(collection)[0]

    def _manifest_snapshot(self, collection: str) -> tuple[Manifest, Snapshot]:
        """:meth:`manifest` and the version read, on which a writer's commit is conditional."""
        path = manifest_path(collection)
        snapshot = self.storage.read_snapshot(path)
        if snapshot.data is None:
            self._refuse_legacy_manifest(collection)
            return Manifest(collection=collection, files=()), snapshot
        manifest = Manifest.loads(snapshot.data, self.storage.url_of(path))
        if manifest.collection != collection:
            raise IndexFormatError(
                f"{self.storage.url_of(path)} belongs to collection {manifest.collection!r}"
            )
        return manifest, snapshot

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

    def _open(self, relpath: str, entry: FileEntry) -> Any:
        source: Any
        where = self.storage.url_of(relpath)
        data = None
        if self.storage.is_local:
            source = self.storage.path(relpath)  # pyarrow's own file I/O: no copies
        else:
            data = self.storage.read_bytes(relpath)
            source = pa.BufferReader(data)
        parquet = pq.ParquetFile(source)
        check_format(parquet.metadata.metadata, where)
        _check_file(entry, where, data=data, rows=parquet.metadata.num_rows)
        return parquet

    def _read_rows(
        self, collection: str, entry: FileEntry, row_filter: RowFilter, columns: Sequence[str]
    ) -> pa.Table | None:
        """The rows of the file's row groups that may match (None if none may)."""
        relpath = partition_file(collection, entry.file)
        if entry.file.endswith(JSONL_SUFFIX):
            data, where = self.storage.read_bytes(relpath), self.storage.url_of(relpath)
            table = read_jsonl(data, where)
            _check_file(entry, where, data=data, rows=table.num_rows)
            return table
        parquet = self._open(relpath, entry)
        metadata = parquet.metadata
        positions = {name: index for index, name in enumerate(metadata.schema.names)}
        groups = [
            index
            for index in range(metadata.num_row_groups)
            if row_filter.row_group_may_match(metadata.row_group(index), positions)
        ]
        if not groups:
            return None
        needed = list(dict.fromkeys([*columns, *sorted(row_filter.columns())]))
        return parquet.read_row_groups(groups, columns=needed)

    def _read_entry(
        self,
        collection: str,
        entry: FileEntry,
        row_filter: RowFilter,
        columns: Sequence[str],
        *,
        check_rows: bool = True,
    ) -> pa.Table | None:
        """The live rows of a data file that ``row_filter`` keeps; with ``check_rows`` a row
        breaking the index rules (a hand edit) is an IndexFormatError naming the file and the
        product. Writers looking for the rows to replace or tombstone read without it, so
        that de-registration removes a bad row."""
        table = self._read_rows(collection, entry, row_filter, columns)
        if table is None:
            return None
        mask = row_filter.mask(table)
        if entry.tombstones:
            alive = kernels.invert(kernels.is_in(table["identifier"], sorted(entry.tombstones)))
            mask = alive if mask is None else kernels.and_kleene(mask, alive)
        if mask is not None:  # a row with a missing value stays, for the check to see it
            table = kernels.filter_rows(table, kernels.call("coalesce", mask, kernels.TRUE))
        table = table.select(list(columns))
        if check_rows:
            self._check_rows(collection, entry, table)
        return table if table.num_rows else None

    def verify_rows(self, collection: str, entry: FileEntry) -> None:
        """Read every live row of a data file with the checks of every read (``check``)."""
        self._read_entry(collection, entry, RowFilter(), SCHEMA.names)

    def _check_rows(self, collection: str, entry: FileEntry, table: pa.Table) -> None:
        found = first_row_problem(table)
        if found is None:
            return
        row, problem = found
        where = self.storage.url_of(partition_file(collection, entry.file))
        identifier = (
            table["identifier"][row].as_py() if "identifier" in table.column_names else None
        )
        if not identifier:
            raise IndexFormatError(
                f"{where}: a product row is invalid: {problem} (restore the file from git)"
            )
        raise IndexFormatError(
            f"{where}: product {shortened(identifier, MAX_IDENTIFIER_BYTES)} is invalid: "
            f"{problem} (de-register it, "
            "or restore the file from git)"
        )

    def _scan(
        self,
        collection: str,
        row_filter: RowFilter,
        columns: Sequence[str],
        manifest: Manifest | None = None,
        *,
        check_rows: bool = True,
    ) -> list[tuple[FileEntry, pa.Table]]:
        """Matching live rows per data file; rereads the manifest if a file vanished."""
        given = [manifest] if manifest is not None else []
        missing: list[str] = []

        def scan_once() -> list[tuple[FileEntry, pa.Table]]:
            current = given.pop() if given else self.manifest(collection)
            parts = []
            for entry in current.files:
                if row_filter.file_may_match(entry):
                    try:
                        table = self._read_entry(
                            collection, entry, row_filter, columns, check_rows=check_rows
                        )
                    except (FileNotFoundError, NotFoundError):
                        missing[:] = [entry.file]
                        raise
                    if table is not None:
                        parts.append((entry, table))
            return parts

        try:
            return scan_once()
        except (FileNotFoundError, NotFoundError):
            pass  # a compaction replaced a file under the read: read the new manifest
        from tenacity import Retrying, retry_if_exception_type, stop_after_attempt

        retrying = Retrying(
            retry=retry_if_exception_type((FileNotFoundError, NotFoundError)),
            stop=stop_after_attempt(_READ_ATTEMPTS - 1),
            reraise=True,
        )
        try:
            return retrying(scan_once)
        except (FileNotFoundError, NotFoundError):
            if not missing:
                raise
            raise IndexFormatError(
                f"{self.storage.url_of(manifest_path(collection))} lists {missing[0]}, "
                "which does not exist in its folder"
            ) from None

    def _select_collections(self, selection: ProductSelection) -> list[str]:
        if selection.collections:
            return sorted(set(selection.collections))
        return self.collections()

    def read_table(
        self,
        selection: ProductSelection | None = None,
        columns: Sequence[str] | None = None,
        *,
        check_rows: bool = True,
    ) -> pa.Table:
        """Selected live rows as Arrow, sorted by collection, begin_time, identifier.

        A row that breaks the index rules is an IndexFormatError; ``check_rows=False`` reads
        it anyway (de-registration must find the rows to remove)."""
        selection = selection or ProductSelection()
        wanted = list(columns or SCHEMA.names)
        keys = [name for name in ("collection", "begin_time", "identifier") if name in wanted]
        row_filter = RowFilter.of(selection)
        tables = [
            table
            for collection in self._select_collections(selection)
            for _entry, table in self._scan(collection, row_filter, wanted, check_rows=check_rows)
        ]
        schema = pa.schema([SCHEMA.field(name) for name in wanted])
        if not tables:
            return schema.empty_table()
        result = pa.concat_tables(tables)
        if keys and result.num_rows > 1:
            result = kernels.sorted_rows(result, [(key, "ascending") for key in keys])
        return result

    def select(self, selection: ProductSelection | None = None) -> list[ProductRecord]:
        """Selected products, sorted by collection, begin_time, identifier."""
        return table_to_records(self.read_table(selection))


def _check_file(
    entry: FileEntry, where: str, *, data: bytes | None = None, rows: int | None = None
) -> None:
    """Refuse a data file whose bytes (when read whole: JSON lines, any file of an object
    store) or row count are not those its manifest entry records."""
    if data is not None and not entry.holds(data):
        raise IndexFormatError(
            f"{where}: its checksum differs from its manifest entry (changed after it was "
            "written; restore it from git)"
        )
    if rows is not None and rows != entry.rows:
        raise IndexFormatError(f"{where}: {rows} rows, its manifest entry says {entry.rows}")
