"""The stored orbit-direction tables: monthly partitions behind a manifest, windows of months,
atomic commits."""

from __future__ import annotations

import numpy as np
import pytest
from od_points import GEO_A, QD_A, boundaries

from vires_repo.errors import OrbitDirectionIntegrityError
from vires_repo.orbit_direction.loaded_table import LoadedTable
from vires_repo.orbit_direction.missions import table_key_of_name
from vires_repo.orbit_direction.store import (
    TableStore,
    read_table,
    write_table,
)
from vires_repo.orbit_direction.table import (
    OrbitDirectionTable,
    Source,
)

# -- partitions -----------------------------------------------------------------------------


def month_table() -> OrbitDirectionTable:
    """A block from January into March, with sources in January and February."""
    points = boundaries(
        ("2016-01-31T23:00", 1, 1),
        ("2016-01-31T23:40", 0, -1),
        ("2016-02-01T00:20", 0, 1),
        ("2016-03-01T00:00", -1, 0),
    )
    sources = [
        Source(
            "P1", np.datetime64("2016-01-31T23:00", "ms"), np.datetime64("2016-02-01T00:00", "ms")
        ),
        Source(
            "P2",
            np.datetime64("2016-02-01T00:00:01", "ms"),
            np.datetime64("2016-02-29T23:59:59", "ms"),
        ),
    ]
    return OrbitDirectionTable(GEO_A, points, sources)


def test_tables_are_stored_by_month_behind_a_manifest(catalog) -> None:
    store = TableStore(catalog.storage)
    assert write_table(store, month_table())

    manifest = store.manifest("SW_VIRE_AUXAODBGEO")
    assert manifest is not None
    assert [m.month for m in manifest.months] == ["2016-01", "2016-02", "2016-03"]
    assert [bool(m.points) for m in manifest.months] == [True, True, True]
    assert [bool(m.sources) for m in manifest.months] == [True, True, False]
    assert str(manifest.months[0].sources_end) == "2016-02-01T00:00:00.000"
    text = catalog.storage.read_text("orbit_direction/SW_VIRE_AUXAODBGEO/_manifest.json")
    assert text.count("\n") == 14  # 8 header lines, one line per month, 3 closing lines
    loaded = read_table(store, GEO_A)
    assert loaded.boundaries.equals(month_table().boundaries)
    assert loaded.sources == month_table().sources
    # same content: nothing written, same bytes
    assert not write_table(store, month_table())
    assert catalog.storage.read_text("orbit_direction/SW_VIRE_AUXAODBGEO/_manifest.json") == text
    assert table_key_of_name("SW_VIRE_AUXAODBMAG") == QD_A


def test_a_window_loads_only_the_months_around_a_change(catalog, monkeypatch) -> None:
    store = TableStore(catalog.storage)
    write_table(store, month_table())
    read: list[str] = []
    original = store.storage.read_bytes

    def counting(relpath: str) -> bytes:
        read.append(relpath.rsplit("/", 2)[-2] + "/" + relpath.rsplit("/", 1)[-1][:7])
        return original(relpath)

    monkeypatch.setattr(store.storage, "read_bytes", counting)

    def window(start: str, end: str) -> tuple[LoadedTable, list[str]]:
        """The table with the window of a change in [start, end], and the partitions read."""
        read.clear()
        loaded = store.open(GEO_A)
        loaded.ensure(np.datetime64(start, "ms"), np.datetime64(end, "ms"))
        return loaded, sorted(p for p in read if not p.startswith("SW_VIRE"))

    # March, plus February as the nearest month with points before it
    loaded, partitions = window("2016-03-01T00:00", "2016-03-02")
    assert partitions == ["points/2016-02", "points/2016-03", "sources/2016-02"]
    assert not loaded.at_start and loaded.at_end
    loaded.verify()

    # a change after the first point of its month leaves the month before unread
    loaded, partitions = window("2016-02-15", "2016-02-16")
    assert partitions == ["points/2016-02", "points/2016-03", "sources/2016-02"]
    loaded.verify()


def test_an_interrupted_save_leaves_the_old_table(catalog, monkeypatch) -> None:
    store = TableStore(catalog.storage)
    write_table(store, month_table())
    changed = month_table()
    changed.remove("P2")
    original = catalog.storage.write_bytes

    def failing(relpath: str, data: bytes) -> None:
        if relpath.endswith("_manifest.json"):
            raise OSError("disk full")
        original(relpath, data)

    monkeypatch.setattr(catalog.storage, "write_bytes", failing)
    with pytest.raises(OSError, match="disk full"):
        write_table(store, changed)
    monkeypatch.undo()
    assert read_table(TableStore(catalog.storage), GEO_A).sources == month_table().sources


def test_invalid_tables_are_not_written(catalog) -> None:
    store = TableStore(catalog.storage)
    broken = OrbitDirectionTable(GEO_A, boundaries(("2016-01-01T00:10", 0, 1)))
    with pytest.raises(OrbitDirectionIntegrityError):
        write_table(store, broken)
    assert store.table_names() == []
