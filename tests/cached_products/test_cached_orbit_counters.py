"""Orbit counters: the real Swarm A sample, a renamed CryoSat-2 copy and synthetic GFZ CDFs."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import fsspec
import numpy as np
import pyarrow as pa
import pytest
from cached_product_samples import CDF_EPOCH_2000, MS_PER_DAY, ORBIT_COUNTER_A, write_test_cdf

from vires_repo.cached_products import NO_ORBIT, convert, orbit_number_at, read_info, read_table
from vires_repo.errors import DefinitionError, ProductFileError
from vires_repo.io.cdf import open_cdf

CREATED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
FIRST_NODE = 5074.55678856838  # orbit 1 of the sample, 2013-11-22T13:21:46.532
SECOND_NODE = 5074.62247841386
LAST_NODE = 5081.05999842240  # orbit 100


@pytest.fixture
def swarm_a(tmp_path: Path) -> pa.Table:
    result = convert("AUXAORBCNT", [str(ORBIT_COUNTER_A)], tmp_path, created=CREATED)
    assert result.files == ("SW_OPER_AUXAORBCNT.cdf",)
    assert result.sources == ("SW_OPER_AUXAORBCNT_sample",)
    return read_table("AUXAORBCNT", tmp_path / result.files[0])


def test_swarm_text_counter_converts_to_vires_cdf(tmp_path: Path) -> None:
    convert("AUXAORBCNT", [ORBIT_COUNTER_A], tmp_path, created=CREATED)
    with open_cdf(tmp_path / "SW_OPER_AUXAORBCNT.cdf") as cdf:
        assert cdf.variable_info("orbit").data_type == "CDF_UINT4"
        assert cdf.variable_info("Source").data_type == "CDF_UINT1"
        attributes = cdf.global_attributes()
    assert attributes["SOURCE"] == ["SW_OPER_AUXAORBCNT_sample"]
    assert attributes["VALIDITY"] == [FIRST_NODE, LAST_NODE]
    assert attributes["CREATED"] == ["2026-01-02T03:04:05Z"]
    info = read_info("AUXAORBCNT", tmp_path)
    assert info.updated == CREATED
    assert info.sources == ["SW_OPER_AUXAORBCNT_sample"]


def test_table_rows_match_the_text(swarm_a: pa.Table) -> None:
    assert swarm_a.num_rows == 100
    assert swarm_a.column("orbit").to_pylist() == list(range(1, 101))
    assert swarm_a.column("phi_an")[0].as_py() == 17.148
    assert swarm_a.column("source").to_pylist()[:7] == [0] * 7
    assert swarm_a.column("source")[7].as_py() == 1  # orbit 8 has reduced quality
    # MJD2000 of orbit 1 agrees with its date and UT columns (2013-11-22 13:21:46.532)
    first = swarm_a.column("time")[0].as_py()
    expected = datetime(2013, 11, 22, 13, 21, 46, 532000, tzinfo=UTC)
    assert abs((first - expected).total_seconds()) < 1e-3


def test_orbit_number_uses_previous_node_and_minus_one_outside(swarm_a: pa.Table) -> None:
    eps = 1e-7  # about 9 ms
    times = [
        FIRST_NODE - eps,  # before the first node: no orbit
        FIRST_NODE,  # orbit 1 starts at its node
        (FIRST_NODE + SECOND_NODE) / 2,
        SECOND_NODE - eps,
        SECOND_NODE,
        LAST_NODE,  # orbit 100 starts
        LAST_NODE + eps,  # its end is unknown: no orbit
        np.nan,
    ]
    assert orbit_number_at(swarm_a, times).tolist() == [NO_ORBIT, 1, 1, 1, 2, 100, -1, -1]


def test_cryosat_counter_uses_the_same_text_format(tmp_path: Path) -> None:
    source = tmp_path / "CS_OPER_AUX_ORBCNT_20100101T000000_20200101T000000_0001.TXT"
    shutil.copy(ORBIT_COUNTER_A, source)
    result = convert("CS2_ORBCNT", [source], tmp_path / "out", created=CREATED)
    assert result.files == ("CS2_ORBCNT.cdf",)
    assert result.sources == ("CS_OPER_AUX_ORBCNT_20100101T000000_20200101T000000_0001",)


def test_source_from_an_fsspec_url(tmp_path: Path) -> None:
    url = "memory://cached-products/SW_OPER_AUXBORBCNT_sample.TXT"
    with fsspec.open(url, "wb") as stream:
        stream.write(ORBIT_COUNTER_A.read_bytes())
    result = convert("AUXBORBCNT", [url], tmp_path, created=CREATED)
    assert result.sources == ("SW_OPER_AUXBORBCNT_sample",)
    assert read_table("AUXBORBCNT", tmp_path / result.files[0]).num_rows == 100


def test_same_inputs_give_the_same_bytes(tmp_path: Path) -> None:
    first = convert("AUXAORBCNT", [ORBIT_COUNTER_A], tmp_path / "a", created=CREATED)
    second = convert("AUXAORBCNT", [ORBIT_COUNTER_A], tmp_path / "b", created=CREATED)
    assert first.checksum == second.checksum
    assert first.checksum.startswith("sha256:")


def _write_source(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_rejects_a_file_of_another_spacecraft(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError) as error:
        convert("AUXBORBCNT", [ORBIT_COUNTER_A], tmp_path)
    assert str(error.value) == (
        "SW_OPER_AUXAORBCNT_sample.TXT: not a AUXBORBCNT source file "
        "(expected orbit-counter text file)"
    )


def test_rejects_more_than_one_source(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match="only one source file expected"):
        convert("AUXAORBCNT", [ORBIT_COUNTER_A, ORBIT_COUNTER_A], tmp_path)


def test_rejects_wrong_columns_naming_the_line(tmp_path: Path) -> None:
    lines = ORBIT_COUNTER_A.read_text().splitlines()
    lines[3] = "     3   5074.68816788308   2013-11-22   16:30:57.705   -30.319"
    source = _write_source(tmp_path, "SW_OPER_AUXAORBCNT_broken.TXT", "\n".join(lines))
    with pytest.raises(ProductFileError) as error:
        convert("AUXAORBCNT", [source], tmp_path / "out")
    assert str(error.value) == (
        "SW_OPER_AUXAORBCNT_broken.TXT: line 4: expected 6 columns "
        "(orbit MJD2000 date UT phi_AN Source), found 5"
    )
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_rejects_a_foreign_header_and_unsorted_nodes(tmp_path: Path) -> None:
    lines = ORBIT_COUNTER_A.read_text().splitlines()
    renamed = _write_source(
        tmp_path, "SW_OPER_AUXAORBCNT_header.TXT", "\n".join(["%orbit time"] + lines[1:])
    )
    with pytest.raises(ProductFileError, match="line 1: header '%orbit time' is not"):
        convert("AUXAORBCNT", [renamed], tmp_path / "out")
    swapped = _write_source(
        tmp_path, "SW_OPER_AUXAORBCNT_swapped.TXT", "\n".join([lines[0], lines[2], lines[1]])
    )
    with pytest.raises(ProductFileError, match="ascending-node times not strictly increasing"):
        convert("AUXAORBCNT", [swapped], tmp_path / "out")


def _gfz_counter(path: Path, title: str | None = None, omit: str | None = None) -> Path:
    """A GFZ-style counter: nodes every 94.5 min from 2019-01-01, orbits from 5000."""
    count = 20
    mjd2000 = 6940.0 + np.arange(count) * (94.5 / 1440.0)
    variables = {
        "Timestamp": (CDF_EPOCH_2000 + mjd2000 * MS_PER_DAY, "CDF_EPOCH"),
        "OrbitNo": (np.arange(5000, 5000 + count, dtype="int32"), "CDF_INT4"),
        "Longitude": (((np.arange(count) * -23.7 + 180.0) % 360.0) - 180.0, "CDF_DOUBLE"),
    }
    if omit:
        del variables[omit]
    return write_test_cdf(path, variables, {"TITLE": title} if title else None)


@pytest.mark.parametrize(
    "type_id", ["GR1_ORBCNT", "GR2_ORBCNT", "GF1_ORBCNT", "GF2_ORBCNT", "GO_ORBCNT", "CH_ORBCNT"]
)
def test_gfz_cdf_counter(tmp_path: Path, type_id: str) -> None:
    title = f"{type_id}_20190101T000000_20190102T000000_0001"
    source = _gfz_counter(tmp_path / "gfz_counter.cdf", title=title)
    result = convert(type_id, [source], tmp_path / "out", created=CREATED)
    assert result.files == (f"{type_id}.cdf",)
    assert result.sources == (title,)
    table = read_table(type_id, tmp_path / "out" / result.files[0])
    assert table.column("orbit").to_pylist() == list(range(5000, 5020))
    assert table.column("source").to_pylist() == [0] * 20
    assert table.column("phi_an")[1].as_py() == pytest.approx(-23.7)
    assert table.column("time")[1].as_py() == datetime(2019, 1, 1, 1, 34, 30, tzinfo=UTC)
    node = 6940.0 + 94.5 / 1440.0
    assert orbit_number_at(table, [6940.0 - 1e-6, node - 1e-6, node]).tolist() == [-1, 5000, 5001]


def test_gfz_counter_without_title_is_named_after_the_file(tmp_path: Path) -> None:
    source = _gfz_counter(tmp_path / "GO_orbit_counter.cdf")
    assert convert("GO_ORBCNT", [source], tmp_path / "out").sources == ("GO_orbit_counter",)


def test_gfz_counter_missing_a_variable(tmp_path: Path) -> None:
    source = _gfz_counter(tmp_path / "counter.cdf", omit="OrbitNo")
    with pytest.raises(ProductFileError) as error:
        convert("CH_ORBCNT", [source], tmp_path / "out")
    assert str(error.value) == (
        "counter.cdf: not a GFZ orbit-counter CDF, missing variable(s) OrbitNo"
    )


def test_a_text_file_posing_as_a_cdf(tmp_path: Path) -> None:
    source = tmp_path / "counter.cdf"
    shutil.copy(ORBIT_COUNTER_A, source)
    with pytest.raises(ProductFileError, match=r"^counter\.cdf: not a CDF file "):
        convert("CH_ORBCNT", [source], tmp_path / "out")


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _damaged_descriptor(data: bytes) -> bytes:
    """zVariable count of the global descriptor far beyond what the file can hold."""
    damaged = bytearray(data)
    gdr = int.from_bytes(damaged[20:28], "big")  # CDF 3: the CDR at byte 8 points to the GDR
    damaged[gdr + 60 : gdr + 64] = (10**6).to_bytes(4, "big")
    return bytes(damaged)


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (_truncated, r"truncated CDF \({half} of {size} bytes\)"),
        (_damaged_descriptor, r"corrupt CDF \(damaged global descriptor\)"),
    ],
    ids=["truncated", "damaged-descriptor"],
)
def test_a_damaged_cdf_source_is_refused_and_the_product_kept(
    tmp_path: Path, damage: Callable[[bytes], bytes], problem: str
) -> None:
    """CDF sources go through the guarded reader: one error naming the file, nothing written."""
    (tmp_path / "good").mkdir()
    good = _gfz_counter(tmp_path / "good" / "gfz_counter.cdf")
    out = tmp_path / "out"
    convert("GO_ORBCNT", [good], out, created=CREATED)
    before = {path.name: path.read_bytes() for path in out.iterdir()}
    source = tmp_path / "gfz_counter.cdf"
    source.write_bytes(damage(good.read_bytes()))

    size = len(good.read_bytes())
    expected = problem.format(half=size // 2, size=size)
    with pytest.raises(ProductFileError, match=rf"^gfz_counter\.cdf: {expected}$"):
        convert("GO_ORBCNT", [source], out, created=CREATED)
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before
