"""End-to-end benchmark of the ``product`` commands as a user runs them (not part of the tests).

Builds a catalogue with the VirES defaults, imports N synthetic product records (1,000,000 in
150 collections by default) from a JSON export with ``vires-repo product import``, then times
full CLI commands on it (process start included) and registrations of real CDF files:

* ``product import`` of the JSON export: wall time and peak memory (target <= 30 s, <= 4 GB);
* ``product exists`` by identifier with and without ``-c``, ``product list -c X`` for a one-day
  window (target <= 0.6 s each as a full command);
* ``product register`` of 10,000 new small products into one collection (target <= 10 s),
  then the orbit-direction update of their tables as a separate ``orbit_direction sync``;
* ``product register`` of one daily 1 Hz product: time and bytes added to the catalogue folder
  (targets <= 1 s and <= 64 KB).

In-process figures of the index itself (lookups, overlap detection, a simulated year in git)
are printed by ``scripts/bench_product_index.py``.

Usage: ``python scripts/bench_products_cli.py [--products N] [--collections N] [--root DIR]``
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from vires_repo.definitions import load_defaults
from vires_repo.testing.mag_products import write_mag_lr_product, write_small_mag_lr_products

START = datetime(2000, 1, 1, tzinfo=UTC)
# Registrations go to collections without imported (file-less) records: their orbit-direction
# update reads the neighbouring products' files.
REGISTER_COLLECTION = "SW_OPER_MAGC_LR_1B"
DAILY_COLLECTION = "SW_OPER_MAGA_LR_1B"


def vires_repo(catalog: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "vires_repo", "--catalog", str(catalog), "-v", "0", *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}): {done.stderr}")
    return done


def timed_command(catalog: Path, *args: str, repeat: int = 5) -> float:
    """Median wall time of a full CLI command in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        vires_repo(catalog, *args)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def write_export(path: Path, products: int, collections: list[tuple[str, str]]) -> list[str]:
    """A JSON export of daily products round-robin over ``collections``; returns identifiers
    of the first collection's products (for lookups)."""
    first: list[str] = []
    with path.open("w", encoding="utf-8") as stream:
        stream.write("[\n")
        for number in range(products):
            collection, product_type = collections[number % len(collections)]
            begin = START + timedelta(days=number // len(collections))
            end = begin + timedelta(seconds=86399)
            identifier = f"{collection}_{begin:%Y%m%dT%H%M%S}_{end:%Y%m%dT%H%M%S}_0101"
            if number % len(collections) == 0:
                first.append(identifier)
            record = {
                "identifier": identifier,
                "beginTime": f"{begin:%Y-%m-%dT%H:%M:%S}Z",
                "endTime": f"{end:%Y-%m-%dT%H:%M:%S}Z",
                "collection": collection,
                "productType": product_type,
                "metadata": {"format": "CDF-generic"},
                "datasets": {"data": {"location": f"/data/{collection}/{identifier}.cdf"}},
            }
            stream.write(("" if number == 0 else ",\n") + json.dumps(record))
        stream.write("\n]\n")
    return first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--products", type=int, default=1_000_000)
    parser.add_argument("--collections", type=int, default=150)
    parser.add_argument("--register", type=int, default=10_000)
    parser.add_argument("--root", type=Path, default=None)
    options = parser.parse_args()

    root = options.root or Path(tempfile.mkdtemp(prefix="vires-bench-cli-"))
    catalog, data = root / "catalog", root / "data"
    shutil.rmtree(root, ignore_errors=True)
    data.mkdir(parents=True)
    print(f"catalogue: {catalog}")
    vires_repo(catalog, "product_type", "import", "--default")
    vires_repo(catalog, "product_collection", "import", "--default")

    defaults = load_defaults("product_collections")
    skip = {REGISTER_COLLECTION, DAILY_COLLECTION}
    chosen = [(c["name"], c["productType"]) for c in defaults if c["name"] not in skip]
    chosen = chosen[: options.collections]
    export = root / "export.json"
    start = time.perf_counter()
    first_ids = write_export(export, options.products, chosen)
    print(
        f"synthesized an export of {options.products:,} records in {len(chosen)} collections "
        f"({export.stat().st_size / 2**20:.0f} MiB) in {time.perf_counter() - start:.1f} s"
    )

    start = time.perf_counter()
    done = vires_repo(catalog, "product", "import", "-f", str(export))
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20
    print(f"product import of {options.products:,} records: {elapsed:.1f} s, peak {peak:.2f} GiB")
    if done.returncode:
        print(done.stderr)

    probe = first_ids[len(first_ids) // 2]
    day = START + timedelta(days=len(first_ids) // 2)
    window = ("--after", f"{day:%Y-%m-%d}", "--before", f"{day + timedelta(days=1):%Y-%m-%d}")
    print(f"CLI (median of 5, process start included) on {options.products:,} products:")
    for label, args in (
        ("--help", ("--help",)),
        ("product exists ID -c X", ("product", "exists", probe, "-c", chosen[0][0])),
        ("product exists ID", ("product", "exists", probe)),
        ("product list -c X (one day)", ("product", "list", "-c", chosen[0][0], *window)),
    ):
        print(f"  {label:32s} {timed_command(catalog, *args) * 1000:7.0f} ms")

    folder = data / "small"
    # daily from 2001: 10,000 products end in 2028, within the years of apexpy's model (QD)
    files = write_small_mag_lr_products(
        folder, options.register, start="2001-01-01", records=2, spacecraft="C"
    )
    listing = root / "files.txt"
    listing.write_text("\n".join(files) + "\n")
    start = time.perf_counter()
    done = vires_repo(
        catalog,
        "product",
        "register",
        "--skip-post-registration-actions",
        "-c",
        REGISTER_COLLECTION,
        "-f",
        str(listing),
    )
    print(
        f"product register of {len(files):,} new small products: "
        f"{time.perf_counter() - start:.2f} s ({done.stderr.strip().splitlines()[-1]})"
    )
    start = time.perf_counter()
    synced = vires_repo(catalog, "orbit_direction", "sync", REGISTER_COLLECTION)
    if synced.returncode:
        raise SystemExit(f"orbit_direction sync failed: {synced.stderr[-2000:]}")
    print(
        f"  then orbit_direction sync of their tables (GEO + QD): "
        f"{time.perf_counter() - start:.2f} s"
    )

    last_day = datetime(2016, 1, 1, tzinfo=UTC)
    daily = write_mag_lr_product(
        data / "daily", last_day, last_day + timedelta(seconds=86399), spacecraft="A"
    )
    before = folder_bytes(catalog)
    start = time.perf_counter()
    vires_repo(catalog, "product", "register", "-c", DAILY_COLLECTION, daily)
    print(
        f"product register of 1 daily 1 Hz product ({Path(daily).stat().st_size / 2**20:.0f} MiB "
        f"file): {time.perf_counter() - start:.2f} s, "
        f"{(folder_bytes(catalog) - before) / 1024:.1f} KiB added to the catalogue folder"
    )
    if options.root is None:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
