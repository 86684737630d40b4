"""The stored orbit-direction tables: monthly partitions, windows and their verification,
atomic commits, lookups against the DuckDB ASOF view, dump records."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from od_env import GEO_A, MAG_A, QD_A, OdEnv, identifier

from vires_repo.errors import OrbitDirectionIntegrityError
from vires_repo.io.duckdb import open_connection, query
from vires_repo.orbit_direction import product_extraction
from vires_repo.orbit_direction.extract import Boundaries
from vires_repo.orbit_direction.loaded_table import LoadedTable
from vires_repo.orbit_direction.missions import table_key_of_name
from vires_repo.orbit_direction.sql import orbit_direction_tagging_sql
from vires_repo.orbit_direction.store import (
    TableStore,
    read_table,
    write_table,
)
from vires_repo.orbit_direction.table import (
    OrbitDirectionTable,
    Source,
    verify_boundaries,
)
from vires_repo.services.orbit_direction.info import cached_product_records, view_statements
from vires_repo.services.orbit_direction.lookup import lookup_orbit_directions

MS = "datetime64[ms]"


def boundaries(*points: tuple[str, int, int]) -> Boundaries:
    return Boundaries(
        np.array([p[0] for p in points], MS),
        np.array([p[1] for p in points], np.int8),
        np.array([p[2] for p in points], np.int8),
    )


# -- verification of windows ----------------------------------------------------------------


def test_a_window_may_begin_and_end_inside_a_block() -> None:
    inside = boundaries(("2016-01-01T00:10", 0, 1), ("2016-01-01T00:50", 0, -1))
    verify_boundaries(inside, GEO_A, at_start=False, at_end=False)
    closing = boundaries(
        ("2016-01-01T00:10", 0, 1), ("2016-01-01T00:20", -1, 0), ("2016-01-01T00:30", 1, 1)
    )
    verify_boundaries(closing, GEO_A, at_start=False, at_end=False)
    with pytest.raises(OrbitDirectionIntegrityError, match="must begin with a block START"):
        verify_boundaries(inside, GEO_A, at_start=True, at_end=False)
    with pytest.raises(OrbitDirectionIntegrityError, match="must end with a block END"):
        verify_boundaries(inside, GEO_A, at_start=False, at_end=True)


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ((("2016-01-01T00:10", 0, 1), ("2016-01-01T00:20", 0, 1)), "do not alternate"),
        (
            (("2016-01-01T00:10", -1, 0), ("2016-01-01T00:20", 0, 1)),
            "points between the block END",
        ),
        ((("2016-01-01T00:10", 1, 1), ("2016-01-01T00:20", 1, 1)), "do not alternate"),
        ((("2016-01-01T00:10", 0, 1), ("2016-01-01T00:10", 0, -1)), "strictly increasing"),
        ((("2016-01-01T00:10", 0, 0), ("2016-01-01T00:20", -1, 0)), "undefined orbit"),
    ],
)
def test_broken_windows_are_refused(points, message) -> None:
    with pytest.raises(OrbitDirectionIntegrityError, match=message):
        verify_boundaries(boundaries(*points), GEO_A, at_start=False, at_end=False)


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


# -- catalogue-level ------------------------------------------------------------------------


def test_products_across_a_month_boundary_make_one_block(odenv: OdEnv) -> None:
    # products 122..125 cover 2016-01-31T12:00 to 2016-02-01T12:00
    files = [odenv.product(k) for k in range(122, 126)]
    assert odenv.register(*files[:2], *files[3:]).code == 0
    assert odenv.register(files[2]).code == 0
    geo, qd = odenv.tables()
    for table in (geo, qd):
        table.verify()
        assert np.count_nonzero(table.boundaries.types != 0) == 2
    months = [m.month for m in odenv.manifests()[0].months]
    assert months == ["2016-01", "2016-02"]


def test_parallel_rebuild_equals_incremental_registration(local_odenv: OdEnv, monkeypatch) -> None:
    monkeypatch.setattr(
        product_extraction, "_PARALLEL_MIN_PRODUCTS", 4
    )  # worker processes for 9 products
    files = local_odenv.products(9)
    for location in files:
        assert local_odenv.register(location).code == 0
    before = local_odenv.manifests()
    before_tables = local_odenv.tables()
    result = local_odenv("orbit_direction", "rebuild", MAG_A)
    assert "INFO: 9 of 9 product(s) processed." in result.err
    for one, other in zip(before_tables, local_odenv.tables(), strict=True):
        assert one.boundaries.equals(other.boundaries) and one.sources == other.sources
    assert [m.months for m in local_odenv.manifests()] == [m.months for m in before]


def test_lookup_and_the_asof_view_agree(odenv: OdEnv) -> None:
    files = odenv.products(4)
    assert odenv.register(*files).code == 0
    assert odenv("product", "deregister", identifier(files[2])).code == 0
    assert odenv("orbit_direction", "sync").code == 0
    times = np.arange(
        np.datetime64("2015-12-31T23:00", "ms"),
        np.datetime64("2016-01-02T01:00", "ms"),
        np.timedelta64(5077, "ms"),
    )
    expected = lookup_orbit_directions(odenv.catalog, "Swarm", "A", None, times)
    assert {int(v) for v in expected["QDOrbitDirection"]} == {-1, 0, 1}

    catalog = odenv.catalog
    measurements = pa.table({"time": pa.array(times, pa.timestamp("ms", tz="UTC"))})
    connection = open_connection(
        catalog.storage, view_statements(catalog), tables={"measurements": measurements}
    )
    tagged = query(connection, orbit_direction_tagging_sql("measurements", "Swarm", "A", None))
    for name, values in expected.items():
        assert np.array_equal(tagged[name].to_numpy(), values), name
    sources = query(connection, "SELECT DISTINCT kind, product_id FROM orbit_direction_sources")
    assert sources.num_rows == 6
    boundary_rows = query(
        connection, 'SELECT "table", count(*) AS n FROM orbit_direction_boundaries GROUP BY 1'
    )
    assert sorted(boundary_rows["table"].to_pylist()) == [
        "SW_VIRE_AUXAODBGEO",
        "SW_VIRE_AUXAODBMAG",
    ]


def test_views_exist_without_tables(odenv: OdEnv) -> None:
    connection = open_connection(odenv.catalog.storage, view_statements(odenv.catalog))
    assert query(connection, "SELECT * FROM orbit_direction_boundaries").num_rows == 0
    assert query(connection, "SELECT * FROM orbit_direction_sources").num_rows == 0


def test_dump_records_list_the_tables_of_the_source_collections(odenv: OdEnv) -> None:
    assert odenv.register(odenv.product(0)).code == 0
    records = {r.identifier: r for r in cached_product_records(odenv.catalog)}
    assert sorted(records) == [
        "SW_VIRE_AUXAODBGEO",
        "SW_VIRE_AUXAODBMAG",
        "SW_VIRE_AUXBODBGEO",
        "SW_VIRE_AUXBODBMAG",
    ]
    assert records["SW_VIRE_AUXBODBGEO"].updated is None
    assert records["SW_VIRE_AUXBODBGEO"].sources == []
    assert records["SW_VIRE_AUXAODBMAG"].sources == [identifier(odenv.product(0))]
    assert records["SW_VIRE_AUXAODBMAG"].updated is not None
