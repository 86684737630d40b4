"""Position of the Sun seen from each sample, by the algorithm VirES uses (reference
vires-data-extraction.md, section 5.4).

VirES calls eoxmagmod's ``sunpos``, which implements algorithm 5 of R. Grena (2012), "Five
new algorithms for the computation of sun position from 2010 to 2110", Solar Energy 86(5),
1323-1337, doi:10.1016/j.solener.2012.01.024, with its time counted in days from 2060-01-01T00:00
(MJD2000 21915), UTC taken as TT (VirES passes no TT offset), the parallax of the sample's
distance from the Earth's centre applied to the elevation and no refraction. The equations
below follow the paper; the outputs follow eoxmagmod: right ascension in [0, 360), hour
angle westward in [-180, 180), azimuth from the north, zenith angle from the local vertical.

The sub-solar point is VirES's ``SubSolarPoint``: ``SunLongitude = Longitude - SunHourAngle``
(not wrapped) with ``SunDeclination`` as its latitude, and ``SunVector`` the unit vector
towards it in geocentric Cartesian coordinates.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

_TIME_ORIGIN_MJD2000 = 21915.0
_ASTRONOMICAL_UNIT_KM = 149597871.0
_TWO_PI = 2.0 * np.pi

# Grena (2012), algorithm 5: mean longitude (rad) as a function of the day count t
_ORBIT_RATE = 0.0172019715
_LONGITUDE_AT_EPOCH = 1.7527901
_LONGITUDE_RATE = 1.7202792159e-2
_HARMONICS = (3.33024e-2, -2.0582e-3, 3.512e-4, -4.07e-5, 5.2e-6, -9e-7)  # s1 c1 s2 c2 s3 c3
_SLOW_TERMS = (  # amplitude, rate (rad/day), phase (rad)
    (1.27e-5, 1.49e-3, -2.337),
    (1.21e-5, 4.31e-3, 3.065),
    (2.33e-5, 1.076e-2, -1.533),
    (3.49e-5, 1.575e-2, -2.358),
    (2.67e-5, 2.152e-2, 0.074),
    (1.28e-5, 3.152e-2, 1.547),
    (3.14e-5, 2.1277e-1, -0.488),
)
_SIDEREAL_AT_EPOCH = 1.7528311
_SIDEREAL_RATE = 6.300388099


def sun_position(
    mjd2000: FloatArray, latitude: FloatArray, longitude: FloatArray, radius_km: FloatArray
) -> dict[str, FloatArray]:
    """``SunDeclination``, ``SunRightAscension``, ``SunHourAngle``, ``SunAzimuthAngle``,
    ``SunZenithAngle``, ``SunLongitude`` (deg) and ``SunVector`` at geocentric positions."""
    declination, right_ascension, hour_angle = _equatorial(mjd2000, np.radians(longitude))
    azimuth, zenith = _horizontal(declination, hour_angle, np.radians(latitude), radius_km)
    sun_longitude = longitude - np.degrees(hour_angle)
    return {
        "SunDeclination": np.degrees(declination),
        "SunRightAscension": np.degrees(right_ascension),
        "SunHourAngle": np.degrees(hour_angle),
        "SunAzimuthAngle": np.degrees(azimuth),
        "SunZenithAngle": np.degrees(zenith),
        "SunLongitude": sun_longitude,
        "SunVector": _unit_vector(declination, np.radians(sun_longitude)),
    }


def _equatorial(
    mjd2000: FloatArray, longitude: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Declination, right ascension and local hour angle (rad)."""
    t = mjd2000 - _TIME_ORIGIN_MJD2000
    s1, c1 = np.sin(_ORBIT_RATE * t), np.cos(_ORBIT_RATE * t)
    s2, c2 = 2.0 * s1 * c1, (c1 + s1) * (c1 - s1)
    s3, c3 = s2 * c1 + c2 * s1, c2 * c1 - s2 * s1
    mean_longitude = _LONGITUDE_AT_EPOCH + _LONGITUDE_RATE * t
    for amplitude, harmonic in zip(_HARMONICS, (s1, c1, s2, c2, s3, c3), strict=True):
        mean_longitude = mean_longitude + amplitude * harmonic
    mean_longitude = mean_longitude - 8.23e-5 * s1 * np.sin(2.92e-5 * t)
    for amplitude, rate, phase in _SLOW_TERMS:
        mean_longitude = mean_longitude + amplitude * np.sin(rate * t + phase)
    nutation_angle = 9.282e-4 * t - 0.8
    nutation = 8.34e-5 * np.sin(nutation_angle)
    ecliptic_longitude = mean_longitude + np.pi + nutation
    obliquity = 4.089567e-1 - 6.19e-9 * t + 4.46e-5 * np.cos(nutation_angle)
    sin_longitude = np.sin(ecliptic_longitude)
    right_ascension = np.arctan2(sin_longitude * np.cos(obliquity), np.cos(ecliptic_longitude))
    right_ascension = np.where(right_ascension < 0.0, right_ascension + _TWO_PI, right_ascension)
    declination = np.arcsin(sin_longitude * np.sin(obliquity))
    sidereal_time = _SIDEREAL_AT_EPOCH + _SIDEREAL_RATE * t
    hour_angle = sidereal_time + longitude - right_ascension + 0.92 * nutation
    hour_angle = np.mod(hour_angle + np.pi, _TWO_PI) - np.pi
    return declination, right_ascension, hour_angle


def _horizontal(
    declination: FloatArray, hour_angle: FloatArray, latitude: FloatArray, radius_km: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Azimuth (from the north) and zenith angle (rad), parallax of the radius included."""
    sin_lat, cos_lat = np.sin(latitude), np.cos(latitude)
    sin_decl, cos_decl = np.sin(declination), np.cos(declination)
    cos_hour = np.cos(hour_angle)
    sin_elevation = sin_lat * sin_decl + cos_lat * cos_decl * cos_hour
    elevation = np.arcsin(sin_elevation)
    elevation -= np.sqrt(1.0 - sin_elevation**2) * radius_km / _ASTRONOMICAL_UNIT_KM
    towards_south = cos_hour * sin_lat - sin_decl / cos_decl * cos_lat
    azimuth = np.arctan2(-np.sin(hour_angle), -towards_south)
    return azimuth, np.pi / 2 - elevation


def _unit_vector(latitude: FloatArray, longitude: FloatArray) -> FloatArray:
    cos_lat = np.cos(latitude)
    return np.stack(
        (cos_lat * np.cos(longitude), cos_lat * np.sin(longitude), np.sin(latitude)), axis=-1
    )
