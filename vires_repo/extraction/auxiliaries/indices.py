"""Geomagnetic and solar indices from the cached products, by VirES's interpolation rules
(reference vires-data-extraction.md, sections 2.4 and 5.2).

* ``Kp``, ``Kp10``: the value of the three-hour interval holding the time ("previous" from the
  interval start, valid up to 180 min after the last one, gaps over 181 min break the
  series). VirES reads ``GFZ_KP``, stamped at the interval start; the cached ``GFZ_AUX_KP``
  is stamped at the interval centre, so its times are moved back by half an interval first.
  ``Kp10`` is the stored Kp times ten (13 = 1+), ``Kp`` the true thirds (13 -> 4/3).
* ``Dst``: linear between hourly values (stamped at the middle of the hour), extrapolated up
  to 60 min beyond the ends of a series broken at gaps over 61 min; ``dDst`` "previous" with
  the same gaps, up to 60 min after the last value.
* ``F107``: linear between the daily values, nothing outside them, no gaps.
* ``F10_INDEX``: VirES takes it from the IMF product (``SW_AUX_IMF_2_``), hourly, "previous";
  the catalogue's daily F10.7 is the cached ``AUX_F10_2_``, so here it is the last daily value
  at or before the time, held for one day after the last.

Times are MJD2000 (days). Each function computes only what it names: a request rarely
wants both of a pair, and each costs a pass over the product's times.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from vires_repo.cached_products.interpolation import linear_value, segmented_value
from vires_repo.cached_products.tables import column, sample_times

FloatArray = npt.NDArray[np.float64]

_MINUTE = 1.0 / 1440.0
KP_INTERVAL = 180 * _MINUTE
KP_GAP, KP_REACH = 181 * _MINUTE, 180 * _MINUTE
DST_GAP, DST_REACH = 61 * _MINUTE, 60 * _MINUTE
F107_STEP = 1.0


def kp(table: pa.Table, mjd2000: FloatArray) -> dict[str, FloatArray]:
    """``Kp`` and ``Kp10`` from the ``GFZ_AUX_KP`` table."""
    starts = sample_times(table) - KP_INTERVAL / 2
    kp10 = segmented_value(
        mjd2000,
        starts,
        column(table, "kp10"),
        "previous",
        gap_threshold=KP_GAP,
        neighbourhood=KP_REACH,
    )
    return {"Kp10": kp10, "Kp": np.round(kp10 * 0.3) / 3.0}


def dst(table: pa.Table, mjd2000: FloatArray) -> dict[str, FloatArray]:
    """``Dst`` from the ``GFZ_AUX_DST`` table."""
    values = segmented_value(
        mjd2000,
        sample_times(table),
        column(table, "dst"),
        "linear",
        gap_threshold=DST_GAP,
        neighbourhood=DST_REACH,
    )
    return {"Dst": values}


def ddst(table: pa.Table, mjd2000: FloatArray) -> dict[str, FloatArray]:
    """``dDst`` from the ``GFZ_AUX_DST`` table."""
    values = segmented_value(
        mjd2000,
        sample_times(table),
        column(table, "ddst"),
        "previous",
        gap_threshold=DST_GAP,
        neighbourhood=DST_REACH,
    )
    return {"dDst": values}


def f107(table: pa.Table, mjd2000: FloatArray) -> dict[str, FloatArray]:
    """``F107`` from the ``AUX_F10_2_`` table (as :func:`f107_at` reads it)."""
    return {"F107": linear_value(mjd2000, sample_times(table), column(table, "f107"))}


def f10_index(table: pa.Table, mjd2000: FloatArray) -> dict[str, FloatArray]:
    """``F10_INDEX`` from the ``AUX_F10_2_`` table."""
    daily = segmented_value(
        mjd2000,
        sample_times(table),
        column(table, "f107"),
        "previous",
        gap_threshold=F107_STEP,
        neighbourhood=F107_STEP,
    )
    return {"F10_INDEX": daily}
