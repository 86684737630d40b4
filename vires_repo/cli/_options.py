"""The options that several command groups share, declared once as cyclopts annotations (so
that :mod:`vires_repo.cli._common` and the lookups' quick path need no cyclopts).

The selection options (``-t``, ``-m``, ``-s``, ``-g``, ``-c``) are the aliases below; each
command says in its help what they restrict there (products, collections or orbit-direction
sources). ``ProductOptions`` are the product selection of ``product list|exists|export|import|
deregister``, ``CollectionOptions`` the collection filters of ``product_collection
list|export|remove``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

from cyclopts import Parameter

if TYPE_CHECKING:  # the models import pydantic, which --help does not need
    from vires_repo.definitions.selection import CollectionFilter
    from vires_repo.products.selection import ProductSelection

Values = list[str] | None
ProductTypes = Annotated[Values, Parameter(name=["--product-type", "-t"])]
Missions = Annotated[Values, Parameter(name=["--mission", "-m"])]
Spacecrafts = Annotated[Values, Parameter(name=["--spacecraft", "-s"])]
Grades = Annotated[Values, Parameter(name=["--grade", "--class", "-g"])]
Collections = Annotated[Values, Parameter(name=["--collection", "--product-collection", "-c"])]


def _time_spec(type_: Any, tokens: Any) -> datetime:
    from vires_repo.timespec import parse_time_spec

    return parse_time_spec(tokens[0].value)


TimeSpec = Annotated[datetime | None, Parameter(converter=_time_spec)]


@Parameter(name="*")
@dataclass
class ProductOptions:
    """The product selection options shared by list, exists, export, import and deregister."""

    product_type: ProductTypes = None
    "Only products of this product type (repeat for several)."
    mission: Missions = None
    "Only products of collections of this mission."
    spacecraft: Spacecrafts = None
    "Only products of collections of this spacecraft."
    grade: Grades = None
    "Only products of collections of this grade (e.g. FAST)."
    collection: Collections = None
    "Only products of this collection."
    location: Annotated[bool, Parameter(name=["--location", "--product-location", "-l"])] = False
    "The arguments are data-file locations, not product identifiers."
    after: TimeSpec = None
    "Only products beginning at or after this time (date, date-time or duration before now)."
    before: TimeSpec = None
    "Only products ending before this time."
    created_after: TimeSpec = None
    "Only products registered at or after this time."
    created_before: TimeSpec = None
    "Only products registered before this time."
    updated_after: TimeSpec = None
    "Only products updated at or after this time."
    updated_before: TimeSpec = None
    "Only products updated before this time."
    invalid_only: Annotated[bool, Parameter(name=["--invalid-only", "--invalid"])] = False
    "Only products whose data file is missing (each one is reported)."

    def build(self, arguments: list[str] | None) -> ProductSelection:
        """The selection of the products named by ``arguments`` (locations with ``-l``)."""
        from vires_repo.products.selection import ProductSelection

        named = tuple(arguments or ())
        return ProductSelection(
            identifiers=() if self.location else named,
            locations=named if self.location else (),
            product_types=tuple(self.product_type or ()),
            missions=tuple(self.mission or ()),
            spacecrafts=tuple(self.spacecraft or ()),
            grades=tuple(self.grade or ()),
            collections=tuple(self.collection or ()),
            after=self.after,
            before=self.before,
            created_after=self.created_after,
            created_before=self.created_before,
            updated_after=self.updated_after,
            updated_before=self.updated_before,
            invalid_only=self.invalid_only,
        )


@Parameter(name="*")
@dataclass
class CollectionOptions:
    """The collection filters shared by list, export and remove."""

    product_type: ProductTypes = None
    "Only collections of this product type."
    mission: Missions = None
    "Only collections of this mission."
    spacecraft: Spacecrafts = None
    "Only collections of this spacecraft."
    grade: Grades = None
    "Only collections of this grade (e.g. FAST)."

    def build(self, identifiers: list[str] | None) -> CollectionFilter:
        from vires_repo.definitions.selection import CollectionFilter

        return CollectionFilter(
            identifiers=tuple(identifiers or ()),
            product_types=tuple(self.product_type or ()),
            missions=tuple(self.mission or ()),
            spacecrafts=tuple(self.spacecraft or ()),
            grades=tuple(self.grade or ()),
        )


# -- jobs and files ---------------------------------------------------------------------------

JobsRoot = Annotated[
    str | None,
    Parameter(
        name="--jobs-root",
        help="Jobs root: the job folders (and, when local, the SQLite database of the records "
        "and the queue); a folder or an fsspec URL. Default: $VIRES_JOBS_ROOT, else "
        "CATALOGUE/.state/jobs. The records go to $VIRES_JOBS_DB when set "
        "(postgresql://...).",
    ),
]
"""The one ``--jobs-root`` option of every job and worker command (``session.jobs(value)``)."""

InputFile = Annotated[
    str,
    Parameter(
        name=["--file", "-f"],
        allow_leading_hyphen=True,
        help="Input file (a local path or an fsspec URL); '-' reads standard input.",
    ),
]
OutputFile = Annotated[
    str,
    Parameter(
        name=["--file", "-f"],
        allow_leading_hyphen=True,
        help="Output file; '-' writes to standard output.",
    ),
]
