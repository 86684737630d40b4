"""Benchmark of ``check orphans`` (not part of the test suite).

Builds a local catalogue with the default definitions and N products (default 100,000) in
``--collections`` collections (default 10), each product naming one empty data file in its
collection's source folder, plus 1% orphan files and 1% missing data files; then times the
three-way comparison (``services.orphans.find_orphans``, what ``check orphans`` runs) and
checks the counts. Target: <= 20 s for 100,000 data files on local storage.

Usage: ``python scripts/bench_orphans.py [--products N] [--collections K] [--repeat R]
[--keep DIR]``
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from vires_repo.catalog import Catalog
from vires_repo.products import ProductRecord
from vires_repo.services import product_collection, product_type
from vires_repo.services.orphans import find_orphans

T0 = datetime(2014, 1, 1, tzinfo=UTC)


def build(root: Path, products: int, collections: int) -> tuple[Catalog, int, int, int]:
    """The catalogue, the collections used and the expected numbers of orphan and missing
    files."""
    catalog = Catalog(str(root / "catalog"))
    product_type.import_types(catalog, product_type.default_types())
    defaults = product_collection.default_collections()
    product_collection.import_collections(catalog, defaults)
    names = sorted(c["name"] for c in defaults if c["productType"] == "SW_MAGx_LR_1B")
    chosen = names[:collections]
    records = []
    for number in range(products):
        collection = chosen[number % len(chosen)]
        folder = root / "data" / collection
        folder.mkdir(parents=True, exist_ok=True)
        identifier = f"{collection}_{number:07d}"
        location = str(folder / f"{identifier}.cdf")
        Path(location).touch()
        begin = T0 + timedelta(minutes=number)
        records.append(
            ProductRecord(
                collection,
                identifier,
                "SW_MAGx_LR_1B",
                begin,
                begin + timedelta(seconds=59),
                datasets={"MDR_MAG_LR": {"location": location}},
            )
        )
    catalog.products.bulk_upsert(records)
    orphans = missing = 0
    for number in range(0, products, 100):
        collection = chosen[number % len(chosen)]
        (root / "data" / collection / f"orphan_{number:07d}.cdf").touch()
        orphans += 1
        Path(records[number + 1].datasets["MDR_MAG_LR"]["location"]).unlink()
        missing += 1
    return catalog, len(chosen), orphans, missing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--collections", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, default=None)
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-orphans-"))
    try:
        started = time.perf_counter()
        catalog, used, orphans, missing = build(root, args.products, args.collections)
        print(
            f"built {args.products} products in {used} collections, "
            f"{orphans} orphan and {missing} missing files: {time.perf_counter() - started:.1f} s"
        )
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            report = find_orphans(catalog)
            times.append(time.perf_counter() - started)
        found = report.findings
        assert len(found["storage:not-in:index"]) == orphans, len(found["storage:not-in:index"])
        assert len(found["index:not-in:storage"]) == missing, len(found["index:not-in:storage"])
        print(
            f"check orphans over {args.products} data files: min {min(times):.2f} s, "
            f"max {max(times):.2f} s of {args.repeat} runs (target <= 20 s)"
        )
        for note in report.notes:
            print(f"  {note}")
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
