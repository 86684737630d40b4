"""Quasi-Dipole latitude and longitude and magnetic local time (reference
vires-data-extraction.md, section 5.3) through apexpy (:mod:`vires_repo.io.apex`).

VirES evaluates QD coordinates (eoxmagmod) at each sample's geocentric position and decimal
year; apexpy takes geodetic latitude and height, so positions are converted on WGS84 first
(:func:`~vires_repo.orbit_direction.qd.geocentric_to_geodetic`). The model epoch is the
middle of the sample's UTC hour (secular variation moves QD coordinates by about 1e-5 deg in
half an hour), so a sample's value does not depend on the products or windows it comes in.

MLT is apexpy's: ``(180 + QDLon - QD longitude of the sub-solar point) / 15`` modulo 24 h,
the sub-solar point evaluated every :data:`SUBSOLAR_SPACING` and interpolated (it moves
smoothly, 15 deg an hour). QD coordinates go through :mod:`.knots` (apexpy at knots, polynomial
interpolation between them), which keeps a month of 1 Hz data under a second.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from vires_repo.extraction.auxiliaries.knots import (
    interpolate,
    place_knots,
    to_angles,
    unit_vectors,
)
from vires_repo.io.apex import qd_coordinates_at_epoch, subsolar_qd_longitude_at_epoch
from vires_repo.orbit_direction.qd import decimal_year, geocentric_to_geodetic

FloatArray = npt.NDArray[np.float64]
TimeArray = npt.NDArray[np.datetime64]

SUBSOLAR_SPACING = np.timedelta64(300, "s")
_HALF_HOUR = np.timedelta64(30, "m")


def magnetic_coordinates(
    times: TimeArray, latitude: FloatArray, longitude: FloatArray, radius_m: FloatArray
) -> dict[str, FloatArray]:
    """``QDLat``, ``QDLon`` (deg) and ``MLT`` (hours) of geocentric positions (deg, deg, m);
    NaN where a position is not finite."""
    size = len(times)
    result = {name: np.full(size, np.nan) for name in ("QDLat", "QDLon", "MLT")}
    valid = np.isfinite(latitude) & np.isfinite(longitude) & np.isfinite(radius_m)
    if not valid.any():
        return result
    selected = slice(None) if valid.all() else valid
    times = np.asarray(times[selected]).astype("datetime64[ns]")
    latitude, longitude, radius_m = latitude[selected], longitude[selected], radius_m[selected]
    qd_lat, qd_lon = _qd_coordinates(times, latitude, longitude, radius_m)
    mlt = np.mod((180.0 + qd_lon - _subsolar_qd_longitude(times)) / 15.0, 24.0)
    result["QDLat"][selected], result["QDLon"][selected], result["MLT"][selected] = (
        qd_lat,
        qd_lon,
        mlt,
    )
    return result


def _qd_coordinates(
    times: TimeArray, latitude: FloatArray, longitude: FloatArray, radius_m: FloatArray
) -> tuple[FloatArray, FloatArray]:
    knots = place_knots(times, latitude, longitude)
    index = knots.indices
    geodetic_lat, height_m = geocentric_to_geodetic(latitude[index], radius_m[index])
    knot_lat, knot_lon = np.empty(index.size), np.empty(index.size)
    for epoch, members in _by_hour(times[index]):
        knot_lat[members], knot_lon[members] = qd_coordinates_at_epoch(
            epoch, geodetic_lat[members], longitude[index][members], height_m[members] * 1e-3
        )
    vectors = interpolate(knots, unit_vectors(knot_lat, knot_lon))
    vectors[index] = unit_vectors(knot_lat, knot_lon)  # knots keep apexpy's exact values
    return to_angles(vectors)


def _subsolar_qd_longitude(times: TimeArray) -> FloatArray:
    """QD longitude (deg) of the sub-solar point at ``times`` (any order): apexpy every
    :data:`SUBSOLAR_SPACING` around the times, interpolated by cubic polynomials through the
    four grid points around each time (it moves by 15 deg an hour, nearly uniformly: the
    interpolation error of a 5-minute grid is below 1e-6 deg)."""
    spacing = SUBSOLAR_SPACING.astype("timedelta64[ns]").view(np.int64)
    ns = np.asarray(times).astype("datetime64[ns]").view(np.int64)
    cells = ns // spacing
    used = _sorted_unique(cells)
    grid_cells = _sorted_unique(np.add.outer(used, np.arange(-1, 3)).ravel())
    grid = (grid_cells * spacing).astype("datetime64[ns]")
    longitudes = np.empty(grid.size)
    for epoch, members in _by_hour(grid):
        longitudes[members] = subsolar_qd_longitude_at_epoch(epoch, grid[members])
    unwrapped = np.degrees(np.unwrap(np.radians(longitudes)))
    # Lagrange weights of the grid points -1, 0, 1, 2 (cells) around each time
    position = np.searchsorted(grid_cells, cells)
    fraction = (ns - cells * spacing) / spacing
    before, after = fraction + 1.0, fraction - 1.0
    beyond = fraction - 2.0
    interpolated = (
        unwrapped[position - 1] * (fraction * after * beyond / -6.0)
        + unwrapped[position] * (before * after * beyond / 2.0)
        + unwrapped[position + 1] * (before * fraction * beyond / -2.0)
        + unwrapped[position + 2] * (before * fraction * after / 6.0)
    )
    longitude: FloatArray = (interpolated + 180.0) % 360.0 - 180.0
    return longitude


def _sorted_unique(values: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """``np.unique`` without its sort when ``values`` are sorted already (a product's times)."""
    if values.size < 2 or not bool((values[1:] >= values[:-1]).all()):
        return np.unique(values)
    return values[np.concatenate(([True], values[1:] != values[:-1]))]


def _by_hour(times: TimeArray) -> list[tuple[float, npt.NDArray[np.int64]]]:
    """The decimal-year epoch of the middle of each UTC hour, and the indices of its times."""
    hours = np.asarray(times).astype("datetime64[h]")
    unique, inverse = np.unique(hours, return_inverse=True)
    middles = np.asarray(unique.astype("datetime64[us]") + _HALF_HOUR, dtype="datetime64[us]")
    epochs = decimal_year(middles)
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(unique.size + 1))
    return [
        (float(epochs[i]), order[bounds[i] : bounds[i + 1]].astype(np.int64))
        for i in range(unique.size)
    ]
