"""Observatory datasets: one site by its IAGA code (its index range of the file), or all sites
of the unsorted ``__all__`` dataset sorted by time; collections behind a permission."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from extraction_env import ExtractionEnv, build_env, utc

from vires_repo.errors import ExtractionRequestError
from vires_repo.services import extraction
from vires_repo.testing.observatory_products import OBSERVATORIES, write_obs_product

OBS = "SW_OPER_AUX_OBSM2_"


@pytest.fixture
def env(tmp_path: Path, copy_default_catalog: object) -> ExtractionEnv:
    env = build_env(tmp_path, copy_default_catalog)
    env.register(OBS, write_obs_product(env.data, "2016-01-01T00:00:00", "2016-01-01T23:59:00"))
    return env


def test_one_site_reads_its_records_only(env: ExtractionEnv, tmp_path: Path) -> None:
    output = tmp_path / "abk.parquet"

    result = env.extract(
        output, {"ABK": [f"{OBS}:ABK"]}, "2016-01-01T00:00:00", "2016-01-01T00:10:00",
        variables=["IAGA_code", "B_NEC"], output_format="parquet",
    )  # fmt: skip

    table = pq.read_table(output)
    assert result.records == 10
    assert table.column_names == [
        "Timestamp", "Latitude", "Longitude", "Radius", "IAGA_code", "B_NEC"
    ]  # fmt: skip
    assert set(table["IAGA_code"].to_pylist()) == {"ABK"}
    assert set(table["Latitude"].to_pylist()) == {OBSERVATORIES[0].latitude}
    times = table["Timestamp"].to_pylist()
    assert times[0] == utc("2016-01-01T00:00:00")
    assert times[-1] == utc("2016-01-01T00:09:00")


def test_all_sites_come_sorted_by_time(env: ExtractionEnv, tmp_path: Path) -> None:
    output = tmp_path / "all.parquet"

    result = env.extract(
        output, {"all": [OBS]}, "2016-01-01T00:00:00", "2016-01-01T00:03:00",
        variables=["IAGA_code"], output_format="parquet",
    )  # fmt: skip

    table = pq.read_table(output)
    codes = [site.code for site in OBSERVATORIES]
    assert result.records == 3 * len(codes)
    times = table["Timestamp"].to_pylist()
    assert times == sorted(times)
    assert table["IAGA_code"].to_pylist() == codes * 3  # stable: file order within a time
    assert np.diff([t.timestamp() for t in times]).max() == timedelta(minutes=1).seconds


def test_a_collection_behind_a_permission_is_unknown_without_it(
    env: ExtractionEnv, tmp_path: Path
) -> None:
    def request(permissions: list[str]) -> extraction.ExtractionRequest:
        return extraction.ExtractionRequest(
            collection_ids={"all": [OBS]},
            begin=utc("2016-01-01T00:00:00"),
            end=utc("2016-01-01T00:01:00"),
            permissions=permissions,
        )

    with pytest.raises(ExtractionRequestError, match=f"Invalid collection identifier '{OBS}'"):
        extraction.extract(env.catalog, request([]), tmp_path / "denied.cdf")
    result = extraction.extract(env.catalog, request(["swarm"]), tmp_path / "allowed.cdf")

    assert result.records == len(OBSERVATORIES)
    assert not (tmp_path / "denied.cdf").exists()
