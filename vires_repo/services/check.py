"""Integrity checks of a catalogue (``vires-repo check``): report, never fix.

Each check has an identifier, a severity and a function returning problem messages. ``error``
problems make the command fail; ``warning`` ones are shown only. The registry is a plain list
so a new check is one function and one line; ``--only``/``--skip`` select by identifier.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from vires_repo.catalog import Catalog
from vires_repo.errors import NotFoundError, UsageError, ViresRepoError
from vires_repo.jsonio import dumps
from vires_repo.products import ProductSelection
from vires_repo.products.locations import data_file_exists
from vires_repo.products.manifest import (
    PRODUCTS_FOLDER,
    collection_of_folder,
    manifest_name,
    partition_file,
    partition_folder,
)

Severity = Literal["error", "warning"]
_MAX_LISTED = 20


@dataclass(frozen=True)
class CheckOptions:
    files: bool = False
    """Also check that every product's data files exist (reads every location: slow)."""


@dataclass(frozen=True)
class Check:
    identifier: str
    severity: Severity
    description: str
    run: Callable[[Catalog, CheckOptions], Iterator[str]]
    needs_files_option: bool = False


@dataclass
class CheckOutcome:
    check: Check
    problems: list[str] = field(default_factory=list)
    skipped: str | None = None


@dataclass
class CheckReport:
    outcomes: list[CheckOutcome]

    @property
    def errors(self) -> int:
        return sum(len(o.problems) for o in self.outcomes if o.check.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(len(o.problems) for o in self.outcomes if o.check.severity == "warning")


# -- the checks ----------------------------------------------------------------------------


def _valid_definitions(catalog: Catalog, _options: CheckOptions) -> Iterator[str]:
    for store in (catalog.product_types, catalog.product_collections, catalog.retention_policies):
        for name in catalog.storage.listdir(store.kind.folder):
            relpath = f"{store.kind.folder}/{name}"
            if not name.endswith(".json"):
                yield f"{relpath}: not a .json definition file"
                continue
            try:
                stored = store.load(name[: -len(".json")])
            except ViresRepoError as error:
                yield str(error)
                continue
            if catalog.storage.read_text(relpath) != dumps(stored):
                yield f"{relpath}: not in canonical form (re-import it to rewrite it)"


def _collection_types(catalog: Catalog, _options: CheckOptions) -> Iterator[str]:
    types = set(catalog.product_types.ids())
    for collection in _loadable_collections(catalog):
        if collection["productType"] not in types:
            yield (
                f"product collection {collection['name']} refers to the product type "
                f"{collection['productType']}, which does not exist"
            )


def _product_collections(catalog: Catalog, _options: CheckOptions) -> Iterator[str]:
    defined = set(catalog.product_collections.ids())
    for collection in catalog.products.collections():
        if collection not in defined:
            count = catalog.products.manifest(collection).live_rows
            yield (
                f"{partition_folder(collection)}: {count} product(s) of the "
                f"collection {collection}, which is not defined"
            )


def _index_files(catalog: Catalog, _options: CheckOptions) -> Iterator[str]:
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


def _orphan_files(catalog: Catalog, _options: CheckOptions) -> Iterator[str]:
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


def _duplicate_identifiers(catalog: Catalog, _options: CheckOptions) -> Iterator[str]:
    from collections import Counter

    for collection in catalog.products.collections():
        table = catalog.products.read_table(
            ProductSelection(collections=(collection,)), columns=["identifier"]
        )
        counts = Counter(table["identifier"].to_pylist())
        for identifier, count in sorted(counts.items()):
            if count > 1:
                yield f"product {collection}/{identifier} is registered {count} times"


def _overlapping_products(catalog: Catalog, _options: CheckOptions) -> Iterator[str]:
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


def _data_files(catalog: Catalog, _options: CheckOptions) -> Iterator[str]:
    for record in catalog.products.select():
        for location in record.dataset_locations():
            if not data_file_exists(location):
                yield (
                    f"product {record.collection}/{record.identifier}: data file "
                    f"{location} does not exist"
                )


def _json_schemas(catalog: Catalog, _options: CheckOptions) -> Iterator[str]:
    from vires_repo.definitions.schemas import generate_schemas

    folder = _schemas_folder(catalog)
    if folder is None:
        return
    for name, text in generate_schemas().items():
        path = folder / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            yield f"{path}: stale JSON Schema (run scripts/generate_schemas.py)"


def _orbit_sources(catalog: Catalog, _options: CheckOptions) -> Iterator[str]:
    owners: dict[tuple[Any, Any, Any], list[str]] = {}
    for collection in _loadable_collections(catalog):
        if collection.get("calculateOrbitDirection"):
            key = (collection.get("mission"), collection.get("spacecraft"), collection.get("grade"))
            owners.setdefault(key, []).append(collection["name"])
    for (mission, spacecraft, grade), names in sorted(owners.items(), key=str):
        if len(names) > 1:
            yield (
                f"orbit-direction table of {mission}/{spacecraft or '-'}/{grade or '-'} has "
                f"{len(names)} source collections: {', '.join(names)} (one is allowed)"
            )


def _orbit_tables_in_sync(catalog: Catalog, _options: CheckOptions) -> Iterator[str]:
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


def _cached_products(catalog: Catalog, _options: CheckOptions) -> Iterator[str]:
    from vires_repo.cached_products.views import stored_product_problems

    yield from stored_product_problems(catalog.storage)


def _retention_policies(catalog: Catalog, _options: CheckOptions) -> Iterator[str]:
    from vires_repo.definitions.retention import stored_policy_problems

    yield from stored_policy_problems(catalog.retention_policies, catalog.product_collections)


def _schedules(catalog: Catalog, _options: CheckOptions) -> Iterator[str]:
    from vires_repo.services.schedules import schedule_problems

    yield from schedule_problems(catalog)


def _loadable_collections(catalog: Catalog) -> list[dict[str, Any]]:
    loaded = []
    for identifier in catalog.product_collections.ids():
        try:
            loaded.append(catalog.product_collections.load(identifier))
        except ViresRepoError:
            continue  # reported by definitions-valid
    return loaded


def _schemas_folder(catalog: Catalog) -> Path | None:
    """The repository's ``schemas/`` next to (or above) a local catalogue, if there is one."""
    if not catalog.storage.is_local:
        return None
    for parent in Path(catalog.storage.root).resolve().parents:
        candidate = parent / "schemas"
        if (candidate / "product_type.schema.json").exists():
            return candidate
        if (parent / ".git").exists():
            return None
    return None


CHECKS: tuple[Check, ...] = (
    Check(
        "definitions-valid",
        "error",
        "definition files parse, validate and are canonical",
        _valid_definitions,
    ),
    Check("collection-types", "error", "every collection's product type exists", _collection_types),
    Check(
        "product-collections",
        "error",
        "every indexed product's collection exists",
        _product_collections,
    ),
    Check(
        "index-files",
        "error",
        "manifests readable; listed files present, intact, of the current format and schema",
        _index_files,
    ),
    Check("orphan-files", "warning", "no file in the index that no manifest lists", _orphan_files),
    Check(
        "duplicate-identifiers",
        "error",
        "no product registered twice in a collection",
        _duplicate_identifiers,
    ),
    Check(
        "overlapping-products",
        "warning",
        "no time-overlapping products within a collection",
        _overlapping_products,
    ),
    Check(
        "orbit-direction-sources",
        "error",
        "one source collection per orbit-direction table",
        _orbit_sources,
    ),
    Check(
        "orbit-direction-sync",
        "warning",
        "orbit-direction tables hold exactly the registered products of their source",
        _orbit_tables_in_sync,
    ),
    Check(
        "cached-products",
        "error",
        "cached products match their manifest; their tables have valid, ordered times",
        _cached_products,
    ),
    Check(
        "retention-policies",
        "error",
        "retention policies name existing collections, one policy per collection",
        _retention_policies,
    ),
    Check(
        "schedules",
        "error",
        "schedule files valid: cron string, known job type, parameters the type accepts",
        _schedules,
    ),
    Check("json-schemas", "error", "schemas/ matches the definition models", _json_schemas),
    Check(
        "data-files",
        "error",
        "every product's data files exist (with --files)",
        _data_files,
        needs_files_option=True,
    ),
)


def select_checks(only: Sequence[str] = (), skip: Sequence[str] = ()) -> list[Check]:
    known = {check.identifier for check in CHECKS}
    unknown = sorted((set(only) | set(skip)) - known)
    if unknown:
        raise UsageError(
            f"unknown check(s) {', '.join(unknown)}; available: {', '.join(sorted(known))}"
        )
    return [
        check
        for check in CHECKS
        if (not only or check.identifier in only) and check.identifier not in skip
    ]


def run_checks(
    catalog: Catalog,
    checks: Sequence[Check],
    options: CheckOptions,
    on_start: Callable[[Check], None] | None = None,
) -> CheckReport:
    catalog.require_existing()
    outcomes = []
    for check in checks:
        if on_start:
            on_start(check)
        if check.needs_files_option and not options.files:
            outcomes.append(CheckOutcome(check, skipped="needs --files"))
            continue
        try:
            found = list(check.run(catalog, options))
        except (ViresRepoError, OSError, ValueError) as error:  # pyarrow errors included
            found = [f"the check could not run: {error}"]
        outcomes.append(CheckOutcome(check, found))
    return CheckReport(outcomes)
