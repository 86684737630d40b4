"""Quasi-Dipole latitude and the boundaries of the magnetic orbit-direction table.

apexpy expects geodetic latitude and height, Swarm positions are geocentric with the radius in
metres: :func:`geocentric_to_geodetic` converts on WGS84 first (skipping that costs 0.1-0.2 deg).

apexpy is reached through :mod:`vires_repo.io.apex`. The epoch of a sample is its own time:
the QD latitude is evaluated at the UTC midnights before and after the sample and interpolated
linearly, so the value of a sample never depends on which product or batch it came in (a
per-product epoch would move turning points found at product seams).

Evaluating apexpy costs about 1 us per point, too slow for every sample of a day. The extraction
therefore evaluates a coarse grid, locates the extrema there and evaluates full resolution only
around them and at segment edges, giving the same boundaries as the full computation as long as
two QD-latitude extrema are never closer than two coarse steps (they are a half orbit apart).
"""

from __future__ import annotations

import numpy as np

from vires_repo.io.apex import qd_latitude_at_epoch
from vires_repo.orbit_direction.extract import (
    Boundaries,
    Extraction,
    Extrema,
    FloatArray,
    IntArray,
    OrbitDirection,
    OrbitSamples,
    TimeArray,
    extract_orbit_directions,
    find_extrema,
    segment_boundaries,
    segment_bounds,
    smooth,
    start_direction,
    times_to_ms,
)

WGS84_A_M = 6378137.0
WGS84_F = 1 / 298.257223563
_WGS84_B_M = WGS84_A_M * (1 - WGS84_F)
_WGS84_E2 = WGS84_F * (2 - WGS84_F)
_WGS84_EP2 = _WGS84_E2 / (1 - _WGS84_E2)
_BOWRING_ITERATIONS = 3
"""Three iterations converge to far below a millimetre and 1e-9 deg for any LEO height."""

COARSE_SPACING = np.timedelta64(60, "s")
"""Spacing of the coarse QD grid; extrema are a half orbit (about 45 min) apart."""
_WINDOW_MARGIN = 3
"""Extra samples on each side of a fine window: the 3-point smoothing and the extremum test
need two valid neighbours, and smoothing moves an extremum by at most one sample."""
_EDGE_INTERVALS = 2
"""Coarse intervals at each segment edge always evaluated at full resolution (no coarse sample
beyond the edge tells whether an extremum hides there)."""

_DAY = np.timedelta64(1, "D")


def geocentric_to_geodetic(
    latitudes: FloatArray, radii_m: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Geodetic latitude (deg) and height above WGS84 (m) of geocentric latitude and radius."""
    lat = np.radians(latitudes)
    p = radii_m * np.cos(lat)
    z = radii_m * np.sin(lat)
    beta = np.arctan2(z, (1 - WGS84_F) * p)
    for _ in range(_BOWRING_ITERATIONS):
        phi = np.arctan2(
            z + _WGS84_EP2 * _WGS84_B_M * np.sin(beta) ** 3,
            p - _WGS84_E2 * WGS84_A_M * np.cos(beta) ** 3,
        )
        beta = np.arctan2((1 - WGS84_F) * np.sin(phi), np.cos(phi))
    sin_phi = np.sin(phi)
    height = p * np.cos(phi) + z * sin_phi - WGS84_A_M * np.sqrt(1 - _WGS84_E2 * sin_phi**2)
    return np.degrees(phi), height


def decimal_year(times: TimeArray) -> FloatArray:
    """Year plus the elapsed fraction of that (calendar) year."""
    times = times.astype("datetime64[us]")
    years = times.astype("datetime64[Y]")
    year_start = years.astype("datetime64[us]")
    year_length = (years + 1).astype("datetime64[us]") - year_start
    fraction: FloatArray = (times - year_start) / year_length
    return years.astype(np.int64) + 1970 + fraction


def qd_latitude(samples: OrbitSamples) -> FloatArray:
    """QD latitude (deg) of geocentric positions, the epoch interpolated between UTC midnights."""
    result = np.empty(len(samples), np.float64)
    if not len(samples):
        return result
    geodetic_lat, height_m = geocentric_to_geodetic(samples.latitudes, samples.radii)
    height_km = height_m * 1e-3
    times = samples.times.astype("datetime64[us]")
    days = times.astype("datetime64[D]")
    day_fraction: FloatArray = (times - days) / _DAY
    for day in np.unique(days):
        selected = days == day
        args = (geodetic_lat[selected], samples.longitudes[selected], height_km[selected])
        epochs = decimal_year(np.array([day, day + _DAY], "datetime64[D]"))
        at_midnight = qd_latitude_at_epoch(float(epochs[0]), *args)
        at_next_midnight = qd_latitude_at_epoch(float(epochs[1]), *args)
        weight = day_fraction[selected]
        result[selected] = at_midnight + weight * (at_next_midnight - at_midnight)
    return result


def coarse_step(nominal_sampling: np.timedelta64) -> int:
    """Samples per coarse interval: :data:`COARSE_SPACING` at the nominal sampling, at least 2."""
    return max(2, int(COARSE_SPACING // nominal_sampling))


def extract_qd_orbit_directions(
    samples: OrbitSamples,
    nominal_sampling: np.timedelta64,
    gap_threshold: np.timedelta64,
    step: int | None = None,
) -> Extraction:
    """Boundaries of the QD latitude of ``samples`` (strictly increasing times).

    ``step`` is the coarse grid step in samples (default :func:`coarse_step`); ``step=1``
    evaluates every sample (the reference the coarse-to-fine result must equal).
    Samples with a NaN latitude, longitude or radius are skipped and counted.
    """
    valid = ~(np.isnan(samples.latitudes) | np.isnan(samples.longitudes) | np.isnan(samples.radii))
    skipped = int(valid.size - np.count_nonzero(valid))
    samples = samples.take(valid)
    step = coarse_step(nominal_sampling) if step is None else step
    if step <= 1:
        full = extract_orbit_directions(
            samples.times, qd_latitude(samples), nominal_sampling, gap_threshold
        )
        return Extraction(full.boundaries, skipped)
    times_ms = times_to_ms(samples.times)
    if np.any(np.diff(times_ms) <= 0):
        raise ValueError("times must be strictly increasing (sanitize the samples first)")
    segments = segment_bounds(times_ms, gap_threshold)
    coarse = [_coarse_indices(start, stop, step) for start, stop in segments]
    coarse_qd = _evaluate(samples, coarse)
    windows = [
        _fine_windows(start, stop, indices, values)
        for (start, stop), indices, values in zip(segments, coarse, coarse_qd, strict=True)
    ]
    window_indices = [np.concatenate([np.arange(a, b) for a, b in seg]) for seg in windows]
    fine_qd = _evaluate(samples, window_indices)
    step_ms = nominal_sampling / np.timedelta64(1, "ms")
    parts = []
    for (start, stop), seg_windows, values in zip(segments, windows, fine_qd, strict=True):
        first_direction, extrema = _segment_extrema(times_ms, start, stop, seg_windows, values)
        end_ms = times_ms[stop - 1] + step_ms
        parts.append(segment_boundaries(times_ms[start], first_direction, extrema, end_ms))
    return Extraction(Boundaries.concatenate(parts), skipped)


def _segment_extrema(
    times_ms: FloatArray,
    start: int,
    stop: int,
    windows: list[tuple[int, int]],
    values: FloatArray,
) -> tuple[OrbitDirection, Extrema]:
    """START direction and extrema of one segment from its full-resolution windows.

    Inside a window only the samples with two evaluated neighbours on each side can be judged;
    at a segment edge the edge sample itself is (it is never smoothed).
    """
    first_direction = OrbitDirection.UNDEFINED
    found, offset = [], 0
    for a, b in windows:
        window_times = times_ms[a:b]
        smoothed = smooth(window_times, values[offset : offset + b - a])
        offset += b - a
        if a == start:
            first_direction = start_direction(smoothed[0], smoothed[1])
        first, last = (1 if a == start else 2), b - a - (2 if b == stop else 3)
        found.append(find_extrema(window_times, smoothed, first, last))
    extrema = Extrema(
        np.concatenate([e.times_ms for e in found]),
        np.concatenate([e.directions for e in found]),
    )
    return first_direction, extrema


def _coarse_indices(start: int, stop: int, step: int) -> IntArray:
    indices = np.arange(start, stop, step)
    if indices[-1] != stop - 1:
        indices = np.append(indices, stop - 1)
    return indices


def _evaluate(samples: OrbitSamples, index_sets: list[IntArray]) -> list[FloatArray]:
    """QD latitude at several index sets with one apexpy pass."""
    if not index_sets:
        return []
    values = qd_latitude(samples.take(np.concatenate(index_sets)))
    return np.split(values, np.cumsum([i.size for i in index_sets])[:-1])


def _fine_windows(
    start: int, stop: int, indices: IntArray, values: FloatArray
) -> list[tuple[int, int]]:
    """Disjoint ``[a, b)`` sample ranges of one segment to evaluate at full resolution."""
    count = indices.size
    if count <= 2 * _EDGE_INTERVALS + 2:
        return [(start, stop)]
    rising = np.diff(values) >= 0
    turns = np.flatnonzero(rising[1:] != rising[:-1]) + 1
    candidates = [
        (start, int(indices[_EDGE_INTERVALS]) + _WINDOW_MARGIN),
        (int(indices[count - 1 - _EDGE_INTERVALS]) - _WINDOW_MARGIN, stop),
    ]
    candidates += [
        (int(indices[j - 1]) - _WINDOW_MARGIN, int(indices[j + 1]) + _WINDOW_MARGIN + 1)
        for j in turns
    ]
    candidates.sort()
    merged: list[tuple[int, int]] = []
    for a, b in candidates:
        a, b = max(a, start), min(b, stop)
        # windows closer than the margin would leave samples that neither may judge
        if merged and a <= merged[-1][1] + 2 * _WINDOW_MARGIN:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged
