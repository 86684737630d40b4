"""``vires-repo extract``: VirES's data download, synchronously into a file or stdout."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Literal

from cyclopts import Parameter

from vires_repo.cli import _common
from vires_repo.errors import UsageError
from vires_repo.timespec import parse_time_spec


def extract(
    *,
    collection: Annotated[
        list[str] | None, Parameter(name=["--collection", "-c"], negative_iterable="")
    ] = None,
    collections_json: Annotated[
        str | None, Parameter(name="--collections-json", allow_leading_hyphen=True)
    ] = None,
    begin: Annotated[str, Parameter(name="--begin")],
    end: Annotated[str, Parameter(name="--end")],
    variables: Annotated[str | None, Parameter(name="--variables")] = None,
    filter_: Annotated[str | None, Parameter(name="--filter")] = None,
    sampling_step: Annotated[str | None, Parameter(name="--sampling-step")] = None,
    models: Annotated[str | None, Parameter(name="--models")] = None,
    format_: Annotated[Literal["cdf", "csv", "parquet"], Parameter(name="--format")] = "cdf",
    csv_time_format: Annotated[
        Literal["ISO date-time", "MJD2000", "Unix epoch"], Parameter(name="--csv-time-format")
    ] = "ISO date-time",
    output: Annotated[str, Parameter(name=["--output", "-o"], allow_leading_hyphen=True)],
    sources_output: Annotated[str | None, Parameter(name="--sources-output")] = None,
    max_samples: Annotated[int | None, Parameter(name="--max-samples")] = None,
) -> None:
    """Extract the data of collections in a time window into one file (VirES's data download).

    Examples:

        vires-repo extract -c SW_OPER_MAGA_LR_1B --begin 2016-01-01 --end 2016-01-02 \\
            --variables F,B_NEC,Flags_B,OrbitDirection,QDLat,MLT --format parquet -o A.parquet
        vires-repo extract -c A=SW_FAST_MAGA_LR_1B+SW_OPER_MAGA_LR_1B -c B=SW_OPER_MAGB_LR_1B \\
            --begin 2016-01-01T00:00:00Z --end 2016-01-01T06:00:00Z --format csv -o -

    Every output has Spacecraft, Timestamp, Latitude, Longitude and Radius; a failed request
    leaves no output file.

    Parameters
    ----------
    collection
        A source: ``LABEL=COLL[+COLL...]`` or ``COLL`` (labelled COLL), repeatable. The first
        collection is the master, the others fill its gaps (same product type);
        ``COLL:IAGA`` selects an observatory.
    collections_json
        The sources as VirES's collection_ids JSON object ``{"label": ["COLL", ...]}``: the
        JSON text, or a file holding it ('-' reads standard input).
    begin
        Start of the window (inclusive): a date, a date-time (naive means UTC) or a
        duration before now.
    end
        End of the window (exclusive), as --begin.
    variables
        Comma-separated variables: any of the dataset's variables and the auxiliaries
        (OrbitDirection, QDOrbitDirection, OrbitNumber, Kp, Kp10, Dst, dDst, F107, F10_INDEX,
        QDLat, QDLon, MLT, SunZenithAngle, ...).
    filter_
        VirES filter expression, e.g. ``"Flags_B == 0 AND (QDLat > 60 OR QDLat < -60)"``.
    sampling_step
        Keep the first record of every step (ISO-8601 duration, e.g. PT10S).
    models
        Magnetic models (VirES model_ids): refused, model evaluation is out of scope here.
    format_
        Output format.
    csv_time_format
        How CSV writes times.
    output
        Output file: a local path, an fsspec URL (s3://bucket/key: uploaded once complete)
        or '-' (standard output).
    sources_output
        Also write the source products, one per line, to this file.
    max_samples
        Record limit of the request (default VirES's 6,912,000).
    """
    from vires_repo.services import extraction as service

    if (collection is None) == (collections_json is None):
        raise UsageError("give the sources with -c/--collection or --collections-json (one)")
    if collections_json is not None:
        text = collections_json
        if not text.lstrip().startswith("{"):
            text = _common.read_input(collections_json)[0].decode("utf-8")
        collection_ids = service.parse_collection_ids(text)
    else:
        collection_ids = service.parse_collection_options(collection or [])
    limits = service.Limits() if max_samples is None else service.Limits(max_samples=max_samples)
    request = service.ExtractionRequest(
        collection_ids=collection_ids,
        begin=parse_time_spec(begin),
        end=parse_time_spec(end),
        variables=[name.strip() for name in (variables or "").split(",") if name.strip()],
        filters=filter_ or "",
        sampling_step=sampling_step,
        model_ids=models or "",
        output_format=format_,
        csv_time_format=csv_time_format,
        limits=limits,
    )
    catalog = _common.session.catalog()
    with _common.progress_reporter("Extracting", "products") as progress:
        if output != "-":
            result = service.extract(
                catalog, request, output, sources_output=sources_output, progress=progress
            )
        else:
            with tempfile.TemporaryDirectory(prefix="vires-extract-") as scratch:
                path = Path(scratch) / f"output{service.EXTENSIONS[format_]}"
                result = service.extract(
                    catalog, request, path, sources_output=sources_output, progress=progress
                )
                with path.open("rb") as stream:
                    shutil.copyfileobj(stream, sys.stdout.buffer)
                sys.stdout.flush()
    _common.info(
        f"{result.records} record(s) from {len(result.source_products)} product(s) written "
        f"to {'standard output' if output == '-' else output}"
    )
