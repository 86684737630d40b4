"""Catalogues for the operations tests (backup, mirror, sync): small but complete.

``build_catalogue(root)`` writes the Swarm MAG LR definitions of two collections and, per
collection, a bulk-imported Parquet file and a small JSON-lines write (both index formats, with
their manifests); ``register_day(root, day)`` adds one daily product to each collection (what a
day of registrations changes); ``catalogue_files(root)`` are the sha256 of every catalogue file
(runtime state under ``.state/`` left out), for comparing two catalogues.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ci_env import import_mag_definitions

from vires_repo.catalog import Catalog
from vires_repo.io.storage import Storage
from vires_repo.products import ProductRecord

COLLECTIONS = ("SW_OPER_MAGA_LR_1B", "SW_OPER_MAGB_LR_1B")
T0 = datetime(2020, 1, 1, tzinfo=UTC)
STAMP = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def daily(collection: str, day: int, data: Path | None = None) -> ProductRecord:
    """A daily product; its data file (empty) is created in ``data`` when given."""
    begin = T0 + timedelta(days=day)
    end = begin + timedelta(days=1) - timedelta(seconds=1)
    identifier = f"{collection}_{begin:%Y%m%dT%H%M%S}_{end:%Y%m%dT%H%M%S}_0602"
    location = f"{data or '/data'}/{collection}/{identifier}.cdf"
    if data is not None:
        Path(location).parent.mkdir(parents=True, exist_ok=True)
        Path(location).touch()
    return ProductRecord(
        collection=collection,
        identifier=identifier,
        product_type="SW_MAGx_LR_1B",
        begin_time=begin,
        end_time=end,
        metadata={"format": "CDF-generic"},
        datasets={"MDR_MAG_LR": {"location": location}},
        location=location,
    )


def build_catalogue(root: str, days: int = 1000, data: Path | None = None) -> str:
    """The catalogue (see the module doc); product data files are created in ``data`` when
    given (``check --files`` then passes), else they are named but do not exist."""
    catalog = Catalog(root)
    import_mag_definitions(catalog, *COLLECTIONS)
    catalog.products.bulk_upsert(
        (daily(c, day, data) for day in range(days) for c in COLLECTIONS), now=STAMP
    )
    register_day(root, days, data)
    return root


def register_day(root: str, day: int, data: Path | None = None) -> None:
    index = Catalog(root).products
    for collection in COLLECTIONS:
        index.upsert(collection, [daily(collection, day, data)], now=STAMP)


def catalogue_files(root: str) -> dict[str, str]:
    storage = Storage(root)
    return {
        path: hashlib.sha256(storage.read_bytes(path)).hexdigest()
        for path in sorted(storage.walk())
        if not path.startswith(".state/")
    }
