"""Request pieces that need no catalogue: the -c options, the collection_ids JSON, the
time-selection limit and VirES's response file names."""

from __future__ import annotations

from datetime import timedelta

import pytest
from extraction_env import utc

from vires_repo.errors import ExtractionRequestError
from vires_repo.extraction.request import (
    Limits,
    Source,
    SourceCollection,
    output_basename,
    parse_collection_ids,
    parse_collection_options,
    time_selection_limit,
)


def test_collection_options_become_collection_ids() -> None:
    assert parse_collection_options(
        ["A=SW_OPER_MAGA_LR_1B+SW_FAST_MAGA_LR_1B", "SW_OPER_MAGB_LR_1B"]
    ) == {
        "A": ["SW_OPER_MAGA_LR_1B+SW_FAST_MAGA_LR_1B"],
        "SW_OPER_MAGB_LR_1B": ["SW_OPER_MAGB_LR_1B"],
    }
    assert parse_collection_options(["SW_OPER_AUX_OBSM2_:ABK"]) == {
        "SW_OPER_AUX_OBSM2_": ["SW_OPER_AUX_OBSM2_:ABK"]
    }


@pytest.mark.parametrize(
    ("specs", "message"),
    [
        (["A=X", "A=Y"], "Duplicate label 'A'!"),
        (["A="], "Invalid source 'A='!"),
    ],
)
def test_bad_collection_options(specs: list[str], message: str) -> None:
    with pytest.raises(ExtractionRequestError, match=message):
        parse_collection_options(specs)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", "Invalid input value of 'collection_ids'! JSON object expected!"),
        ('{"A": "X"}', "label A: Invalid list of collection identifiers! 'X'"),
        ('{"A": [1]}', "label A: Invalid collection identifier 1!"),
        ("{", "Invalid input value of 'collection_ids'! Invalid JSON!"),
    ],
)
def test_bad_collection_ids(text: str, message: str) -> None:
    with pytest.raises(ExtractionRequestError) as raised:
        parse_collection_ids(text)

    assert message in str(raised.value)


def _source(sampling: str | None) -> Source:
    definition = {"name": "C", "nominalSampling": sampling} if sampling else {"name": "C"}
    product_type = {"name": "T", "datasets": {"D": {}}}
    return Source("L", (SourceCollection("C", definition, product_type),), "D")


@pytest.mark.parametrize(
    ("samplings", "step", "limits", "expected"),
    [
        (["PT1S"], None, Limits(), timedelta(days=35_525)),
        (["PT1S"], None, Limits(max_time_selection=31), timedelta(days=31)),
        (["PT60S", "PT1S"], None, Limits(), timedelta(days=35_525)),  # the finest counts
        (["PT60S"], None, Limits(), timedelta(days=2_131_500)),
        (["P1D"], None, Limits(), timedelta(days=999_999_999)),  # timedelta's range
        (["PT60S"], timedelta(seconds=10), Limits(max_time_selection=31), timedelta(days=310)),
        (["PT0.5S"], None, Limits(max_time_selection=31), timedelta(days=31)),  # at least 1 s
        ([None], None, Limits(max_time_selection=31), timedelta(days=31)),  # missing: 1 s
    ],
)
def test_time_selection_limit(
    samplings: list[str | None], step: timedelta | None, limits: Limits, expected: timedelta
) -> None:
    sources = [_source(sampling) for sampling in samplings]

    assert time_selection_limit(sources, step, limits) == expected


def test_output_basename_as_vires_names_responses() -> None:
    name = output_basename(
        {"A": ["SW_OPER_MAGA_LR_1B+SW_FAST_MAGA_LR_1B"], "O": ["SW_OPER_AUX_OBSM2_:ABK"]},
        utc("2016-01-01T00:00:00"),
        utc("2016-01-02T00:00:00"),
    )

    assert name == (
        "SW_OPER_MAGA_LR_1B+SW_FAST_MAGA_LR_1B_SW_OPER_AUX_OBSM2_-ABK"
        "_20160101T000000_20160101T235959_Filtered"
    )


def test_a_long_output_basename_is_shortened_around_a_digest() -> None:
    collections = {f"L{index}": [f"SW_OPER_MAG{index}_LR_1B"] for index in range(20)}

    name = output_basename(collections, utc("2016-01-01"), utc("2016-01-02"))

    assert len(name) == 151 + 1 + 32 + 1 + 40
    assert name.endswith("_20160101T000000_20160101T235959_Filtered")
    assert name.startswith("SW_OPER_MAG0_LR_1B_SW_OPER_MAG1_LR_1B")
