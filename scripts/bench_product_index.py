"""Benchmark of the product index on a synthetic catalogue (not part of the test suite).

Synthesizes Swarm-like products (1,000,000 in 150 collections by default), imports them with
the bulk API and prints the figures the design targets:

* bulk import time and peak memory;
* ``exists`` by identifier, with and without the collection;
* listing one collection for a one-day window (CLI ``--after/--before`` and run-time window);
* overlap detection of a 1,000-product batch in one collection;
* the same lookups through a fresh DuckDB connection, for comparison;
* appending one daily product: time and bytes added;
* a simulated year of daily registrations (one product per collection per day): the bytes of
  all file versions written (raw and zlib-compressed, as git stores loose objects) and, with
  ``--git``, the growth of real git repositories. As the registration workflow does, each day
  is one commit pushed to an origin repository (so git stores each file version as a delta
  against what the origin has); the figures are the origin's growth after ``git gc``, the
  size of a fresh clone, and the growth of the working repository that committed (with git's
  automatic gc, then ``git gc``).

Usage: ``python scripts/bench_product_index.py [--root DIR] [--products N] [--collections N]
[--year-days N] [--git]``
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from vires_repo.io.duckdb import query
from vires_repo.io.storage import Storage
from vires_repo.products import ProductIndex, ProductRecord, ProductSelection
from vires_repo.sql.views import connect

START = datetime(2008, 1, 1, tzinfo=UTC)
MIB = 2**20
FAMILIES = [
    "MAG{}_LR_1B",
    "EFI{}_LP_1B",
    "FAC{}TMS_2F",
    "TEC{}TMS_2F",
    "IPD{}IRR_2F",
    "MOD{}_SC_1B",
]


class CountingStorage(Storage):
    """A Storage that adds up the bytes of every file version written (what git would keep)."""

    def __init__(self, root: str) -> None:
        super().__init__(root)
        self.written = 0
        self.compressed = 0
        self.files = 0

    def write_bytes(self, relpath: str, data: bytes) -> None:
        super().write_bytes(relpath, data)
        self.written += len(data)
        self.compressed += len(zlib.compress(data))
        self.files += 1


def collection_names(count: int) -> list[str]:
    names = []
    for number in range(count):
        family = FAMILIES[number % len(FAMILIES)]
        names.append(
            f"SW_OPER_{family.format(chr(ord('A') + number // len(FAMILIES) % 26))}_{number:03d}"
        )
    return names


def duration_of(collection_number: int) -> timedelta:
    """Most collections hold daily files; every fifth one holds 6-hour files."""
    return timedelta(hours=6) if collection_number % 5 == 4 else timedelta(days=1)


def make_record(collection: str, begin: datetime, duration: timedelta) -> ProductRecord:
    end = begin + duration - timedelta(microseconds=1)
    identifier = f"{collection}_{begin:%Y%m%dT%H%M%S}_{end:%Y%m%dT%H%M%S}_0602_MDR_MAG_LR"
    location = f"/mnt/data/vires/{collection}/{begin:%Y}/{identifier}.cdf"
    return ProductRecord(
        collection=collection,
        identifier=identifier,
        product_type=collection[8:18],
        begin_time=begin,
        end_time=end,
        metadata={"format": "CDF-generic"},
        datasets={"MDR_MAG_LR": {"location": location}},
        location=location,
    )


def synthesize(names: list[str], per_collection: int) -> Iterator[ProductRecord]:
    """Products in round-robin collection order, as an export of a database would list them."""
    durations = [duration_of(number) for number in range(len(names))]
    for step in range(per_collection):
        for number, collection in enumerate(names):
            yield make_record(collection, START + step * durations[number], durations[number])


def show(label: str, milliseconds: float, note: str = "") -> None:
    print(f"{label + ':':52} {milliseconds:7.1f} ms {note}".rstrip())


def timed(action: Callable[[], object], repeat: int = 20) -> float:
    """Median wall time of ``action`` in milliseconds (after one warm-up call)."""
    action()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def folder_bytes(path: Path) -> int:
    return sum(
        item.stat().st_size
        for item in path.rglob("*")
        if item.is_file() and ".git" not in item.parts
    )


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(root), *args], check=True, capture_output=True, text=True
    ).stdout


def git_pack_bytes(root: Path) -> int:
    git(root, "gc", "--quiet")
    stats = dict(line.split(": ") for line in git(root, "count-objects", "-v").splitlines())
    return (int(stats["size-pack"]) + int(stats["size"])) * 1024


def sibling(root: Path, role: str) -> Path:
    """Where the git simulation keeps the origin and a clone of the catalogue repository."""
    return root.with_name(f"{root.name}-{role}.git")


def git_init(root: Path, *options: str) -> None:
    """A repository whose automatic gc runs in the foreground (never while this script
    measures or runs its own gc)."""
    subprocess.run(
        ["git", "init", "--quiet", "--initial-branch=main", *options, str(root)], check=True
    )
    git(root, "config", "gc.autoDetach", "false")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, help="catalogue folder (default: a temporary one)")
    parser.add_argument("--products", type=int, default=1_000_000)
    parser.add_argument("--collections", type=int, default=150)
    parser.add_argument("--year-days", type=int, default=365, help="0 skips the simulation")
    parser.add_argument("--git", action="store_true", help="also measure a real git repository")
    options = parser.parse_args()

    root = options.root or Path(tempfile.mkdtemp(prefix="bench-product-index-"))
    for folder in (root, sibling(root, "origin"), sibling(root, "clone")):
        if folder.exists():
            shutil.rmtree(folder)
    root.mkdir(parents=True)
    storage = CountingStorage(str(root))
    index = ProductIndex(storage)
    names = collection_names(options.collections)
    per_collection = options.products // options.collections
    print(
        f"catalogue: {root}; {per_collection * len(names):,} products in {len(names)} collections"
    )

    # -- bulk import -------------------------------------------------------------------------
    start = time.perf_counter()
    for _record in synthesize(names, per_collection):
        pass
    generation = time.perf_counter() - start
    start = time.perf_counter()
    index.bulk_upsert(synthesize(names, per_collection))
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"bulk import: {elapsed:.1f} s including {generation:.1f} s to generate the records, "
        f"peak RSS {peak:,.0f} MB, {folder_bytes(root) / 2**20:.1f} MiB on disk"
    )

    rng = random.Random(1)
    probe_number = 7
    probe = names[probe_number]
    duration = duration_of(probe_number)
    probes = [
        make_record(probe, START + rng.randrange(per_collection) * duration, duration).identifier
        for _ in range(20)
    ]
    probe_iter = iter(probes * 100)

    # -- lookups (pyarrow) -----------------------------------------------------------------------
    show("exists, collection known", timed(lambda: index.exists(next(probe_iter), probe)))
    show("exists, collection unknown", timed(lambda: index.exists(next(probe_iter))))
    show("exists, absent identifier", timed(lambda: index.exists("SW_OPER_NOPE")))
    day = START + timedelta(days=per_collection // 2)
    one_day = timedelta(days=1)
    window = ProductSelection(collections=[probe], after=day, before=day + one_day)
    show("list one collection, one day (--after/--before)", timed(lambda: index.select(window)))
    show(
        "in_window, one collection, one day",
        timed(lambda: index.in_window(probe, day, day + one_day)),
    )

    last = START + (per_collection - 1) * duration
    first_new = last - timedelta(days=42)
    hour = timedelta(hours=1)
    batch = [(f"NEW_{n}", first_new + n * hour, first_new + (n + 1) * hour) for n in range(1000)]
    found = len(index.find_overlaps(probe, batch))
    show(
        "overlaps of a 1,000-product batch in one collection",
        timed(lambda: index.find_overlaps(probe, batch)),
        f"({found} overlaps)",
    )
    show("max_product_duration of one collection", timed(lambda: index.max_product_duration(probe)))
    show("summaries of all collections", timed(index.summaries, repeat=3))
    location = make_record(probe, day, duration).location or ""
    show(
        "find_by_location, collection known",
        timed(lambda: index.find_by_location([location], [probe])),
    )
    show("find_by_location, all collections", timed(lambda: index.find_by_location([location]), 3))

    # -- the same through DuckDB -----------------------------------------------------------------
    show("duckdb: connect and create the views", timed(lambda: connect(storage), repeat=5))
    connection = connect(storage)
    sql_exists = "SELECT collection, identifier FROM products WHERE identifier = ?"
    show(
        "duckdb: identifier lookup, collection unknown",
        timed(lambda: query(connection, sql_exists, [next(probe_iter)]), repeat=5),
    )
    sql_window = (
        "SELECT * FROM products WHERE collection = ? AND end_time >= ? AND begin_time < ? "
        "ORDER BY begin_time"
    )
    window_params = [probe, day, day + one_day]
    show(
        "duckdb: one collection, one-day window",
        timed(lambda: query(connection, sql_window, window_params), repeat=5),
    )

    # -- one daily append ---------------------------------------------------------------------
    next_day = START + per_collection * duration
    before_bytes, before_written = folder_bytes(root), storage.written
    start = time.perf_counter()
    index.upsert(probe, [make_record(probe, next_day, duration)])
    show(
        "append one product",
        (time.perf_counter() - start) * 1000,
        f"(folder +{folder_bytes(root) - before_bytes:,} bytes; "
        f"{storage.written - before_written:,} bytes written: data file + manifest)",
    )

    # -- a simulated year of daily registrations ---------------------------------------------
    if options.year_days < 1:
        return
    origin = sibling(root, "origin")
    if options.git:
        git_init(root)
        git_init(origin, "--bare")
        git(root, "config", "user.email", "bench@example.invalid")
        git(root, "config", "user.name", "bench")
        git(root, "add", "-A")
        git(root, "commit", "--quiet", "-m", "base")
        git(root, "push", "--quiet", str(origin), "HEAD:refs/heads/main")
        base_pack = git_pack_bytes(origin)
        base_work = git_pack_bytes(root)
    written, compressed, files = storage.written, storage.compressed, storage.files
    base_folder = folder_bytes(root)
    compactions = 0
    start = time.perf_counter()
    for day_number in range(1, options.year_days + 1):
        for number, collection in enumerate(names):
            step = duration_of(number)
            begin = START + (per_collection + day_number) * step
            result = index.upsert(collection, [make_record(collection, begin, step)])
            compactions += result.compacted
        if options.git:
            git(root, "add", "-A")
            git(root, "commit", "--quiet", "-m", f"day {day_number}")
            git(root, "push", "--quiet", str(origin), "HEAD:refs/heads/main")
    elapsed = time.perf_counter() - start
    registrations = options.year_days * len(names)
    print(
        f"year simulation: {registrations:,} registrations in {elapsed:.0f} s "
        f"({elapsed / registrations * 1000:.1f} ms each), {compactions} automatic compactions"
    )
    grown = folder_bytes(root) - base_folder
    print(
        f"  all file versions written: {(storage.written - written) / MIB:.1f} MiB raw, "
        f"{(storage.compressed - compressed) / MIB:.1f} MiB zlib-compressed, "
        f"{storage.files - files:,} file versions; the folder grew by {grown / MIB:.1f} MiB"
    )
    if options.git:
        growth = git_pack_bytes(origin) - base_pack
        print(f"  git origin (daily pushes, then gc) grew by {growth / MIB:.1f} MiB")
        clone = sibling(root, "clone")
        subprocess.run(  # --no-local: a pack made for the transfer, as from a server
            ["git", "clone", "--quiet", "--bare", "--no-local", str(origin), str(clone)],
            check=True,
        )
        clone_bytes = git_pack_bytes(clone)
        print(
            f"  a fresh clone: {clone_bytes / MIB:.1f} MiB "
            f"(the catalogue before the year: {base_pack / MIB:.1f} MiB)"
        )
        growth = git_pack_bytes(root) - base_work
        print(
            f"  working repository (daily commits, automatic gc, then gc) grew by "
            f"{growth / MIB:.1f} MiB"
        )


if __name__ == "__main__":
    main()
