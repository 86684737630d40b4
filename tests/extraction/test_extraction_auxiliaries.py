"""Auxiliaries in a whole extraction: the tables of the product's grade, the variables VirES
offers only for missions with tables, one evaluation for a filter and the output."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
import pytest
from extraction_env import ExtractionEnv, build_env, utc

from vires_repo.extraction.auxiliaries import source as source_module
from vires_repo.orbit_direction.missions import TableKey
from vires_repo.orbit_direction.store import TableStore
from vires_repo.services import extraction, product_registration
from vires_repo.services.cached_product import update_cached_product
from vires_repo.testing.mag_products import write_mag_lr_product
from vires_repo.testing.observatory_products import write_obs_product

FAST_A = "SW_FAST_MAGA_LR_1B"
OBS = "SW_OPER_AUX_OBSM2_"


def write_aux_input(folder: Path, name: str) -> Path:
    """An orbit counter or daily F10.7 input (their text layouts) around 2016-01-01."""
    if "ORBCNT" in name:
        lines = ["%orbit       MJD2000           date           UT        phi_AN    Source"]
        lines += [
            f"{1000 + i:6d} {5839.0 + i * 0.065:18.11f}   2015-12-27   00:00:00.000   0.0     0"
            for i in range(200)
        ]
    else:
        lines = ["# Assembled daily observed values of solar flux F10.7", "# MD2000 F10.7"]
        lines += [f"{5839.5 + day:8.1f} {100.0 + day:6.1f}" for day in range(10)]
    path = folder / name
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def env(tmp_path: Path, copy_default_catalog: object) -> ExtractionEnv:
    return build_env(tmp_path, copy_default_catalog)


def test_fast_products_read_the_fast_orbit_direction_tables(
    env: ExtractionEnv, tmp_path: Path
) -> None:
    # registered with its post-registration actions: the FAST tables get the product's points
    path = write_mag_lr_product(
        env.data, "2016-01-01T00:00:00", "2016-01-01T03:59:59", file_class="FAST"
    )
    result = product_registration.register_products(env.catalog, FAST_A, [path])
    assert not result.failures, result.failures
    output = tmp_path / "fast.parquet"

    env.extract(
        output, {"A": [FAST_A]}, "2016-01-01T00:00:00", "2016-01-01T04:00:00",
        variables=["OrbitDirection", "QDOrbitDirection"], output_format="parquet",
    )  # fmt: skip

    table = pq.read_table(output)
    times = table["Timestamp"].to_numpy().astype("datetime64[ms]")
    for kind, name in (("GEO", "OrbitDirection"), ("QD", "QDOrbitDirection")):
        loaded = TableStore(env.catalog.storage).open(TableKey("Swarm", "A", "FAST", kind))
        assert loaded.exists, kind
        loaded.ensure(times[0], times[-1])
        directions = table[name].to_numpy()
        np.testing.assert_array_equal(directions, loaded.table.lookup(times)[0], err_msg=name)
        assert set(directions.tolist()) == {-1, 1}, name  # not the empty OPER table's 0


def test_orbit_variables_are_left_out_for_a_mission_without_tables(
    env: ExtractionEnv, tmp_path: Path
) -> None:
    env.register(OBS, write_obs_product(env.data, "2016-01-01T00:00:00", "2016-01-01T23:59:00"))
    output = tmp_path / "obs.parquet"

    env.extract(
        output, {"ABK": [f"{OBS}:ABK"]}, "2016-01-01T00:00:00", "2016-01-01T00:10:00",
        variables=["B_NEC", "OrbitDirection", "QDOrbitDirection", "OrbitNumber", "QDLat"],
        output_format="parquet",
    )  # fmt: skip

    assert pq.read_table(output).column_names == [
        "Timestamp", "Latitude", "Longitude", "Radius", "B_NEC", "QDLat"
    ]  # fmt: skip


def test_auxiliaries_of_a_filter_are_evaluated_once(
    env: ExtractionEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env.add("SW_OPER_MAGA_LR_1B", "2016-01-01T00:00:00", "2016-01-01T01:59:59")
    calls: list[int] = []
    evaluate = source_module.magnetic_coordinates

    def counted(times: Any, *args: Any) -> Any:
        calls.append(len(times))
        return evaluate(times, *args)

    monkeypatch.setattr(source_module, "magnetic_coordinates", counted)
    output = tmp_path / "filtered.parquet"

    result = env.extract(
        output, {"A": ["SW_OPER_MAGA_LR_1B"]}, "2016-01-01T00:00:00", "2016-01-01T02:00:00",
        variables=["QDLat", "MLT"], filters="QDLat > 0", output_format="parquet",
    )  # fmt: skip

    assert calls == [7200]  # the product's records, once: MLT came with QDLat
    table = pq.read_table(output)
    assert 0 < result.records < 7200
    assert (table["QDLat"].to_numpy() > 0).all()
    assert np.isfinite(table["MLT"].to_numpy()).all()


def test_the_auxiliary_sources_are_listed_with_the_products(
    env: ExtractionEnv, tmp_path: Path
) -> None:
    product = env.add("SW_OPER_MAGA_LR_1B", "2016-01-01T00:00:00", "2016-01-01T00:59:59")
    for type_id, name in (
        ("AUXAORBCNT", "SW_OPER_AUXAORBCNT_20151201T000000_20160131T235959_0001.TXT"),
        ("AUX_F10_2_", "SW_OPER_AUX_F10_2__20151201T000000_20160131T235959_0001.DBL"),
    ):
        update_cached_product(env.catalog, type_id, [str(write_aux_input(env.data, name))])
    sources = tmp_path / "sources.txt"

    result = extraction.extract(
        env.catalog,
        extraction.ExtractionRequest(
            collection_ids={"A": ["SW_OPER_MAGA_LR_1B"]},
            begin=utc("2016-01-01T00:00:00"),
            end=utc("2016-01-01T00:10:00"),
            variables=["OrbitNumber", "F107"],
        ),
        tmp_path / "out.cdf",
        sources_output=sources,
    )

    expected = sorted(
        [
            product,
            "SW_OPER_AUXAORBCNT_20151201T000000_20160131T235959_0001",
            "SW_OPER_AUX_F10_2__20151201T000000_20160131T235959_0001",
        ]
    )
    assert result.source_products == expected
    assert sources.read_bytes().decode() == "".join(f"{name}\r\n" for name in expected)
    no_aux = env.extract(
        tmp_path / "plain.cdf", {"A": ["SW_OPER_MAGA_LR_1B"]}, "2016-01-01T00:00:00",
        "2016-01-01T00:10:00", variables=["F"],
    )  # fmt: skip
    assert no_aux.source_products == [product]  # only the auxiliaries computed count
