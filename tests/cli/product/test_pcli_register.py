"""``product register``: options, identifiers, summaries, overlaps, updates and bad files."""

from __future__ import annotations

import shutil
from pathlib import Path

import fsspec
import numpy as np
import pytest
from pcli_env import (
    EXPORT_KEYS,
    MAG_A,
    MAG_B,
    MINUTE,
    ProductEnv,
    copy_to,
    ident,
    ids,
    labelled,
    snapshot,
    summary,
)

from vires_repo.io.cdf import CDF_EPOCH, CdfVariable, datetime64_to_cdf_time, write_cdf
from vires_repo.testing.conjunction_products import write_con_eph_product
from vires_repo.testing.mag_products import write_small_mag_lr_products, write_timespan_product
from vires_repo.testing.observatory_products import (
    OBSERVATORIES,
    write_obs_product,
    write_vobs_product,
)
from vires_repo.testing.sampling import sample_times
from vires_repo.timespec import parse_datetime

# -- options -------------------------------------------------------------------------------


def test_collection_option_is_required(local_env: ProductEnv) -> None:
    [location] = local_env.hourly("2016-01-01", range(1))
    result = local_env("product", "register", location)
    assert result.code == 2
    assert "--collection" in result.err
    assert local_env.listed() == []


def test_unknown_collection_is_an_error(env: ProductEnv) -> None:
    [location] = env.hourly("2016-01-01", range(1))
    result = env.register("SW_OPER_MAGX_LR_1B", location)
    assert result.code == 1
    assert result.err.splitlines() == [
        "ERROR: The product collection SW_OPER_MAGX_LR_1B does not exist!"
    ]
    assert env.listed() == []


def test_files_as_arguments(env: ProductEnv) -> None:
    locations = env.hourly("2016-01-01", range(3))
    result = env.register(MAG_A, *locations, orbit_directions=True)  # the default actions
    assert result.code == 0, result.err
    assert summary(result.err) == ["3 of 3 product(s) registered."]
    assert "INFO: 3 of 3" not in result.err
    for location in locations:
        assert f"INFO: product {MAG_A}/{ident(location)} registered" in result.err
    assert env.listed() == [f"{MAG_A}/{ident(location)}" for location in locations]
    exported = env.exported()
    assert [r["datasets"]["MDR_MAG_LR"]["location"] for r in exported] == locations
    assert [r["identifier"] for r in exported] == [ident(loc) for loc in locations]
    assert exported[0]["identifier"].endswith("_MDR_MAG_LR")


def test_no_files_registers_nothing(env: ProductEnv) -> None:
    result = env.register(MAG_A)
    assert result.code == 0
    assert summary(result.err) == ["0 of 0 product(s) registered."]


def test_identifier_drops_only_the_last_extension_and_paths_become_absolute(
    local_env: ProductEnv,
) -> None:
    [location] = local_env.hourly("2016-01-01", range(1))
    copy_to(location, f"{local_env.data}/SW_OPER_AUX_TEST_0101.v2.DBL")
    result = local_env.register(MAG_A, "data/SW_OPER_AUX_TEST_0101.v2.DBL")
    assert result.code == 0, result.err
    [record] = local_env.exported()
    assert record["identifier"] == "SW_OPER_AUX_TEST_0101.v2"
    absolute = str(Path.cwd() / "data" / "SW_OPER_AUX_TEST_0101.v2.DBL")
    assert record["datasets"] == {"MDR_MAG_LR": {"location": absolute}}


@pytest.mark.parametrize("source", ["file", "stdin"])
def test_file_list(local_env: ProductEnv, tmp_path: Path, source: str) -> None:
    locations = local_env.hourly("2016-01-01", range(3))
    text = (
        "# products of the day\n"
        f"{locations[0]}\n"
        "\n"
        f"   {locations[1]}   # the second one\n"
        "   \n"
        f"# {locations[2]}\n"
    )
    if source == "file":
        (tmp_path / "list.txt").write_text(text)
        result = local_env("product", "register", "-c", MAG_A, "-f", "list.txt")
    else:
        result = local_env("product", "register", "-c", MAG_A, "-f", "-", stdin=text)
    assert result.code == 0, result.err
    assert summary(result.err) == ["2 of 2 product(s) registered."]
    assert ids(local_env) == [ident(locations[0]), ident(locations[1])]


def test_missing_file_list_is_an_error(local_env: ProductEnv) -> None:
    result = local_env("product", "register", "-c", MAG_A, "-f", "missing.txt")
    assert result.code == 1
    assert "missing.txt" in result.err
    assert result.err.startswith("ERROR: ")
    assert "Traceback" not in result.err


# -- overlaps ------------------------------------------------------------------------------


def test_touching_products_overlap_and_the_last_registered_wins(env: ProductEnv) -> None:
    first = env.mag("2016-01-01T00:00:00", "2016-01-01T01:00:00")
    second = env.mag("2016-01-01T01:00:00", "2016-01-01T02:00:00")  # touches the first
    apart = env.mag("2016-01-01T01:01:00", "2016-01-01T01:30:00")
    result = env.register(MAG_A, first, second, orbit_directions=True)
    assert result.code == 0, result.err
    assert summary(result.err) == [
        "2 of 2 product(s) registered.",
        "1 overlapping product(s) de-registered.",
    ]
    assert f"INFO: product {MAG_A}/{ident(first)} de-registered" in result.err
    assert ids(env) == [ident(second)]

    # the reverse order in a later command: the older file wins again
    result = env.register(MAG_A, first)
    assert summary(result.err) == [
        "1 of 1 product(s) registered.",
        "1 overlapping product(s) de-registered.",
    ]
    assert ids(env) == [ident(first)]

    # inside the second's range but not touching the first: both stay
    result = env.register(MAG_A, apart)
    assert summary(result.err) == ["1 of 1 product(s) registered."]
    assert ids(env) == [ident(first), ident(apart)]


def test_overlaps_are_per_collection(env: ProductEnv) -> None:
    a = env.mag("2016-01-01T00:00:00", "2016-01-01T01:00:00")
    b = env.mag("2016-01-01T00:30:00", "2016-01-01T01:30:00", spacecraft="B")
    assert env.register(MAG_A, a).code == 0
    result = env.register(MAG_B, b)
    assert summary(result.err) == ["1 of 1 product(s) registered."]
    assert env.listed() == [f"{MAG_A}/{ident(a)}", f"{MAG_B}/{ident(b)}"]


def test_ignore_overlaps_keeps_both(env: ProductEnv) -> None:
    first = env.mag("2016-01-01T00:00:00", "2016-01-01T01:00:00")
    second = env.mag("2016-01-01T00:30:00", "2016-01-01T02:00:00")
    assert env.register(MAG_A, first).code == 0
    result = env.register(MAG_A, second, options=("--ignore-overlaps",))
    assert result.code == 0, result.err
    assert summary(result.err) == ["1 of 1 product(s) registered."]
    assert ids(env) == [ident(first), ident(second)]


def test_overlaps_are_removed_even_when_the_new_product_is_skipped(env: ProductEnv) -> None:
    first = env.mag("2016-01-01T00:00:00", "2016-01-01T01:00:00")
    second = env.mag("2016-01-01T00:30:00", "2016-01-01T02:00:00")
    assert env.register(MAG_A, first, second, options=("--ignore-overlaps",)).code == 0
    assert len(env.listed()) == 2
    result = env.register(MAG_A, first)  # identical: skipped, yet the overlap goes
    assert result.code == 0, result.err
    assert summary(result.err) == [
        "1 of 1 product(s) skipped.",
        "1 overlapping product(s) de-registered.",
    ]
    assert ids(env) == [ident(first)]


def test_a_chain_of_overlaps_in_one_batch_leaves_the_last(env: ProductEnv) -> None:
    files = [
        env.mag(f"2016-01-01T0{h}:00:00", f"2016-01-01T0{h + 1}:00:00", version=f"050{h}")
        for h in range(4)
    ]
    result = env.register(MAG_A, *files)
    assert summary(result.err) == [
        "4 of 4 product(s) registered.",
        "3 overlapping product(s) de-registered.",
    ]
    assert ids(env) == [ident(files[-1])]


# -- re-registration -----------------------------------------------------------------------


def test_identical_reregistration_is_skipped_and_rewrites_nothing(env: ProductEnv) -> None:
    locations = env.hourly("2016-01-01", range(3))
    assert env.register(MAG_A, *locations, orbit_directions=True).code == 0
    before = snapshot(env.root)
    everything = snapshot(env.root, "")
    assert set(before) < set(everything)  # the orbit-direction tables too
    exported = env.exported()
    result = env.register(MAG_A, *locations, orbit_directions=True)
    assert result.code == 0, result.err
    assert summary(result.err) == ["3 of 3 product(s) skipped."]
    assert " registered" not in result.err
    assert snapshot(env.root) == before
    assert snapshot(env.root, "") == everything
    assert env.exported() == exported


@pytest.mark.parametrize("option", ["--update", "--re-register"])
def test_update_option_rewrites_an_identical_product(env: ProductEnv, option: str) -> None:
    [location] = env.hourly("2016-01-01", range(1))
    assert env.register(MAG_A, location).code == 0
    [old] = env.exported()
    result = env.register(MAG_A, location, options=(option,))
    assert result.code == 0, result.err
    assert summary(result.err) == ["1 of 1 product(s) updated."]
    assert f"INFO: product {MAG_A}/{ident(location)} updated" in result.err
    [new] = env.exported()
    assert new["created"] == old["created"]
    assert parse_datetime(new["updated"]) > parse_datetime(old["updated"])
    assert new["metadata"] == {"format": "CDF-generic"}  # no identifier leak (bug 7)
    unchanged = ("identifier", "beginTime", "endTime", "collection", "datasets")
    assert {k: new[k] for k in unchanged} == {k: old[k] for k in unchanged}


def test_same_identifier_with_changed_times_is_updated(env: ProductEnv) -> None:
    target = f"{env.data}/SW_OPER_MAGA_LR_1B_FIXED_NAME.cdf"
    copy_to(env.mag("2016-01-01T00:00:00", "2016-01-01T00:30:00"), target)
    assert env.register(MAG_A, target).code == 0
    [old] = env.exported()
    # new content, no longer overlapping the registered range (VirES bug 9: a failure there)
    copy_to(env.mag("2016-01-02T05:00:00", "2016-01-02T05:30:00"), target)
    result = env.register(MAG_A, target)
    assert result.code == 0, result.err
    assert summary(result.err) == ["1 of 1 product(s) updated."]
    [new] = env.exported()
    assert new["identifier"] == "SW_OPER_MAGA_LR_1B_FIXED_NAME"
    assert (new["beginTime"], new["endTime"]) == ("2016-01-02T05:00:00Z", "2016-01-02T05:30:00Z")
    assert new["created"] == old["created"]
    assert new["metadata"] == {"format": "CDF-generic"}


def test_same_identifier_with_changed_times_replaces_products_it_now_overlaps(
    env: ProductEnv,
) -> None:
    target = f"{env.data}/SW_OPER_MAGA_LR_1B_FIXED_NAME.cdf"
    copy_to(env.mag("2016-01-01T00:00:00", "2016-01-01T00:30:00"), target)
    other = env.mag("2016-01-01T03:00:00", "2016-01-01T04:00:00")
    assert env.register(MAG_A, target, other).code == 0
    copy_to(env.mag("2016-01-01T02:00:00", "2016-01-01T03:00:00"), target)
    result = env.register(MAG_A, target)
    assert summary(result.err) == [
        "1 of 1 product(s) updated.",
        "1 overlapping product(s) de-registered.",
    ]
    assert ids(env) == ["SW_OPER_MAGA_LR_1B_FIXED_NAME"]


# -- bad files -----------------------------------------------------------------------------


def test_bad_files_fail_alone(env: ProductEnv) -> None:
    good = env.hourly("2016-01-01", range(2))
    data = fsspec.open(good[0], "rb").open().read()
    bad = {
        "corrupt": b"this is not a CDF file at all" * 10,
        "truncated": data[:1000],
        "empty": b"",
    }
    fs, folder = fsspec.core.url_to_fs(env.data)
    bad_files = []
    for name, content in bad.items():
        fs.pipe_file(f"{folder}/{name.upper()}_PRODUCT.cdf", content)
        bad_files.append(f"{env.data}/{name.upper()}_PRODUCT.cdf")
    missing = f"{env.data}/MISSING_PRODUCT.cdf"
    result = env.register(MAG_A, good[0], *bad_files, missing, good[1])
    assert result.code == 1
    lines = labelled(result.err, "ERROR")
    assert len(lines) == 4, result.err
    for line, location in zip(lines, [*bad_files, missing], strict=True):
        assert line.startswith(f"ERROR: Registration of {MAG_A}/{ident(location)} failed! ")
        assert location in line
    assert summary(result.err) == [
        "2 of 6 product(s) registered.",
        "Failed to register 4 of 6 product(s).",
    ]
    assert "Traceback" not in result.err
    assert ids(env) == [ident(location) for location in good]


def test_file_truncated_after_its_time_variable_fails(env: ProductEnv) -> None:
    """The first and last times are readable, the rest of the file is gone."""
    [location] = env.hourly("2016-01-01", range(1))
    data = fsspec.open(location, "rb").open().read()
    truncated = f"{env.data}/TRUNCATED_PRODUCT.cdf"
    for size in (len(data) // 2, len(data) - 1):
        with fsspec.open(truncated, "wb") as stream:
            stream.write(data[:size])
        result = env.register(MAG_A, location, truncated)
        assert result.code == 1, size
        [error] = labelled(result.err, "ERROR")
        assert error.startswith(f"ERROR: Registration of {MAG_A}/TRUNCATED_PRODUCT failed! ")
        assert truncated in error
        assert ids(env) == [ident(location)]


def test_large_batch_is_read_in_parallel_and_registers_everything(
    env: ProductEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 4)  # the pool path even on a one-core runner
    locations = write_small_mag_lr_products(env.data, 70, records=3)
    fs, folder = fsspec.core.url_to_fs(env.data)
    fs.pipe_file(f"{folder}/BROKEN_PRODUCT.cdf", b"\0" * 64)
    broken = f"{env.data}/BROKEN_PRODUCT.cdf"
    batch = [*locations[:35], broken, *locations[35:]]
    result = env.register(MAG_A, *batch)
    assert result.code == 1
    assert summary(result.err) == [
        "70 of 71 product(s) registered.",
        "Failed to register 1 of 71 product(s).",
    ]
    [error] = labelled(result.err, "ERROR")
    assert broken in error
    assert ids(env) == [ident(location) for location in locations]
    exported = env.exported()
    assert exported[0]["beginTime"] == "2016-01-01T00:00:00Z"
    assert exported[0]["endTime"] == "2016-01-01T23:59:59Z"
    assert exported[-1]["beginTime"] == "2016-03-10T00:00:00Z"


# -- the five file types -------------------------------------------------------------------


def test_generic_product_with_time_extent_attribute(env: ProductEnv) -> None:
    times = sample_times("2016-01-01T00:10:00", "2016-01-01T00:20:00", MINUTE)
    extent = np.array(["2016-01-01T00:00:00", "2016-01-01T00:59:59.5"], "datetime64[us]")
    location = f"{env.data}/SW_OPER_MAGA_LR_1B_WITH_TIME_EXTENT.cdf"
    write_cdf(
        location,
        {"Timestamp": CdfVariable(datetime64_to_cdf_time(times, CDF_EPOCH), CDF_EPOCH)},
        {"TIME_EXTENT": [(datetime64_to_cdf_time(extent, CDF_EPOCH).tolist(), CDF_EPOCH)]},
    )
    result = env.register(MAG_A, location)
    assert result.code == 0, result.err
    assert labelled(result.err, "ERROR") == []
    [record] = env.exported()
    assert (record["beginTime"], record["endTime"]) == (
        "2016-01-01T00:00:00Z",
        "2016-01-01T00:59:59.500000Z",
    )
    assert record["metadata"] == {"format": "CDF-generic"}


def test_generic_product_without_time_extent_uses_first_and_last_record(
    env: ProductEnv,
) -> None:
    location = env.mag("2016-01-01T00:00:00", "2016-01-01T00:30:00", minimal=False)
    result = env.register(MAG_A, location, orbit_directions=True)
    assert (result.code, labelled(result.err, "ERROR")) == (0, [])
    [record] = env.exported()
    assert list(record) == EXPORT_KEYS
    assert record["identifier"] == ident(location)
    assert (record["beginTime"], record["endTime"]) == (
        "2016-01-01T00:00:00Z",
        "2016-01-01T00:30:00Z",
    )
    assert (record["collection"], record["productType"]) == (MAG_A, "SW_MAGx_LR_1B")
    assert record["metadata"] == {"format": "CDF-generic"}
    assert record["datasets"] == {"MDR_MAG_LR": {"location": location}}


def test_tt2000_product_across_a_leap_second(env: ProductEnv) -> None:
    location = env.mag("2016-12-31T23:00:00", "2017-01-01T00:00:00", time_type="CDF_TIME_TT2000")
    result = env.register(MAG_A, location, orbit_directions=True)
    assert (result.code, labelled(result.err, "ERROR")) == (0, [])
    [record] = env.exported()
    assert (record["beginTime"], record["endTime"]) == (
        "2016-12-31T23:00:00Z",
        "2017-01-01T00:00:00Z",
    )


def test_timespan_attribute_product(env: ProductEnv) -> None:
    location = write_timespan_product(
        env.data, "2016-01-01T00:00:00", "2016-01-01T01:00:00", sampling=MINUTE
    )
    result = env.register("SW_OPER_ULFAMAG_2F", location, orbit_directions=True)
    assert result.code == 0, result.err
    assert labelled(result.err, "ERROR") == []
    [record] = env.exported()
    assert (record["beginTime"], record["endTime"]) == (
        "2016-01-01T00:00:00Z",
        "2016-01-01T01:00:00.999999Z",
    )
    assert record["productType"] == "SW_ULFxMAG_2F"
    assert record["metadata"] == {"format": "CDF-with-timespan-attribute"}
    assert record["datasets"] == {
        name: {"location": location} for name in ("__main__", "event", "event_mean")
    }


def test_obs_product_has_one_dataset_per_observatory(env: ProductEnv) -> None:
    abk, bou = OBSERVATORIES[:2]
    location = write_obs_product(
        env.data,
        "2016-01-01T00:00:00",
        "2016-01-01T00:09:00",
        sampling=MINUTE,
        observatories=[abk, bou],
    )
    result = env.register("SW_OPER_AUX_OBSM2_", location, orbit_directions=True)
    assert result.code == 0, result.err
    assert labelled(result.err, "ERROR") == []
    [record] = env.exported()
    assert record["identifier"] == ident(location)
    assert (record["beginTime"], record["endTime"]) == (
        "2016-01-01T00:00:00Z",
        "2016-01-01T00:09:00Z",
    )
    assert record["metadata"] == {"format": "CDF-OBS"}
    datasets = record["datasets"]
    assert list(datasets) == ["__all__", "ABK", "BOU"]
    assert datasets["__all__"] == {"location": location, "isSorted": False}
    for site, index_range in ((abk, [0, 10]), (bou, [10, 20])):
        assert datasets[site.code] == {
            "location": location,
            "indexRange": index_range,
            "beginTime": "2016-01-01T00:00:00Z",
            "endTime": "2016-01-01T00:09:00Z",
            "geographicLocation": {
                "crs": "ITRF",
                "latitude": site.latitude,
                "longitude": site.longitude,
                "radius": site.radius,
            },
        }


def test_vobs_product_has_observed_and_secular_variation_datasets(env: ProductEnv) -> None:
    location = write_vobs_product(
        env.data, "2016-01-01", "2016-12-31", months=4, sites=[(65, -51), (-30, 120)]
    )
    assert ident(location).startswith("SW_OPER_VOBS_4M_2_")
    result = env.register("SW_OPER_VOBS_4M_2_", location, orbit_directions=True)
    assert result.code == 0, result.err
    assert labelled(result.err, "ERROR") == []
    [record] = env.exported()
    assert (record["beginTime"], record["endTime"]) == (
        "2016-01-15T00:00:00Z",
        "2016-09-15T00:00:00Z",
    )
    assert record["metadata"] == {"format": "CDF-VOBS"}
    datasets = record["datasets"]
    assert set(datasets) == {
        "__all__",
        "SecularVariation",
        "N65W051",
        "S30E120",
        "SecularVariation:N65W051",
        "SecularVariation:S30E120",
    }
    assert datasets["SecularVariation"] == {"location": location, "isSorted": False}
    site = datasets["S30E120"]
    assert site["indexRange"] == [3, 6]
    assert (site["beginTime"], site["endTime"]) == ("2016-01-15T00:00:00Z", "2016-09-15T00:00:00Z")
    assert site["geographicLocation"]["latitude"] == -30.0
    assert site["geographicLocation"]["longitude"] == 120.0
    assert site["geographicLocation"]["crs"] == "ITRF"
    secular = datasets["SecularVariation:N65W051"]
    assert secular["indexRange"] == [0, 2]
    assert (secular["beginTime"], secular["endTime"]) == (
        "2016-03-15T12:00:00Z",
        "2016-07-15T12:00:00Z",
    )
    assert secular["location"] == location


def test_con_eph_product_has_max_record_duration(env: ProductEnv) -> None:
    from datetime import timedelta

    location = write_con_eph_product(
        env.data, "2016-01-01T00:00:00", "2016-01-01T06:00:00", crossover_step=timedelta(hours=1)
    )
    result = env.register("MM_OPER_CON_EPH_2_", location, orbit_directions=True)
    assert result.code == 0, result.err
    assert labelled(result.err, "ERROR") == []
    [record] = env.exported()
    # crossovers every hour lasting (7k mod 60 + 1) minutes: the last ends at 06:43
    assert (record["beginTime"], record["endTime"]) == (
        "2016-01-01T00:00:00Z",
        "2016-01-01T06:43:00Z",
    )
    assert record["metadata"] == {
        "format": "CDF-CON_EPH_2_",
        "max_record_duration": {"crossover": "PT2580S"},
    }
    assert record["datasets"] == {
        "crossover": {"location": location},
        "plane_alignment": {"location": location},
    }


def test_product_type_mismatch_of_the_file_fails_alone(env: ProductEnv) -> None:
    """A MAG file registered into an OBS collection lacks the observatory attributes."""
    [mag] = env.hourly("2016-01-01", range(1))
    result = env.register("SW_OPER_AUX_OBSM2_", mag)
    assert result.code == 1
    [line] = labelled(result.err, "ERROR")
    assert mag in line
    assert summary(result.err) == ["Failed to register 1 of 1 product(s)."]


def test_registration_keeps_the_file_where_it_is(local_env: ProductEnv, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    [location] = local_env.hourly("2016-01-01", range(1))
    moved = shutil.copy(location, elsewhere)
    assert local_env.register(MAG_A, str(moved)).code == 0
    [record] = local_env.exported()
    assert record["datasets"]["MDR_MAG_LR"]["location"] == str(moved)


def test_a_file_given_twice_is_registered_once(env: ProductEnv) -> None:
    [location] = env.hourly("2016-01-01", range(1))
    result = env.register(MAG_A, location, location)
    assert result.code == 0, result.err
    assert summary(result.err) == [
        "1 of 2 product(s) registered.",
        "1 of 2 product(s) skipped.",
    ]
    assert ids(env) == [ident(location)]


def test_file_list_from_an_interactive_terminal_is_an_error(local_env: ProductEnv) -> None:
    result = local_env.runner(
        "--catalog", local_env.root, "product", "register", "-c", MAG_A, "-f", "-", tty=True
    )
    assert result.code == 2  # a usage error
    [line] = result.err.splitlines()
    assert line.startswith("ERROR: no input")


def test_per_product_messages_follow_the_registration_order(env: ProductEnv) -> None:
    first = env.mag("2016-01-01T00:00:00", "2016-01-01T01:00:00")
    second = env.mag("2016-01-01T01:00:00", "2016-01-01T02:00:00")
    third = env.mag("2016-01-01T03:00:00", "2016-01-01T04:00:00")
    result = env.register(MAG_A, first, second, third, first)
    assert labelled(result.err, "INFO") == [
        f"INFO: product {MAG_A}/{ident(first)} registered",
        f"INFO: product {MAG_A}/{ident(first)} de-registered",
        f"INFO: product {MAG_A}/{ident(second)} registered",
        f"INFO: product {MAG_A}/{ident(third)} registered",
        f"INFO: product {MAG_A}/{ident(second)} de-registered",
        f"INFO: product {MAG_A}/{ident(first)} registered",
    ]
    assert summary(result.err) == [
        "4 of 4 product(s) registered.",
        "2 overlapping product(s) de-registered.",
    ]
    assert ids(env) == [ident(first), ident(third)]


def test_verbosity_zero_keeps_only_the_summary(env: ProductEnv) -> None:
    locations = env.hourly("2016-01-01", range(2))
    result = env.runner(
        "--catalog", env.root, "-v", "0", "product", "register", "-c", MAG_A,
        "--skip-post-registration-actions", *locations,
    )  # fmt: skip
    assert result.code == 0
    assert result.err.splitlines() == ["2 of 2 product(s) registered."]
