"""The manifest of a stored orbit-direction table: ``orbit_direction/<TABLE>/_manifest.json``.

It names the table and its key, the time of the last change and, one line per month, the
content hashes of the month's points and sources files and the latest end time of the month's
sources (so that the sources overlapping a time window are found without reading every month).
Written in the canonical manifest layout of :mod:`vires_repo.manifests` (a daily update is a
one-line diff); replacing it is the commit point of a write. A manifest of an older format
version is refused with the command that replaces the table (a rebuild does not read it).
"""

from __future__ import annotations

import json
from typing import Annotated, Literal

import numpy as np
from pydantic import AfterValidator, PlainSerializer, PlainValidator, StringConstraints

from vires_repo.errors import IndexFormatError
from vires_repo.manifest_model import ManifestModel, validate
from vires_repo.manifests import manifest_text, parse_manifest
from vires_repo.orbit_direction.missions import TableKey
from vires_repo.timescales import format_ms, month_of, to_datetime64

MANIFEST_NAME = "_manifest.json"
FORMAT_VERSION = 2
"""2: the manifest in the shared canonical layout and partition files with a format tag."""
POINTS_FOLDER = "points"
SOURCES_FOLDER = "sources"
"""The folders of a table's Parquet files, below the table's folder."""
_REBUILD_COMMAND = "vires-repo orbit_direction rebuild"
_WHAT = "orbit-direction table"


def _month(value: str) -> str:
    return month_of(np.datetime64(value, "M"))


def _time_ms(value: object) -> np.datetime64:
    if isinstance(value, np.datetime64):
        return to_datetime64(value, "ms")
    if isinstance(value, str):
        return to_datetime64(value.removesuffix("Z"), "ms")
    raise ValueError("expected an ISO-8601 UTC time")


Month = Annotated[str, AfterValidator(_month)]
"""A calendar month, ``YYYY-MM``."""
ContentHash = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]+$")]
"""The hex content hash in a partition file's name: nothing that could name another folder."""
TimeMs = Annotated[
    np.datetime64, PlainValidator(_time_ms), PlainSerializer(format_ms, return_type=str)
]
"""A ``datetime64[ms]``, written as ``2016-02-01T00:00:00.000Z``."""


class MonthEntry(ManifestModel):
    """The files of one month: content hashes (None: no such rows) and the latest source end."""

    month: Month
    points: ContentHash | None = None
    sources: ContentHash | None = None
    sources_end: TimeMs | None = None

    def points_file(self) -> str | None:
        return f"{POINTS_FOLDER}/{self.month}-{self.points}.parquet" if self.points else None

    def sources_file(self) -> str | None:
        return f"{SOURCES_FOLDER}/{self.month}-{self.sources}.parquet" if self.sources else None

    def files(self) -> list[str]:
        return [f for f in (self.points_file(), self.sources_file()) if f]


class TableManifest(ManifestModel):
    """What ``_manifest.json`` holds: the table's name and key, last change and months (sorted)."""

    format_version: int = FORMAT_VERSION
    table: str
    mission: str
    spacecraft: str | None
    grade: str | None
    kind: Literal["GEO", "QD"]
    updated: str | None = None
    months: tuple[MonthEntry, ...] = ()

    @classmethod
    def of(
        cls,
        name: str,
        key: TableKey,
        updated: str | None = None,
        months: tuple[MonthEntry, ...] = (),
    ) -> TableManifest:
        return cls(
            table=name,
            mission=key.mission,
            spacecraft=key.spacecraft,
            grade=key.grade,
            kind=key.kind,
            updated=updated,
            months=months,
        )

    @property
    def name(self) -> str:
        return self.table

    @property
    def key(self) -> TableKey:
        return TableKey(self.mission, self.spacecraft, self.grade, self.kind)

    def dumps(self) -> str:
        """The canonical text: same manifest, same bytes."""
        document = self.model_dump(mode="json")
        months = document.pop("months")
        return manifest_text(document, "months", months)

    @classmethod
    def loads(cls, text: bytes, where: str) -> TableManifest:
        """The manifest in ``text``; :class:`IndexFormatError` for anything else, naming the
        command that replaces a table of an older format."""
        try:
            document = parse_manifest(text, where, _WHAT, FORMAT_VERSION)
        except IndexFormatError:
            found = _declared_version(text)
            if found is not None and found < FORMAT_VERSION:
                raise IndexFormatError(
                    f"{where} has {_WHAT} format version {found}, which this vires_repo no "
                    f"longer reads; run '{_REBUILD_COMMAND}' to rebuild the table (or import "
                    "its VirES table file again)"
                ) from None
            raise
        return validate(cls, document, where)


def _declared_version(text: bytes) -> int | None:
    """The integer ``format_version`` a manifest declares, if it declares one."""
    try:
        document = json.loads(text)
    except ValueError:
        return None
    found = document.get("format_version") if isinstance(document, dict) else None
    return found if isinstance(found, int) and not isinstance(found, bool) else None
