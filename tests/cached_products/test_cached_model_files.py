"""SHC and MIO models copied with provenance, and the CHAOS core zip (MCO_SHA_2X)."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from cached_product_samples import MODELS

from vires_repo.cached_products import convert, read_info
from vires_repo.errors import DefinitionError, ProductFileError

MCO_2C = MODELS / "SW_OPER_MCO_SHA_2C.shc"
MCO_2D = MODELS / "SW_OPER_MCO_SHA_2D.shc"
MLI_2C = MODELS / "SW_OPER_MLI_SHA_2C.shc"
MIO_2C = MODELS / "SW_OPER_MIO_SHA_2C.txt"


@pytest.mark.parametrize(
    ("type_id", "source"),
    [
        ("MCO_SHA_2C", MCO_2C),
        ("MCO_SHA_2D", MCO_2D),
        ("MLI_SHA_2C", MLI_2C),
        ("MIO_SHA_2C", MIO_2C),
    ],
)
def test_model_is_copied_with_its_source_id(tmp_path: Path, type_id: str, source: Path) -> None:
    result = convert(type_id, [source], tmp_path)
    output = source.name
    assert result.files == (output, output + ".source")
    assert result.sources == (source.stem,)
    assert (tmp_path / output).read_bytes() == source.read_bytes()
    assert (tmp_path / (output + ".source")).read_text() == source.stem + "\n"
    info = read_info(type_id, tmp_path)
    assert info.sources == [source.stem]
    assert info.updated is not None
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(result.files)


def test_timed_product_name_is_the_recorded_source(tmp_path: Path) -> None:
    source = tmp_path / "SW_OPER_MCO_SHA_2F_20131125T000000_20260101T000000_0501.shc"
    shutil.copy(MCO_2C, source)
    result = convert("MCO_SHA_2F", [source], tmp_path / "out")
    assert result.files == ("SW_OPER_MCO_SHA_2F.shc", "SW_OPER_MCO_SHA_2F.shc.source")
    assert result.sources == ("SW_OPER_MCO_SHA_2F_20131125T000000_20260101T000000_0501",)


def test_renamed_file_is_rejected_by_its_name(tmp_path: Path) -> None:
    source = tmp_path / "core_model.shc"
    shutil.copy(MCO_2C, source)
    with pytest.raises(DefinitionError) as error:
        convert("MCO_SHA_2C", [source], tmp_path / "out")
    assert str(error.value) == (
        "core_model.shc: not a MCO_SHA_2C source file "
        "(expected SW_OPER_MCO_SHA_2C[_<start>_<end>_<version>].shc)"
    )
    with pytest.raises(DefinitionError, match="^SW_OPER_MCO_SHA_2C.shc: not a MLI_SHA_2C source"):
        convert("MLI_SHA_2C", [MCO_2C], tmp_path / "out")


def test_lithospheric_model_renamed_as_core_model_is_rejected(tmp_path: Path) -> None:
    source = tmp_path / "SW_OPER_MCO_SHA_2C.shc"
    shutil.copy(MLI_2C, source)
    with pytest.raises(ProductFileError) as error:
        convert("MCO_SHA_2C", [source], tmp_path / "out")
    assert str(error.value) == (
        "SW_OPER_MCO_SHA_2C.shc: not a core field model (minimum degree 16, expected 1)"
    )
    core_as_lithosphere = tmp_path / "SW_OPER_MLI_SHA_2D.shc"
    shutil.copy(MCO_2D, core_as_lithosphere)
    with pytest.raises(ProductFileError, match=r"not a static lithospheric model \(61 model"):
        convert("MLI_SHA_2D", [core_as_lithosphere], tmp_path / "out")


def _truncated(tmp_path: Path, model: Path, size: int) -> Path:
    path = tmp_path / "cut" / model.name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(model.read_bytes()[:size])
    return path


def test_truncated_shc_file_is_rejected_and_nothing_is_written(tmp_path: Path) -> None:
    out = tmp_path / "out"
    convert("MCO_SHA_2C", [MCO_2C], out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    text = MCO_2C.read_bytes()
    # cut in the middle of coefficient row 180 (line 185 of the file)
    with pytest.raises(ProductFileError) as error:
        convert("MCO_SHA_2C", [_truncated(tmp_path, MCO_2C, len(text) // 2)], out)
    assert str(error.value) == (
        "SW_OPER_MCO_SHA_2C.shc: truncated SHC file: coefficient row 180 of 360 "
        "is incomplete (line 185)"
    )
    # the last five lines missing
    cut = len(b"".join(text.splitlines(keepends=True)[:-5]))
    with pytest.raises(ProductFileError, match=r"truncated SHC file: 355 of 360 coefficient rows"):
        convert("MCO_SHA_2C", [_truncated(tmp_path, MCO_2C, cut)], out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_truncated_mio_file_is_rejected(tmp_path: Path) -> None:
    text = MIO_2C.read_bytes()
    cut = text.rindex(b"\n", 0, len(text) - 1) + 1  # drop the last row
    with pytest.raises(ProductFileError) as error:
        convert("MIO_SHA_2C", [_truncated(tmp_path, MIO_2C, cut)], tmp_path / "out")
    assert str(error.value) == (
        "SW_OPER_MIO_SHA_2C.txt: truncated MIO file: 2735 of 2736 coefficient rows"
    )


# -- MCO_SHA_2X -----------------------------------------------------------------------------


def _chaos_file(folder: Path, start: str, end: str, version: str) -> str:
    path = folder / f"SW_OPER_MCO_SHA_2X_{start}_{end}_{version}.shc"
    shutil.copy(MCO_2D, path)
    return str(path)


def test_chaos_core_zip_holds_the_latest_version_chain(tmp_path: Path) -> None:
    folder = tmp_path / "sources"
    folder.mkdir()
    newest = [
        _chaos_file(folder, "20100101T000000", "20150101T000000", "0702"),
        _chaos_file(folder, "20150101T000001", "20200101T000000", "0702"),  # 1 s gap: allowed
        _chaos_file(folder, "20200101T000000", "20250101T000000", "0702"),
    ]
    older_chain_start = _chaos_file(folder, "19990101T000000", "20091231T235958", "0702")
    older_version = _chaos_file(folder, "19990101T000000", "20260101T000000", "0701")
    sources = [newest[2], older_version, newest[0], older_chain_start, newest[1]]
    result = convert("MCO_SHA_2X", sources, tmp_path / "out")
    expected = tuple(Path(path).stem for path in newest)
    assert result.files == ("SW_OPER_MCO_SHA_2X.zip",)
    assert result.sources == expected
    with zipfile.ZipFile(tmp_path / "out" / "SW_OPER_MCO_SHA_2X.zip") as archive:
        assert archive.namelist() == [Path(path).name for path in newest]
        assert archive.read(Path(newest[0]).name) == MCO_2D.read_bytes()
    assert read_info("MCO_SHA_2X", tmp_path / "out").sources == list(expected)
    again = convert("MCO_SHA_2X", list(reversed(sources)), tmp_path / "again")
    assert again.checksum == result.checksum


def test_chaos_core_rejects_other_names(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match="^SW_OPER_MCO_SHA_2D.shc: not a MCO_SHA_2X source"):
        convert("MCO_SHA_2X", [MCO_2D], tmp_path / "out")
