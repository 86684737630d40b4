"""The apexpy seam: Quasi-Dipole coordinates of geodetic positions at a decimal-year epoch,
and the QD longitude of the sub-solar point (for magnetic local time).

The only module that imports apexpy (lazily: only QD coordinates need its Fortran build). Every
``apexpy.Apex`` instance shares one Fortran state, so this module keeps a single instance
behind a lock and sets its epoch before each evaluation. Outside the epochs its magnetic model
covers, apexpy's Fortran library ends the whole process instead of raising, so the range is
checked first (:class:`~vires_repo.errors.QuasiDipoleRangeError`).
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import numpy.typing as npt

from vires_repo.errors import QuasiDipoleRangeError, ViresRepoError

FloatArray = npt.NDArray[np.float64]
TimeArray = npt.NDArray[np.datetime64]

APEX_EPOCHS = (1900.0, 2030.0)
"""The decimal years apexpy's magnetic model covers."""
SUBSOLAR_HEIGHT_KM = 50 * 6371.0
"""Height at which apexpy maps the sub-solar point for magnetic local time (``mlon2mlt``)."""


class _Apex:
    """The one apexpy instance of the process, created on first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._apex: Any = None

    def _at_epoch(self, epoch: float) -> Any:
        """The instance set to ``epoch`` (call with the lock held)."""
        if self._apex is None:
            try:
                import apexpy
            except ImportError as error:  # a broken install: apexpy is a dependency
                raise ViresRepoError(
                    f"Quasi-Dipole latitudes need apexpy, which cannot be imported ({error}); "
                    "install it with 'pip install apexpy' (it builds with gfortran)"
                ) from None
            self._apex = apexpy.Apex(date=epoch, refh=0)
        else:
            self._apex.set_epoch(epoch)
        return self._apex

    def geo2qd(
        self, epoch: float, geodetic_lat: FloatArray, longitudes: FloatArray, height_km: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        with self._lock:
            qd_lat, qd_lon = self._at_epoch(epoch).geo2qd(geodetic_lat, longitudes, height_km)
        shape = geodetic_lat.shape
        return (
            np.asarray(qd_lat, dtype=np.float64).reshape(shape),
            np.asarray(qd_lon, dtype=np.float64).reshape(shape),
        )

    def subsolar_qd_longitude(self, epoch: float, times: TimeArray) -> FloatArray:
        import apexpy

        latitude, longitude = apexpy.helpers.subsol(times)
        height = np.full(np.shape(latitude), SUBSOLAR_HEIGHT_KM)
        return self.geo2qd(epoch, np.asarray(latitude), np.asarray(longitude), height)[1]


_APEX = _Apex()


def _check_epoch(epoch: float) -> None:
    low, high = APEX_EPOCHS
    if not low <= epoch <= high:
        raise QuasiDipoleRangeError(
            f"Quasi-Dipole latitude is not available for {epoch:.3f}: apexpy's magnetic "
            f"model covers {low:.0f}-{high:.0f}"
        )


def qd_latitude_at_epoch(
    epoch: float, geodetic_lat: FloatArray, longitudes: FloatArray, height_km: FloatArray
) -> FloatArray:
    """QD latitude (deg) of geodetic latitude (deg), longitude (deg) and height (km)."""
    return qd_coordinates_at_epoch(epoch, geodetic_lat, longitudes, height_km)[0]


def qd_coordinates_at_epoch(
    epoch: float, geodetic_lat: FloatArray, longitudes: FloatArray, height_km: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """QD latitude and longitude (deg) of geodetic positions (deg, deg, km)."""
    _check_epoch(epoch)
    return _APEX.geo2qd(epoch, geodetic_lat, longitudes, height_km)


def subsolar_qd_longitude_at_epoch(epoch: float, times: TimeArray) -> FloatArray:
    """QD longitude (deg) of the sub-solar point at ``times``, mapped as apexpy's
    ``mlon2mlt`` does (the point at :data:`SUBSOLAR_HEIGHT_KM`): MLT is
    ``(180 + QDLon - this) / 15`` modulo 24 hours."""
    _check_epoch(epoch)
    return _APEX.subsolar_qd_longitude(epoch, times)
