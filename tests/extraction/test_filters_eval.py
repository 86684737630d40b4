"""Evaluating VirES filters over numpy columns (reference vires-data-extraction.md, 3.3-3.4):
masks on hand-built columns, NaN rules, components, bitmasks, strings, time, errors."""

from __future__ import annotations

import numpy as np
import pytest

from vires_repo.errors import FilterError
from vires_repo.extraction.filters import parse_filter
from vires_repo.timescales import datetime64_to_cdf_epoch

NAN = np.nan


@pytest.fixture
def columns() -> dict[str, np.ndarray]:
    return {
        "Timestamp": np.array(
            [
                "2016-01-01T00:00:00",
                "2016-01-01T00:00:01",
                "2016-01-01T00:00:02",
                "2016-01-01T00:00:03",
            ],
            "datetime64[ns]",
        ),
        "Spacecraft": np.array(["A", "B", "A", "C"]),
        "Label": np.array([b"ab", b"\xc3\xa9", b"ab", b"x"]),
        "F": np.array([1.0, NAN, 3.0, 4.0]),
        "Flags_B": np.array([0, 1, 5, 255], np.uint8),
        "Signed": np.array([-1, 0, 1, 2], np.int16),
        "Big": np.array([0, 2**63, 1, 2**64 - 1], np.uint64),
        "Ok": np.array([True, False, True, False]),
        "B_NEC": np.array([[1.0, 2.0, 3.0], [4.0, 5.0, NAN], [7.0, 8.0, 9.0], [0.0, 0.0, -1.0]]),
        "QDBasis": np.arange(16.0).reshape(4, 2, 2),
    }


def mask(text: str, columns: dict[str, np.ndarray]) -> list[bool]:
    result = parse_filter(text).evaluate(columns)
    assert result.dtype == np.bool_ and result.shape == (4,)
    return result.tolist()


T, F = True, False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", [T, T, T, T]),
        ("F > 1", [F, F, T, T]),
        ("F >= 3", [F, F, T, T]),
        ("F < 3", [T, F, F, F]),
        ("F <= 3.0", [T, F, T, F]),
        ("F == 3", [F, F, T, F]),
        # != is true where the value is NaN, the ordered comparisons false
        ("F != 3", [T, T, F, T]),
        ("F == NaN", [F, T, F, F]),
        ("F != nan", [T, F, T, T]),
        ("F < NaN", [F, F, F, F]),
        ("F < inf", [T, F, T, T]),
        ("NOT F > 1", [T, T, F, F]),
        ("F > 1 OR F == NaN", [F, T, T, T]),
        ("F > 1 AND F < 4", [F, F, T, F]),
        ("NOT (F > 1 AND F < 4)", [T, T, F, T]),
        ("(F < 2 OR F > 3) AND NOT F == NaN", [T, F, F, T]),
        ("F:1,3", [T, F, T, F]),
        ("F:1,3;Flags_B:1,5", [F, F, T, F]),
        ("B_NEC[0] > 3", [F, T, T, F]),
        ("B_NEC[2] == NaN", [F, T, F, F]),
        ("B_NEC[2] != 3", [F, T, T, T]),
        ("QDBasis[1,0] >= 6", [F, T, T, T]),
        ("Flags_B & 1 == 1", [F, T, T, T]),
        ("Flags_B & 1 != 1", [T, F, F, F]),
        ("Flags_B & 4 == 7", [F, F, T, T]),  # value masked too: (x & 4) == (7 & 4)
        ("Flags_B & 256 == 0", [T, T, T, T]),  # a mask wider than the type
        ("Flags_B & 6 == 0", [T, T, F, F]),
        ("Signed & 1 == 1", [T, F, T, F]),
        ("Signed & -2 == -2", [T, F, F, F]),
        ("Big & 9223372036854775808 == 9223372036854775808", [F, T, F, T]),
        ("Flags_B & 99999999999999999999 == 0", [T, F, F, F]),
        ("Ok == TRUE", [T, F, T, F]),
        ("Ok != true", [F, T, F, T]),
        ("Flags_B > 300", [F, F, F, F]),
        ("Signed < -40000", [F, F, F, F]),
        ("Spacecraft == 'A'", [T, F, T, F]),
        ('Spacecraft != "A"', [F, T, F, T]),
        ("Label == 'é'", [F, T, F, F]),
        ("Label != 'ab'", [F, T, F, T]),
    ],
)
def test_masks(text: str, expected: list[bool], columns: dict[str, np.ndarray]) -> None:
    assert mask(text, columns) == expected


def test_timestamp_compares_as_cdf_epoch_milliseconds(columns: dict[str, np.ndarray]) -> None:
    second = float(datetime64_to_cdf_epoch(columns["Timestamp"][1:2])[0])
    assert second == 63618825601000.0  # 2016-01-01T00:00:01 in ms since 0000-01-01

    assert mask(f"Timestamp >= {second:.0f}", columns) == [F, T, T, T]
    assert mask(f"Timestamp == {second:.0f}", columns) == [F, T, F, F]


def test_evaluation_of_many_rows_is_vectorised() -> None:
    rows = 1_000_000
    values = np.arange(rows, dtype=np.float64)
    flags = (np.arange(rows) % 4).astype(np.uint8)
    result = parse_filter("F >= 10 AND Flags_B & 1 == 0 AND NOT F > 20").evaluate(
        {"F": values, "Flags_B": flags}
    )
    assert np.flatnonzero(result).tolist() == [10, 12, 14, 16, 18, 20]


def test_the_filter_splits_into_the_parts_that_can_run_now(columns: dict[str, np.ndarray]) -> None:
    parsed = parse_filter("F > 1 AND (QDLat > 50 OR F == NaN) AND Flags_B & 1 == 0")

    ready, deferred = parsed.split({"F", "Flags_B"})

    assert str(ready) == "F > 1 AND Flags_B & 1 == 0"
    assert str(deferred) == "(QDLat > 50 OR F IS NaN)"
    assert deferred.variables == {"QDLat", "F"}
    assert ready.evaluate(columns).tolist() == [F, F, F, F]


def test_check_variables_names_the_first_unknown_variable() -> None:
    parsed = parse_filter("F > 1 AND (B_XYZ[1] > 2 OR Other == 1)")

    parsed.check_variables({"F", "B_XYZ", "Other"})
    with pytest.raises(FilterError) as caught:
        parsed.check_variables({"F", "Other"})
    assert (
        str(caught.value) == "Invalid input value of 'filters'! Variable B_XYZ[1] does not exist!"
    )
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Missing > 1", "Invalid input value of 'filters'! Variable Missing does not exist!"),
        ("B_NEC > 1", "Scalar filters cannot be applied to a non-scalar variable B_NEC!"),
        ("F[0] > 1", "The index of F[0] cannot be applied to scalar data!"),
        ("B_NEC[1,1] > 1", "The index of B_NEC[1,1] does not match the array dimentsion (1)!"),
        ("QDBasis[1] > 1", "The index of QDBasis[1] does not match the array dimentsion (2)!"),
        ("B_NEC[3] > 1", "Index of B_NEC[3] exceeds the array size (3)!"),
        ("QDBasis[0,2] > 1", "Index of QDBasis[0,2] exceeds the array size (2,2)!"),
        ("Spacecraft > 1", "A number cannot be compared with the non-numeric variable Spacecraft!"),
        ("F == 'x'", "A string cannot be compared with the non-string variable F!"),
        ("F & 1 == 1", "A bitmask cannot be applied to the non-integer variable F!"),
    ],
)
def test_evaluation_errors(text: str, message: str, columns: dict[str, np.ndarray]) -> None:
    with pytest.raises(FilterError) as caught:
        parse_filter(text).evaluate(columns)
    assert str(caught.value) == message
