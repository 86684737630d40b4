"""``extract``: the data of sources in a time window as one CDF, CSV or Parquet file.

VirES's ``fetch_filtered_data`` (reference vires-data-extraction.md). :func:`extract` is the
whole use case: synchronous from the CLI, and what the ``fetch_filtered_data`` job type wraps
(an output path, a progress callback and the owner's permissions). The output is written to a
temporary file next to it and renamed at the end, so a failed request leaves no file; an
output URL (object storage) gets the finished file in one upload.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from vires_repo import __version__
from vires_repo.catalog import Catalog
from vires_repo.definitions.models import grade_of
from vires_repo.errors import ExtractionRequestError
from vires_repo.extraction.auxiliaries import AUXILIARY_VARIABLES, AuxiliarySource
from vires_repo.extraction.filters import format_node, parse_filter
from vires_repo.extraction.pipeline import Processing, Progress, plan_slices, run
from vires_repo.extraction.request import (
    Limits,
    check_time_window,
    output_basename,
    parse_collection_ids,
    parse_collection_options,
    resolve_sources,
)
from vires_repo.extraction.sampling import parse_sampling_step, sample_indices
from vires_repo.extraction.variables import MANDATORY, check_no_models, plan_variables
from vires_repo.extraction.writers import open_writer
from vires_repo.extraction.writers.base import (
    CSV_TIME_FORMATS,
    EXTENSIONS,
    FORMATS,
    CsvTimeFormat,
    OutputFormat,
    OutputHeader,
    source_products_text,
)
from vires_repo.io.locations import is_url
from vires_repo.io.storage import Storage
from vires_repo.timescales import to_datetime64, to_utc

__all__ = [
    "CSV_TIME_FORMATS",
    "EXTENSIONS",
    "FORMATS",
    "CsvTimeFormat",
    "ExtractionRequest",
    "ExtractionResult",
    "Limits",
    "OutputFormat",
    "Progress",
    "extract",
    "output_basename",
    "parse_collection_ids",
    "parse_collection_options",
]


@dataclass(frozen=True)
class ExtractionRequest:
    """One data request, with VirES's inputs (reference section 1.1)."""

    collection_ids: Mapping[str, Sequence[str]]
    """``{label: [collection, ...]}``: the first collection of a label is the master, the
    others fill its gaps; ``COLLECTION:IAGA`` for an observatory."""
    begin: datetime
    end: datetime
    variables: Sequence[str] = ()
    filters: str = ""
    sampling_step: str | None = None
    """ISO-8601 duration (``PT10S``)."""
    model_ids: str = ""
    """Magnetic models: refused, model evaluation is out of scope."""
    output_format: OutputFormat = "cdf"
    csv_time_format: CsvTimeFormat = "ISO date-time"
    limits: Limits = field(default_factory=Limits)
    permissions: Collection[str] | None = None
    """The caller's permissions (``None``: no check); other collections are unknown."""


@dataclass(frozen=True)
class ExtractionResult:
    output: str
    source_products: list[str]
    records: int
    products: int


def extract(
    catalog: Catalog,
    request: ExtractionRequest,
    output: str | os.PathLike[str],
    *,
    sources_output: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
) -> ExtractionResult:
    """Run ``request`` into ``output``, a local file or an fsspec URL (and the source product
    list into ``sources_output``, one identifier per CRLF line, if given).

    Raises :class:`~vires_repo.errors.ExtractionRequestError` for a request VirES rejects;
    on any failure no output file is left behind.
    """
    catalog.require_existing()
    if request.output_format not in FORMATS:
        raise ExtractionRequestError(f"Unexpected output format '{request.output_format}'!")
    if request.csv_time_format not in CSV_TIME_FORMATS:
        raise ExtractionRequestError(
            f"Invalid input value of 'csv_time_format'! '{request.csv_time_format}' is not one "
            f"of {', '.join(CSV_TIME_FORMATS)}"
        )
    check_no_models(request.model_ids)
    sources = resolve_sources(catalog, request.collection_ids, request.permissions)
    step = parse_sampling_step(request.sampling_step) if request.sampling_step else None
    begin, end = to_utc(request.begin), to_utc(request.end)
    check_time_window(begin, end, sources, step, request.limits)
    row_filter = parse_filter(request.filters)
    for source in sources:
        row_filter.check_variables([*source.variables, *AUXILIARY_VARIABLES, *MANDATORY])
    auxiliaries = AuxiliarySource(catalog, begin, end)
    columns, plans = plan_variables(
        sources,
        request.variables,
        AUXILIARY_VARIABLES,
        sorted(row_filter.variables),
        offered=lambda source, name: auxiliaries.available(
            name,
            mission=str(source.master.definition.get("mission") or ""),
            spacecraft=source.master.definition.get("spacecraft") or None,
            grade=grade_of(dict(source.master.definition)),
        ),
    )
    slices = plan_slices(catalog, plans, to_datetime64(begin), to_datetime64(end))
    processing = Processing(
        auxiliaries=auxiliaries,
        row_filter=row_filter or None,
        sampling_step=step or None,
        sampler=sample_indices,
        max_samples=request.limits.max_samples,
    )
    header = OutputHeader(
        begin=begin,
        end=end,
        labels=[source.label for source in sources],
        filters=[format_node(part) for part in row_filter.parts],
        csv_time_format=request.csv_time_format,
        title=Path(output).name,
        creator=f"vires-repo {__version__}",
    )
    with contextlib.ExitStack() as stack:
        scratch = stack.enter_context(_replacing(os.fspath(output)))
        writer = open_writer(request.output_format, str(scratch), columns, header)
        try:
            result = run(plans, slices, writer, processing, progress)
        except BaseException:
            writer.discard()
            raise
        source_products = sorted({*result.source_products, *auxiliaries.source_products})
        writer.close(source_products)
        if sources_output is not None:
            listing = stack.enter_context(_replacing(os.fspath(sources_output)))
            listing.write_text(source_products_text(source_products), newline="")
    return ExtractionResult(str(output), source_products, result.records, result.products)


@contextlib.contextmanager
def _replacing(target: str) -> Iterator[Path]:
    """A local scratch path for ``target``, which appears whole when the block succeeds and
    not at all when it fails: a local file is renamed onto it (same folder), a URL gets the
    finished file through the storage seam (:meth:`Storage.move_in`: one upload)."""
    if is_url(target):
        with tempfile.TemporaryDirectory(prefix="vires-extract-") as folder:
            scratch = Path(folder) / target.rsplit("/", 1)[-1]
            yield scratch
            folder_url, name = target.rsplit("/", 1)
            Storage(folder_url).move_in(name, scratch)
        return
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f".{path.name}.{secrets.token_hex(8)}.part")
    try:
        yield scratch
        scratch.replace(path)
    finally:
        scratch.unlink(missing_ok=True)
