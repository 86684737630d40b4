"""Time options and the VirES time formats (reference sections 1.4 and 7)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from vires_repo.errors import TimeSpecError
from vires_repo.timespec import (
    format_datetime,
    format_timedelta,
    parse_datetime,
    parse_duration,
    parse_time_spec,
)

NOW = datetime(2024, 3, 15, 12, 0, 0, tzinfo=UTC)


# -- dates and date-times ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2016-01-01", datetime(2016, 1, 1, tzinfo=UTC)),
        ("20160101", datetime(2016, 1, 1, tzinfo=UTC)),
        (" 2016-02-29 ", datetime(2016, 2, 29, tzinfo=UTC)),
        ("2016-01-01T12:30:00Z", datetime(2016, 1, 1, 12, 30, tzinfo=UTC)),
        ("2016-01-01T12:30:00z", datetime(2016, 1, 1, 12, 30, tzinfo=UTC)),
        ("2016-01-01T12:30:00", datetime(2016, 1, 1, 12, 30, tzinfo=UTC)),
        ("2016-01-01 12:30", datetime(2016, 1, 1, 12, 30, tzinfo=UTC)),
        ("2016-01-01T12:30:00+01:00", datetime(2016, 1, 1, 11, 30, tzinfo=UTC)),
        ("2016-01-01T00:30:00-02:30", datetime(2016, 1, 1, 3, 0, tzinfo=UTC)),
        ("2016-01-01T12:30:00.250000Z", datetime(2016, 1, 1, 12, 30, 0, 250000, tzinfo=UTC)),
    ],
)
def test_dates_and_date_times_are_utc(text: str, expected: datetime) -> None:
    parsed = parse_time_spec(text, now=NOW)

    assert parsed == expected
    assert parsed.utcoffset() == timedelta(0)


def test_an_offset_is_converted_not_dropped() -> None:
    parsed = parse_datetime("2020-06-01T02:00:00+05:00")

    assert parsed.tzinfo is not None
    assert (parsed.year, parsed.month, parsed.day, parsed.hour) == (2020, 5, 31, 21)


def test_a_naive_date_time_is_taken_as_utc() -> None:
    assert parse_datetime("2020-06-01T02:00:00") == datetime(2020, 6, 1, 2, tzinfo=UTC)


@pytest.mark.parametrize("text", ["2016-13-01", "2016-02-30", "20161301"])
def test_an_impossible_date_is_rejected_naming_the_value(text: str) -> None:
    with pytest.raises(TimeSpecError, match=f"Invalid time specification '{text}'"):
        parse_time_spec(text)


def test_an_impossible_date_time_is_rejected() -> None:
    with pytest.raises(TimeSpecError, match="Invalid time specification '2016-01-01T25:00:00Z'"):
        parse_time_spec("2016-01-01T25:00:00Z")


# -- durations -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("P31D", timedelta(days=31)),
        ("PT1H", timedelta(hours=1)),
        ("P1DT12H", timedelta(days=1, hours=12)),
        ("P1M", timedelta(days=30)),
        ("PT1M", timedelta(minutes=1)),
        ("P1Y", timedelta(days=365)),
        ("P1Y1M1DT1H1M1S", timedelta(days=396, seconds=3661)),
        ("PT0.5S", timedelta(seconds=0.5)),
        ("P1.5D", timedelta(days=1, hours=12)),
        ("P1H", timedelta(hours=1)),
        ("P1S", timedelta(seconds=1)),
        ("+P2D", timedelta(days=2)),
        ("P", timedelta(0)),
        ("PT", timedelta(0)),
        ("PT1404S", timedelta(seconds=1404)),
        ("PT0.02S", timedelta(milliseconds=20)),
    ],
)
def test_durations_as_vires_reads_them(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "ago"),
    [
        ("P31D", timedelta(days=31)),
        ("PT1H", timedelta(hours=1)),
        ("P1DT12H", timedelta(days=1, hours=12)),
        ("P1M", timedelta(days=30)),
        ("PT0.5S", timedelta(seconds=0.5)),
        ("P", timedelta(0)),
    ],
)
def test_a_duration_means_now_minus_that_duration(text: str, ago: timedelta) -> None:
    assert parse_time_spec(text, now=NOW) == NOW - ago


def test_a_duration_without_now_is_relative_to_the_current_time() -> None:
    before = datetime.now(UTC)
    parsed = parse_time_spec("P1D")
    after = datetime.now(UTC)

    assert before - timedelta(days=1) <= parsed <= after - timedelta(days=1)
    assert parsed.tzinfo is not None


def test_a_negative_duration_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"Duration '-P1D' must not be negative"):
        parse_duration("-P1D")
    with pytest.raises(
        TimeSpecError,
        match=r"^Invalid time specification '-P1D': Duration '-P1D' must not be negative$",
    ):
        parse_time_spec("-P1D")
    with pytest.raises(TimeSpecError, match=r"^Invalid time specification '-PT1H': Duration"):
        parse_time_spec("-PT1H")


# -- the representable range (years 0001 to 9999) -------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("0000-01-01", "year 0 is out of range"),
        ("00000101", "year 0 is out of range"),
        ("-0001-01-01", "outside the representable years 0001 to 9999"),
        ("-2016-01-01T00:00:00Z", "outside the representable years 0001 to 9999"),
        ("10000-01-01", "outside the representable years 0001 to 9999"),
        ("+10000-01-01T00:00:00", "outside the representable years 0001 to 9999"),
        ("0001-01-01T00:00:00+01:00", "it lies outside the representable years"),
        ("9999-12-31T23:00:00-01:00", "it lies outside the representable years"),
        ("P999999999D", "the duration reaches back beyond the representable years"),
        ("P3000Y", "the duration reaches back beyond the representable years"),
        ("P99999999999999999999Y", "is longer than any representable time"),
        ("P" + "9" * 400 + "D", "is longer than any representable time"),
    ],
)
def test_a_time_outside_the_representable_range_is_a_time_spec_error(
    text: str, reason: str
) -> None:
    with pytest.raises(TimeSpecError) as caught:
        parse_time_spec(text, now=NOW)
    message = str(caught.value)
    assert message.startswith(f"Invalid time specification {text!r}: ")
    assert reason in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0001-01-01", datetime(1, 1, 1, tzinfo=UTC)),
        ("9999-12-31T23:59:59.999999Z", datetime.max.replace(tzinfo=UTC)),
        ("P738959D", datetime(1, 1, 1, 12, tzinfo=UTC)),
    ],
)
def test_the_ends_of_the_range_are_accepted(text: str, expected: datetime) -> None:
    assert parse_time_spec(text, now=NOW) == expected


@pytest.mark.parametrize(
    "text", ["", "xyz", "P1", "1D", "PT1D", "P-1D", "+", "-", "P1W", "P1DT1H1D"]
)
def test_a_malformed_duration_is_rejected(text: str) -> None:
    with pytest.raises(ValueError, match="Invalid ISO-8601 duration"):
        parse_duration(text)


@pytest.mark.parametrize("text", ["xyz", "yesterday", "", "P1W", "-", "-P1X", "P1X"])
def test_garbage_is_rejected_with_a_helpful_message(text: str) -> None:
    with pytest.raises(TimeSpecError) as caught:
        parse_time_spec(text)

    message = str(caught.value)
    assert message.startswith(f"Invalid time specification {text!r}: ")
    assert "expected an ISO-8601 date, date-time or duration" in message


def test_time_spec_errors_are_value_errors_with_exit_code_1() -> None:
    with pytest.raises(ValueError) as caught:
        parse_time_spec("nonsense")
    assert isinstance(caught.value, TimeSpecError)
    assert caught.value.exit_code == 1


# -- formats ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (datetime(2016, 1, 1, tzinfo=UTC), "2016-01-01T00:00:00Z"),
        (datetime(2020, 2, 25, 17, 33, 55, 797654, tzinfo=UTC), "2020-02-25T17:33:55.797654Z"),
        (datetime(2016, 1, 1, 12), "2016-01-01T12:00:00Z"),
        (
            datetime(2016, 1, 1, 12, tzinfo=timezone(timedelta(hours=2))),
            "2016-01-01T10:00:00Z",
        ),
        (None, None),
    ],
)
def test_format_datetime(value: datetime | None, text: str | None) -> None:
    assert format_datetime(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (timedelta(0), "PT0S"),
        (timedelta(days=1), "P1D"),
        (timedelta(days=1, seconds=1), "P1DT1S"),
        (timedelta(seconds=86399), "PT86399S"),
        (timedelta(seconds=1, microseconds=500000), "PT1.500000S"),
        (timedelta(days=2, microseconds=1), "P2DT0.000001S"),
    ],
)
def test_format_timedelta(value: timedelta, text: str) -> None:
    assert format_timedelta(value) == text


@pytest.mark.parametrize("text", ["P31D", "PT1S", "P1DT1S", "PT0.500000S", "PT0S"])
def test_formatted_durations_parse_back(text: str) -> None:
    assert format_timedelta(parse_duration(text)) == text
