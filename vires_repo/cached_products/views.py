"""The tables behind the SQL views of the tabular cached products: ``orbit_counter``,
``f107``, ``kp`` and ``dst``, read from the catalogue's stored files, and the check of
what is stored.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa

from vires_repo.cached_products.conversion import read_table
from vires_repo.cached_products.product_time import is_valid_time
from vires_repo.cached_products.registry import (
    CACHED_PRODUCT_TYPES,
    CachedProductType,
    get_cached_product_type,
)
from vires_repo.cached_products.store import (
    CachedProductRecord,
    load_manifest,
    read_checked,
    relpath,
    sha256,
)
from vires_repo.errors import DefinitionError, ViresRepoError
from vires_repo.io.storage import Storage

_TEMP_PREFIX = "vires-repo-cached-"

ORBIT_COUNTER_SPACECRAFT: dict[str, tuple[str, str | None]] = {
    "AUXAORBCNT": ("Swarm", "A"),
    "AUXBORBCNT": ("Swarm", "B"),
    "AUXCORBCNT": ("Swarm", "C"),
    "CS2_ORBCNT": ("CryoSat-2", None),
    "GR1_ORBCNT": ("GRACE", "1"),
    "GR2_ORBCNT": ("GRACE", "2"),
    "GF1_ORBCNT": ("GRACE-FO", "1"),
    "GF2_ORBCNT": ("GRACE-FO", "2"),
    "GO_ORBCNT": ("GOCE", None),
    "CH_ORBCNT": ("CHAMP", None),
}
"""Mission and spacecraft of each orbit counter, spelled as in the product collections."""

_TIME = [pa.field("time", pa.timestamp("us", tz="UTC")), pa.field("mjd2000", pa.float64())]
_ORBIT_COUNTER_COLUMNS = [
    pa.field("orbit", pa.uint32()),
    pa.field("phi_an", pa.float64()),
    pa.field("source", pa.uint8()),
]
CACHED_TABLE_SCHEMAS: dict[str, pa.Schema] = {
    "orbit_counter": pa.schema(
        [
            pa.field("identifier", pa.string()),
            pa.field("mission", pa.string()),
            pa.field("spacecraft", pa.string()),
            *_TIME,
            *_ORBIT_COUNTER_COLUMNS,
        ]
    ),
    "f107": pa.schema(
        [
            *_TIME,
            pa.field("f107", pa.float64()),
            pa.field("f107_avg81d", pa.float64()),
            pa.field("f107_avg81d_count", pa.int32()),
        ]
    ),
    "kp": pa.schema(
        [
            *_TIME,
            pa.field("kp10", pa.uint16()),
            pa.field("ap", pa.uint16()),
            pa.field("flag", pa.uint8()),
        ]
    ),
    "dst": pa.schema(
        [
            *_TIME,
            pa.field("dst", pa.float64()),
            pa.field("est", pa.float64()),
            pa.field("ist", pa.float64()),
            pa.field("flag", pa.uint8()),
            pa.field("ddst", pa.float64()),
        ]
    ),
}
"""Columns of the tables of :func:`cached_product_tables`, one per SQL view."""


def cached_product_table(storage: Storage, type_id: str) -> pa.Table | None:
    """The table of one tabular cached product from the catalogue; None if not there yet.

    The data file is checked against the checksum of its manifest record first.
    """
    product_type = get_cached_product_type(type_id)
    if product_type.view is None:
        raise DefinitionError(f"{type_id}: not a tabular cached product")
    record = load_manifest(storage).get(product_type.identifier)
    if record is None:
        return None
    return _read_product_table(storage, product_type, record)


def _read_product_table(
    storage: Storage, product_type: CachedProductType, record: CachedProductRecord
) -> pa.Table:
    data = read_checked(storage, record)
    with tempfile.TemporaryDirectory(prefix=_TEMP_PREFIX) as folder:
        path = Path(folder, product_type.output_name)
        path.write_bytes(data)
        table: pa.Table = read_table(product_type.identifier, path)
    return table


def cached_product_tables(storage: Storage) -> dict[str, pa.Table]:
    """One table per SQL view of the tabular cached products: ``orbit_counter``, ``f107``,
    ``kp`` and ``dst`` (columns in :data:`CACHED_TABLE_SCHEMAS`).

    ``orbit_counter`` holds the orbit counters of all spacecraft, with the cached product
    ``identifier``, ``mission`` and ``spacecraft`` of each row, sorted by identifier then
    time. A view whose products were never updated gets an empty table.
    """
    manifest = load_manifest(storage)
    tables: dict[str, list[pa.Table]] = {view: [] for view in CACHED_TABLE_SCHEMAS}
    for identifier in sorted(CACHED_PRODUCT_TYPES):
        product_type = CACHED_PRODUCT_TYPES[identifier]
        record = manifest.get(identifier)
        if product_type.view is None or record is None:
            continue
        table = _read_product_table(storage, product_type, record)
        if product_type.view == "orbit_counter":
            mission, spacecraft = ORBIT_COUNTER_SPACECRAFT[identifier]
            rows = table.num_rows
            table = (
                table.add_column(0, "spacecraft", pa.array([spacecraft] * rows, pa.string()))
                .add_column(0, "mission", pa.array([mission] * rows, pa.string()))
                .add_column(0, "identifier", pa.array([identifier] * rows, pa.string()))
            )
        tables[product_type.view].append(table)
    return {view: _concat(parts, CACHED_TABLE_SCHEMAS[view]) for view, parts in tables.items()}


def _concat(parts: list[pa.Table], schema: pa.Schema) -> pa.Table:
    if not parts:
        return schema.empty_table()
    return pa.concat_tables([part.select(schema.names).cast(schema) for part in parts])


def stored_product_problems(storage: Storage) -> Iterator[str]:
    """What is wrong with the stored cached products: files missing or not matching their
    manifest checksums, and table rows without a valid time or out of time order."""
    for record in load_manifest(storage).products:
        try:
            file_problems = list(_file_problems(storage, record))
            yield from file_problems
            product_type = CACHED_PRODUCT_TYPES.get(record.identifier)
            if file_problems or product_type is None or product_type.view is None:
                continue
            yield from _table_problems(
                record.identifier, _read_product_table(storage, product_type, record)
            )
        except ViresRepoError as error:
            yield f"cached product {record.identifier}: {error}"


def _file_problems(storage: Storage, record: CachedProductRecord) -> Iterator[str]:
    for stored in record.files:
        path = relpath(stored.name)
        if not storage.exists(path):
            yield f"cached product {record.identifier}: file {path} is missing"
        elif sha256(storage.read_bytes(path)) != stored.checksum:
            yield (
                f"cached product {record.identifier}: file {path} does not match its "
                "checksum in the manifest"
            )


def _table_problems(identifier: str, table: pa.Table) -> Iterator[str]:
    mjd2000 = np.asarray(table.column("mjd2000").to_numpy(), dtype="float64")
    no_time = np.asarray(table.column("time").is_null().to_numpy(zero_copy_only=False))
    invalid = int(np.count_nonzero(no_time | ~is_valid_time(mjd2000)))
    if invalid:
        yield (
            f"cached product {identifier}: {invalid} row(s) without a valid time "
            "(run 'cached_product update' again from valid sources)"
        )
    elif np.any(np.diff(mjd2000) <= 0):
        yield f"cached product {identifier}: times are not strictly increasing"
