"""vires_repo.testing.observatory_products: ground and virtual observatory products with the
layout and names of the real ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from swarm_layout import SWARM_NAME, file_variables

from vires_repo.io.cdf import open_cdf
from vires_repo.testing.observatory_products import (
    OBSERVATORIES,
    vobs_site_code,
    write_obs_product,
    write_vobs_product,
)


def test_obs_product_layout(tmp_path: Path) -> None:
    location = write_obs_product(
        tmp_path, "2016-01-01", "2016-01-01T00:59:00", observatories=OBSERVATORIES[:3]
    )
    name = Path(location).name

    assert name == "SW_OPER_AUX_OBSM2__20160101T000000_20160101T005900_0102.cdf"
    assert SWARM_NAME.match(name) is not None
    with open_cdf(location) as cdf:
        assert sorted(cdf.variable_names()) == sorted(file_variables("SW_AUX_OBSx2_"))
        codes = cdf.read_variable("IAGA_code").tolist()
        assert cdf.global_attribute("IAGA_CODES") == ["ABK", "BOU", "HER"]
        ranges = [entry.tolist() for entry in cdf.global_attribute("INDEX_RANGES")]
    assert ranges == [[0, 60], [60, 120], [120, 180]]
    assert codes == ["ABK"] * 60 + ["BOU"] * 60 + ["HER"] * 60


def test_vobs_product_layout(tmp_path: Path) -> None:
    location = write_vobs_product(tmp_path, "2016-01-01", "2016-06-30", sites=[(65, -51)])

    assert Path(location).name == "SW_OPER_VOBS_1M_2__20160115T000000_20160615T000000_0201.cdf"
    with open_cdf(location) as cdf:
        assert sorted(cdf.variable_names()) == sorted(file_variables("SW_VOBS_xM_2_"))
        assert cdf.global_attribute("SITE_CODES") == ["N65W051"]
        assert cdf.global_attribute("INDEX_RANGES")[0].tolist() == [0, 6]
        assert cdf.global_attribute("INDEX_RANGES_SV")[0].tolist() == [0, 5]
        assert cdf.read_variable("SiteCode_SV").tolist() == ["N65W051"] * 5
    with pytest.raises(ValueError, match="at least two monthly values"):
        write_vobs_product(tmp_path, "2016-01-01", "2016-01-31")


def test_vobs_site_codes() -> None:
    assert vobs_site_code(65, -51) == "N65W051"
    assert vobs_site_code(-7, 120) == "S07E120"
    assert vobs_site_code(0, 0) == "N00E000"
