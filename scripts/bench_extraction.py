"""Benchmark of ``extract`` (issue 14) on synthetic Swarm MAG LR products (not a test).

Builds (once, under ``--root``) a catalogue with ``--days`` daily 1 Hz ``SW_OPER_MAGA_LR_1B``
products registered with their orbit-direction tables, and the cached orbit counter, Kp, Dst
and F10.7 products covering them; then runs ``--repeat`` rounds of all the measurements in
turn (the load of a shared machine changes between minutes: each time is compared with the
floor of its own round) and prints the minimum wall-clock and CPU time (all threads) of each:

* the floor: reading the same product variables of the same records with cdflib alone and
  writing them with pyarrow alone;
* the window to Parquet, CDF and CSV with the issue's variable list (``F``, ``B_NEC``,
  ``Flags_B``, positions, ``OrbitDirection``, ``QDOrbitDirection``, ``OrbitNumber``, ``Kp``,
  ``Dst``, ``F107``, ``QDLat``, ``MLT``), and each time over the floor;
* the same to Parquet with the product variables only (the pipeline without auxiliaries);
* a one-hour window inside the span.

``--year`` builds 365 days of products with the minimal MAG LR variables instead and reports
the peak memory (maximum resident set size) of one Parquet extraction of the whole year in a
fresh process.

Usage: ``python scripts/bench_extraction.py [--root DIR] [--days 30] [--repeat 3] [--year]
[--formats parquet,cdf,csv] [--variables LIST]``
"""

from __future__ import annotations

import argparse
import functools
import json
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cdflib
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from vires_repo.catalog import Catalog
from vires_repo.services import (
    cached_product,
    extraction,
    product_collection,
    product_registration,
    product_type,
)
from vires_repo.testing.mag_products import write_mag_lr_product

COLLECTION = "SW_OPER_MAGA_LR_1B"
START = datetime(2016, 1, 1, tzinfo=UTC)
ISSUE_VARIABLES = (
    "F,B_NEC,Flags_B,OrbitDirection,QDOrbitDirection,OrbitNumber,Kp,Dst,F107,QDLat,MLT"
)
PRODUCT_VARIABLES = ("Timestamp", "Latitude", "Longitude", "Radius", "F", "B_NEC", "Flags_B")
MANDATORY = ("Timestamp", "Latitude", "Longitude", "Radius")
MJD2000 = datetime(2000, 1, 1, tzinfo=UTC)
ORBIT_PERIOD_DAYS = 94.0 / 1440.0


def _mjd2000(moment: datetime) -> float:
    return (moment - MJD2000).total_seconds() / 86400.0


def _write_aux_inputs(folder: Path, begin: datetime, days: int) -> dict[str, Path]:
    """Synthetic orbit counter, Kp, Dst and F10.7 inputs (their real text layouts) with a
    margin of 3 days around the products."""
    first, last = _mjd2000(begin) - 3, _mjd2000(begin) + days + 3
    counter = ["%orbit       MJD2000           date           UT        phi_AN    Source"]
    for number, mjd in enumerate(np.arange(first, last, ORBIT_PERIOD_DAYS), start=1000):
        moment = MJD2000 + timedelta(days=float(mjd))
        counter.append(
            f"{number:6d} {mjd:18.11f}   {moment:%Y-%m-%d}   {moment:%H:%M:%S}.000"
            f" {(number * 23.7) % 360 - 180:9.3f}     0"
        )
    kp = ["# Expanded and assembled Kp and ap", "#   MJD2000 Kp  ap Flag"]
    kp += [f"{mjd:11.4f} {int(mjd * 8) % 60:2d} {int(mjd) % 40:3d}    D"
           for mjd in np.arange(first, last, 0.125) + 0.0625]  # fmt: skip
    dst = ["# Expanded and assembled Dst, Est and Ist, Zero Mean", "#  MJD2000 Dst Est Ist Flag"]
    dst += [f"{mjd:12.5f} {-20 + 10 * np.sin(mjd):9.3f} {-15.0:9.3f} {-5.0:9.3f}    D"
            for mjd in np.arange(first, last, 1 / 24) + 1 / 48]  # fmt: skip
    f107 = ["# Assembled daily observed values of solar flux F10.7", "# MD2000 F10.7"]
    f107 += [f"{mjd:8.1f} {100 + 20 * np.sin(mjd / 27):6.1f}"
             for mjd in np.arange(np.floor(first), last) + 0.5]  # fmt: skip
    texts = {
        "AUXAORBCNT": ("SW_OPER_AUXAORBCNT_20151201T000000_20171231T235959_0001.TXT", counter),
        "GFZ_AUX_KP": ("Kp_MJD_1998_QL.dat", kp),
        "GFZ_AUX_DST": ("Dst_MJD_1998.dat", dst),
        "AUX_F10_2_": ("SW_OPER_AUX_F10_2__20151201T000000_20171231T235959_0001.DBL", f107),
    }
    paths = {}
    for kind, (name, lines) in texts.items():
        paths[kind] = folder / name
        paths[kind].write_text("\n".join(lines) + "\n")
    return paths


def build(root: Path, days: int, minimal: bool) -> Catalog:
    """The benchmark catalogue (built once; a marker file says it is complete)."""
    catalog = Catalog(root / "catalog")
    marker = root / f"built-{days}-{int(minimal)}"
    if marker.exists():
        return catalog
    data = root / "data"
    data.mkdir(parents=True, exist_ok=True)
    product_type.import_types(catalog, product_type.default_types())
    product_collection.import_collections(catalog, product_collection.default_collections())
    started = time.perf_counter()
    files = [
        write_mag_lr_product(
            data,
            START + timedelta(days=day),
            START + timedelta(days=day + 1, seconds=-1),
            minimal=minimal,
        )
        for day in range(days)
    ]
    print(f"wrote {len(files)} products in {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    product_registration.register_products(catalog, COLLECTION, files)
    print(f"registered them in {time.perf_counter() - started:.1f} s", flush=True)
    for kind, path in _write_aux_inputs(data, START, days).items():
        cached_product.update_cached_product(catalog, kind, [str(path)])
    marker.write_text("ok\n")
    return catalog


def floor(root: Path, begin: datetime, end: datetime, output: Path) -> float:
    """cdflib reading the product variables of the window + pyarrow writing them."""
    started = time.perf_counter()
    writer: pq.ParquetWriter | None = None
    low = (begin - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds() * 1e3 + 62167219200000.0
    high = (end - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds() * 1e3 + 62167219200000.0
    for path in sorted((root / "data").glob(f"{COLLECTION}_*.cdf")):
        cdf = cdflib.CDF(str(path))
        times = cdf.varget("Timestamp")
        first, last = np.searchsorted(times, [low, high])
        if first == last:
            continue
        columns = {}
        for name in PRODUCT_VARIABLES:
            values = cdf.varget(name, startrec=int(first), endrec=int(last) - 1)
            if values.ndim == 2:
                values = pa.FixedSizeListArray.from_arrays(values.ravel(), values.shape[1])
            columns[name] = values
        table = pa.table(columns)
        if writer is None:
            # the writer settings of the extraction's own Parquet output (pyarrow's defaults
            # also try dictionaries and statistics on every float column: twice the time)
            writer = pq.ParquetWriter(
                output,
                table.schema,
                compression="zstd",
                use_dictionary=False,
                write_statistics=["Timestamp"],
            )
        writer.write_table(table)
    if writer is not None:
        writer.close()
    return time.perf_counter() - started


def run_extraction(
    catalog: Catalog, begin: datetime, end: datetime, variables: str, fmt: str, output: Path
) -> int:
    request = extraction.ExtractionRequest(
        collection_ids={"A": [COLLECTION]},
        begin=begin,
        end=end,
        variables=[name for name in variables.split(",") if name],
        output_format=fmt,  # type: ignore[arg-type]
        limits=extraction.Limits(max_samples=10**9),
    )
    return extraction.extract(catalog, request, output).records


def timed(work: Callable[[], object]) -> tuple[float, float]:
    """Wall-clock and CPU seconds (all threads of the process) of ``work``."""
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def rounds(
    repeat: int, jobs: dict[str, Callable[[], object]]
) -> dict[str, list[tuple[float, float]]]:
    """``repeat`` rounds of every job in turn: on a shared machine the load changes from
    minute to minute, so a job is compared with the floor of its own round."""
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in jobs}
    for _ in range(repeat):
        for name, job in jobs.items():
            times[name].append(timed(job))
    return times


def year_memory(root: Path, variables: str) -> None:
    catalog = build(root, 365, minimal=True)
    code = (
        "import json, resource, sys, time\n"
        "from datetime import datetime, UTC\n"
        "from vires_repo.catalog import Catalog\n"
        "from vires_repo.services import extraction\n"
        f"request = extraction.ExtractionRequest(collection_ids={{'A': ['{COLLECTION}']}},"
        " begin=datetime(2016, 1, 1, tzinfo=UTC), end=datetime(2017, 1, 1, tzinfo=UTC),"
        f" variables={variables.split(',')!r}, output_format='parquet',"
        " limits=extraction.Limits(max_samples=10**9))\n"
        "started = time.perf_counter()\n"
        f"result = extraction.extract(Catalog({str(catalog.url)!r}), request,"
        f" {str(root / 'year.parquet')!r})\n"
        "print(json.dumps([result.records, time.perf_counter() - started,"
        " resource.getrusage(resource.RUSAGE_SELF).ru_maxrss]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if done.returncode:
        sys.exit(done.stderr)
    records, seconds, peak_kib = json.loads(done.stdout.splitlines()[-1])
    print(f"year to Parquet: {records:,} records in {seconds:.1f} s, "
          f"peak RSS {peak_kib / 2**20:.2f} GiB (bound 2 GiB)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=Path, default=Path("/tmp/bench-extraction"))
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--year", action="store_true")
    parser.add_argument("--formats", default="parquet,cdf,csv")
    parser.add_argument("--variables", default=ISSUE_VARIABLES)
    args = parser.parse_args()
    if args.year:
        year_memory(args.root / "year", args.variables)
        return
    root = args.root / f"days-{args.days}"
    catalog = build(root, args.days, minimal=False)
    begin, end = START, START + timedelta(days=args.days)
    out = root / "out"
    out.mkdir(exist_ok=True)
    print(f"{args.days} days of 1 Hz MAG LR, variables {args.variables}; min of {args.repeat}"
          " rounds (wall, CPU of all threads); ratios: min and median over the rounds of the"
          " wall time over the floor's of the same round")  # fmt: skip
    plain = ",".join(name for name in PRODUCT_VARIABLES if name not in MANDATORY)
    hour = begin + timedelta(days=args.days // 2, hours=5)
    jobs: dict[str, Callable[[], object]] = {
        "floor": lambda: floor(root, begin, end, out / "floor.parquet")
    }
    for fmt in args.formats.split(","):
        jobs[fmt] = functools.partial(
            run_extraction, catalog, begin, end, args.variables, fmt, out / f"month.{fmt}"
        )
    jobs[f"parquet, product variables only ({plain})"] = functools.partial(
        run_extraction, catalog, begin, end, plain, "parquet", out / "plain.parquet"
    )
    jobs["one-hour window to Parquet"] = functools.partial(
        run_extraction,
        catalog, hour, hour + timedelta(hours=1), args.variables, "parquet", out / "hour.pq",
    )  # fmt: skip
    times = rounds(args.repeat, jobs)
    floors = [wall for wall, _ in times["floor"]]
    for name, runs in times.items():
        walls = [wall for wall, _ in runs]
        line = f"{name}: {min(walls):.3f} s, CPU {min(cpu for _, cpu in runs):.2f} s"
        if name != "floor" and not name.startswith("one-hour"):
            ratios = sorted(wall / base for wall, base in zip(walls, floors, strict=True))
            line += (f"; {ratios[0]:.2f}x the floor (median {statistics.median(ratios):.2f}x,"
                     f" of the minima {min(walls) / min(floors):.2f}x)")  # fmt: skip
        print(line, flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(f"peak RSS of this process: {peak:.2f} GiB")


if __name__ == "__main__":
    main()
