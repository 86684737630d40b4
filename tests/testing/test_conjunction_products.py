"""vires_repo.testing.conjunction_products: MM_CON_EPH_2_ with the layout of the real one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from swarm_layout import file_variables

from vires_repo.io.cdf import open_cdf
from vires_repo.testing.conjunction_products import write_con_eph_product


def test_con_eph_product_layout(tmp_path: Path) -> None:
    location = write_con_eph_product(tmp_path, "2016-01-01", "2016-01-02T23:59:59")

    assert Path(location).name == "MM_OPER_CON_EPH_2__20160101T000000_20160102T235959_0101.cdf"
    with open_cdf(location) as cdf:
        assert sorted(cdf.variable_names()) == sorted(file_variables("MM_CON_EPH_2_"))
        assert cdf.variable_info("crossover_time_1").records == 144
        assert cdf.read_variable("crossover_satellite_1")[:2].tolist() == ["SW_A", "SW_B"]
        assert (
            cdf.read_times("plane_alignment_time").tolist()
            == np.array(["2016-01-01T12:00", "2016-01-02T12:00"], dtype="datetime64[us]").tolist()
        )
