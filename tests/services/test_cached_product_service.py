"""The cached-product service without the CLI: tables for the SQL views, extra dump records,
the manifest model (on a local and a ``memory://`` catalogue)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest
from testdata import TESTDATA

from vires_repo.cached_products import CACHED_PRODUCT_TYPES, convert, read_table, views
from vires_repo.cached_products.conversion import CachedProductInfo
from vires_repo.cached_products.store import (
    MANIFEST_PATH,
    CachedProductManifest,
    load_manifest,
)
from vires_repo.catalog import Catalog
from vires_repo.errors import DefinitionError, IndexFormatError, NotFoundError
from vires_repo.services import cached_product as service

AUX = TESTDATA / "aux"
SOURCES = {
    "AUXAORBCNT": AUX / "SW_OPER_AUXAORBCNT_sample.TXT",
    "AUX_F10_2_": AUX / "SW_OPER_AUX_F10_2__sample.DBL",
    "GFZ_AUX_KP": AUX / "Kp_MJD_1998_QL_sample.dat",
    "GFZ_AUX_DST": AUX / "Dst_MJD_1998_sample.dat",
}
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _update_all(catalog: Catalog) -> None:
    for type_id, source in SOURCES.items():
        service.update_cached_product(catalog, type_id, [str(source)], now=NOW)


def test_tables_of_the_sql_views(catalog: Catalog) -> None:
    _update_all(catalog)
    tables = service.cached_product_tables(catalog)

    assert {view: t.num_rows for view, t in tables.items()} == {
        "orbit_counter": 100,
        "f107": 35,
        "kp": 12,
        "dst": 35,
    }
    for view, table in tables.items():
        assert table.schema == views.CACHED_TABLE_SCHEMAS[view]
    orbits = tables["orbit_counter"]
    assert set(orbits.column("identifier").to_pylist()) == {"AUXAORBCNT"}
    assert set(orbits.column("mission").to_pylist()) == {"Swarm"}
    assert set(orbits.column("spacecraft").to_pylist()) == {"A"}
    first = orbits.slice(0, 1).to_pylist()[0]
    assert first["time"].date().isoformat() == "2013-11-22"
    assert tables["kp"].column("kp10").to_pylist()[:1] == [
        read_table("GFZ_AUX_KP", _local_copy(catalog, "aux_kp.cdf")).column("kp10")[0].as_py()
    ]


def _local_copy(catalog: Catalog, name: str) -> str:
    # the stored file read through the catalogue URL (read_table accepts fsspec URLs)
    return catalog.storage.url_of(f"cached_products/{name}")


def test_orbit_counters_of_several_spacecraft_in_one_table(
    catalog: Catalog, tmp_path: Path
) -> None:
    source_b = tmp_path / "SW_OPER_AUXBORBCNT_sample.TXT"
    source_b.write_bytes(SOURCES["AUXAORBCNT"].read_bytes())
    service.update_cached_product(catalog, "AUXAORBCNT", [str(SOURCES["AUXAORBCNT"])])
    service.update_cached_product(catalog, "AUXBORBCNT", [str(source_b)])

    table = service.cached_product_tables(catalog)["orbit_counter"]

    assert table.num_rows == 200
    assert table.column("identifier").to_pylist() == ["AUXAORBCNT"] * 100 + ["AUXBORBCNT"] * 100
    assert table.column("spacecraft").to_pylist()[99:101] == ["A", "B"]


def test_empty_catalogue_gives_empty_tables_with_the_view_columns(catalog: Catalog) -> None:
    tables = service.cached_product_tables(catalog)
    assert sorted(tables) == ["dst", "f107", "kp", "orbit_counter"]
    for view, table in tables.items():
        assert table.num_rows == 0
        assert table.schema == views.CACHED_TABLE_SCHEMAS[view]
    assert service.cached_product_table(catalog, "GFZ_AUX_KP") is None


def test_view_schemas_match_what_the_converters_give(tmp_path: Path) -> None:
    """The fixed schemas of the empty tables are those of the real files."""
    for type_id, source in SOURCES.items():
        result = convert(type_id, [source], tmp_path / type_id)
        table = read_table(type_id, tmp_path / type_id / result.files[0])
        view = CACHED_PRODUCT_TYPES[type_id].view
        assert view is not None
        schema = views.CACHED_TABLE_SCHEMAS[view]
        if view == "orbit_counter":
            schema = pa.schema(list(schema)[3:])
        assert table.schema == schema
    gfz = {k for k, t in CACHED_PRODUCT_TYPES.items() if t.view == "orbit_counter"}
    assert gfz == set(views.ORBIT_COUNTER_SPACECRAFT)


def test_a_data_file_that_does_not_match_the_manifest_is_refused(catalog: Catalog) -> None:
    service.update_cached_product(catalog, "GFZ_AUX_KP", [str(SOURCES["GFZ_AUX_KP"])])
    catalog.storage.write_bytes("cached_products/aux_kp.cdf", b"not the recorded bytes")
    with pytest.raises(IndexFormatError, match=r"aux_kp.cdf does not match its record"):
        service.cached_product_tables(catalog)


def test_table_of_a_model_or_an_unknown_type_is_refused(catalog: Catalog) -> None:
    with pytest.raises(DefinitionError, match="^MCO_SHA_2C: not a tabular cached product$"):
        service.cached_product_table(catalog, "MCO_SHA_2C")
    with pytest.raises(NotFoundError, match="unknown cached product type"):
        service.cached_product_table(catalog, "NOPE")


# -- dump with extra records (e.g. the orbit-direction tables) --------------------------------


def test_dump_merges_extra_records(catalog: Catalog) -> None:
    service.update_cached_product(catalog, "GFZ_AUX_KP", [str(SOURCES["GFZ_AUX_KP"])], now=NOW)
    extra = [
        CachedProductInfo(
            "SW_OPER_AUXAODBGEO",
            datetime(2026, 1, 1, 0, 0, 0, 500000, tzinfo=UTC),
            "orbit_direction/SW_OPER_AUXAODBGEO",
            ["SW_OPER_MODA_SC_1B_20160101T000000_20160101T235959_0505"],
        ),
        CachedProductInfo("SW_OPER_AUXBODBGEO", None, "orbit_direction/SW_OPER_AUXBODBGEO", []),
    ]

    everything = service.dump_cached_products(catalog, extra=extra)
    identifiers = [record["identifier"] for record in everything]
    assert identifiers[:25] == sorted(CACHED_PRODUCT_TYPES)
    assert identifiers[25:] == ["SW_OPER_AUXAODBGEO", "SW_OPER_AUXBODBGEO"]

    chosen = service.dump_cached_products(
        catalog, ["SW_OPER_AUXAODBGEO", "GFZ_AUX_KP"], extra=extra
    )
    assert chosen == [
        {
            "identifier": "SW_OPER_AUXAODBGEO",
            "updated": "2026-01-01T00:00:00.500000Z",
            "location": catalog.storage.url_of("orbit_direction/SW_OPER_AUXAODBGEO"),
            "sources": ["SW_OPER_MODA_SC_1B_20160101T000000_20160101T235959_0505"],
        },
        {
            "identifier": "GFZ_AUX_KP",
            "updated": "2026-01-02T03:04:05Z",
            "location": catalog.storage.url_of("cached_products/aux_kp.cdf"),
            "sources": ["SW_OPER_AUX_KP__2__19980101T013000_19980102T103000_0001"],
        },
    ]
    with pytest.raises(NotFoundError, match="expected one of .*SW_OPER_AUXBODBGEO"):
        service.dump_cached_products(catalog, ["SW_OPER_AUXCODBGEO"], extra=extra)


# -- the manifest ----------------------------------------------------------------------------


def test_manifest_round_trip_is_byte_identical(catalog: Catalog) -> None:
    _update_all(catalog)
    text = catalog.storage.read_text(MANIFEST_PATH)
    manifest = load_manifest(catalog.storage)
    assert manifest.dumps() == text
    assert [r.identifier for r in manifest.products] == sorted(SOURCES)
    assert all(r.updated == NOW for r in manifest.products)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", "is not a cached products manifest"),
        ('{"format_version": 2, "cached_products": []}', "format version 2"),
        ('{"format_version": 1, "cached_products": [{"identifier": 1}]}', "is malformed"),
        (
            '{"format_version": 1, "cached_products": [], "comment": "x"}',
            r"is malformed: comment: Extra inputs are not permitted",
        ),
        (
            '{"format_version": 1, "cached_products": [{"identifier": "A", "updated": 5, '
            '"location": "l", "sources": [], "checksum": "c", "files": []}]}',
            r"is malformed: cached_products\.0\.updated: Value error, expected an ISO-8601",
        ),
    ],
)
def test_bad_manifests_are_refused(text: str, message: str) -> None:
    with pytest.raises(IndexFormatError, match=message):
        CachedProductManifest.loads(text, "here")


def test_duplicate_records_are_refused(catalog: Catalog) -> None:
    service.update_cached_product(catalog, "GFZ_AUX_KP", [str(SOURCES["GFZ_AUX_KP"])])
    text = catalog.storage.read_text(MANIFEST_PATH)
    entry = text.split('"cached_products": [', 1)[1].rsplit("]", 1)[0].strip()
    doubled = '{"format_version": 1, "cached_products": [' + entry + ", " + entry + "]}"
    with pytest.raises(IndexFormatError, match="duplicate identifiers"):
        CachedProductManifest.loads(doubled, "here")
