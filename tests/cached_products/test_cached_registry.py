"""The registry of cached product types and the generic conversion contract."""

from __future__ import annotations

from pathlib import Path

import fsspec
import pytest
from cached_product_samples import KP_SAMPLE

from vires_repo.cached_products import (
    CACHED_PRODUCT_TYPES,
    convert,
    get_cached_product_type,
    read_info,
    read_table,
)
from vires_repo.errors import DefinitionError, NotFoundError, ProductFileError

# destination files of reference 9.2
OUTPUT_NAMES = {
    "AUXAORBCNT": "SW_OPER_AUXAORBCNT.cdf",
    "AUXBORBCNT": "SW_OPER_AUXBORBCNT.cdf",
    "AUXCORBCNT": "SW_OPER_AUXCORBCNT.cdf",
    "CS2_ORBCNT": "CS2_ORBCNT.cdf",
    "GR1_ORBCNT": "GR1_ORBCNT.cdf",
    "GR2_ORBCNT": "GR2_ORBCNT.cdf",
    "GF1_ORBCNT": "GF1_ORBCNT.cdf",
    "GF2_ORBCNT": "GF2_ORBCNT.cdf",
    "GO_ORBCNT": "GO_ORBCNT.cdf",
    "CH_ORBCNT": "CH_ORBCNT.cdf",
    "AUX_F10_2_": "SW_OPER_AUX_F10_2_.cdf",
    "GFZ_AUX_DST": "aux_dst.cdf",
    "GFZ_AUX_KP": "aux_kp.cdf",
    "MCO_SHA_2C": "SW_OPER_MCO_SHA_2C.shc",
    "MCO_SHA_2D": "SW_OPER_MCO_SHA_2D.shc",
    "MCO_SHA_2F": "SW_OPER_MCO_SHA_2F.shc",
    "MLI_SHA_2C": "SW_OPER_MLI_SHA_2C.shc",
    "MLI_SHA_2D": "SW_OPER_MLI_SHA_2D.shc",
    "MLI_SHA_2E": "SW_OPER_MLI_SHA_2E.shc",
    "MIO_SHA_2C": "SW_OPER_MIO_SHA_2C.txt",
    "MIO_SHA_2D": "SW_OPER_MIO_SHA_2D.txt",
    "MCO_SHA_2X": "SW_OPER_MCO_SHA_2X.zip",
    "MMA_SHA_2C": "SW_OPER_MMA_SHA_2C.cdf",
    "MMA_SHA_2F": "SW_OPER_MMA_SHA_2F.cdf",
    "MMA_CHAOS_": "SW_OPER_MMA_CHAOS_.cdf",
}


def test_every_type_writes_its_vires_file() -> None:
    assert {k: t.output_name for k, t in CACHED_PRODUCT_TYPES.items()} == OUTPUT_NAMES


def test_multi_source_types_and_sql_views() -> None:
    multiple = {k for k, t in CACHED_PRODUCT_TYPES.items() if t.multiple_sources}
    assert multiple == {"MCO_SHA_2X", "MMA_SHA_2C", "MMA_SHA_2F", "MMA_CHAOS_"}
    views = {k: t.view for k, t in CACHED_PRODUCT_TYPES.items() if t.view}
    assert set(views.values()) == {"orbit_counter", "f107", "kp", "dst"}
    assert all(CACHED_PRODUCT_TYPES[k].read_table is not None for k in views)


def test_unknown_type() -> None:
    with pytest.raises(NotFoundError, match="^unknown cached product type 'KP'; expected one"):
        get_cached_product_type("KP")


def test_table_of_a_model_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match="^MCO_SHA_2C: not a tabular cached product$"):
        read_table("MCO_SHA_2C", tmp_path / "SW_OPER_MCO_SHA_2C.shc")


def test_table_from_an_fsspec_url(tmp_path: Path) -> None:
    result = convert("GFZ_AUX_KP", [KP_SAMPLE], tmp_path)
    url = "memory://cached-tables/aux_kp.cdf"
    fsspec.filesystem("memory").put_file(str(tmp_path / result.files[0]), url)
    assert read_table("GFZ_AUX_KP", url).num_rows == 12


def test_info_of_a_missing_or_unreadable_product(tmp_path: Path) -> None:
    info = read_info("GFZ_AUX_KP", tmp_path)
    assert (info.identifier, info.updated, info.sources) == ("GFZ_AUX_KP", None, [])
    assert info.location == str(tmp_path / "aux_kp.cdf")
    (tmp_path / "aux_kp.cdf").write_text("not a CDF")
    assert read_info("GFZ_AUX_KP", tmp_path).sources == []
    assert read_info("MIO_SHA_2D", tmp_path).sources == []


def test_failed_conversion_leaves_the_previous_output(tmp_path: Path) -> None:
    convert("GFZ_AUX_KP", [KP_SAMPLE], tmp_path / "out")
    before = (tmp_path / "out" / "aux_kp.cdf").read_bytes()
    broken = tmp_path / "Kp_MJD_broken.dat"
    broken.write_text(KP_SAMPLE.read_text() + "  -728.4375  7\n")
    with pytest.raises(ProductFileError, match="line 18: expected 4 columns"):
        convert("GFZ_AUX_KP", [broken], tmp_path / "out")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["aux_kp.cdf"]
    assert (tmp_path / "out" / "aux_kp.cdf").read_bytes() == before


def test_missing_source(tmp_path: Path) -> None:
    source = tmp_path / "Kp_MJD_missing.dat"
    with pytest.raises(NotFoundError, match="Kp_MJD_missing.dat: source file does not exist$"):
        convert("GFZ_AUX_KP", [source], tmp_path / "out")
    with pytest.raises(NotFoundError, match="source file does not exist$"):
        convert("CH_ORBCNT", [f"file://{tmp_path}/counter.cdf"], tmp_path / "out")
