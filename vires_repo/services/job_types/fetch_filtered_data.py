"""Job type ``fetch_filtered_data``: VirES's asynchronous data download (``extract`` as a job).

The parameters are those of ``vires-repo extract``: ``collection_ids`` (VirES's JSON object
``{"label": ["COLL", ...]}``, or ``LABEL=COLL[+COLL]`` / ``COLL`` sources separated by commas),
``begin``, ``end`` (time specifications, stored resolved so that a retry asks for the same
window), ``variables``, ``filters``, ``sampling_step``, ``format`` and ``csv_time_format``.
The output and the list of source products go into the job's ``perm/<id>/`` under VirES's
response names (``<IDS>_<begin>_<end>_Filtered.<ext>`` and ``..._sources.txt``), moved there
from the scratch folder, never read into memory. Progress is reported per product read.

The owner needs every collection's ``requiredPermission``: checked when the job is submitted
(``admit``) and again when it runs (the groups may have changed in between). VirES's per-owner
limit on active jobs is the queue's (``VIRES_MAX_ACTIVE_JOBS``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from vires_repo.jobs.job_type import JobContext, JobOutcome, JobType


class FetchParameters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    collection_ids: dict[str, list[str]] = Field(
        description='Sources: {"label": ["COLL", ...]} as JSON, or LABEL=COLL[+COLL],... .'
    )
    begin: datetime = Field(description="Start of the window (inclusive), a time spec.")
    end: datetime = Field(description="End of the window (exclusive), a time spec.")
    variables: list[str] = Field(default_factory=list, description="Variables to extract.")
    filters: str = Field(default="", description="VirES filter expression.")
    sampling_step: str | None = Field(default=None, description="ISO-8601 duration, e.g. PT10S.")
    format: Literal["cdf", "csv", "parquet"] = Field(default="cdf", description="Output format.")
    csv_time_format: Literal["ISO date-time", "MJD2000", "Unix epoch"] = Field(
        default="ISO date-time", description="How CSV writes times."
    )

    @field_validator("collection_ids", mode="before")
    @classmethod
    def _sources(cls, value: Any) -> Any:
        from vires_repo.extraction.request import parse_collection_ids, parse_collection_options

        if isinstance(value, list):  # KEY=A,B gives a list
            value = ",".join(str(item) for item in value)
        if not isinstance(value, str):
            return value
        if value.lstrip().startswith("{"):
            return parse_collection_ids(value)
        return parse_collection_options([spec for spec in value.split(",") if spec.strip()])

    @field_validator("begin", "end", mode="before")
    @classmethod
    def _time(cls, value: Any) -> Any:
        from vires_repo.timespec import parse_time_spec

        return parse_time_spec(value) if isinstance(value, str) else value


def collections_of(collection_ids: Mapping[str, Sequence[str]]) -> list[str]:
    """Every collection a request names (observatory suffixes and ``+`` groups split)."""
    names: list[str] = []
    for items in collection_ids.values():
        for item in items:
            for name in item.partition(":")[0].split("+"):
                if name.strip() and name.strip() not in names:
                    names.append(name.strip())
    return names


def check_permissions(catalog_root: str, owner: str | None, parameters: FetchParameters) -> None:
    """PermissionDeniedError naming the first collection whose ``requiredPermission`` the
    owner lacks (unknown collections are left to the request's own checks)."""
    from vires_repo.catalog import Catalog
    from vires_repo.errors import NotFoundError, PermissionDeniedError
    from vires_repo.jobs.permissions import owner_has_permission

    catalog = Catalog(catalog_root)
    for name in collections_of(parameters.collection_ids):
        try:
            required = catalog.product_collections.load(name).get("requiredPermission")
        except NotFoundError:
            continue
        if required and not owner_has_permission(catalog, owner, str(required)):
            raise PermissionDeniedError(
                f"{'owner ' + owner if owner else 'a job without owner'} may not read "
                f"collection {name}: it requires permission {required!r}, which none of the "
                "owner's groups grants"
            )


def admit(catalog_root: str, owner: str | None, parameters: FetchParameters) -> None:
    check_permissions(catalog_root, owner, parameters)


def run(context: JobContext, parameters: FetchParameters) -> JobOutcome:
    from vires_repo.catalog import Catalog
    from vires_repo.jobs.permissions import owner_permissions
    from vires_repo.services.extraction import (
        EXTENSIONS,
        ExtractionRequest,
        extract,
        output_basename,
    )

    check_permissions(context.catalog_root, context.owner, parameters)
    catalog = Catalog(context.catalog_root)
    request = ExtractionRequest(
        collection_ids=parameters.collection_ids,
        begin=parameters.begin,
        end=parameters.end,
        variables=parameters.variables,
        filters=parameters.filters,
        sampling_step=parameters.sampling_step,
        output_format=parameters.format,
        csv_time_format=parameters.csv_time_format,
        permissions=owner_permissions(catalog, context.owner),
    )
    base = output_basename(parameters.collection_ids, parameters.begin, parameters.end)
    name, sources = f"{base}{EXTENSIONS[parameters.format]}", f"{base}_sources.txt"
    scratch = context.temp_folder
    with tempfile.TemporaryDirectory(
        prefix="vires-job-", dir=scratch if Path(scratch).is_dir() else None
    ) as folder:  # the scratch folder when it is local, else a local temporary one
        result = extract(
            catalog,
            request,
            f"{folder}/{name}",
            sources_output=f"{folder}/{sources}",
            progress=context.progress,
        )
        context.publish_file(name, result.output)
        context.publish_file(sources, f"{folder}/{sources}")
    return JobOutcome(
        f"{result.records} record(s) from {len(result.source_products)} product(s) "
        f"written to {name}"
    )


JOB_TYPE = JobType(
    name="fetch_filtered_data",
    summary="Extract the data of collections in a time window (as 'extract'), into perm/<id>/.",
    parameters=FetchParameters,
    run=run,
    rerun_safe=True,
    admit=admit,
    writes_catalogue=False,
)
