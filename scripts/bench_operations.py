"""Benchmark of the operations on a large catalogue (not part of the test suite).

Builds a catalogue of 1,000,000 products in 150 collections (the synthetic records of
``bench_product_index.py``, one definition per collection), with orbit-direction tables (a
year of a 10 s Swarm A orbit, as ``bench_orbit_direction.py`` makes them) and cached products
(the auxiliary samples of the tests), committed in a git repository, then times full
``vires-repo`` commands (process start included) against the targets of issue 15:

* ``backup create`` to a local folder (<= 30 s; ``check`` runs first and is included);
* ``backup verify`` of that backup (<= 30 s);
* an incremental ``sync`` to a local replica after one day of registrations, one product in
  each of the 150 collections (<= 3 s; it must copy only the changed files);
* ``mirror`` of the whole catalogue to S3, moto's server on loopback (<= 60 s).

Each figure is the minimum of ``--repeat`` runs (the machine may be shared with other work:
the minimum is the least disturbed run).

Usage: ``python scripts/bench_operations.py [--root DIR] [--products N] [--collections N]
[--repeat N]`` (``--root`` keeps the catalogue; an existing one is reused)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import numpy as np
from bench_orbit_direction import FIRST_DAY, history_tables
from bench_product_index import START, collection_names, duration_of, make_record, synthesize

from vires_repo.catalog import Catalog
from vires_repo.orbit_direction.missions import TableKey
from vires_repo.orbit_direction.store import TableStore, write_table
from vires_repo.orbit_direction.table import OrbitDirectionTable, Source
from vires_repo.services import cached_product, product_collection, product_type

REPO_ROOT = Path(__file__).resolve().parent.parent
AUX = REPO_ROOT / "tests" / "data" / "aux"
MODELS = REPO_ROOT / "tests" / "data" / "models"
CACHED_SOURCES = {
    "AUXAORBCNT": AUX / "SW_OPER_AUXAORBCNT_sample.TXT",
    "AUX_F10_2_": AUX / "SW_OPER_AUX_F10_2__sample.DBL",
    "GFZ_AUX_KP": AUX / "Kp_MJD_1998_QL_sample.dat",
    "GFZ_AUX_DST": AUX / "Dst_MJD_1998_sample.dat",
    "MCO_SHA_2C": MODELS / "SW_OPER_MCO_SHA_2C.shc",
}
TABLE_DAYS = 365
TARGETS = {"backup create": 30.0, "backup verify": 30.0, "sync": 3.0, "mirror to S3": 60.0}
BUILT_MARKER = ".bench-operations-built"


def vires_repo(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "vires_repo", "-v", "1", *argv],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    if done.returncode:
        raise SystemExit(f"vires-repo {' '.join(argv)} failed ({done.returncode}):\n{done.stderr}")
    return done


def git(cwd: Path, *argv: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.org", *argv],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


# -- the catalogue -------------------------------------------------------------------------


def build(catalogue: Path, products: int, collections: int) -> list[str]:
    """The catalogue (reused when a previous run built it); the collection names."""
    names = collection_names(collections)
    if (catalogue.parent / BUILT_MARKER).exists():
        print(f"reusing the catalogue in {catalogue}")
        return names
    start = time.perf_counter()
    catalog = Catalog(str(catalogue))
    assert not product_type.import_types(catalog, product_type.default_types()).failures
    template = next(
        c for c in product_collection.default_collections() if c["name"] == "SW_OPER_MAGA_LR_1B"
    )
    definitions = [{**template, "name": name, "calculateOrbitDirection": False} for name in names]
    assert not product_collection.import_collections(catalog, definitions).failures
    catalog.products.bulk_upsert(synthesize(names, -(-products // collections)))
    print(f"  products indexed in {time.perf_counter() - start:.0f} s")
    write_orbit_tables(catalog, names[0])
    for type_id, source in CACHED_SOURCES.items():
        cached_product.update_cached_product(catalog, type_id, [str(source)])
    (catalogue.parent / ".gitignore").write_text(".state/\n")
    git(catalogue.parent, "init", "--quiet", "--initial-branch=main")
    git(catalogue.parent, "add", "--all")
    git(catalogue.parent, "commit", "--quiet", "-m", "catalogue")
    (catalogue.parent / BUILT_MARKER).touch()
    print(f"  built in {time.perf_counter() - start:.0f} s")
    return names


def write_orbit_tables(catalog: Catalog, collection: str) -> None:
    """A year of Swarm A tables whose sources are the first products of ``collection``."""
    geo, qd = history_tables(TABLE_DAYS)
    sources = []
    for day in range(TABLE_DAYS):
        record = make_record(collection, START + timedelta(days=day), timedelta(days=1))
        begin = (FIRST_DAY + np.timedelta64(day, "D")).astype("datetime64[ms]")
        sources.append(Source(record.identifier, begin, begin + np.timedelta64(86399, "s")))
    store = TableStore(catalog.storage)
    for kind, boundaries in (("GEO", geo), ("QD", qd)):
        write_table(
            store, OrbitDirectionTable(TableKey("Swarm", "A", None, kind), boundaries, sources)
        )


def register_one_day(catalogue: Path, names: list[str], day: int) -> None:
    """One new product in each collection, each its own write (a day of registrations)."""
    index = Catalog(str(catalogue)).products
    for number, name in enumerate(names):
        duration = duration_of(number)
        begin = START + timedelta(days=20_000 + day)
        index.upsert(name, [make_record(name, begin, duration)])


def catalogue_bytes(catalogue: Path) -> tuple[int, int]:
    files = [p for p in catalogue.rglob("*") if p.is_file() and ".state" not in p.parts]
    return len(files), sum(p.stat().st_size for p in files)


# -- timing --------------------------------------------------------------------------------


def minimum(
    label: str,
    repeat: int,
    action: Callable[[int], subprocess.CompletedProcess[str]],
    prepare: Callable[[int], None] = lambda _run: None,
) -> tuple[float, str]:
    """Min wall time of ``action(run)`` over ``repeat`` runs (each after an untimed
    ``prepare(run)``), and the last run's summary line."""
    times, summary = [], ""
    for run in range(repeat):
        prepare(run)
        start = time.perf_counter()
        done = action(run)
        times.append(time.perf_counter() - start)
        info = [line for line in done.stderr.splitlines() if line.startswith("INFO: ")]
        summary = info[-1][len("INFO: ") :] if info else ""
    best = min(times)
    verdict = "ok" if best <= TARGETS[label] else "OVER TARGET"
    runs = ", ".join(f"{t:.2f}" for t in times)
    print(
        f"{label + ':':16} {best:6.2f} s (target <= {TARGETS[label]:g} s, {verdict}; runs {runs})"
    )
    if summary:
        print(f"{'':18}{summary}")
    return best, summary


def s3_environment(endpoint: str) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "FSSPEC_"))}
    environment.update(
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_EC2_METADATA_DISABLED="true",
        FSSPEC_S3=json.dumps({"client_kwargs": {"endpoint_url": endpoint}}),
        NO_PROXY="127.0.0.1,localhost",
    )
    return environment


def bench_mirror_to_s3(catalogue: Path, repeat: int) -> None:
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        environment = s3_environment(f"http://{host}:{port}")
        bucket = f"bench-{uuid.uuid4().hex[:12]}"
        subprocess.run(
            [sys.executable, "-c", f"import fsspec; fsspec.filesystem('s3').mkdir('{bucket}')"],
            env=environment,
            check=True,
        )

        def mirror(run: int) -> subprocess.CompletedProcess[str]:
            dest = f"s3://{bucket}/mirror-{run}"
            return vires_repo("mirror", "--source", str(catalogue), "--dest", dest, env=environment)

        minimum("mirror to S3", repeat, mirror)
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, help="work folder (default: a temporary one)")
    parser.add_argument("--products", type=int, default=1_000_000)
    parser.add_argument("--collections", type=int, default=150)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()

    work = options.root or Path(tempfile.mkdtemp(prefix="bench-operations-"))
    catalogue = work / "repository" / "catalog"
    print(f"work folder: {work}")
    names = build(catalogue, options.products, options.collections)
    files, size = catalogue_bytes(catalogue)
    print(
        f"catalogue: {-(-options.products // options.collections) * len(names):,} products in "
        f"{len(names)} collections, orbit-direction tables, {len(CACHED_SOURCES)} cached "
        f"products; {files} files, {size / 2**20:.1f} MiB, in git"
    )
    print(f"timings: min of {options.repeat} runs (the machine may be shared)")
    backups = work / "backups"

    minimum(
        "backup create",
        options.repeat,
        lambda _run: vires_repo(
            "--catalog", str(catalogue), "backup", "create", "--dest", str(backups)
        ),
        prepare=lambda _run: time.sleep(1.1),  # backup IDs have a resolution of one second
    )
    minimum(
        "backup verify",
        options.repeat,
        lambda _run: vires_repo("backup", "verify", "latest", "--dest", str(backups)),
    )

    replica = work / f"replica-{uuid.uuid4().hex[:8]}"
    vires_repo("--catalog", str(replica), "sync", "--source", str(catalogue))

    def sync(run: int) -> subprocess.CompletedProcess[str]:
        done = vires_repo("--catalog", str(replica), "sync", "--source", str(catalogue))
        copied = re.search(r"(\d+) data file\(s\) and (\d+) manifest\(s\) copied", done.stderr)
        assert copied, done.stderr
        print(
            f"  sync after day {run + 1}: {copied.group(1)} data files and {copied.group(2)} "
            "manifests copied"
        )
        return done

    minimum(
        "sync",
        options.repeat,
        sync,
        prepare=lambda run: register_one_day(catalogue, names, run),  # a day of registrations
    )
    bench_mirror_to_s3(catalogue, options.repeat)


if __name__ == "__main__":
    main()
