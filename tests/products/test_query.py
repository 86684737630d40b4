"""DuckDB views over the product index."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from product_samples import T0, daily

from vires_repo.io.duckdb import query
from vires_repo.io.storage import Storage
from vires_repo.products import ProductIndex, ProductRecord
from vires_repo.sql.views import connect, refresh_views

MAGA = "SW_OPER_MAGA_LR_1B"
OBS = "SW_OPER_AUX_OBSM2_"


def observatory_product() -> ProductRecord:
    location = "/data/obs/SW_OPER_AUX_OBSM2__20200101T000000_20200131T235959_0102.cdf"
    return daily(
        0,
        OBS,
        identifier="SW_OPER_AUX_OBSM2__20200101T000000_20200131T235959_0102",
        product_type="SW_AUX_OBSM2_",
        end_time=T0 + timedelta(days=31) - timedelta(seconds=1),
        metadata={"format": "CDF-OBS"},
        datasets={
            "ABK": {
                "location": location,
                "indexRange": [0, 744],
                "beginTime": "2020-01-01T00:30:00Z",
                "endTime": "2020-01-31T23:30:00Z",
                "geographicLocation": {
                    "crs": "ITRF",
                    "latitude": 68.2,
                    "longitude": 18.8,
                    "radius": 6360346.0,
                },
            },
            "BOU": {"location": location, "indexRange": [744, 1000]},
        },
    )


def test_products_view_hides_tombstoned_rows(storage: Storage) -> None:
    index = ProductIndex(storage)
    index.upsert(MAGA, [daily(day) for day in range(5)])
    index.upsert(MAGA, [daily(1, metadata={"v": 2})], delete=[daily(3).identifier])
    connection = connect(storage)
    rows = query(
        connection,
        "SELECT identifier, metadata FROM products WHERE collection = ? ORDER BY begin_time",
        [MAGA],
    ).to_pylist()
    assert [row["identifier"] for row in rows] == [daily(d).identifier for d in (0, 1, 2, 4)]
    assert rows[1]["metadata"] == '{"v":2}'


def test_products_view_reads_only_manifest_listed_files(storage: Storage) -> None:
    index = ProductIndex(storage)
    index.upsert(MAGA, [daily(0)])
    stray = Storage(storage.url + "-stray")
    ProductIndex(stray).upsert(MAGA, [daily(9)])
    folder = f"products/collection={MAGA}"
    (name,) = [name for name in stray.listdir(folder) if name.startswith("part-")]
    storage.write_bytes(f"{folder}/{name}", stray.read_bytes(f"{folder}/{name}"))
    connection = connect(storage)
    count = query(connection, "SELECT count(*) AS n FROM products").to_pylist()
    assert count == [{"n": 1}]


def test_time_window_query_is_parameterised_and_in_utc(storage: Storage) -> None:
    ProductIndex(storage).upsert(MAGA, [daily(day) for day in range(10)])
    connection = connect(storage)
    table = query(
        connection,
        "SELECT identifier, begin_time FROM products "
        "WHERE collection = ? AND end_time >= ? AND begin_time < ? ORDER BY begin_time",
        [MAGA, T0 + timedelta(days=2), T0 + timedelta(days=4)],
    )
    assert table.column("identifier").to_pylist() == [daily(d).identifier for d in (2, 3)]
    assert table.column("begin_time").to_pylist()[0] == datetime(2020, 1, 3, tzinfo=UTC)


def test_product_datasets_has_one_row_per_dataset(storage: Storage) -> None:
    index = ProductIndex(storage)
    index.upsert(OBS, [observatory_product()])
    index.upsert(MAGA, [daily(0)])
    connection = connect(storage)
    rows = query(
        connection, "SELECT * FROM product_datasets ORDER BY collection, dataset"
    ).to_pylist()
    assert [(row["collection"], row["dataset"]) for row in rows] == [
        (OBS, "ABK"),
        (OBS, "BOU"),
        (MAGA, "MDR_MAG_LR"),
    ]
    abk, bou, mag = rows
    assert (abk["index_start"], abk["index_stop"]) == (0, 744)
    assert abk["begin_time"] == datetime(2020, 1, 1, 0, 30, tzinfo=UTC)
    assert abk["end_time"] == datetime(2020, 1, 31, 23, 30, tzinfo=UTC)
    assert (abk["latitude"], abk["longitude"], abk["radius"]) == (68.2, 18.8, 6360346.0)
    assert (bou["index_start"], bou["index_stop"], bou["latitude"]) == (744, 1000, None)
    assert bou["begin_time"] == T0  # no own times: the product's
    assert mag["location"] == daily(0).location
    assert mag["index_start"] is None


def test_location_lookup_through_product_datasets(storage: Storage) -> None:
    ProductIndex(storage).upsert(MAGA, [daily(day) for day in range(3)])
    connection = connect(storage)
    found = query(
        connection,
        "SELECT DISTINCT collection, identifier FROM product_datasets WHERE location = ?",
        [daily(1).location],
    ).to_pylist()
    assert found == [{"collection": MAGA, "identifier": daily(1).identifier}]


def test_empty_catalogue_has_empty_views(storage: Storage) -> None:
    connection = connect(storage)
    assert query(connection, "SELECT count(*) AS n FROM products").to_pylist() == [{"n": 0}]
    assert query(connection, "SELECT * FROM product_datasets").num_rows == 0


def test_refresh_views_sees_later_commits(storage: Storage) -> None:
    index = ProductIndex(storage)
    index.upsert(MAGA, [daily(0)])
    connection = connect(storage)
    index.upsert(MAGA, [daily(1)])
    refresh_views(connection, index)
    assert query(connection, "SELECT count(*) AS n FROM products").to_pylist() == [{"n": 2}]


def test_numeric_looking_collection_stays_text(storage: Storage) -> None:
    ProductIndex(storage).upsert("0123", [daily(0, "0123")])
    connection = connect(storage)
    rows = query(connection, "SELECT collection FROM products WHERE collection = ?", ["0123"])
    assert rows.to_pylist() == [{"collection": "0123"}]
