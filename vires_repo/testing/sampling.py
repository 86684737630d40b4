"""When and where synthetic records are taken, and the field they measure.

* Time sampling: :data:`TimeLike` arguments, :func:`sample_times` (regular times with gaps).
* A circular low-Earth orbit over a rotating Earth (:class:`CircularOrbit`, Swarm's in
  :data:`SWARM_ORBITS`). Formulas: ``reference/swarm-data-formats.md`` section 3.1 (circular
  orbit, J2 nodal drift, GMST). With Swarm parameters it reproduces the real orbit period to
  0.1 % and the turning-point latitudes exactly, so orbit-direction boundaries of synthetic
  products can be checked against the analytic turning points returned by
  :meth:`CircularOrbit.turning_points`.
* An axial-dipole magnetic field (:func:`dipole_field_nec`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from vires_repo import timescales
from vires_repo.timescales import FloatArray, TimeArray
from vires_repo.timespec import parse_datetime

TimeLike = datetime | np.datetime64 | str
"""A UTC time: aware or naive (UTC) ``datetime``, ``datetime64`` or ISO-8601 text."""
Interval = tuple[TimeLike, TimeLike]

EARTH_RADIUS_M = 6371.2e3
GM = 3.986004418e14
J2 = 1.08263e-3
EQUATORIAL_RADIUS_M = 6378.137e3
_J2000_NOON = np.datetime64("2000-01-01T12:00:00", "us")

DIPOLE_G10_NT = -29404.8  # IGRF-13 axial dipole coefficient, epoch 2020


# -- time sampling -----------------------------------------------------------------------


def to_datetime64(value: TimeLike) -> np.datetime64:
    """A :data:`TimeLike` as UTC ``datetime64[us]``; text may carry a UTC offset (``Z``)."""
    return timescales.to_datetime64(parse_datetime(value) if isinstance(value, str) else value)


def sample_times(
    start: TimeLike, end: TimeLike, sampling: timedelta, gaps: Sequence[Interval] = ()
) -> TimeArray:
    """Times ``start, start + sampling, ...`` up to ``end`` inclusive, minus ``gaps``.

    A gap ``(begin, end)`` removes the records with ``begin <= t < end``.
    """
    step = np.timedelta64(sampling, "us")
    first, last = to_datetime64(start), to_datetime64(end)
    times = np.arange(first, last + np.timedelta64(1, "us"), step)
    return times[~in_intervals(times, gaps)]


def in_intervals(times: TimeArray, intervals: Sequence[Interval]) -> npt.NDArray[np.bool_]:
    """Which ``times`` fall in one of ``intervals``, each ``[begin, end)``."""
    inside = np.zeros(times.shape, dtype=bool)
    for begin, end in intervals:
        inside |= (times >= to_datetime64(begin)) & (times < to_datetime64(end))
    return inside


# -- circular orbit ----------------------------------------------------------------------


@dataclass(frozen=True)
class CircularOrbit:
    """Orbit elements; ``epoch`` is when the argument of latitude equals ``u0_deg``."""

    altitude_m: float = 460e3
    inclination_deg: float = 87.35
    epoch: np.datetime64 = np.datetime64("2016-01-01T00:00:00", "us")
    u0_deg: float = 0.0
    node_deg: float = 0.0
    radius_flattening_m: float = 11e3

    @property
    def radius_m(self) -> float:
        return EARTH_RADIUS_M + self.altitude_m

    @property
    def mean_motion(self) -> float:
        """Angular rate of the argument of latitude (rad/s)."""
        return float(np.sqrt(GM / self.radius_m**3))

    @property
    def period_s(self) -> float:
        return 2 * np.pi / self.mean_motion

    def _seconds(self, times: TimeArray) -> FloatArray:
        delta = times.astype("datetime64[us]") - self.epoch.astype("datetime64[us]")
        seconds: FloatArray = delta.astype(np.float64) * 1e-6
        return seconds

    def positions(self, times: TimeArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Geocentric latitude (deg), longitude (deg, -180..180) and radius (m) at ``times``."""
        t = self._seconds(times)
        n = self.mean_motion
        incl = np.radians(self.inclination_deg)
        u = np.radians(self.u0_deg) + n * t
        node_rate = -1.5 * n * J2 * (EQUATORIAL_RADIUS_M / self.radius_m) ** 2 * np.cos(incl)
        days = (times.astype("datetime64[us]") - _J2000_NOON).astype(np.float64) / 86400e6
        gmst = np.radians(280.46061837 + 360.98564736629 * days)
        node_lon = np.radians(self.node_deg) + node_rate * t - gmst
        lat = np.arcsin(np.sin(incl) * np.sin(u))
        lon = node_lon + np.arctan2(np.cos(incl) * np.sin(u), np.cos(u))
        lon_deg = (np.degrees(lon) + 180.0) % 360.0 - 180.0
        radius = self.radius_m + self.radius_flattening_m * (1 - np.sin(lat) ** 2)
        return np.degrees(lat), lon_deg, radius

    def turning_points(
        self, start: np.datetime64, end: np.datetime64
    ) -> tuple[TimeArray, npt.NDArray[np.int8]]:
        """Analytic latitude extrema in ``[start, end]``: times and kind (+1 max, -1 min).

        Extrema are at u = 90 deg + k * 180 deg; k even is the northern (maximum) turn.
        """
        n = self.mean_motion
        t0, t1 = self._seconds(np.array([start, end], dtype="datetime64[us]"))
        u0 = np.radians(self.u0_deg)
        k_first = int(np.ceil((u0 + n * t0 - np.pi / 2) / np.pi))
        k_last = int(np.floor((u0 + n * t1 - np.pi / 2) / np.pi))
        ks = np.arange(k_first, k_last + 1)
        seconds = (np.pi / 2 + ks * np.pi - u0) / n
        times = self.epoch.astype("datetime64[us]") + np.round(seconds * 1e6).astype(
            "timedelta64[us]"
        )
        kinds = np.where(ks % 2 == 0, 1, -1).astype(np.int8)
        return times, kinds


SWARM_ORBITS: dict[str, CircularOrbit] = {
    "A": CircularOrbit(altitude_m=460e3, inclination_deg=87.35, node_deg=0.0),
    "B": CircularOrbit(altitude_m=510e3, inclination_deg=87.75, node_deg=60.0, u0_deg=40.0),
    "C": CircularOrbit(altitude_m=460e3, inclination_deg=87.35, node_deg=1.4, u0_deg=-3.0),
}


# -- magnetic field ----------------------------------------------------------------------


def dipole_field_nec(latitude: FloatArray, radius: FloatArray) -> FloatArray:
    """Axial-dipole field (nT) in the North-East-Centre frame at geocentric positions."""
    colatitude = np.radians(90.0 - latitude)
    scale = (EARTH_RADIUS_M / radius) ** 3
    b_radial = 2.0 * DIPOLE_G10_NT * scale * np.cos(colatitude)
    b_theta = DIPOLE_G10_NT * scale * np.sin(colatitude)
    return np.stack([-b_theta, np.zeros_like(b_theta), -b_radial], axis=-1)
