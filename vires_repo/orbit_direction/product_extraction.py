"""The boundaries of one product, extracted with its neighbours' edges: the unit of an update.

A :class:`ExtractionJob` names a product file and its neighbours' files; running it reads the
product whole and the neighbours' edges (reference 8.4) and extracts the GEO and QD boundaries.
The result carries no samples, so jobs can run in worker processes (:func:`extract_products`)
while the caller merges the results into the tables in time order.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from vires_repo.errors import ViresRepoError
from vires_repo.orbit_direction.extract import Boundaries, OrbitSamples, extract_orbit_directions
from vires_repo.orbit_direction.missions import OrbitDirectionThresholds
from vires_repo.orbit_direction.positions import read_edge, read_positions
from vires_repo.orbit_direction.qd import extract_qd_orbit_directions
from vires_repo.orbit_direction.table import ProductInput, prepare_product_input
from vires_repo.parallel import ordered_map

_PARALLEL_MIN_PRODUCTS = 12
"""From this many products a worker process pays (measured on 2 cores with
``scripts/bench_floor.py``): a daily 1 Hz product takes 23-25 ms of CPU, a worker 0.19-0.22 s
of CPU to start (interpreter, numpy, cdflib, apexpy), during which this process goes on alone
(parallel.py); the worker gains from about 9 products, 12 leaves a margin for a busy machine,
where the worker's start-up competes with this process."""


@dataclass(frozen=True)
class ExtractedProduct:
    """The boundaries of one product with its neighbours' edges (no samples: picklable and
    small, so that extraction can run in worker processes)."""

    product_id: str
    product: ProductInput
    geo: Boundaries
    qd: Boundaries
    warnings: tuple[str, ...]


def extract_product(
    thresholds: OrbitDirectionThresholds,
    product_id: str,
    samples: OrbitSamples,
    previous: OrbitSamples | None,
    next_samples: OrbitSamples | None,
) -> ExtractedProduct:
    """GEO and QD boundaries of a product's samples joined with its neighbours' edges."""
    product = prepare_product_input(
        samples,
        previous,
        next_samples,
        nominal_sampling=thresholds.nominal_sampling,
        gap_threshold=thresholds.gap_threshold,
    )
    warnings = [
        f"{product_id} ({role} samples): {message}"
        for role, issues in product.issues
        for message in issues.messages()
    ]
    geo = extract_orbit_directions(
        product.samples.times,
        product.samples.latitudes,
        thresholds.nominal_sampling,
        thresholds.gap_threshold,
    )
    qd = extract_qd_orbit_directions(
        product.samples, thresholds.nominal_sampling, thresholds.gap_threshold
    )
    if geo.skipped_nan or qd.skipped_nan:
        warnings.append(f"{product_id}: NaN value detected and skipped!")
    empty = product.samples.take(np.empty(0, np.int64))  # new empty arrays, no views
    return ExtractedProduct(
        product_id,
        replace(product, samples=empty),
        geo.boundaries,
        qd.boundaries,
        tuple(warnings),
    )


@dataclass(frozen=True)
class ExtractionJob:
    """What a worker needs to extract one product: the files of the product and of its
    neighbours (None: no such neighbour, or it has no file) and the product's start."""

    thresholds: OrbitDirectionThresholds
    product_id: str
    location: str
    previous_location: str | None
    next_location: str | None
    start: np.datetime64

    def locations(self) -> list[str]:
        found = (self.location, self.previous_location, self.next_location)
        return [location for location in found if location is not None]


def run_extraction_job(job: ExtractionJob) -> ExtractedProduct | str:
    """Read a product and its neighbours' edges and extract; an error is returned as its
    message. An unreadable neighbour is left out of the context (the tables keep whatever
    that neighbour contributed)."""
    try:
        samples = read_positions(job.location)
    except (ViresRepoError, ValueError, OSError) as error:
        return str(error)
    previous = next_samples = None
    if job.previous_location is not None:
        with contextlib.suppress(ViresRepoError, ValueError, OSError):
            previous = read_edge(job.previous_location, "tail", job.start)
    if job.next_location is not None:
        with contextlib.suppress(ViresRepoError, ValueError, OSError):
            next_samples = read_edge(job.next_location, "head")
    try:
        return extract_product(job.thresholds, job.product_id, samples, previous, next_samples)
    except (ViresRepoError, ValueError, OSError) as error:
        return str(error)


def extract_products(jobs: Sequence[ExtractionJob]) -> Iterable[ExtractedProduct | str]:
    """The outcome of each job, in order: in worker processes for many local files.

    Files behind a URL are read in this process, one after the other: their filesystem
    objects (e.g. ``memory://``) live here, and CDF reading is pure Python, which threads
    would not speed up.
    """
    if any("://" in location for job in jobs for location in job.locations()):
        return map(run_extraction_job, jobs)
    # small claims (one product up to 60): a product takes 25 ms, a claim microseconds, and
    # the processes then finish together
    return ordered_map(
        run_extraction_job, jobs, min_parallel=_PARALLEL_MIN_PRODUCTS, chunks_per_worker=16
    )
