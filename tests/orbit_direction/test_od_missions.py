"""The missions with orbit-direction tables: names, keys and thresholds derived from one list."""

from __future__ import annotations

import numpy as np
import pytest

from vires_repo.errors import DefinitionError, NotFoundError
from vires_repo.orbit_direction.missions import (
    DEFAULT_THRESHOLDS,
    GOCE_THRESHOLDS,
    MISSIONS,
    TABLE_NAMES,
    Mission,
    TableKey,
    known_table_names,
    table_key_of_name,
    thresholds_for_mission,
    vires_table_name,
)


@pytest.mark.parametrize(
    ("key", "name"),
    [
        (TableKey("Swarm", "A", None, "GEO"), "SW_VIRE_AUXAODBGEO"),
        (TableKey("Swarm", "C", None, "QD"), "SW_VIRE_AUXCODBMAG"),
        (TableKey("Swarm", "B", "FAST", "GEO"), "SW_FAST_AUXBODBGEO"),
        (TableKey("GRACE-FO", "2", None, "GEO"), "GF2_ODBGEO"),
        (TableKey("GRACE", "1", None, "QD"), "GR1_ODBMAG"),
        (TableKey("GOCE", None, None, "GEO"), "GO_ODBGEO"),
        (TableKey("CryoSat-2", None, None, "QD"), "CS2_ODBMAG"),
        (TableKey("CHAMP", None, None, "GEO"), "CH_ODBGEO"),
    ],
)
def test_vires_table_names(key, name):
    assert vires_table_name(key) == name
    assert table_key_of_name(name) == key


def test_unknown_table_keys_are_refused():
    with pytest.raises(
        DefinitionError, match="Unexpected mission/spacecraft/grade ids Swarm/D/<none>!"
    ):
        vires_table_name(TableKey("Swarm", "D", None, "GEO"))
    with pytest.raises(DefinitionError, match="GRACE/1/FAST"):
        vires_table_name(TableKey("GRACE", "1", "FAST", "GEO"))
    with pytest.raises(NotFoundError, match="SW_VIRE_AUXDODBGEO is not the name"):
        table_key_of_name("SW_VIRE_AUXDODBGEO")


def test_every_key_has_one_name_per_kind():
    # Swarm: 3 spacecraft x 2 grades; GRACE, GRACE-FO: 2 spacecraft; CryoSat-2, GOCE, CHAMP: 1
    assert len(TABLE_NAMES) == 2 * (6 + 2 + 2 + 3)
    assert len(set(TABLE_NAMES.values())) == len(TABLE_NAMES)
    assert known_table_names() == sorted(TABLE_NAMES.values())
    assert {key.mission for key in TABLE_NAMES} == {m.name for m in MISSIONS}


def test_a_mission_entry_gives_its_tables():
    mission = Mission("Test", ("1",), "TS{spacecraft}{grade}_", {None: "", "X": "X"})
    assert sorted(mission.table_names().values()) == [
        "TS1X_ODBGEO",
        "TS1X_ODBMAG",
        "TS1_ODBGEO",
        "TS1_ODBMAG",
    ]


def test_thresholds_per_mission():
    assert thresholds_for_mission("GOCE") is GOCE_THRESHOLDS
    assert thresholds_for_mission("Swarm") is DEFAULT_THRESHOLDS
    assert thresholds_for_mission("Unknown") is DEFAULT_THRESHOLDS
    assert GOCE_THRESHOLDS.gap_threshold == np.timedelta64(64, "s")
    assert DEFAULT_THRESHOLDS.max_product_gap == np.timedelta64(15500, "ms")
