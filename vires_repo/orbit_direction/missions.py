"""The missions with orbit-direction tables: spacecraft, grades, VirES table names, thresholds.

Adding a mission (or a spacecraft or grade of one) is one entry of :data:`MISSIONS`; the known
table keys, the VirES table names and the thresholds are derived from it (reference 8.1).
Every (mission, spacecraft, grade) has two tables, one per :data:`TableKind`: geographic
(``...ODBGEO``) and Quasi-Dipole (``...ODBMAG``) latitude.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from vires_repo.errors import DefinitionError, NotFoundError

TableKind = Literal["GEO", "QD"]
KINDS: tuple[TableKind, ...] = ("GEO", "QD")
_KIND_SUFFIXES: Mapping[TableKind, str] = {"GEO": "ODBGEO", "QD": "ODBMAG"}


@dataclass(frozen=True)
class TableKey:
    """Which table: mission, spacecraft and grade (None where a mission has no such choice)."""

    mission: str
    spacecraft: str | None
    grade: str | None
    kind: TableKind

    def __str__(self) -> str:
        return f"{self.mission}/{self.spacecraft or '-'}/{self.grade or '-'}/{self.kind}"


@dataclass(frozen=True)
class OrbitDirectionThresholds:
    """Time thresholds of one mission (reference 8.1)."""

    nominal_sampling: np.timedelta64
    gap_threshold: np.timedelta64
    min_product_gap: np.timedelta64
    max_product_gap: np.timedelta64


DEFAULT_THRESHOLDS = OrbitDirectionThresholds(
    nominal_sampling=np.timedelta64(1000, "ms"),
    gap_threshold=np.timedelta64(15000, "ms"),
    min_product_gap=np.timedelta64(500, "ms"),
    max_product_gap=np.timedelta64(15500, "ms"),
)
"""Missions sampling positions every second or faster."""
GOCE_THRESHOLDS = OrbitDirectionThresholds(
    nominal_sampling=np.timedelta64(16000, "ms"),
    gap_threshold=np.timedelta64(64000, "ms"),
    min_product_gap=np.timedelta64(8000, "ms"),
    max_product_gap=np.timedelta64(72000, "ms"),
)
"""GOCE samples its positions every 16 s."""


@dataclass(frozen=True)
class Mission:
    """A mission with orbit-direction tables.

    ``table_prefix`` is the start of its VirES table names, a format string of
    ``{spacecraft}`` and ``{grade}`` (the code in ``grades`` of the grade, None the nominal one).
    """

    name: str
    spacecraft: tuple[str | None, ...]
    table_prefix: str
    grades: Mapping[str | None, str] = field(default_factory=lambda: {None: ""})
    thresholds: OrbitDirectionThresholds = DEFAULT_THRESHOLDS

    def table_names(self) -> dict[TableKey, str]:
        """The VirES table name of every key of this mission."""
        return {
            TableKey(self.name, spacecraft, grade, kind): self.table_prefix.format(
                spacecraft=spacecraft or "", grade=code
            )
            + _KIND_SUFFIXES[kind]
            for grade, code in self.grades.items()
            for spacecraft in self.spacecraft
            for kind in KINDS
        }


MISSIONS: tuple[Mission, ...] = (
    Mission("Swarm", ("A", "B", "C"), "SW_{grade}_AUX{spacecraft}", {None: "VIRE", "FAST": "FAST"}),
    Mission("GRACE", ("1", "2"), "GR{spacecraft}_"),
    Mission("GRACE-FO", ("1", "2"), "GF{spacecraft}_"),
    Mission("CryoSat-2", (None,), "CS2_"),
    Mission("GOCE", (None,), "GO_", thresholds=GOCE_THRESHOLDS),
    Mission("CHAMP", (None,), "CH_"),
)
"""The missions, spacecraft and grades VirES has orbit-direction tables for."""

TABLE_NAMES: Mapping[TableKey, str] = {
    key: name for mission in MISSIONS for key, name in mission.table_names().items()
}
_KEYS_BY_NAME: Mapping[str, TableKey] = {name: key for key, name in TABLE_NAMES.items()}
_THRESHOLDS: Mapping[str, OrbitDirectionThresholds] = {m.name: m.thresholds for m in MISSIONS}


def vires_table_name(key: TableKey) -> str:
    """The VirES file base name of a table, e.g. ``SW_VIRE_AUXAODBGEO``."""
    name = TABLE_NAMES.get(key)
    if name is None:
        raise DefinitionError(
            f"Unexpected mission/spacecraft/grade ids "
            f"{key.mission}/{key.spacecraft}/{key.grade or '<none>'}!"
        )
    return name


def table_key_of_name(name: str) -> TableKey:
    """The key of a VirES table name (``SW_VIRE_AUXAODBGEO`` -> Swarm/A/-/GEO)."""
    key = _KEYS_BY_NAME.get(name)
    if key is None:
        raise NotFoundError(f"{name} is not the name of an orbit-direction table")
    return key


def known_table_names() -> list[str]:
    return sorted(TABLE_NAMES.values())


def thresholds_for_mission(mission: str) -> OrbitDirectionThresholds:
    """Thresholds of ``mission`` (the default ones for a mission not listed)."""
    return _THRESHOLDS.get(mission, DEFAULT_THRESHOLDS)
