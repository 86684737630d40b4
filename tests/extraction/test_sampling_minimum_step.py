"""VirES's minimum-step sampler: the sampling step, kept rows against hand-computed indices,
and the grid across product boundaries (reference vires-data-extraction.md, sections 1.4, 4)."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from vires_repo.errors import ExtractionRequestError
from vires_repo.extraction.sampling import SamplerState, parse_sampling_step, sample_indices

START = np.datetime64("2016-01-01T00:00:00", "ns")
TEN_SECONDS = timedelta(seconds=10)


def at(*seconds: float) -> np.ndarray:
    return START + (np.array(seconds) * 1e9).astype("timedelta64[ns]")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PT10S", timedelta(seconds=10)),
        ("PT0.5S", timedelta(milliseconds=500)),
        ("PT1M30S", timedelta(seconds=90)),
        ("P1D", timedelta(days=1)),
        ("PT0S", timedelta(0)),
    ],
)
def test_parse_sampling_step(text: str, expected: timedelta) -> None:
    assert parse_sampling_step(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("10s", "Invalid input value of 'sampling_step'! Invalid ISO-8601 duration '10s'"),
        ("", "Invalid input value of 'sampling_step'! Invalid ISO-8601 duration ''"),
        ("-PT1S", "Invalid input value of 'sampling_step'! Duration '-PT1S' must not be negative"),
    ],
)
def test_bad_sampling_steps(text: str, message: str) -> None:
    with pytest.raises(ExtractionRequestError) as caught:
        parse_sampling_step(text)
    assert str(caught.value) == message
    assert caught.value.exit_code == 2


def test_regular_one_hertz_series() -> None:
    indices, state = sample_indices(at(*range(26)), TEN_SECONDS)

    assert indices.tolist() == [0, 10, 20]
    assert indices.dtype == np.int64
    assert state == SamplerState(int(START.astype(np.int64)), 2)


def test_first_row_of_each_bin_of_an_irregular_series() -> None:
    # bins from t0 = 0 s: 0 0 0 1 1 1 2 3
    indices, _ = sample_indices(at(0, 3, 9.5, 10, 10.2, 19.999, 20, 35), TEN_SECONDS)

    assert indices.tolist() == [0, 3, 6, 7]


def test_the_grid_starts_at_the_first_time_not_on_round_times() -> None:
    indices, _ = sample_indices(at(*range(5, 31)), TEN_SECONDS)

    assert at(*range(5, 31))[indices].tolist() == at(5, 15, 25).tolist()


def test_a_row_gap_longer_than_the_step_keeps_the_next_row() -> None:
    indices, _ = sample_indices(at(0, 1, 2, 47, 48, 51), TEN_SECONDS)

    assert indices.tolist() == [0, 3, 5]  # bins 0 0 0 4 4 5


def test_the_state_continues_one_grid_across_products() -> None:
    first, second = at(*range(0, 15)), at(*range(15, 31))

    kept_first, state = sample_indices(first, TEN_SECONDS)
    kept_second, state = sample_indices(second, TEN_SECONDS, state)

    assert first[kept_first].tolist() == at(0, 10).tolist()
    # 15 s is in the bin of 10 s, already sampled in the first product
    assert second[kept_second].tolist() == at(20, 30).tolist()
    assert state is not None and state.last_bin == 3

    whole, _ = sample_indices(np.concatenate([first, second]), TEN_SECONDS)
    assert np.concatenate([first, second])[whole].tolist() == at(0, 10, 20, 30).tolist()


def test_without_state_the_grid_restarts_at_each_product_as_in_vires() -> None:
    second = at(*range(15, 31))

    kept, _ = sample_indices(second, TEN_SECONDS)

    assert second[kept].tolist() == at(15, 25).tolist()


def test_an_empty_product_passes_the_state_on() -> None:
    _, state = sample_indices(at(0, 5), TEN_SECONDS)
    kept, after_empty = sample_indices(at()[:0], TEN_SECONDS, state)

    assert kept.tolist() == []
    assert after_empty == state
    kept, _ = sample_indices(at(9, 10), TEN_SECONDS, after_empty)
    assert kept.tolist() == [1]


def test_a_zero_step_keeps_every_row() -> None:
    kept, state = sample_indices(at(0, 0.1, 0.2), timedelta(0))

    assert kept.tolist() == [0, 1, 2]
    assert state is None


def test_a_step_shorter_than_the_sampling_keeps_every_row() -> None:
    kept, _ = sample_indices(at(*range(5)), timedelta(milliseconds=500))

    assert kept.tolist() == [0, 1, 2, 3, 4]


def test_grouping_adds_back_rows_sharing_a_kept_time() -> None:
    times = at(0, 0, 0, 5, 10, 10, 12)

    assert sample_indices(times, TEN_SECONDS)[0].tolist() == [0, 4]
    assert sample_indices(times, TEN_SECONDS, group_samples=True)[0].tolist() == [0, 1, 2, 4, 5]


def test_other_time_units_are_accepted() -> None:
    times = np.arange("2016-01-01T00:00:00", "2016-01-01T00:01:00", dtype="datetime64[s]")

    assert sample_indices(times, timedelta(seconds=20))[0].tolist() == [0, 20, 40]


def test_a_month_of_one_hertz_data_is_sampled_quickly() -> None:
    times = START + np.arange(2_678_400).astype("timedelta64[s]")

    kept, state = sample_indices(times, timedelta(minutes=1))

    assert kept.size == 44_640
    assert kept[1] == 60
    assert state is not None and state.last_bin == 44_639
