"""The checks of ``vires-repo check`` on the stores: the product index (collections defined,
files intact, no orphans, duplicates or overlaps, data files present), the orbit-direction
tables and the cached products (registered in :data:`vires_repo.services.check.CHECKS`)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from vires_repo.catalog import Catalog
from vires_repo.errors import NotFoundError, ViresRepoError
from vires_repo.products import ProductSelection
from vires_repo.products.locations import data_file_exists
from vires_repo.products.manifest import (
    PRODUCTS_FOLDER,
    collection_of_folder,
    manifest_name,
    partition_file,
    partition_folder,
)

if TYPE_CHECKING:
    from vires_repo.services.check import CheckOptions

_MAX_LISTED = 20
"""Overlapping pairs listed per collection (the rest are counted)."""


def product_collections(catalog: Catalog, _options: CheckOptions) -> Iterator[str]:
    defined = set(catalog.product_collections.ids())
    for collection in catalog.products.collections():
        if collection not in defined:
            count = catalog.products.manifest(collection).live_rows
            yield (
                f"{partition_folder(collection)}: {count} product(s) of the "
                f"collection {collection}, which is not defined"
            )


def index_files(catalog: Catalog, _options: CheckOptions) -> Iterator[str]:
    """Manifests readable, listed files present with their checksum, format, row count and
    valid live rows."""
    import pyarrow.parquet as pq

    from vires_repo.products.data_files import JSONL_SUFFIX, check_format, read_jsonl
    from vires_repo.products.schema import SCHEMA

    index = catalog.products
    for collection in index.collections():
        try:
            manifest = index.manifest(collection)
        except ViresRepoError as error:
            yield str(error)
            continue
        manifest_file = manifest_name(collection)
        for entry in manifest.files:
            relpath = partition_file(collection, entry.file)
            try:
                data = catalog.storage.read_bytes(relpath)
            except NotFoundError:
                yield f"{relpath}: listed in {manifest_file} but missing"
                continue
            if not entry.holds(data):
                yield f"{relpath}: checksum differs from {manifest_file}"
                continue
            if entry.file.endswith(JSONL_SUFFIX):
                try:  # every line parses to the index columns
                    rows = read_jsonl(data, relpath).num_rows
                except ViresRepoError as error:
                    yield str(error)
                    continue
            else:
                parquet = pq.ParquetFile(io.BytesIO(data))
                try:
                    check_format(parquet.schema_arrow.metadata, relpath)
                except ViresRepoError as error:
                    yield str(error)
                if not parquet.schema_arrow.remove_metadata().equals(SCHEMA):
                    yield f"{relpath}: Parquet schema differs from the product index schema"
                rows = parquet.metadata.num_rows
            if rows != entry.rows:
                yield f"{relpath}: {rows} rows, {manifest_file} says {entry.rows}"
                continue
            try:  # the live rows keep the rules every way into the index enforces
                index.verify_rows(collection, entry)
            except ViresRepoError as error:
                yield str(error)


def orphan_files(catalog: Catalog, _options: CheckOptions) -> Iterator[str]:
    storage = catalog.storage
    for name in storage.listdir(PRODUCTS_FOLDER):
        yield f"{PRODUCTS_FOLDER}/{name}: file outside any collection partition"
    for folder in storage.listdirs(PRODUCTS_FOLDER):
        collection = collection_of_folder(folder)
        if collection is None:
            yield f"{PRODUCTS_FOLDER}/{folder}: folder is not a collection partition"
            continue
        relfolder = f"{PRODUCTS_FOLDER}/{folder}"
        try:
            listed = {e.file for e in catalog.products.manifest(collection).files}
        except ViresRepoError:
            continue  # the index-files check reports an unreadable manifest
        manifest_file = manifest_name(collection)
        for name in storage.listdir(relfolder):
            if name != manifest_file and name not in listed:
                yield (
                    f"{relfolder}/{name}: not listed in {manifest_file} (left by an "
                    "interrupted write; 'product compact' removes it)"
                )


def duplicate_identifiers(catalog: Catalog, _options: CheckOptions) -> Iterator[str]:
    from collections import Counter

    for collection in catalog.products.collections():
        table = catalog.products.read_table(
            ProductSelection(collections=(collection,)), columns=["identifier"]
        )
        counts = Counter(table["identifier"].to_pylist())
        for identifier, count in sorted(counts.items()):
            if count > 1:
                yield f"product {collection}/{identifier} is registered {count} times"


def overlapping_products(catalog: Catalog, _options: CheckOptions) -> Iterator[str]:
    for collection in catalog.products.collections():
        table = catalog.products.read_table(
            ProductSelection(collections=(collection,)),
            columns=["collection", "begin_time", "identifier", "end_time"],
        )
        rows = zip(
            table["identifier"].to_pylist(),
            table["begin_time"].to_pylist(),
            table["end_time"].to_pylist(),
            strict=True,
        )
        latest: tuple[str, Any] | None = None
        found = 0
        for identifier, begin, end in rows:
            if latest is not None and begin <= latest[1]:
                found += 1
                if found <= _MAX_LISTED:
                    yield f"products {collection}/{latest[0]} and {identifier} overlap in time"
            if latest is None or end > latest[1]:
                latest = (identifier, end)
        if found > _MAX_LISTED:
            yield f"{collection}: {found - _MAX_LISTED} more overlapping pair(s)"


def data_files(catalog: Catalog, _options: CheckOptions) -> Iterator[str]:
    for record in catalog.products.select():
        for location in record.dataset_locations():
            if not data_file_exists(location):
                yield (
                    f"product {record.collection}/{record.identifier}: data file "
                    f"{location} does not exist"
                )


def orbit_tables_in_sync(catalog: Catalog, _options: CheckOptions) -> Iterator[str]:
    """Each table's sources are exactly the registered products of its source collection."""
    from vires_repo.orbit_direction.store import TableStore, read_table
    from vires_repo.services.orbit_direction.sources import source_collections

    store = TableStore(catalog.storage)
    for source in source_collections(catalog):
        products = catalog.products.read_table(
            ProductSelection(collections=(source.identifier,)), columns=["identifier"]
        )
        registered = set(products["identifier"].to_pylist())
        for name in source.table_names():
            manifest = store.manifest(name)
            processed = (
                {s.product_id for s in read_table(store, manifest).sources}
                if manifest is not None
                else set()
            )
            missing, stale = registered - processed, processed - registered
            if missing or stale:
                yield (
                    f"orbit-direction table {name} is out of sync with {source.identifier}: "
                    f"{len(missing)} product(s) not processed, {len(stale)} no longer "
                    f"registered (run 'vires-repo orbit_direction sync {source.identifier}')"
                )


def cached_products(catalog: Catalog, _options: CheckOptions) -> Iterator[str]:
    from vires_repo.cached_products.views import stored_product_problems

    yield from stored_product_problems(catalog.storage)
