"""Benchmark of the performance targets of issue 12, each beside its floor (not part of the tests).

Builds its own catalogues in a temporary folder and prints, per target, the limit, the floor
measured in the same run (what the command cannot avoid: the interpreter and the libraries
its work needs, or reading the data) and the measured value, as the minimum and the median of
N runs:

* ``product exists ID`` (with and without ``-c``) and ``product list -c X --after D --before
  D+1`` on 1,000,000 products in 150 collections, as full commands (process start included):
  <= 0.35 s and <= 1.5 x the floor ``python -c "import pyarrow.parquet"``;
* ``--help`` at the root, of a group and of a command: <= 0.2 s;
* registering one daily 1 Hz product with its orbit-direction update: <= 0.5 s end to end
  (floor: importing what it needs, pyarrow, cdflib and apexpy);
* ``orbit_direction rebuild``: <= 35 ms per product at 20 and 60 products on two cores, <= 70 ms
  on one core (floor: cdflib reading the four position variables of each product), with the
  forced-serial figure beside the parallel one and the CPU a worker process takes to start
  (the threshold of the parallel path in orbit_direction/product_extraction.py rests on it).

Wall times depend on what else runs on the machine: the load average is printed first, and
the minimum of N runs is the figure to compare (the median shows the spread). The CPU time
(user + system, of the command or of this process and its worker processes) suffers less from
other load; on a quiet machine the wall time of a serial run is about its CPU time.

Usage: ``python scripts/bench_floor.py [--quick] [--runs N] [--keep DIR]``
(``--quick``: 100,000 products in 30 collections, rebuild at 20 products only, 5 runs).
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import timedelta
from pathlib import Path

import numpy as np
from bench_orbit_direction import work_folder
from bench_product_index import START, collection_names, duration_of, synthesize

from vires_repo.catalog import Catalog
from vires_repo.definitions.selection import CollectionFilter
from vires_repo.orbit_direction import product_extraction
from vires_repo.orbit_direction.positions import read_positions
from vires_repo.products import ProductIndex
from vires_repo.services import product_collection, product_type
from vires_repo.services import product_registration as registration
from vires_repo.services.messages import Messages
from vires_repo.services.orbit_direction import maintenance
from vires_repo.testing.mag_products import write_mag_lr_product

PYTHON = sys.executable
REPO_ROOT = Path(__file__).resolve().parents[1]
OD_COLLECTION = "SW_OPER_MAGA_LR_1B"
FIRST_DAY = np.datetime64("2016-01-01", "D")
QUIET = Messages(info=lambda _m: None, warning=print, error=print, debug=lambda _m: None)


# -- measuring ------------------------------------------------------------------------------


class Samples(list[float]):
    """Wall seconds of runs, with the CPU seconds of the same runs in ``cpu``."""

    def __init__(self) -> None:
        super().__init__()
        self.cpu: list[float] = []


def cpu_seconds() -> float:
    """CPU time of this process and its finished child processes (commands, workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def runs_of(action: Callable[[], object], runs: int) -> Samples:
    """Wall (and CPU) seconds of ``runs`` calls of ``action``."""
    samples = Samples()
    for _ in range(runs):
        cpu = cpu_seconds()
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
        samples.cpu.append(cpu_seconds() - cpu)
    return samples


def command(*args: str, check_codes: Sequence[int] = (0,)) -> Callable[[], None]:
    """A callable running a command line (stdout and stderr discarded)."""

    def run() -> None:
        done = subprocess.run(args, capture_output=True, check=False, cwd=REPO_ROOT)
        if done.returncode not in check_codes:
            raise SystemExit(f"{' '.join(args)} failed ({done.returncode}): {done.stderr!r}")

    return run


def vires_repo(catalog: Path | None, *args: str, codes: Sequence[int] = (0,)) -> Callable[[], None]:
    root = ("--catalog", str(catalog)) if catalog else ()
    return command(PYTHON, "-m", "vires_repo", *root, *args, check_codes=codes)


def python_c(code: str) -> Callable[[], None]:
    return command(PYTHON, "-c", code)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f}"


def row(target: str, limit: str, floor: str, samples: Samples, scale: float = 1) -> None:
    """Print one target: its limit, floor, the minimum and median wall time of the samples
    and their minimum CPU time (per ``scale`` items)."""
    low, median = ms(min(samples) / scale), ms(statistics.median(samples) / scale)
    cpu = ms(min(samples.cpu) / scale)
    print(f"{target:48} {limit:>20} {floor:>9} {low:>9} {median:>9} {cpu:>9}", flush=True)


def header(title: str) -> None:
    print(f"\n{title}")
    columns = ("limit", "floor", "min", "median", "CPU min")
    print(f"{'target (ms)':48} {columns[0]:>20} " + " ".join(f"{c:>9}" for c in columns[1:]))


# -- catalogues -------------------------------------------------------------------------------


def lookup_catalog(root: Path, products: int, collections: int) -> tuple[Path, str, str, str]:
    """``products`` records in ``collections`` collections (the generator of
    bench_product_index.py), each collection with a definition file; returns the catalogue,
    a probe identifier, its collection and the day of its begin time."""
    catalog = root / "lookups"
    storage = Catalog(str(catalog)).storage
    names = collection_names(collections)
    for name in names:
        definition = {"name": name, "productType": name[8:18]}
        storage.write_text(f"product_collections/{name}.json", json.dumps(definition))
    per_collection = products // collections
    start = time.perf_counter()
    ProductIndex(storage).bulk_upsert(synthesize(names, per_collection))
    print(
        f"lookup catalogue: {per_collection * collections:,} products in {collections} "
        f"collections, built in {time.perf_counter() - start:.0f} s"
    )
    probe_number = 7
    probe = names[probe_number]
    step = duration_of(probe_number)
    day = START + (per_collection // 2) * step
    end = day + step - timedelta(microseconds=1)
    identifier = f"{probe}_{day:%Y%m%dT%H%M%S}_{end:%Y%m%dT%H%M%S}_0602_MDR_MAG_LR"
    return catalog, identifier, probe, f"{day:%Y-%m-%d}"


def od_catalog(root: Path) -> Catalog:
    """A catalogue with the default SW_MAGx_LR_1B type and the SW_OPER_MAGA_LR_1B collection."""
    catalog = Catalog(str(root))
    types = [t for t in product_type.default_types() if t["name"] == "SW_MAGx_LR_1B"]
    collections = [
        c for c in product_collection.default_collections() if c["name"] == OD_COLLECTION
    ]
    assert not product_type.import_types(catalog, types).failures
    assert not product_collection.import_collections(catalog, collections).failures
    return catalog


def daily_product(folder: Path, day: int, *, minimal: bool = True) -> str:
    start = FIRST_DAY + np.timedelta64(day, "D")
    return write_mag_lr_product(folder, start, start + np.timedelta64(86399, "s"), minimal=minimal)


# -- the targets ------------------------------------------------------------------------------


def bench_lookups(work: Path, products: int, collections: int, runs: int) -> None:
    catalog, identifier, collection, day = lookup_catalog(work, products, collections)
    next_day = str(np.datetime64(day) + np.timedelta64(1, "D"))
    floor = runs_of(python_c("import pyarrow.parquet"), runs)
    limit = f"<= 350 and <= {1.5 * min(floor) * 1000:.0f}"
    header(f"Lookups on {products:,} products (full commands, {runs} runs)")
    row("python -c 'pass'", "", "", runs_of(python_c("pass"), runs))
    row("python -c 'import pyarrow.parquet' (the floor)", "", "", floor)
    # the commands start numpy without OpenBLAS's thread pool (cli/__init__.py): the same floor
    single = "import os; os.environ['OPENBLAS_NUM_THREADS'] = '1'; import pyarrow.parquet"
    row(
        "  the floor without OpenBLAS threads, as commands run",
        "",
        "",
        runs_of(python_c(single), runs),
    )
    floor_text = ms(min(floor))
    cases = {
        "product exists ID": ("product", "exists", identifier),
        "product exists ID -c X": ("product", "exists", identifier, "-c", collection),
        "product list -c X --after D --before D+1": (
            *("product", "list", "-c", collection),
            *("--after", day, "--before", next_day),
        ),
    }
    for label, args in cases.items():
        row(label, limit, floor_text, runs_of(vires_repo(catalog, *args), runs))
    header(f"--help ({runs} runs)")
    cyclopts_floor = ms(min(runs_of(python_c("import cyclopts"), runs)))
    for args in (("--help",), ("product", "--help"), ("product", "register", "--help")):
        label = f"vires-repo {' '.join(args)}"
        row(label, "<= 200", cyclopts_floor, runs_of(vires_repo(None, *args), runs))


def bench_registration(work: Path, runs: int) -> None:
    """Register a daily 1 Hz product after three registered days, with the table update (a
    first, untimed registration brings the files into the page cache)."""
    root = work / "register"
    catalog = od_catalog(root)
    data = work / "register-data"
    history = [daily_product(data, day, minimal=False) for day in range(3)]
    result = registration.register_products(catalog, OD_COLLECTION, history)
    assert not result.failures and not result.post_registration_failures
    files = [daily_product(data, 3 + run, minimal=False) for run in range(runs + 1)]
    pending = iter(files)

    def register() -> None:
        vires_repo(root, "product", "register", "-c", OD_COLLECTION, next(pending))()

    register()
    header(f"Registration of one daily 1 Hz product with its orbit-direction update ({runs} runs)")
    floor = runs_of(python_c("import pyarrow.parquet, cdflib, apexpy"), runs)
    samples = runs_of(register, runs)
    row("product register -c SW_OPER_MAGA_LR_1B FILE", "<= 500", ms(min(floor)), samples)


def bench_rebuild(work: Path, counts: Sequence[int], runs: int) -> None:
    folder = work / "rebuild-data"
    files = [daily_product(folder, day) for day in range(max(counts))]
    position_reads = runs_of(lambda: [read_positions(f) for f in files[:10]], 3)
    floor = ms(min(position_reads) / 10)
    header(f"orbit_direction rebuild, per product ({runs} runs each)")
    print(f"  worker process start-up: {worker_start_cpu() * 1000:.0f} ms of CPU")
    threshold = product_extraction._PARALLEL_MIN_PRODUCTS
    all_cores = os.sched_getaffinity(0)
    for count in counts:
        catalog = od_catalog(work / f"rebuild-{count}")
        result = registration.register_products(
            catalog, OD_COLLECTION, files[:count], skip_post_registration_actions=True
        )
        assert not result.failures

        def rebuild(catalog: Catalog = catalog, count: int = count) -> None:
            selection = CollectionFilter(identifiers=(OD_COLLECTION,))
            outcome = maintenance.rebuild_tables(catalog, selection, QUIET)
            assert outcome.processed == count, outcome.summary_lines()

        cores = len(all_cores)
        path = "parallel" if count >= threshold and cores > 1 else "serial"
        label = f"{count} products, {cores} cores"
        row(f"{label} ({path})", "<= 35", floor, runs_of(rebuild, runs), count)
        with _serial():
            row(f"{label} (forced serial)", "", floor, runs_of(rebuild, runs), count)
        with _one_core(all_cores):
            row(f"{count} products, 1 core", "<= 70", floor, runs_of(rebuild, runs), count)


def worker_start_cpu() -> float:
    """CPU seconds a spawned worker takes to import what an extraction needs and start apexpy."""
    code = (
        "import numpy as np, vires_repo.orbit_direction.product_extraction;"
        "from vires_repo.io.apex import qd_latitude_at_epoch as qd;"
        "qd(2016.0, np.array([1.0]), np.array([1.0]), np.array([450.0]))"
    )
    return min(runs_of(python_c(code), 3).cpu)


@contextlib.contextmanager
def _serial() -> Iterator[None]:
    saved = product_extraction._PARALLEL_MIN_PRODUCTS
    product_extraction._PARALLEL_MIN_PRODUCTS = sys.maxsize
    try:
        yield
    finally:
        product_extraction._PARALLEL_MIN_PRODUCTS = saved


@contextlib.contextmanager
def _one_core(all_cores: set[int]) -> Iterator[None]:
    os.sched_setaffinity(0, {min(all_cores)})
    try:
        yield
    finally:
        os.sched_setaffinity(0, all_cores)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller, faster run")
    parser.add_argument("--runs", type=int, help="runs per figure (default 10, 5 with --quick)")
    parser.add_argument("--keep", type=Path, help="work folder to keep (default: temporary)")
    options = parser.parse_args()
    runs = options.runs or (5 if options.quick else 10)
    products, collections = (100_000, 30) if options.quick else (1_000_000, 150)
    counts = (20,) if options.quick else (20, 60)
    # The commands read compiled modules, as an installed package's are: with
    # PYTHONDONTWRITEBYTECODE set (as in some development shells) each would compile
    # vires_repo's ~100 modules again, 60-70 ms of CPU that no installation pays.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    compileall.compile_dir(REPO_ROOT / "vires_repo", quiet=1)
    print(
        f"{len(os.sched_getaffinity(0))} cores, load average {os.getloadavg()[0]:.1f} "
        "(other work on the machine slows the wall times: compare the minimums)"
    )
    with work_folder(options.keep, "bench-floor-") as work:
        bench_lookups(work, products, collections, runs)
        bench_registration(work, runs)
        bench_rebuild(work, counts, max(3, runs // 3))
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
