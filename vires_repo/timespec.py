"""Time values: the ``--after/--before/...`` option parser and the VirES time formats.

``parse_time_spec`` follows VirES (reference section 7): an ISO-8601 date (midnight UTC), a
date-time (naive means UTC, an offset is converted to UTC) or an ISO-8601 duration, meaning
"now minus that duration". Anything else is a :class:`TimeSpecError`.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from vires_repo.errors import TimeSpecError

_RANGE = "the representable years 0001 to 9999"

_DURATION = re.compile(
    r"^(?P<sign>[+-])?P"
    r"(?:(?P<years>\d+(?:\.\d+)?)Y)?(?:(?P<months>\d+(?:\.\d+)?)M)?(?:(?P<days>\d+(?:\.\d+)?)D)?"
    r"T?(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:\.\d+)?)S)?$"
)


def parse_duration(value: str) -> timedelta:
    """Parse an ISO-8601 duration as VirES does (a month is 30 days, a year 365 days).

    Raises ``ValueError`` for a malformed or negative duration.
    """
    match = _DURATION.match(value.strip())
    if not match or value.strip() in ("", "+", "-"):
        raise ValueError(f"Invalid ISO-8601 duration {value!r}")
    if match["sign"] == "-":
        raise ValueError(f"Duration {value!r} must not be negative")
    part = {k: float(v) if v else 0.0 for k, v in match.groupdict().items() if k != "sign"}
    days = part["days"] + 30 * part["months"] + 365 * part["years"]
    seconds = part["seconds"] + 60 * part["minutes"] + 3600 * part["hours"]
    try:
        return timedelta(days=days, seconds=seconds)
    except OverflowError:  # beyond timedelta's 999,999,999 days (or an infinite float)
        raise ValueError(f"Duration {value!r} is longer than any representable time") from None


def parse_datetime(value: str) -> datetime:
    """Parse an ISO-8601 date-time; a naive value is UTC. Raises ``ValueError``."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00+01:00 lies before year 1 in UTC
        raise ValueError(f"it lies outside {_RANGE} in UTC") from None


def parse_time_spec(value: str, now: datetime | None = None) -> datetime:
    """Parse a time option: date, date-time or duration before ``now`` (UTC, aware)."""
    text = value.strip()
    if re.match(r"[+-]?\d{5,}-|-\d{4}-", text):
        raise TimeSpecError(f"Invalid time specification {value!r}: outside {_RANGE}")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}|\d{8}", text):
        try:
            day = date.fromisoformat(text)
        except ValueError as error:
            raise TimeSpecError(f"Invalid time specification {value!r}: {error}") from None
        return datetime(day.year, day.month, day.day, tzinfo=UTC)
    if text[:1].isdigit():
        try:
            return parse_datetime(text)
        except ValueError as error:
            raise TimeSpecError(f"Invalid time specification {value!r}: {error}") from None
    try:
        duration = parse_duration(text)
    except ValueError as error:
        if _DURATION.match(text):  # well-formed, but negative or too long
            raise TimeSpecError(f"Invalid time specification {value!r}: {error}") from None
        raise TimeSpecError(
            f"Invalid time specification {value!r}: expected an ISO-8601 date, date-time or "
            "duration (e.g. 2016-01-01, 2016-01-01T12:00:00Z, P31D)"
        ) from None
    try:
        return (now or datetime.now(UTC)) - duration
    except OverflowError:
        raise TimeSpecError(
            f"Invalid time specification {value!r}: the duration reaches back beyond {_RANGE}"
        ) from None


def format_datetime(value: datetime | None) -> str | None:
    """VirES date-time format: ISO-8601 with ``Z``, microseconds only when non-zero."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat("T") + "Z"


def format_timedelta(value: timedelta) -> str:
    """VirES duration format: ``P{d}D`` then ``T{s}S`` (6 decimals with microseconds), PT0S."""
    days, seconds, micro = value.days, value.seconds, value.microseconds
    text = "P"
    if days:
        text += f"{days}D"
    if micro:
        text += f"T{seconds + micro / 1e6:.6f}S"
    elif seconds:
        text += f"T{seconds}S"
    return "PT0S" if text == "P" else text
