"""vires_repo.io.cdf: time conversions, reading selected parts, writing, failures."""

from __future__ import annotations

from pathlib import Path

import fsspec
import numpy as np
import pytest
from cdflib.epochs import CDFepoch

from vires_repo.errors import ProductFileError
from vires_repo.io.cdf import CdfVariable, open_cdf, write_cdf
from vires_repo.timescales import (
    INVALID_TIME,
    LEAP_SECONDS,
    cdf_epoch_to_datetime64,
    datetime64_to_cdf_epoch,
    datetime64_to_tt2000,
    tt2000_to_datetime64,
)

SECOND_NS = 1_000_000_000


def _times(*values: str) -> np.ndarray:
    return np.array(values, dtype="datetime64[us]")


# -- CDF_EPOCH ---------------------------------------------------------------------------


def test_cdf_epoch_reference_values() -> None:
    """CDF_EPOCH(1970) and VirES' test vector 2023-01-02T12:37:48.123 <-> 63839882268123.0."""
    epochs = datetime64_to_cdf_epoch(_times("1970-01-01", "2000-01-01", "2023-01-02T12:37:48.123"))

    assert epochs.tolist() == [62167219200000.0, 63113904000000.0, 63839882268123.0]
    assert (
        cdf_epoch_to_datetime64(epochs).tolist()
        == _times("1970-01-01", "2000-01-01", "2023-01-02T12:37:48.123").tolist()
    )


def test_cdf_epoch_matches_cdflib_and_round_trips_at_millisecond_resolution() -> None:
    times = np.arange(
        np.datetime64("1990-01-01", "ms"), np.datetime64("2030-01-01", "ms"), 987_654_321
    ).astype("datetime64[us]")
    epochs = datetime64_to_cdf_epoch(times)
    sample = epochs[:: len(epochs) // 500]

    assert np.array_equal(cdf_epoch_to_datetime64(epochs), times)
    assert np.array_equal(
        CDFepoch.to_datetime(sample).astype("datetime64[us]"), cdf_epoch_to_datetime64(sample)
    )


def test_invalid_cdf_epoch_values_map_to_the_vires_invalid_time() -> None:
    """Fill -1e31, padding 0.0, NaN, the ISTP fill 9999-12-31T23:59:59.999, before year 1."""
    values = [-1e31, 0.0, np.nan, np.inf, 315569519999999.0, 1.0, 63113904000000.0]

    converted = cdf_epoch_to_datetime64(values)

    assert converted[:-1].tolist() == [INVALID_TIME.item()] * 6
    assert converted[-1] == np.datetime64("2000-01-01", "us")


# -- CDF_TIME_TT2000 ---------------------------------------------------------------------


def test_tt2000_reference_value() -> None:
    """TT2000 0 is 2000-01-01T12:00:00 TT = 11:58:55.816 UTC (32 leap s + 32.184 s)."""
    assert tt2000_to_datetime64([0])[0] == np.datetime64("2000-01-01T11:58:55.816", "us")
    assert datetime64_to_tt2000(_times("2000-01-01T11:58:55.816")).tolist() == [0]


def test_tt2000_across_the_2016_leap_second() -> None:
    """23:59:59.5, 23:59:60.0, 23:59:60.5 and 00:00:00.5: the leap second stays in 2016."""
    midnight = int(datetime64_to_tt2000(_times("2017-01-01"))[0])
    values = [
        midnight - 3 * SECOND_NS // 2,  # 23:59:59.5
        midnight - SECOND_NS,  # 23:59:60.0
        midnight - SECOND_NS // 2,  # 23:59:60.5
        midnight,  # 00:00:00.0
        midnight + SECOND_NS // 2,  # 00:00:00.5
    ]

    converted = tt2000_to_datetime64(values)

    assert (
        converted.tolist()
        == _times(
            "2016-12-31T23:59:59.5",
            "2016-12-31T23:59:59.999999",
            "2016-12-31T23:59:59.999999",
            "2017-01-01T00:00:00",
            "2017-01-01T00:00:00.5",
        ).tolist()
    )
    # cdflib agrees on the calendar fields (it spells the leap second as second 60)
    assert CDFepoch.breakdown_tt2000(values)[:, 5].tolist() == [59, 60, 60, 0, 0]
    assert bool(np.all(np.diff(converted) >= np.timedelta64(0, "us")))


def test_tt2000_matches_cdflib_and_round_trips() -> None:
    times = np.arange(
        np.datetime64("1980-01-01", "us"), np.datetime64("2030-01-01", "us"), 7_654_321_123_457
    )
    values = datetime64_to_tt2000(times)

    assert np.array_equal(tt2000_to_datetime64(values), times)
    assert np.array_equal(
        CDFepoch.to_datetime(values).astype("datetime64[us]"), tt2000_to_datetime64(values)
    )


def test_tt2000_fill_values_and_times_before_1972() -> None:
    fill, pad = np.iinfo(np.int64).min, np.iinfo(np.int64).min + 1

    assert tt2000_to_datetime64([fill, pad]).tolist() == [INVALID_TIME.item()] * 2
    with pytest.raises(ValueError, match="before 1972"):
        tt2000_to_datetime64(datetime64_to_tt2000(_times("1972-01-01")) - 20 * SECOND_NS)
    with pytest.raises(ValueError, match="before 1972"):
        datetime64_to_tt2000(_times("1971-12-31T23:59:59"))


# -- reading and writing -----------------------------------------------------------------


def _example_variables() -> dict[str, CdfVariable]:
    times = np.arange(
        np.datetime64("2016-01-01", "us"), np.datetime64("2016-01-01T00:00:10"), 10**6
    )
    return {
        "Timestamp": CdfVariable(datetime64_to_cdf_epoch(times), "CDF_EPOCH", {"UNITS": "-"}),
        "T2": CdfVariable(datetime64_to_tt2000(times), "CDF_TIME_TT2000"),
        "B_NEC": CdfVariable(np.arange(30.0).reshape(10, 3), "CDF_DOUBLE", {"UNITS": "nT"}),
        "Code": CdfVariable(np.array(["ABK"] * 5 + ["BOU"] * 5), "CDF_CHAR"),
        "Flags": CdfVariable(np.arange(10, dtype=np.uint8), "CDF_UINT1"),
        "Empty": CdfVariable(np.zeros(0), "CDF_EPOCH"),
    }


@pytest.fixture(params=["local", "memory"])
def example_location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    folder = str(tmp_path) if request.param == "local" else "memory://cdf-tests"
    location = f"{folder}/example.DBL"
    write_cdf(
        location,
        _example_variables(),
        {
            "TITLE": ["example"],
            "INDEX_RANGES": [([0, 5], "CDF_INT8"), ([5, 10], "CDF_INT8")],
            "TIME_EXTENT": [([63618825600000.0, 63618825609000.0], "CDF_EPOCH")],
        },
    )
    return location


def test_write_and_read_back_variables(example_location: str) -> None:
    with open_cdf(example_location) as cdf:
        assert cdf.variable_names() == ["Timestamp", "T2", "B_NEC", "Code", "Flags", "Empty"]
        assert cdf.variable_info("B_NEC").shape == (3,)
        assert cdf.variable_info("B_NEC").records == 10
        assert cdf.variable_info("Timestamp").data_type == "CDF_EPOCH"
        assert cdf.read_variable("B_NEC", 2, 4).tolist() == [[6, 7, 8], [9, 10, 11]]
        assert cdf.read_variable("Code").tolist() == ["ABK"] * 5 + ["BOU"] * 5
        assert cdf.read_variable("Flags").dtype == np.uint8
        assert cdf.read_variable("Empty").shape == (0,)
        assert cdf.read_records("Flags", [0, -1, 3]).tolist() == [0, 9, 3]
        assert np.array_equal(cdf.read_times("Timestamp"), cdf.read_times("T2"))
        assert (
            cdf.first_and_last_times("T2").tolist()
            == _times("2016-01-01T00:00:00", "2016-01-01T00:00:09").tolist()
        )


def test_global_attributes(example_location: str) -> None:
    with open_cdf(example_location) as cdf:
        ranges = cdf.global_attribute("INDEX_RANGES")
        extent = cdf.global_attribute_entry("TIME_EXTENT", 0)

        assert cdf.global_attribute("TITLE") == ["example"]
        assert [entry.tolist() for entry in ranges] == [[0, 5], [5, 10]]
        assert extent is not None
        assert extent[1] == "CDF_EPOCH"
        assert extent[0].tolist() == [63618825600000.0, 63618825609000.0]
        assert cdf.global_attribute_entry("TIME_EXTENT", 1) is None
        assert cdf.global_attribute_entry("NO_SUCH_ATTRIBUTE", 0) is None
        assert sorted(cdf.global_attributes()) == ["INDEX_RANGES", "TIME_EXTENT", "TITLE"]


def test_attributes_read_in_the_writers_form_copy_unchanged(
    example_location: str, tmp_path: Path
) -> None:
    """What the MMA merge does: copy global and variable attributes with their CDF types."""
    with open_cdf(example_location) as cdf:
        entries = cdf.attribute_entries()
        units = cdf.variable_attributes("B_NEC")
        variables = {
            name: CdfVariable(cdf.read_variable(name), "CDF_DOUBLE", cdf.variable_attributes(name))
            for name in ("B_NEC",)
        }

    assert entries == {
        "TITLE": ["example"],
        "INDEX_RANGES": [([0, 5], "CDF_INT8"), ([5, 10], "CDF_INT8")],
        "TIME_EXTENT": [([63618825600000.0, 63618825609000.0], "CDF_EPOCH")],
    }
    assert units == {"UNITS": "nT"}
    write_cdf(tmp_path / "copy.cdf", variables, entries)
    with open_cdf(tmp_path / "copy.cdf") as copy:
        assert copy.attribute_entries() == entries
        assert copy.variable_attributes("B_NEC") == units


def test_messages_name_the_file_as_the_caller_asks(tmp_path: Path) -> None:
    (tmp_path / "text.cdf").write_text("not a CDF\n")

    with pytest.raises(ProductFileError, match=r"^source\.cdf: not a CDF file "):
        with open_cdf(tmp_path / "text.cdf", "source.cdf"):
            pass
    with pytest.raises(ProductFileError, match=r"^nowhere\.cdf: file not found$"):
        with open_cdf("memory://none/missing.cdf", "nowhere.cdf"):
            pass


def test_written_files_are_row_major_and_uncompressed(tmp_path: Path) -> None:
    import cdflib

    location = tmp_path / "x.cdf"
    write_cdf(location, _example_variables())
    info = cdflib.CDF(str(location)).cdf_info()

    assert info.Majority == "Row_major"
    assert not info.Compressed


def test_writing_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    write_cdf(tmp_path / "a.cdf", _example_variables(), {"TITLE": ["x"]})
    write_cdf(tmp_path / "b.cdf", _example_variables(), {"TITLE": ["x"]})

    assert (tmp_path / "a.cdf").read_bytes() == (tmp_path / "b.cdf").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.cdf", "b.cdf"]  # no leftovers


def test_missing_parts_are_reported_with_the_file_name(example_location: str) -> None:
    with open_cdf(example_location) as cdf:
        with pytest.raises(ProductFileError, match=r"example\.DBL: variable Nope not found$"):
            cdf.variable_info("Nope")
        with pytest.raises(ProductFileError, match="variable timestamp not found"):
            cdf.read_variable("timestamp")  # CDF names are case-sensitive, cdflib's lookup not
        with pytest.raises(ProductFileError, match="global attribute NOPE not found"):
            cdf.global_attribute("NOPE")
        with pytest.raises(ProductFileError, match="UNITS is a variable attribute"):
            cdf.global_attribute("UNITS")
        with pytest.raises(ProductFileError, match="time variable B_NEC has unsupported type"):
            cdf.read_times("B_NEC")
        with pytest.raises(ProductFileError, match="time variable Empty is empty"):
            cdf.first_and_last_times("Empty")
        with pytest.raises(ProductFileError, match="has 10 records, cannot read records"):
            cdf.read_records("Flags", [10])


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ProductFileError, match=r"missing\.cdf: file not found$"):
        with open_cdf(tmp_path / "missing.cdf"):
            pass
    with pytest.raises(ProductFileError, match=r"^memory://nowhere/missing\.cdf: file not found$"):
        with open_cdf("memory://nowhere/missing.cdf"):
            pass


def test_not_a_cdf(tmp_path: Path) -> None:
    (tmp_path / "text.cdf").write_text("hello, this is not a CDF file\n")
    (tmp_path / "empty.cdf").write_bytes(b"")

    with pytest.raises(ProductFileError, match=r"text\.cdf: not a CDF file \(OSError: "):
        with open_cdf(tmp_path / "text.cdf"):
            pass
    with pytest.raises(ProductFileError, match=r"empty\.cdf: empty file, not a CDF$"):
        with open_cdf(tmp_path / "empty.cdf"):
            pass


def test_a_damaged_record_count_is_refused_before_allocating(tmp_path: Path) -> None:
    """A record count far beyond the file size would make cdflib allocate gigabytes."""
    location = tmp_path / "x.cdf"
    write_cdf(location, _example_variables())
    data = bytearray(location.read_bytes())
    # CDF 3 zVDR: the name is 84 bytes into the record, MaxRec (big-endian int32) 24 bytes
    vdr = data.index(b"Flags\x00") - 84
    data[vdr + 24 : vdr + 28] = (2**30).to_bytes(4, "big")
    location.write_bytes(bytes(data))

    with open_cdf(location) as cdf, pytest.raises(ProductFileError, match="claims 1073741825"):
        cdf.read_variable("Flags")


@pytest.mark.parametrize(
    ("offset", "value"),
    [(44, 2**31 - 1), (48, -1), (56, 2**20), (60, 10**6), (8, 7)],
    ids=["rVariables", "attributes", "r-dimensions", "zVariables", "record-type"],
)
def test_a_damaged_global_descriptor_is_refused(tmp_path: Path, offset: int, value: int) -> None:
    """cdflib would loop (or allocate) as often as a damaged count says."""
    location = tmp_path / "x.cdf"
    write_cdf(location, _example_variables())
    data = bytearray(location.read_bytes())
    gdr = int.from_bytes(data[20:28], "big")  # CDF 3: the CDR at byte 8 points to the GDR
    data[gdr + offset : gdr + offset + 4] = value.to_bytes(4, "big", signed=True)
    location.write_bytes(bytes(data))

    with pytest.raises(
        ProductFileError, match=r"x\.cdf: corrupt CDF \(damaged global descriptor\)$"
    ):
        with open_cdf(location):
            pass


def test_fsspec_memory_file_is_read_from_a_temporary_copy() -> None:
    write_cdf("memory://cdf-tests/a.cdf", _example_variables())

    assert fsspec.filesystem("memory").exists("/cdf-tests/a.cdf")
    with open_cdf("memory://cdf-tests/a.cdf") as cdf:
        assert cdf.location == "memory://cdf-tests/a.cdf"
        assert cdf.read_variable("Flags").tolist() == list(range(10))


def test_the_leap_second_table_is_the_cdf_librarys() -> None:
    """A cdflib release with a new leap second fails here until timescales has it too."""
    cdflib_table = [
        (f"{int(year):04d}-{int(month):02d}-{int(day):02d}", int(tai_minus_utc))
        for year, month, day, tai_minus_utc, _drift_day, drift_rate in CDFepoch.LTS
        if not drift_rate
    ]

    assert list(LEAP_SECONDS) == cdflib_table
