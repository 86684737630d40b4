"""Smooth functions of time evaluated at knots and interpolated to every sample.

apexpy costs about a microsecond per point, more than the rest of a 1 Hz extraction together.
Quasi-Dipole coordinates along an orbit are smooth in time, so they are evaluated at knots no
more than :data:`KNOT_SPACING` apart and interpolated with Lagrange polynomials of degree 5
through the six nearest knots. Directions are interpolated as unit vectors (no wrap at +-180
deg, no singularity at the poles). Against apexpy at every sample of a day of a Swarm orbit,
with each sample's own epoch, the values differ by at most 1.3e-5 deg in latitude, 1.7e-5 deg
of arc and 9e-4 deg in longitude at the QD pole, nearly all of it from evaluating apexpy at
the middle of the hour (:mod:`.magnetic`): as with the former cubic through knots 20 s apart
(1.3e-5, 1.6e-5, 8e-4), for half the apexpy calls (60 s with six knots adds 4e-6 deg in
latitude; cubic at 60 s, 3e-4 deg).

Knots never span a gap or a jump: the samples split into segments where they are more than
the spacing apart, not in time order, or where the position jumps (:data:`MAX_STEP_DEG`), and
each segment is interpolated from its own knots (fewer than six knots: a lower order; one
knot: its value). Data of many sites at one time (observatories) thus fall apart into
one-sample segments, all knots, all evaluated exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

KNOT_SPACING = np.timedelta64(40, "s")
MAX_STEP_DEG = 0.5
"""A larger step (arc, in latitude or along the parallel) between two samples starts a new
segment (a LEO satellite moves about 0.07 deg per second)."""
_STENCIL = 6
"""Knots per polynomial: the two of a sample's interval and the two on either side."""


@dataclass(frozen=True)
class Knots:
    """Knot positions among sorted sample times, and how samples map onto them."""

    indices: IntArray
    """Indices of the knot samples (increasing times)."""
    seconds: FloatArray
    """Time of every sample in seconds from the first one."""
    knot_before: IntArray
    """Per sample, the last knot (index in :attr:`indices`) at or before it."""
    segment_of_sample: IntArray
    first_knot: IntArray
    """Per segment, the index (in :attr:`indices`) of its first knot."""
    knot_count: IntArray
    """Per segment, its number of knots."""


def place_knots(
    times: npt.NDArray[np.datetime64],
    latitude: FloatArray,
    longitude: FloatArray,
    spacing: np.timedelta64 = KNOT_SPACING,
) -> Knots:
    """Knots of samples at ``times`` (sorted) and positions (deg): the first sample of every
    ``spacing``-wide bin of a segment and the last sample of each segment."""
    ns = np.asarray(times).astype("datetime64[ns]").view(np.int64)
    step = int(spacing / np.timedelta64(1, "ns"))
    count = ns.size
    time_step = np.diff(ns)
    breaks = (time_step > step) | (time_step <= 0) | (np.abs(np.diff(latitude)) > MAX_STEP_DEG)
    longitude_step = np.abs(np.diff(longitude))
    wide = np.flatnonzero(longitude_step > MAX_STEP_DEG)  # the arc is shorter: test only these
    arc = np.abs((longitude_step[wide] + 180.0) % 360.0 - 180.0)
    breaks[wide] |= arc * np.cos(np.radians(latitude[wide + 1])) > MAX_STEP_DEG
    segment = np.concatenate(([0], np.cumsum(breaks))).astype(np.int64)
    starts = np.flatnonzero(np.concatenate(([True], breaks)))
    bins = (ns - ns[starts][segment]) // step
    is_knot = np.ones(count, dtype=np.bool_)
    is_knot[1:] = (bins[1:] != bins[:-1]) | breaks
    is_knot[:-1] |= breaks  # the last sample of each segment
    is_knot[-1] = True
    indices = np.flatnonzero(is_knot).astype(np.int64)
    knot_segment = segment[indices]
    first_knot = np.searchsorted(knot_segment, np.arange(segment[-1] + 1)).astype(np.int64)
    knot_count = np.diff(np.append(first_knot, indices.size)).astype(np.int64)
    seconds = (ns - ns[0]).astype(np.float64) * 1e-9
    knot_before = np.cumsum(is_knot, dtype=np.int64) - 1
    return Knots(indices, seconds, knot_before, segment, first_knot, knot_count)


def interpolate(knots: Knots, values: FloatArray) -> FloatArray:
    """Values (one row per knot, any number of columns) at every sample.

    Between two knots every sample uses the same stencil, so each knot interval gets its
    polynomial once (coefficients in the time from its first knot) and the samples evaluate
    it by Horner's rule: a few passes over the samples instead of per-sample weights."""
    coefficients = _interval_polynomials(knots, values)  # (knots, order, columns)
    runs = np.diff(np.append(knots.indices, knots.seconds.size))
    knot_times = knots.seconds[knots.indices]
    offset = knots.seconds - np.repeat(knot_times, runs)
    result = np.empty((knots.seconds.size, values.shape[1]), dtype=np.float64)
    for column in range(values.shape[1]):
        total = np.repeat(coefficients[:, -1, column], runs)
        for power in range(coefficients.shape[1] - 2, -1, -1):
            total *= offset
            total += np.repeat(coefficients[:, power, column], runs)
        result[:, column] = total
    return result


def _interval_polynomials(knots: Knots, values: FloatArray) -> FloatArray:
    """Per knot, the monomial coefficients (in seconds after the knot) of the Lagrange
    polynomial through its stencil: the two knots before it to three after it, moved inside its
    segment at the ends, fewer points in a segment of fewer than six knots."""
    knot_times = knots.seconds[knots.indices]
    segment = knots.segment_of_sample[knots.indices]
    first, count = knots.first_knot[segment], knots.knot_count[segment]
    order = np.minimum(count, _STENCIL)
    own = np.arange(knot_times.size)
    start = np.clip(own - (_STENCIL // 2 - 1), first, first + count - order)
    result = np.zeros((knot_times.size, _STENCIL, values.shape[1]), dtype=np.float64)
    for points in range(1, _STENCIL + 1):
        selected = np.flatnonzero(order == points)
        if selected.size:
            stencil = start[selected, None] + np.arange(points)
            nodes = knot_times[stencil] - knot_times[selected, None]
            result[selected, :points] = _monomial(nodes, values[stencil])
    return result


def _monomial(nodes: FloatArray, values: FloatArray) -> FloatArray:
    """Coefficients (rows, points, columns) of the polynomials through ``values`` (rows,
    points, columns) at ``nodes`` (rows, points): Newton's divided differences, expanded."""
    points = nodes.shape[1]
    table = values.copy()  # divided differences, in place
    for level in range(1, points):
        width = (nodes[:, level:] - nodes[:, :-level])[:, :, None]
        table[:, level:] = (table[:, level:] - table[:, level - 1 : -1]) / width
    coefficients = np.zeros_like(values)
    coefficients[:, 0] = table[:, points - 1]
    for level in range(points - 2, -1, -1):  # p = p * (t - node[level]) + difference[level]
        shifted = np.zeros_like(coefficients)
        shifted[:, 1:] = coefficients[:, :-1]
        shifted -= nodes[:, level, None, None] * coefficients
        shifted[:, 0] += table[:, level]
        coefficients = shifted
    return coefficients


def unit_vectors(latitude_deg: FloatArray, longitude_deg: FloatArray) -> FloatArray:
    lat, lon = np.radians(latitude_deg), np.radians(longitude_deg)
    cos_lat = np.cos(lat)
    return np.stack((cos_lat * np.cos(lon), cos_lat * np.sin(lon), np.sin(lat)), axis=1)


def to_angles(vectors: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Latitude and longitude (deg) of (not necessarily unit) vectors."""
    x, y, z = vectors[:, 0], vectors[:, 1], vectors[:, 2]
    return np.degrees(np.arctan2(z, np.hypot(x, y))), np.degrees(np.arctan2(y, x))
