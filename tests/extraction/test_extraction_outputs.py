"""The three output formats read back: CDF with cdflib, CSV parsed, Parquet with pyarrow;
the source product list; a column one source lacks."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import cdflib
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from extraction_env import ExtractionEnv, build_env, source_records, utc

from vires_repo.services import extraction

OPER_A = "SW_OPER_MAGA_LR_1B"
FAST_A = "SW_FAST_MAGA_LR_1B"
OPER_B = "SW_OPER_MAGB_LR_1B"
VARIABLES = ["F", "B_NEC", "Flags_B"]
BEGIN, END = "2016-01-01T00:00:00", "2016-01-01T00:00:05"


@pytest.fixture
def env(tmp_path: Path, copy_default_catalog: object) -> ExtractionEnv:
    env = build_env(tmp_path, copy_default_catalog)
    env.add(OPER_A, "2016-01-01T00:00:00", "2016-01-01T00:59:59")
    return env


def _product(env: ExtractionEnv) -> str:
    return next(iter(env.files))


def test_cdf_output_as_vires_writes_it(env: ExtractionEnv, tmp_path: Path) -> None:
    output = tmp_path / "out.cdf"

    result = env.extract(output, {"A": [OPER_A]}, BEGIN, END, variables=VARIABLES)

    cdf = cdflib.CDF(str(output))
    source = source_records(env.files[_product(env)], ["F", "B_NEC", "Flags_B"])
    names = ["Spacecraft", "Timestamp", "Latitude", "Longitude", "Radius", *VARIABLES]
    assert cdf.cdf_info().zVariables == names
    types = {name: cdf.varinq(name).Data_Type_Description for name in names}
    assert types == {
        "Spacecraft": "CDF_CHAR", "Timestamp": "CDF_EPOCH", "Latitude": "CDF_DOUBLE",
        "Longitude": "CDF_DOUBLE", "Radius": "CDF_DOUBLE", "F": "CDF_DOUBLE",
        "B_NEC": "CDF_DOUBLE", "Flags_B": "CDF_UINT1",
    }  # fmt: skip
    assert cdf.varattsget("B_NEC") == {
        "DESCRIPTION": "Magnetic field vector, NEC frame",
        "UNITS": "nT",
    }
    epochs = cdf.varget("Timestamp")
    assert epochs[0] == 63_618_825_600_000.0  # CDF_EPOCH of 2016-01-01T00:00:00
    np.testing.assert_array_equal(cdf.varget("B_NEC"), source["B_NEC"][:5])
    np.testing.assert_array_equal(cdf.varget("Flags_B"), source["Flags_B"][:5])
    assert list(cdf.varget("Spacecraft")) == ["A"] * 5
    attributes = cdf.globalattsget()
    assert attributes["DATA_TIMESPAN"] == ["2016-01-01T00:00:00Z/2016-01-01T00:00:05Z"]
    assert attributes["SOURCES"] == ["A"]
    assert attributes["ORIGINAL_PRODUCT_NAMES"] == result.source_products == [_product(env)]
    assert attributes["TITLE"] == ["out.cdf"]


def test_csv_output_in_the_vires_layout(env: ExtractionEnv, tmp_path: Path) -> None:
    output = tmp_path / "out.csv"

    env.extract(output, {"A": [OPER_A]}, BEGIN, END, variables=VARIABLES, output_format="csv")

    data = output.read_bytes()
    assert data.count(b"\r\n") == 6 and data.endswith(b"\r\n")
    rows = list(csv.reader(data.decode().splitlines()))
    source = source_records(env.files[_product(env)], ["Latitude", "F", "B_NEC"])
    assert rows[0] == [
        "Spacecraft", "Timestamp", "Latitude", "Longitude", "Radius", "F", "B_NEC", "Flags_B"
    ]  # fmt: skip
    first = rows[1]
    assert first[:2] == ["A", "2016-01-01T00:00:00Z"]
    assert first[2] == f"{source['Latitude'][0]:.9g}"
    assert first[5] == f"{source['F'][0]:.9g}"
    assert first[6] == "{" + ";".join(f"{value:.9g}" for value in source["B_NEC"][0]) + "}"
    assert first[7] == "0"
    assert [row[1] for row in rows[1:]][-1] == "2016-01-01T00:00:04Z"


@pytest.mark.parametrize(
    ("time_format", "first", "second"),
    [
        ("MJD2000", "5844", "5844.0000115741"),
        ("Unix epoch", "1451606400", "1451606401"),
    ],
)
def test_csv_time_formats(
    env: ExtractionEnv, tmp_path: Path, time_format: str, first: str, second: str
) -> None:
    output = tmp_path / "out.csv"

    env.extract(
        output, {"A": [OPER_A]}, BEGIN, END, output_format="csv", csv_time_format=time_format
    )

    times = [line.split(",")[1] for line in output.read_text().splitlines()[1:3]]
    assert times == [first, second]


def test_parquet_output_has_typed_columns(env: ExtractionEnv, tmp_path: Path) -> None:
    output = tmp_path / "out.parquet"

    result = env.extract(
        output, {"A": [OPER_A]}, BEGIN, END, variables=VARIABLES, output_format="parquet"
    )

    table = pq.read_table(output)
    assert table.schema.field("Timestamp").type == pa.timestamp("us", tz="UTC")
    assert table.schema.field("B_NEC").type == pa.list_(pa.float64(), 3)
    assert table.schema.field("Flags_B").type == pa.uint8()
    assert table.schema.field("Spacecraft").type == pa.string()
    assert table.schema.field("F").metadata == {
        b"DESCRIPTION": b"Magnetic field intensity",
        b"UNITS": b"nT",
    }
    metadata = pq.read_metadata(output).metadata
    assert metadata[b"vires:source_products"] == f'["{result.source_products[0]}"]'.encode()
    assert table.num_rows == 5


def test_the_source_list_file_has_one_product_per_crlf_line(
    env: ExtractionEnv, tmp_path: Path
) -> None:
    env.add(OPER_A, "2016-01-01T01:00:00", "2016-01-01T01:59:59")
    request = extraction.ExtractionRequest(
        collection_ids={"A": [OPER_A]},
        begin=utc("2016-01-01T00:59:58"),
        end=utc("2016-01-01T01:00:02"),
    )

    extraction.extract(
        env.catalog, request, tmp_path / "out.cdf", sources_output=tmp_path / "sources.txt"
    )

    assert (tmp_path / "sources.txt").read_bytes() == b"".join(
        f"{name}\r\n".encode() for name in sorted(env.files)
    )


def test_a_column_one_source_lacks_is_nan(env: ExtractionEnv, tmp_path: Path) -> None:
    env.add(FAST_A, "2016-01-01T00:00:00", "2016-01-01T00:59:59")
    env.add(OPER_B, "2016-01-01T00:00:00", "2016-01-01T00:59:59")
    sources = {"A": [OPER_A, FAST_A], "B": [OPER_B]}
    csv_path, cdf_path, parquet_path = (tmp_path / f"out.{ext}" for ext in ("csv", "cdf", "pq"))

    env.extract(csv_path, sources, BEGIN, "2016-01-01T00:00:01", output_format="csv")
    env.extract(cdf_path, sources, BEGIN, "2016-01-01T00:00:01")
    env.extract(parquet_path, sources, BEGIN, "2016-01-01T00:00:01", output_format="parquet")

    lines = csv_path.read_text().splitlines()
    assert lines[0].startswith("DataSource,Spacecraft,Timestamp,")
    assert [line.split(",")[:2] for line in lines[1:]] == [["0", "A"], ["nan", "B"]]
    assert list(cdflib.CDF(str(cdf_path)).varget("DataSource")) == [0, 0]
    assert pq.read_table(parquet_path)["DataSource"].to_pylist() == [0, None]


def test_output_to_a_url_appears_whole_or_not_at_all(env: ExtractionEnv, tmp_path: Path) -> None:
    import fsspec

    memory = fsspec.filesystem("memory")

    def request(**options: Any) -> extraction.ExtractionRequest:
        return extraction.ExtractionRequest(
            collection_ids={"A": [OPER_A]}, begin=utc(BEGIN), end=utc(END),
            variables=VARIABLES, output_format="parquet", **options,
        )  # fmt: skip

    result = extraction.extract(env.catalog, request(), "memory://results/out.parquet")

    with fsspec.open("memory://results/out.parquet", "rb") as stream:
        table = pq.read_table(stream)
    assert table.num_rows == result.records == 5
    assert memory.ls("/results", detail=False) == ["/results/out.parquet"]  # no scratch left

    with pytest.raises(extraction.ExtractionRequestError, match="maximum limit of 3 records"):
        extraction.extract(
            env.catalog,
            request(limits=extraction.Limits(max_samples=3)),
            "memory://results/failed.parquet",
        )
    assert memory.ls("/results", detail=False) == ["/results/out.parquet"]
