"""The apexpy seam: Quasi-Dipole latitude of geodetic positions at a decimal-year epoch.

The only module that imports apexpy (lazily: only the QD tables need its Fortran build). Every
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

APEX_EPOCHS = (1900.0, 2030.0)
"""The decimal years apexpy's magnetic model covers."""


class _Apex:
    """The one apexpy instance of the process, created on first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._apex: Any = None

    def geo2qd_latitude(
        self, epoch: float, geodetic_lat: FloatArray, longitudes: FloatArray, height_km: FloatArray
    ) -> FloatArray:
        with self._lock:
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
            qd_lat, _ = self._apex.geo2qd(geodetic_lat, longitudes, height_km)
        return np.asarray(qd_lat, dtype=np.float64).reshape(geodetic_lat.shape)


_APEX = _Apex()


def qd_latitude_at_epoch(
    epoch: float, geodetic_lat: FloatArray, longitudes: FloatArray, height_km: FloatArray
) -> FloatArray:
    """QD latitude (deg) of geodetic latitude (deg), longitude (deg) and height (km)."""
    low, high = APEX_EPOCHS
    if not low <= epoch <= high:
        raise QuasiDipoleRangeError(
            f"Quasi-Dipole latitude is not available for {epoch:.3f}: apexpy's magnetic "
            f"model covers {low:.0f}-{high:.0f}"
        )
    return _APEX.geo2qd_latitude(epoch, geodetic_lat, longitudes, height_km)
