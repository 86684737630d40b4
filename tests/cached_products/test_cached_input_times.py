"""Times of cached-product inputs must lie in the years 0001 to 9999 (issue 11): the limits,
and the CDF inputs (GFZ orbit counters, MMA models) that the CLI tests do not cover."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from cached_product_samples import CDF_EPOCH_2000, MS_PER_DAY, write_test_cdf
from test_cached_mma_merge import CASES, CUTS, _name_time, _read_all

from vires_repo.cached_products import convert
from vires_repo.cached_products.product_time import (
    EARLIEST_MJD2000,
    LATEST_MJD2000,
    format_name_time,
    require_valid_times,
)
from vires_repo.errors import ProductFileError


def test_the_first_and_last_valid_times_are_accepted_and_named() -> None:
    require_valid_times([EARLIEST_MJD2000, 0.0, LATEST_MJD2000], "f", "MJD2000")
    assert format_name_time(EARLIEST_MJD2000) == "00010101T000000"
    assert format_name_time(LATEST_MJD2000) == "99991231T235959"


@pytest.mark.parametrize(
    ("value", "record"),
    [
        (float(np.nextafter(EARLIEST_MJD2000, -np.inf)), 2),
        (LATEST_MJD2000 + 1.0 / 86400.0, 2),
        (float("nan"), 2),
        (-float("inf"), 2),
        (1e15, 2),
    ],
)
def test_times_outside_the_years_1_to_9999_name_the_record(value: float, record: int) -> None:
    with pytest.raises(ProductFileError) as error:
        require_valid_times([0.0, value, 1.0], "source.dat", "MJD2000")
    assert str(error.value) == (
        f"source.dat: MJD2000 value {value!r} of data record {record} is not a time between "
        "the years 0001 and 9999"
    )


def test_a_gfz_counter_with_a_timestamp_after_9999(tmp_path: Path) -> None:
    mjd2000 = 6940.0 + np.arange(3) * 0.065
    epochs = CDF_EPOCH_2000 + mjd2000 * MS_PER_DAY
    epochs[-1] = 1e20  # increasing, but far beyond the year 9999
    source = write_test_cdf(
        tmp_path / "GO_orbit_counter.cdf",
        {
            "Timestamp": (epochs, "CDF_EPOCH"),
            "OrbitNo": (np.arange(1, 4, dtype="int32"), "CDF_INT4"),
            "Longitude": (np.zeros(3), "CDF_DOUBLE"),
        },
    )
    with pytest.raises(ProductFileError) as error:
        convert("GO_ORBCNT", [source], tmp_path / "out")
    assert str(error.value).startswith("GO_orbit_counter.cdf: ascending-node times value ")
    assert "of data record 3 is not a time between the years 0001 and 9999" in str(error.value)
    assert not (tmp_path / "out" / "GO_ORBCNT.cdf").exists()


@pytest.mark.parametrize("bad", [float("nan"), 1e20, -1e20])
def test_a_mma_model_with_an_absurd_time(tmp_path: Path, bad: float) -> None:
    case = CASES[0]
    cdf, arrays = _read_all(case.sample)
    variables = {
        name: (data, cdf.varinq(name).Data_Type_Description) for name, data in arrays.items()
    }
    times = arrays["t_gh"].copy()
    times[0, -1] = bad
    variables["t_gh"] = (times, variables["t_gh"][1])
    name = f"SW_OPER_{case.type_id}_{_name_time(CUTS[0])}_{_name_time(CUTS[-1])}_0101.cdf"
    source = write_test_cdf(tmp_path / name, variables)

    with pytest.raises(ProductFileError) as error:
        convert(case.type_id, [str(source)], tmp_path / "out")

    assert str(error.value).startswith(f"{name}: t_gh (in MJD2000) value ")
    assert str(error.value).endswith("is not a time between the years 0001 and 9999")
