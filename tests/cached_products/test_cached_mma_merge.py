"""MMA models: real files split into time pieces, merged back from a shuffled selection."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import cdflib
import fsspec
import numpy as np
import pytest
from cached_product_samples import CDF_EPOCH_2000, MODELS, write_test_cdf

from vires_repo.cached_products import convert, read_info
from vires_repo.cached_products.selection import (
    TimedProduct,
    latest_contiguous,
    newest_end_first,
)
from vires_repo.errors import DefinitionError, ProductFileError

CREATED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
CUTS = [datetime(2016, 12, day, tzinfo=UTC) for day in (1, 11, 21)] + [
    datetime(2017, 1, 1, tzinfo=UTC)
]


@dataclass(frozen=True)
class Case:
    type_id: str
    sample: Path
    merged: tuple[str, ...]  # variables of the merged file
    range_time: str  # time variable of SOURCE_TIME_RANGES


DIPOLE_VARIABLES = tuple(
    name
    for kind in ("qs", "gh")
    for index in (1, 2)
    for name in (f"t_{kind}_{index}", f"nm_{kind}_{index}", f"{kind}_{index}")
)
CASES = [
    Case(
        "MMA_SHA_2F",
        MODELS / "TEST_MMA_SHA_2F.cdf",
        ("t_qs", "nm_qs", "qs_geo", "t_gh", "nm_gh", "gh_geo"),
        "t_qs",
    ),
    Case("MMA_SHA_2C", MODELS / "TEST_MMA_SHA_2C.cdf", DIPOLE_VARIABLES, "t_qs_1"),
    Case("MMA_CHAOS_", MODELS / "TEST_CHAOS_MMA.cdf", DIPOLE_VARIABLES, "t_qs_1"),
]


def _epoch(moment: datetime) -> float:
    return CDF_EPOCH_2000 + (moment - datetime(2000, 1, 1, tzinfo=UTC)).total_seconds() * 1000


def _name_time(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S")


def _time_variable(name: str) -> str:
    """Time variable of a coefficient variable: qs_geo -> t_qs, gh_2 -> t_gh_2."""
    if name.endswith(("_geo", "_sm")):
        return "t_" + name.split("_")[0]
    return "t_" + name


def _read_all(path: Path) -> tuple[cdflib.CDF, dict[str, np.ndarray[Any, Any]]]:
    cdf = cdflib.CDF(path)
    arrays = {}
    for name in cdf.cdf_info().zVariables:
        data = np.asarray(cdf.varget(name))
        arrays[name] = data.reshape((-1, *cdf.varinq(name).Dim_Sizes))
    return cdf, arrays


def _write_piece(
    folder: Path,
    case: Case,
    start: datetime,
    end: datetime,
    version: str,
    window: tuple[datetime, datetime] | None = None,
    offset: float = 0.0,
    note: str = "",
) -> str:
    """A piece of the sample with the samples in ``window`` (default: [start, end))."""
    cdf, arrays = _read_all(case.sample)
    low, high = (_epoch(moment) for moment in (window or (start, end)))
    variables = {}
    for name, data in arrays.items():
        data_type = cdf.varinq(name).Data_Type_Description
        if name.startswith("nm_"):
            variables[name] = (data, data_type)
            continue
        times = arrays[name if name.startswith("t_") else _time_variable(name)][0]
        keep = (times >= low) & (times < high)
        piece = data[:, keep]
        variables[name] = (piece if name.startswith("t_") else piece + offset, data_type)
    attributes = {"TITLE": cdf.globalattsget()["TITLE"][0], "NOTE": note}
    name = f"SW_OPER_{case.type_id}_{_name_time(start)}_{_name_time(end)}_{version}.cdf"
    variable_attributes = {name: cdf.varattsget(name) for name in variables}
    return str(write_test_cdf(folder / name, variables, attributes, variable_attributes))


def _upload(path: str, folder_url: str) -> str:
    url = f"{folder_url}/{Path(path).name}"
    fsspec.filesystem("memory").put_file(path, url)
    return url


@pytest.mark.parametrize("case", CASES, ids=[case.type_id for case in CASES])
def test_merge_of_shuffled_pieces_restores_the_original(tmp_path: Path, case: Case) -> None:
    original_cdf, original = _read_all(case.sample)
    times = original[case.range_time][0]
    assert _epoch(CUTS[0]) <= times.min() and times.max() < _epoch(CUTS[-1])
    folder = tmp_path / "pieces"
    folder.mkdir()
    remote = f"memory://mma-{case.type_id}"
    chain = [
        _write_piece(folder, case, CUTS[0], CUTS[1], "0102", note="piece 1"),
        _upload(_write_piece(tmp_path, case, CUTS[1], CUTS[2], "0102", note="piece 2"), remote),
        _write_piece(folder, case, CUTS[2], CUTS[3], "0102", note="piece 3"),
    ]
    older_overlap = _write_piece(  # ends inside piece 2: passed over
        folder, case, CUTS[0], CUTS[1] + timedelta(days=1), "0101", offset=1000.0
    )
    beyond_gap = _write_piece(  # ends 2 h 1 s before piece 1 starts: the chain stops
        folder,
        case,
        CUTS[0] - timedelta(days=10),
        CUTS[0] - timedelta(hours=2, seconds=1),
        "0102",
        window=(CUTS[0], CUTS[1]),
        offset=2000.0,
    )
    sources = [*chain, older_overlap, beyond_gap]
    random.Random(7).shuffle(sources)

    result = convert(case.type_id, sources, tmp_path / "out", created=CREATED)

    identifiers = tuple(Path(source).stem for source in chain)
    assert result.files == (f"SW_OPER_{case.type_id}.cdf",)
    assert result.sources == identifiers
    merged_cdf, merged = _read_all(tmp_path / "out" / result.files[0])
    assert tuple(merged) == case.merged
    for name in case.merged:
        np.testing.assert_array_equal(merged[name], original[name], err_msg=name)
        assert merged_cdf.varinq(name).Data_Type_Description == (
            original_cdf.varinq(name).Data_Type_Description
        )
        assert merged_cdf.varattsget(name) == original_cdf.varattsget(name)
    attributes = merged_cdf.globalattsget()
    assert attributes["SOURCES"] == list(identifiers)
    assert attributes["TITLE"] == ["Merged " + original_cdf.globalattsget()["TITLE"][0]]
    assert attributes["NOTE"] == ["piece 3"]  # attributes of the latest source
    assert attributes["CREATED"] == ["2026-01-02T03:04:05Z"]
    bounds = [(_epoch(CUTS[k]), _epoch(CUTS[k + 1])) for k in range(3)]
    first_last = [
        (times[(times >= low) & (times < high)][0], times[(times >= low) & (times < high)][-1])
        for low, high in bounds
    ]
    expected_ranges = [
        [first_last[0][0], first_last[1][0]],
        [first_last[0][1], first_last[2][0]],
        [first_last[1][1], first_last[2][1]],
    ]
    assert [list(r) for r in attributes["SOURCE_TIME_RANGES"]] == expected_ranges
    info = read_info(case.type_id, tmp_path / "out")
    assert info.sources == list(identifiers)
    assert info.updated == CREATED


def test_merge_refuses_a_file_of_the_wrong_layout(tmp_path: Path) -> None:
    piece = _write_piece(tmp_path, CASES[1], CUTS[0], CUTS[1], "0101")  # MMA_SHA_2C content
    renamed = Path(piece).with_name(Path(piece).name.replace("MMA_SHA_2C", "MMA_SHA_2F"))
    Path(piece).rename(renamed)
    with pytest.raises(ProductFileError) as error:
        convert("MMA_SHA_2F", [str(renamed)], tmp_path / "out")
    assert str(error.value) == (
        f"{renamed.name}: not a MMA_SHA_2F CDF, missing variable(s) "
        "t_qs, nm_qs, qs_geo, t_gh, nm_gh, gh_geo"
    )
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_merge_refuses_foreign_names_and_no_sources(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError) as error:
        convert("MMA_CHAOS_", [str(MODELS / "TEST_CHAOS_MMA.cdf")], tmp_path)
    assert str(error.value) == (
        "TEST_CHAOS_MMA.cdf: not a MMA_CHAOS_ source file "
        "(expected SW_OPER_MMA_CHAOS__<start>_<end>_<baseline><version>.cdf)"
    )
    with pytest.raises(DefinitionError, match="^MMA_SHA_2F: no source file given$"):
        convert("MMA_SHA_2F", [], tmp_path)


def _product(start: datetime, end: datetime, version: str = "01") -> TimedProduct:
    return TimedProduct(
        f"{start}-{end}-{version}", f"{start:%j}", "MMA_SHA_2F", start, end, "01", version
    )


def test_gap_of_exactly_two_hours_still_chains() -> None:
    day = datetime(2020, 1, 10, tzinfo=UTC)
    latest = _product(day, day + timedelta(days=1))
    touching = _product(day - timedelta(days=1), day - timedelta(hours=2))
    too_far = _product(day - timedelta(days=3), day - timedelta(days=1, hours=2, seconds=1))
    same_end_older_version = _product(day, day + timedelta(days=1), version="00")
    chain = latest_contiguous(
        [too_far, same_end_older_version, touching, latest], timedelta(hours=2), newest_end_first
    )
    assert chain == [touching, latest]


def test_empty_selection_stays_empty() -> None:
    assert latest_contiguous([], timedelta(hours=2), newest_end_first) == []


def test_cdf_epoch_of_2000_matches_the_test_constant() -> None:
    assert cdflib.cdfepoch.compute_epoch([2000, 1, 1, 0, 0, 0, 0]) == CDF_EPOCH_2000
