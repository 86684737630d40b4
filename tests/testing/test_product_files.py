"""vires_repo.testing.product_files: names and readability shared by every sample writer."""

from __future__ import annotations

from pathlib import Path

from swarm_layout import SWARM_NAME, TYPES

from vires_repo.products.metadata import read_product_metadata
from vires_repo.testing.conjunction_products import write_con_eph_product
from vires_repo.testing.mag_products import write_mag_lr_product, write_timespan_product
from vires_repo.testing.observatory_products import write_obs_product, write_vobs_product
from vires_repo.testing.product_files import product_file_name


def test_every_writer_gives_a_registrable_product(tmp_path: Path) -> None:
    """Each sample product reads back with the metadata reader of its VirES type."""
    written = {
        "SW_MAGx_LR_1B": write_mag_lr_product(tmp_path, "2016-01-01", "2016-01-01T01:00"),
        "SW_AUX_OBSx2_": write_obs_product(tmp_path, "2016-01-01", "2016-01-01T01:00"),
        "SW_VOBS_xM_2_": write_vobs_product(tmp_path, "2016-01-01", "2016-03-31"),
        "MM_CON_EPH_2_": write_con_eph_product(tmp_path, "2016-01-01", "2016-01-01T01:00"),
        "SW_ULFxMAG_2F": write_timespan_product(tmp_path, "2016-01-01", "2016-01-01T01:00"),
    }

    begins = {
        product_type: read_product_metadata(location, TYPES[product_type]).begin_time.isoformat()
        for product_type, location in written.items()
    }

    assert begins == {
        "SW_MAGx_LR_1B": "2016-01-01T00:00:00+00:00",
        "SW_AUX_OBSx2_": "2016-01-01T00:00:00+00:00",
        "SW_VOBS_xM_2_": "2016-01-15T00:00:00+00:00",
        "MM_CON_EPH_2_": "2016-01-01T00:00:00+00:00",
        "SW_ULFxMAG_2F": "2016-01-01T00:00:00+00:00",
    }


def test_product_file_names_follow_the_swarm_grammar() -> None:
    name = product_file_name("SW_OPER_MAGA_LR_1B", "2016-01-01", "2016-01-01T23:59:59Z", "0409")

    assert name == "SW_OPER_MAGA_LR_1B_20160101T000000_20160101T235959_0409.cdf"
    assert SWARM_NAME.match(name) is not None
    assert (
        product_file_name("X", "2016-01-01", "2016-01-02", "0101", dataset="D", extension=".zip")
        == "X_20160101T000000_20160102T000000_0101_D.zip"
    )
