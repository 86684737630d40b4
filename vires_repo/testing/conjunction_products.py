"""Synthetic multi-mission conjunctions product (``MM_CON_EPH_2_``, ``CDF-CON_EPH_2_``):
crossovers and plane alignments of Swarm A/B, GRACE-FO 1 and CryoSat-2 in a fixed pattern.
"""

from __future__ import annotations

import os
from datetime import timedelta

import numpy as np
import numpy.typing as npt

from vires_repo.io.cdf import CDF_EPOCH, datetime64_to_cdf_time
from vires_repo.testing.product_files import product_file_name, write_product_file
from vires_repo.testing.sampling import TimeLike, sample_times, to_datetime64


def write_con_eph_product(
    folder: str | os.PathLike[str],
    start: TimeLike,
    end: TimeLike,
    *,
    crossover_step: timedelta | None = timedelta(minutes=20),
    plane_alignment_step: timedelta | None = timedelta(days=1),
    time_type: str = CDF_EPOCH,
    version: str = "0101",
) -> str:
    """Write a multi-mission conjunctions product (``CDF-CON_EPH_2_``).

    A crossover every ``crossover_step`` (``None``: none) lasting 1 to 60 minutes (a fixed
    pattern, the longest 3600 s), a plane alignment every ``plane_alignment_step`` (``None``:
    none) at noon.
    """
    first, last = to_datetime64(start), to_datetime64(end)
    crossovers = (
        sample_times(first, last, crossover_step) if crossover_step else np.array([], "M8[us]")
    )
    duration_s = (np.arange(crossovers.size) * 7 % 60 + 1) * 60.0
    crossovers_end = crossovers + (duration_s * 1e6).astype("timedelta64[us]")
    noon = first.astype("datetime64[D]").astype("datetime64[us]") + np.timedelta64(12, "h")
    alignments = (
        sample_times(noon, last, plane_alignment_step)
        if plane_alignment_step
        else np.array([], "M8[us]")
    )
    satellites = ["SW_A", "SW_B", "GF_1", "CS_2"]
    pick = np.arange(crossovers.size) % len(satellites)
    pick_pa = np.arange(alignments.size) % len(satellites)
    n_cross, n_align = crossovers.size, alignments.size
    data: dict[str, tuple[npt.ArrayLike, str]] = {
        "crossover_time_1": (datetime64_to_cdf_time(crossovers, time_type), time_type),
        "crossover_time_2": (datetime64_to_cdf_time(crossovers_end, time_type), time_type),
        "crossover_time_difference": (duration_s, "CDF_DOUBLE"),
        "crossover_satellite_1": (np.array(satellites)[pick], "CDF_CHAR"),
        "crossover_satellite_2": (np.array(satellites)[(pick + 1) % 4], "CDF_CHAR"),
        "crossover_altitude_1": (np.full(n_cross, 460.0), "CDF_DOUBLE"),
        "crossover_altitude_2": (np.full(n_cross, 510.0), "CDF_DOUBLE"),
        "crossover_latitude": (np.linspace(-85.0, 85.0, n_cross), "CDF_DOUBLE"),
        "crossover_longitude": (np.linspace(-180.0, 180.0, n_cross), "CDF_DOUBLE"),
        "crossover_magnetic_latitude": (np.linspace(-80.0, 80.0, n_cross), "CDF_DOUBLE"),
        "crossover_magnetic_longitude": (np.linspace(-170.0, 170.0, n_cross), "CDF_DOUBLE"),
        "crossover_local_solar_time_1": (np.full(n_cross, 10.0), "CDF_DOUBLE"),
        "crossover_local_solar_time_2": (np.full(n_cross, 22.0), "CDF_DOUBLE"),
        "plane_alignment_time": (datetime64_to_cdf_time(alignments, time_type), time_type),
        "plane_alignment_satellite_1": (np.array(satellites)[pick_pa], "CDF_CHAR"),
        "plane_alignment_satellite_2": (np.array(satellites)[(pick_pa + 2) % 4], "CDF_CHAR"),
        "plane_alignment_altitude_1": (np.full(n_align, 460.0), "CDF_DOUBLE"),
        "plane_alignment_altitude_2": (np.full(n_align, 510.0), "CDF_DOUBLE"),
        "plane_alignment_ltan_1": (np.full(n_align, 10.5), "CDF_DOUBLE"),
        "plane_alignment_ltan_2": (np.full(n_align, 10.5), "CDF_DOUBLE"),
        "plane_alignment_ltan_rate_1": (np.full(n_align, -0.04), "CDF_DOUBLE"),
        "plane_alignment_ltan_rate_2": (np.full(n_align, -0.03), "CDF_DOUBLE"),
    }
    name = product_file_name("MM_OPER_CON_EPH_2_", first, last, version)
    return write_product_file(folder, name, "MM_CON_EPH_2_", data)
