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
import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any, Literal, get_args

import numpy as np

from vires_repo.errors import IndexFormatError
from vires_repo.manifest_checks import checked_field, json_list, malformed, only_keys, string
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
_CONTENT_HASH = re.compile(r"^[0-9a-f]+$")
"""The hex content hash in a partition file's name: nothing that could name another folder."""
Kind = Literal["GEO", "QD"]


@dataclass(frozen=True, slots=True)
class MonthEntry:
    """The files of one month: content hashes (None: no such rows) and the latest source end.

    A plain dataclass checked by :meth:`TableManifest.loads`, not a pydantic model: every
    registration into a source collection reads two of these manifests, and pydantic's
    models of them cost 8 ms of its start-up (``scripts/bench_floor.py``)."""

    month: str
    """A calendar month, ``YYYY-MM``."""
    points: str | None = None
    sources: str | None = None
    sources_end: np.datetime64 | None = None
    """A ``datetime64[ms]``, written as ``2016-02-01T00:00:00.000Z``."""

    def points_file(self) -> str | None:
        return f"{POINTS_FOLDER}/{self.month}-{self.points}.parquet" if self.points else None

    def sources_file(self) -> str | None:
        return f"{SOURCES_FOLDER}/{self.month}-{self.sources}.parquet" if self.sources else None

    def files(self) -> list[str]:
        return [f for f in (self.points_file(), self.sources_file()) if f]

    def to_json(self) -> dict[str, Any]:
        end = None if self.sources_end is None else format_ms(self.sources_end)
        return {
            "month": self.month,
            "points": self.points,
            "sources": self.sources,
            "sources_end": end,
        }

    @classmethod
    def from_json(cls, value: Any, where: str, prefix: str) -> MonthEntry:
        """The entry in ``value`` (as :meth:`to_json` writes it); IndexFormatError naming the
        first wrong key otherwise."""
        if not isinstance(value, dict):
            raise malformed(where, prefix.rstrip("."), "Input should be a valid dictionary")
        only_keys(value, _MONTH_KEYS, where, prefix)
        checked = {"month": checked_field(value, "month", _month, where, prefix)}
        for key, check in _OPTIONAL_MONTH_CHECKS.items():
            if key in value:
                checked[key] = checked_field(value, key, check, where, prefix)
        return cls(**checked)


@dataclass(frozen=True, slots=True)
class TableManifest:
    """What ``_manifest.json`` holds: the table's name and key, last change and months (sorted).

    A plain dataclass, as :class:`MonthEntry` is (it says why)."""

    table: str
    mission: str
    spacecraft: str | None
    grade: str | None
    kind: Kind
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
        head: dict[str, object] = {"format_version": FORMAT_VERSION}
        head.update({key: getattr(self, key) for key in _HEAD_KEYS})
        return manifest_text(head, "months", [month.to_json() for month in self.months])

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
        del document["format_version"]
        only_keys(document, (*_HEAD_KEYS, "months"), where, "")
        head = {
            key: checked_field(document, key, check, where, "")
            for key, check in _HEAD_CHECKS.items()
            if key in document or key != "updated"
        }
        listed = (
            checked_field(document, "months", json_list, where, "") if "months" in document else []
        )
        months = tuple(
            MonthEntry.from_json(entry, where, f"months.{n}.") for n, entry in enumerate(listed)
        )
        return cls(**head, months=months)


# -- checking a manifest read from JSON ---------------------------------------------------


def _month(value: Any) -> str:
    text = string(value)
    try:
        return month_of(np.datetime64(text, "M"))
    except ValueError as error:
        raise ValueError(f"Value error, {error}") from None


def _content_hash(value: Any) -> str | None:
    if value is None:
        return None
    text = string(value)
    if not _CONTENT_HASH.match(text):
        raise ValueError(f"String should match pattern '{_CONTENT_HASH.pattern}'")
    return text


def _time_ms(value: Any) -> np.datetime64 | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("Value error, expected an ISO-8601 UTC time")
    try:
        return to_datetime64(value.removesuffix("Z"), "ms")
    except ValueError as error:
        raise ValueError(f"Value error, {error}") from None


def _optional_string(value: Any) -> str | None:
    return None if value is None else string(value)


def _kind(value: Any) -> Kind:
    if value not in get_args(Kind):
        raise ValueError("Input should be 'GEO' or 'QD'")
    kind: Kind = value
    return kind


_MONTH_KEYS = tuple(field.name for field in fields(MonthEntry))
_OPTIONAL_MONTH_CHECKS: dict[str, Callable[[Any], Any]] = {
    "points": _content_hash,
    "sources": _content_hash,
    "sources_end": _time_ms,
}
_HEAD_CHECKS: dict[str, Callable[[Any], Any]] = {
    "table": string,
    "mission": string,
    "spacecraft": _optional_string,
    "grade": _optional_string,
    "kind": _kind,
    "updated": _optional_string,
}
_HEAD_KEYS = tuple(_HEAD_CHECKS)


def _declared_version(text: bytes) -> int | None:
    """The integer ``format_version`` a manifest declares, if it declares one."""
    try:
        document = json.loads(text)
    except ValueError:
        return None
    found = document.get("format_version") if isinstance(document, dict) else None
    return found if isinstance(found, int) and not isinstance(found, bool) else None
