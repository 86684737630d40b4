"""Orbit-direction boundaries from a latitude series (reference/vires-server-behaviour.md 8.3).

The latitude (geographic or Quasi-Dipole) is smoothed with a 3-point filter; its extrema are the
turning points where the orbit direction flips. Every continuous segment of the input is framed
by a START boundary at its first sample and an END boundary one nominal sampling step after its
last sample.

Times are handled as float milliseconds since 1970 (absolute, never relative to the first
sample) so that an extremum computed from the same samples gets the same time whichever product
the samples came from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Int8Array = npt.NDArray[np.int8]
TimeArray = npt.NDArray[np.datetime64]


class BoundaryType(IntEnum):
    """``BoundaryType`` values of the VirES tables."""

    START = 1
    REGULAR = 0
    END = -1


class OrbitDirection(IntEnum):
    """``OrbitDirection`` values: the direction *after* a boundary point."""

    ASCENDING = 1
    DESCENDING = -1
    UNDEFINED = 0


@dataclass(frozen=True)
class Boundaries:
    """Boundary points: times (datetime64[ms]), boundary types and directions (int8)."""

    times: TimeArray
    types: Int8Array
    directions: Int8Array

    def __post_init__(self) -> None:
        if not (self.times.shape == self.types.shape == self.directions.shape):
            raise ValueError("boundary arrays differ in shape")

    def __len__(self) -> int:
        return int(self.times.size)

    @classmethod
    def empty(cls) -> Boundaries:
        return cls(np.empty(0, "datetime64[ms]"), np.empty(0, np.int8), np.empty(0, np.int8))

    @classmethod
    def concatenate(cls, parts: Sequence[Boundaries]) -> Boundaries:
        if not parts:
            return cls.empty()
        return cls(
            np.concatenate([part.times for part in parts]),
            np.concatenate([part.types for part in parts]),
            np.concatenate([part.directions for part in parts]),
        )

    def slice(self, start: int, stop: int) -> Boundaries:
        return Boundaries(
            self.times[start:stop], self.types[start:stop], self.directions[start:stop]
        )

    def within(self, start: np.datetime64, end: np.datetime64) -> Boundaries:
        """The points with ``start <= time <= end``."""
        first = int(np.searchsorted(self.times, start, side="left"))
        stop = int(np.searchsorted(self.times, end, side="right"))
        return self.slice(first, stop)

    def equals(self, other: Boundaries) -> bool:
        return (
            np.array_equal(self.times, other.times)
            and np.array_equal(self.types, other.types)
            and np.array_equal(self.directions, other.directions)
        )


@dataclass(frozen=True)
class Extraction:
    """Boundaries of one input plus the number of samples skipped for a NaN latitude."""

    boundaries: Boundaries
    skipped_nan: int


@dataclass(frozen=True)
class Extrema:
    """Refined extrema: times (float ms since 1970) and the direction after each."""

    times_ms: FloatArray
    directions: Int8Array


def times_to_ms(times: TimeArray) -> FloatArray:
    """Float milliseconds since 1970 (sub-millisecond parts kept as fractions)."""
    micros = times.astype("datetime64[us]").astype(np.int64)
    ms: FloatArray = micros / 1000.0
    return ms


def ms_to_times(ms: FloatArray) -> TimeArray:
    """datetime64[ms] of float milliseconds, rounded down (VirES truncates)."""
    times: TimeArray = np.floor(ms).astype(np.int64).astype("datetime64[ms]")
    return times


def segment_bounds(times_ms: FloatArray, gap_threshold: np.timedelta64) -> list[tuple[int, int]]:
    """``(start, stop)`` index ranges of the continuous segments with at least 2 samples."""
    gap_ms = gap_threshold / np.timedelta64(1, "ms")
    cuts = np.flatnonzero(np.diff(times_ms) > gap_ms) + 1
    starts = np.concatenate(([0], cuts))
    stops = np.concatenate((cuts, [times_ms.size]))
    return [(int(a), int(b)) for a, b in zip(starts, stops, strict=True) if b - a >= 2]


def smooth(times_ms: FloatArray, values: FloatArray) -> FloatArray:
    """3-point non-equidistant smoothing; the two edge samples are kept unchanged."""
    smoothed = values.copy()
    if values.size > 2:
        alpha = (times_ms[1:-1] - times_ms[:-2]) / (times_ms[2:] - times_ms[:-2])
        smoothed[1:-1] = 0.5 * (values[:-2] * (1.0 - alpha) + values[1:-1] + values[2:] * alpha)
    return smoothed


def find_extrema(
    times_ms: FloatArray, smoothed: FloatArray, first: int = 1, last: int | None = None
) -> Extrema:
    """Extrema of smoothed values at sample indices ``first <= i <= last``, refined by a parabola.

    The index limits let a caller evaluate a window of a longer series and keep only the
    extrema whose neighbourhood lies inside the window.
    """
    last = smoothed.size - 2 if last is None else last
    rising = np.diff(smoothed) >= 0
    indices = np.flatnonzero(rising[1:] != rising[:-1]) + 1
    indices = indices[(indices >= first) & (indices <= last)]
    t0, t1, t2 = times_ms[indices - 1], times_ms[indices], times_ms[indices + 1]
    v0, v1, v2 = smoothed[indices - 1], smoothed[indices], smoothed[indices + 1]
    a1, a2 = t1 - t0, t2 - t0
    b1, b2 = v1 - v0, v2 - v0
    vertex = t0 + 0.5 * (a1 * a1 * b2 - a2 * a2 * b1) / (a1 * b2 - a2 * b1)
    curvature = (b2 / a2 - b1 / a1) / (a2 - a1)
    directions = np.where(
        curvature > 0, OrbitDirection.ASCENDING, OrbitDirection.DESCENDING
    ).astype(np.int8)
    return Extrema(vertex, directions)


def start_direction(smoothed_first: float, smoothed_second: float) -> OrbitDirection:
    if smoothed_second >= smoothed_first:
        return OrbitDirection.ASCENDING
    return OrbitDirection.DESCENDING


def segment_boundaries(
    start_ms: float,
    start_dir: OrbitDirection,
    extrema: Extrema,
    end_ms: float,
) -> Boundaries:
    """START, the extrema as regular points and END of one segment."""
    times_ms = np.concatenate(([start_ms], extrema.times_ms, [end_ms]))
    types = np.zeros(times_ms.size, np.int8)
    types[0], types[-1] = BoundaryType.START, BoundaryType.END
    directions = np.concatenate(
        ([start_dir], extrema.directions, [OrbitDirection.UNDEFINED])
    ).astype(np.int8)
    return Boundaries(ms_to_times(times_ms), types, directions)


def extract_orbit_directions(
    times: TimeArray,
    latitudes: FloatArray,
    nominal_sampling: np.timedelta64,
    gap_threshold: np.timedelta64,
) -> Extraction:
    """Boundaries of a latitude series with strictly increasing ``times``.

    Samples with a NaN latitude are skipped and counted (VirES warns about them).
    """
    valid = ~np.isnan(latitudes)
    times_ms = times_to_ms(times[valid])
    values = np.asarray(latitudes[valid], dtype=np.float64)
    if np.any(np.diff(times_ms) <= 0):
        raise ValueError("times must be strictly increasing (sanitize the samples first)")
    step_ms = nominal_sampling / np.timedelta64(1, "ms")
    parts = []
    for start, stop in segment_bounds(times_ms, gap_threshold):
        seg_times, smoothed = times_ms[start:stop], smooth(times_ms[start:stop], values[start:stop])
        parts.append(
            segment_boundaries(
                seg_times[0],
                start_direction(smoothed[0], smoothed[1]),
                find_extrema(seg_times, smoothed),
                seg_times[-1] + step_ms,
            )
        )
    return Extraction(Boundaries.concatenate(parts), int(valid.size - np.count_nonzero(valid)))


@dataclass(frozen=True)
class OrbitSamples:
    """Spacecraft positions: times, geocentric latitude and longitude (deg), radius (m)."""

    times: TimeArray
    latitudes: FloatArray
    longitudes: FloatArray
    radii: FloatArray

    def __post_init__(self) -> None:
        shapes = {a.shape for a in (self.times, self.latitudes, self.longitudes, self.radii)}
        if len(shapes) != 1 or self.times.ndim != 1:
            raise ValueError("orbit sample arrays must be 1-D and of equal length")

    def __len__(self) -> int:
        return int(self.times.size)

    def take(self, selection: slice | IntArray | npt.NDArray[np.bool_]) -> OrbitSamples:
        return OrbitSamples(
            self.times[selection],
            self.latitudes[selection],
            self.longitudes[selection],
            self.radii[selection],
        )

    @classmethod
    def concatenate(cls, parts: Sequence[OrbitSamples]) -> OrbitSamples:
        return cls(
            np.concatenate([p.times.astype("datetime64[us]") for p in parts]),
            np.concatenate([p.latitudes for p in parts]),
            np.concatenate([p.longitudes for p in parts]),
            np.concatenate([p.radii for p in parts]),
        )


@dataclass(frozen=True)
class SampleIssues:
    """What :func:`sanitize_samples` fixed, for the caller's warnings."""

    unsorted: bool
    duplicates: int

    def messages(self) -> list[str]:
        found = []
        if self.unsorted:
            found.append("Timestamp values are not sorted!")
        if self.duplicates:
            found.append("Timestamp values are not unique!")
        return found


def sanitize_samples(samples: OrbitSamples) -> tuple[OrbitSamples, SampleIssues]:
    """Stable sort by time and keep the first sample of every repeated time."""
    times = samples.times
    unsorted = bool(np.any(times[1:] < times[:-1]))
    if unsorted:
        samples = samples.take(np.argsort(times, kind="stable"))
        times = samples.times
    repeated = np.concatenate(([False], times[1:] == times[:-1]))
    duplicates = int(np.count_nonzero(repeated))
    if duplicates:
        samples = samples.take(~repeated)
    return samples, SampleIssues(unsorted, duplicates)
