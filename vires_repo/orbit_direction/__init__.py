"""Orbit-direction lookup tables: boundaries of geographic and Quasi-Dipole latitude extrema.

* :mod:`.extract`: boundaries of a latitude series, thresholds per mission, sample sanitizing;
* :mod:`.qd`: Quasi-Dipole latitude (apexpy) and the QD boundaries, coarse to fine;
* :mod:`.table`: one table in memory, products added with their neighbours, Arrow conversion;
* :mod:`.vires_cdf`: VirES table files (CDF) in and out.
"""

from vires_repo.orbit_direction.extract import (
    DEFAULT_THRESHOLDS,
    GOCE_THRESHOLDS,
    Boundaries,
    BoundaryType,
    Extraction,
    OrbitDirection,
    OrbitDirectionThresholds,
    OrbitSamples,
    SampleIssues,
    extract_orbit_directions,
    sanitize_samples,
    thresholds_for_mission,
)
from vires_repo.orbit_direction.qd import extract_qd_orbit_directions, qd_latitude
from vires_repo.orbit_direction.table import (
    OrbitDirectionIntegrityError,
    OrbitDirectionTable,
    ProductInput,
    Source,
    TableKey,
    prepare_product_input,
)

__all__ = [
    "DEFAULT_THRESHOLDS",
    "GOCE_THRESHOLDS",
    "Boundaries",
    "BoundaryType",
    "Extraction",
    "OrbitDirection",
    "OrbitDirectionIntegrityError",
    "OrbitDirectionTable",
    "OrbitDirectionThresholds",
    "OrbitSamples",
    "ProductInput",
    "SampleIssues",
    "Source",
    "TableKey",
    "extract_orbit_directions",
    "extract_qd_orbit_directions",
    "prepare_product_input",
    "qd_latitude",
    "sanitize_samples",
    "thresholds_for_mission",
]
