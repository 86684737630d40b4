"""Benchmark of the orbit-direction tables (not part of the test suite).

Prints the figures the design targets:

* ``rebuild`` of N daily 1 Hz SW_MAGA_LR_1B products (both tables): total and per product,
  at 10 products and at N (default 60) products (the per-product time must not grow);
* registration of one daily 1 Hz product with its table update, after 10 and after 1,000
  registered products: the registration itself, the time of the table update beyond it, and
  the bytes that the update writes (new file versions, what git stores) and adds to the
  catalogue folder.

The 1,000-product history is synthesized cheaply: 1,000 tiny daily products are registered
without table update, and their tables are built directly from a 10 s orbit over the same
1,000 days (points and sources as a real history would have them).

Usage: ``python scripts/bench_orbit_direction.py [--products N] [--history N] [--keep DIR]``
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import shutil
import statistics
import tempfile
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from vires_repo.catalog import Catalog
from vires_repo.definitions.selection import CollectionFilter
from vires_repo.io.storage import Storage
from vires_repo.orbit_direction.extract import OrbitSamples, extract_orbit_directions
from vires_repo.orbit_direction.missions import DEFAULT_THRESHOLDS, TableKey
from vires_repo.orbit_direction.qd import extract_qd_orbit_directions
from vires_repo.orbit_direction.store import FOLDER, TableStore, write_table
from vires_repo.orbit_direction.table import OrbitDirectionTable, Source
from vires_repo.services import product_collection, product_type
from vires_repo.services import product_registration as products
from vires_repo.services.messages import Messages
from vires_repo.services.orbit_direction import maintenance, registration
from vires_repo.testing.mag_products import write_mag_lr_product, write_small_mag_lr_products
from vires_repo.testing.sampling import SWARM_ORBITS

COLLECTION = "SW_OPER_MAGA_LR_1B"
FIRST_DAY = np.datetime64("2016-01-01", "D")
QUIET = Messages(info=lambda _m: None, warning=print, error=print, debug=lambda _m: None)


class CountingStorage(Storage):
    """A Storage that counts the bytes of the file versions written below orbit_direction/."""

    def __init__(self, root: str) -> None:
        super().__init__(root)
        self.written = 0
        self.compressed = 0

    def write_bytes(self, relpath: str, data: bytes) -> None:
        if relpath.startswith(FOLDER):
            self.written += len(data)
            self.compressed += len(zlib.compress(data))
        super().write_bytes(relpath, data)


def new_catalog(root: Path) -> Catalog:
    catalog = Catalog(CountingStorage(str(root)))
    types = [t for t in product_type.default_types() if t["name"] == "SW_MAGx_LR_1B"]
    collections = [c for c in product_collection.default_collections() if c["name"] == COLLECTION]
    assert not product_type.import_types(catalog, types).failures
    assert not product_collection.import_collections(catalog, collections).failures
    return catalog


def daily_product(folder: Path, day: int) -> str:
    start = FIRST_DAY + np.timedelta64(day, "D")
    end = start + np.timedelta64(86399, "s")
    return write_mag_lr_product(folder, start, end, minimal=True)


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def timed(function: Any, *args: Any, **kwargs: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - start, result


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (worker processes): a figure
    that other load on the machine disturbs less than the wall-clock time."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


# -- rebuild ------------------------------------------------------------------------------


def bench_rebuild(work: Path, files: list[str], count: int) -> float:
    catalog = new_catalog(work / f"rebuild-{count}")
    result = products.register_products(
        catalog, COLLECTION, files[:count], skip_post_registration_actions=True
    )
    assert not result.failures
    selection = CollectionFilter(identifiers=(COLLECTION,))
    cpu = cpu_seconds()
    seconds, outcome = timed(maintenance.rebuild_tables, catalog, selection, QUIET)
    cpu = cpu_seconds() - cpu
    assert outcome.processed == count, outcome.summary_lines()
    print(
        f"rebuild of {count:3d} daily 1 Hz products (GEO + QD): {seconds:6.2f} s total, "
        f"{1000 * seconds / count:5.1f} ms per product (CPU {1000 * cpu / count:5.1f} ms "
        "per product, all processes)"
    )
    return seconds / count


# -- registration after a history -----------------------------------------------------------


def history_tables(days: int) -> tuple[Any, Any]:
    """GEO and QD boundaries of ``days`` days of a 10 s orbit (one continuous block)."""
    step = np.timedelta64(10, "s")
    start = FIRST_DAY.astype("datetime64[s]")
    end = (FIRST_DAY + np.timedelta64(days, "D")).astype("datetime64[s]")
    times = np.arange(start, end, step).astype("datetime64[ms]")
    lat, lon, rad = SWARM_ORBITS["A"].positions(times)
    orbit = OrbitSamples(times, lat, lon, rad)
    thresholds = DEFAULT_THRESHOLDS
    geo = extract_orbit_directions(
        times, lat, thresholds.nominal_sampling, thresholds.gap_threshold
    )
    qd = extract_qd_orbit_directions(orbit, thresholds.nominal_sampling, thresholds.gap_threshold)
    return geo.boundaries, qd.boundaries


def build_history(work: Path, days: int) -> Catalog:
    """A catalogue with ``days`` tiny daily products registered and tables that list them."""
    root = work / f"history-{days}"
    catalog = new_catalog(root)
    data = work / f"history-{days}-data"
    files = write_small_mag_lr_products(data, days, start="2016-01-01", records=2)
    result = products.register_products(
        catalog, COLLECTION, files, skip_post_registration_actions=True
    )
    assert not result.failures
    sources = []
    for day in range(days):
        begin = (FIRST_DAY + np.timedelta64(day, "D")).astype("datetime64[ms]")
        identifier = Path(files[day]).stem
        sources.append(Source(identifier, begin, begin + np.timedelta64(86399, "s")))
    geo, qd = history_tables(days)
    store = TableStore(catalog.storage)
    for key, boundaries in (
        (TableKey("Swarm", "A", None, "GEO"), geo),
        (TableKey("Swarm", "A", None, "QD"), qd),
    ):
        write_table(store, OrbitDirectionTable(key, boundaries, sources))
    return catalog


def bench_registration(work: Path, days: int, repeats: int = 5) -> float:
    catalog = build_history(work, days)
    storage = catalog.storage
    assert isinstance(storage, CountingStorage)
    root = Path(storage.root)
    update_times, register_times, written, compressed, growth = [], [], [], [], []
    update_cpu: list[float] = []
    original = registration.update_after_registration
    for repeat in range(repeats):
        location = daily_product(work / "new-products", days + repeat)
        spent: list[float] = []

        cpu: list[float] = []

        def update(
            *args: Any, spent: list[float] = spent, cpu: list[float] = cpu, **kwargs: Any
        ) -> int:
            before = time.process_time()
            seconds, failures = timed(original, *args, **kwargs)
            cpu.append(time.process_time() - before)
            spent.append(seconds)
            return int(failures)

        registration.update_after_registration = update
        storage.written = storage.compressed = 0
        size_before = folder_bytes(root / FOLDER)
        try:
            seconds, result = timed(products.register_products, catalog, COLLECTION, [location])
        finally:
            registration.update_after_registration = original
        assert not result.failures and result.post_registration_failures == 0
        update_times.append(spent[0])
        update_cpu.append(cpu[0])
        register_times.append(seconds - spent[0])
        written.append(storage.written)
        compressed.append(storage.compressed)
        growth.append(folder_bytes(root / FOLDER) - size_before)
    manifest = TableStore(storage).manifest("SW_VIRE_AUXAODBGEO")
    months = len(manifest.months) if manifest else 0
    print(
        f"register 1 daily product after {days:4d} products ({months} months per table): "
        f"registration {1000 * statistics.median(register_times):5.1f} ms, "
        f"table update +{1000 * statistics.median(update_times):5.1f} ms "
        f"(CPU {1000 * statistics.median(update_cpu):5.1f} ms); "
        f"written {statistics.median(written) / 1024:.1f} KiB "
        f"({statistics.median(compressed) / 1024:.1f} KiB zlib, as git stores it), "
        f"folder growth {statistics.median(growth) / 1024:+.1f} KiB"
    )
    return statistics.median(update_times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=60)
    parser.add_argument("--history", type=int, default=1000)
    parser.add_argument("--keep", type=Path, help="work folder to keep (default: temporary)")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    print(f"{os.cpu_count()} CPUs, load average {load:.1f} (other work slows the wall times)")
    with work_folder(args.keep, "bench-od-") as work:
        print(f"writing {args.products} synthetic daily 1 Hz products ...")
        files = [daily_product(work / "products", day) for day in range(args.products)]
        small = bench_rebuild(work, files, 10)
        large = bench_rebuild(work, files, args.products)
        print(f"per-product rebuild time at {args.products} vs 10 products: x{large / small:.2f}")
        at_10 = bench_registration(work, 10)
        at_n = bench_registration(work, args.history)
        print(f"table-update time after {args.history} vs 10 products: x{at_n / at_10:.2f}")


@contextlib.contextmanager
def work_folder(keep: Path | None, prefix: str) -> Iterator[Path]:
    """``keep`` (made if missing, kept afterwards), else a temporary folder removed at the end."""
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        yield keep
        return
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


if __name__ == "__main__":
    main()
