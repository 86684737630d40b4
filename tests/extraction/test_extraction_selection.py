"""Which records an extraction returns: the window's boundaries, overlapping products, gap
filling from a second collection, and only the touched products read (values compared with
the source files read by cdflib alone)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from extraction_env import ExtractionEnv, build_env, source_records, utc

from vires_repo.extraction.selection import QUERY_TOLERANCE, query_window
from vires_repo.services import extraction
from vires_repo.testing.sampling import CircularOrbit

OPER_A = "SW_OPER_MAGA_LR_1B"
FAST_A = "SW_FAST_MAGA_LR_1B"


@pytest.fixture
def env(tmp_path: Path, copy_default_catalog: object) -> ExtractionEnv:
    return build_env(tmp_path, copy_default_catalog)


def _read(path: Path) -> dict[str, np.ndarray]:
    table = pq.read_table(path)
    columns = {name: table[name].to_numpy(zero_copy_only=False) for name in table.column_names}
    columns["Timestamp"] = (
        table["Timestamp"].cast("timestamp[us]").to_numpy().astype("datetime64[us]")
    )
    if "B_NEC" in columns:
        columns["B_NEC"] = np.stack(columns["B_NEC"])
    return columns


def test_the_window_is_half_open_and_the_values_are_the_source_records(
    env: ExtractionEnv, tmp_path: Path
) -> None:
    day1 = env.add(OPER_A, "2016-01-01T00:00:00", "2016-01-01T23:59:59")
    env.add(OPER_A, "2016-01-02T00:00:00", "2016-01-02T23:59:59")
    output = tmp_path / "out.parquet"

    result = env.extract(
        output,
        {"A": [OPER_A]},
        "2016-01-01T10:00:00",
        "2016-01-01T10:00:10",
        variables=["F", "B_NEC", "Flags_B"],
        output_format="parquet",
    )

    got = _read(output)
    source = source_records(
        env.files[day1], ["Latitude", "Longitude", "Radius", "F", "B_NEC", "Flags_B"]
    )
    window = slice(36_000, 36_010)  # records 10:00:00 .. 10:00:09; 10:00:10 is excluded
    assert result.records == 10
    assert result.source_products == [day1]  # the second day is not read
    np.testing.assert_array_equal(got["Timestamp"], source["Timestamp"][window])
    for name in ("Latitude", "Longitude", "Radius", "F", "B_NEC", "Flags_B"):
        np.testing.assert_array_equal(got[name], source[name][window])
    assert list(got["Spacecraft"]) == ["A"] * 10
    assert list(got) == [
        "Spacecraft", "Timestamp", "Latitude", "Longitude", "Radius", "F", "B_NEC", "Flags_B"
    ]  # fmt: skip


def test_a_window_across_products_joins_them_in_time_order(
    env: ExtractionEnv, tmp_path: Path
) -> None:
    first = env.add(OPER_A, "2016-01-01T00:00:00", "2016-01-01T23:59:59")
    second = env.add(OPER_A, "2016-01-02T00:00:00", "2016-01-02T23:59:59")
    output = tmp_path / "out.parquet"

    result = env.extract(
        output, {"A": [OPER_A]}, "2016-01-01T23:59:58", "2016-01-02T00:00:02",
        output_format="parquet",
    )  # fmt: skip

    times = _read(output)["Timestamp"].astype(str).tolist()
    assert times == [
        "2016-01-01T23:59:58.000000", "2016-01-01T23:59:59.000000",
        "2016-01-02T00:00:00.000000", "2016-01-02T00:00:01.000000",
    ]  # fmt: skip
    assert result.source_products == [first, second]


def test_a_later_product_takes_precedence_over_an_overlapping_earlier_one(
    env: ExtractionEnv, tmp_path: Path
) -> None:
    early = env.add(OPER_A, "2016-01-01T00:00:00", "2016-01-01T12:00:00")
    other_orbit = CircularOrbit(altitude_m=500e3, inclination_deg=88.0, node_deg=40.0)
    late = env.add(
        OPER_A, "2016-01-01T06:00:00", "2016-01-01T18:00:00", version="0410", orbit=other_orbit
    )
    output = tmp_path / "out.parquet"

    result = env.extract(
        output, {"A": [OPER_A]}, "2016-01-01T05:59:58", "2016-01-01T06:00:02",
        output_format="parquet",
    )  # fmt: skip

    got = _read(output)
    early_source = source_records(env.files[early], ["Latitude"])
    late_source = source_records(env.files[late], ["Latitude"])
    assert result.records == 4
    np.testing.assert_array_equal(got["Latitude"][:2], early_source["Latitude"][21_598:21_600])
    np.testing.assert_array_equal(got["Latitude"][2:], late_source["Latitude"][0:2])
    assert result.source_products == sorted([early, late])


def test_a_second_collection_fills_the_gaps_of_the_master(
    env: ExtractionEnv, tmp_path: Path
) -> None:
    gap = ("2016-01-01T01:00:00", "2016-01-01T01:59:59")
    oper = env.add(OPER_A, "2016-01-01T00:00:00", "2016-01-01T00:59:59")
    env.add(OPER_A, "2016-01-01T02:00:00", "2016-01-01T02:59:59")
    fast = env.add(FAST_A, "2016-01-01T00:30:00", "2016-01-01T02:30:00")
    output = tmp_path / "out.parquet"

    result = env.extract(
        output, {"A": [OPER_A, FAST_A]}, "2016-01-01T00:00:00", "2016-01-01T03:00:00",
        output_format="parquet",
    )  # fmt: skip

    got = _read(output)
    times = got["Timestamp"]
    assert result.records == 3 * 3600
    assert np.all(np.diff(times) == np.timedelta64(1, "s"))
    from_fast = (times >= np.datetime64(gap[0])) & (times <= np.datetime64(gap[1]))
    np.testing.assert_array_equal(got["DataSource"], np.where(from_fast, 1, 0))
    assert oper in result.source_products and fast in result.source_products
    schema = pq.read_schema(output)
    assert schema.field("DataSource").metadata[b"DESCRIPTION"] == (
        f"Index of the source data collection: 0 - {OPER_A}, 1 - {FAST_A}".encode()
    )


def test_the_plus_syntax_is_the_same_source(env: ExtractionEnv, tmp_path: Path) -> None:
    env.add(OPER_A, "2016-01-01T00:00:00", "2016-01-01T00:59:59")
    env.add(FAST_A, "2016-01-01T00:30:00", "2016-01-01T01:30:00")
    lists = tmp_path / "lists.parquet"
    joined = tmp_path / "joined.parquet"

    env.extract(lists, {"A": [OPER_A, FAST_A]}, "2016-01-01", "2016-01-02", output_format="parquet")
    env.extract(joined, {"A": [f"{OPER_A}+{FAST_A}"]}, "2016-01-01", "2016-01-02",
                output_format="parquet")  # fmt: skip

    assert pq.read_table(lists).equals(pq.read_table(joined))


def test_labels_are_written_one_after_the_other(env: ExtractionEnv, tmp_path: Path) -> None:
    env.add(OPER_A, "2016-01-01T00:00:00", "2016-01-01T00:59:59")
    env.add("SW_OPER_MAGB_LR_1B", "2016-01-01T00:00:00", "2016-01-01T00:59:59")
    output = tmp_path / "out.parquet"

    result = env.extract(
        output, {"Alpha": [OPER_A], "Bravo": ["SW_OPER_MAGB_LR_1B"]},
        "2016-01-01T00:00:00", "2016-01-01T00:00:03", output_format="parquet",
    )  # fmt: skip

    assert result.records == 6
    assert list(_read(output)["Spacecraft"]) == ["A", "A", "A", "B", "B", "B"]


def test_filter_and_sampling_step_are_applied(env: ExtractionEnv, tmp_path: Path) -> None:
    day = env.add(OPER_A, "2016-01-01T00:00:00", "2016-01-01T05:59:59")
    output = tmp_path / "out.parquet"

    env.extract(
        output, {"A": [OPER_A]}, "2016-01-01T00:00:00", "2016-01-01T06:00:00",
        filters="Latitude > 0 AND B_NEC[2] > 45000", sampling_step="PT10S",
        output_format="parquet",
    )  # fmt: skip

    got = _read(output)
    source = source_records(env.files[day], ["Latitude", "B_NEC"])
    every_10s = np.arange(0, 6 * 3600, 10)
    keep = every_10s[(source["Latitude"][every_10s] > 0) & (source["B_NEC"][every_10s, 2] > 45000)]
    assert 0 < len(keep) < len(every_10s)
    np.testing.assert_array_equal(got["Timestamp"], source["Timestamp"][keep])
    assert pq.read_metadata(output).metadata[b"vires:data_filters"] == (
        b'["Latitude > 0", "B_NEC[2] > 45000"]'
    )


def test_an_empty_window_writes_the_columns_without_records(
    env: ExtractionEnv, tmp_path: Path
) -> None:
    env.add(OPER_A, "2016-01-01T00:00:00", "2016-01-01T00:59:59")
    output = tmp_path / "out.parquet"

    result = env.extract(
        output, {"A": [OPER_A]}, "2016-02-01", "2016-02-02", output_format="parquet",
        variables=["B_NEC"],
    )  # fmt: skip

    table = pq.read_table(output)
    assert result.records == 0 and result.source_products == []
    assert table.num_rows == 0
    assert str(table.schema.field("B_NEC").type) == "fixed_size_list<element: double>[3]"


def test_progress_is_told_per_product(env: ExtractionEnv, tmp_path: Path) -> None:
    env.add(OPER_A, "2016-01-01T00:00:00", "2016-01-01T00:59:59")
    env.add(OPER_A, "2016-01-01T01:00:00", "2016-01-01T01:59:59")
    env.add("SW_OPER_MAGB_LR_1B", "2016-01-01T00:00:00", "2016-01-01T00:59:59")
    told: list[tuple[int, int]] = []
    request = extraction.ExtractionRequest(
        collection_ids={"A": [OPER_A], "B": ["SW_OPER_MAGB_LR_1B"]},
        begin=utc("2016-01-01T00:00:00"),
        end=utc("2016-01-01T02:00:00"),
    )

    extraction.extract(
        env.catalog, request, tmp_path / "out.cdf", progress=lambda *done: told.append(done)
    )

    assert told == [(0, 3), (1, 3), (2, 3), (3, 3)]


@pytest.mark.parametrize(
    ("product_type", "minutes"),
    [("GFZ_KP", 181), ("WDC_DST", 61), ("SW_AUX_IMF_2_", 61), ("SW_MAGx_LR_1B", 0)],
)
def test_the_product_query_widens_the_window_by_the_type_tolerance(
    product_type: str, minutes: int
) -> None:
    start, stop = np.datetime64("2016-01-01T00:00:00", "us"), np.datetime64("2016-01-02", "us")
    tolerance = np.timedelta64(minutes, "m")

    assert query_window(product_type, start, stop) == (start - tolerance, stop + tolerance)


def test_products_outside_the_window_but_within_tolerance_give_no_records(
    env: ExtractionEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # MAG LR with the Kp type's tolerance: the product ending an hour before is queried, and
    # clipped to the window it gives nothing (VirES's product records are cut the same way)
    monkeypatch.setitem(QUERY_TOLERANCE, "SW_MAGx_LR_1B", np.timedelta64(181, "m"))
    before = env.add(OPER_A, "2016-01-01T00:00:00", "2016-01-01T00:59:59")
    inside = env.add(OPER_A, "2016-01-01T02:00:00", "2016-01-01T02:59:59")
    output = tmp_path / "out.parquet"

    result = env.extract(
        output, {"A": [OPER_A]}, "2016-01-01T02:00:00", "2016-01-01T02:00:10",
        variables=["F"], output_format="parquet",
    )  # fmt: skip

    assert result.products == 1 and result.source_products == [inside]
    assert before not in result.source_products
    assert result.records == 10
