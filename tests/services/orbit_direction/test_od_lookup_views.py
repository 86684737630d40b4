"""Reading the stored tables: lookups at given times, the DuckDB views and their ASOF join,
the ``cached_product dump`` records."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from od_env import OdEnv, identifier

from vires_repo.io.duckdb import open_connection, query
from vires_repo.orbit_direction.sql import orbit_direction_tagging_sql
from vires_repo.services.orbit_direction.info import cached_product_records, view_statements
from vires_repo.services.orbit_direction.lookup import lookup_orbit_directions


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
