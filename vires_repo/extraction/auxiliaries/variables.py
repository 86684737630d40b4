"""The auxiliary variables the extraction computes, with VirES's names, units and descriptions
(reference vires-data-extraction.md, section 5)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

TIME = ("Timestamp",)
POSITION = ("Timestamp", "Latitude", "Longitude", "Radius")


@dataclass(frozen=True)
class AuxiliaryVariable:
    """An auxiliary variable: ``shape`` is ``()`` for a scalar, ``(k,)`` for a vector;
    ``requires`` the product variables it is computed from."""

    name: str
    unit: str
    description: str
    shape: tuple[int, ...]
    requires: tuple[str, ...]


_VARIABLES = (
    # orbit information (tables and orbit counters)
    AuxiliaryVariable(
        "OrbitNumber", "-", "Orbit number (-1 where no orbit counter data exist)", (), TIME
    ),
    AuxiliaryVariable(
        "OrbitDirection",
        "-",
        "Orbit direction in geographic coordinates (1 ascending, -1 descending, 0 undefined)",
        (),
        TIME,
    ),
    AuxiliaryVariable(
        "OrbitDirectionBoundaryType",
        "-",
        "Orbit direction boundary type (1 segment start, 0 latitude extremum, -1 segment end)",
        (),
        TIME,
    ),
    AuxiliaryVariable(
        "QDOrbitDirection",
        "-",
        "Orbit direction in Quasi-Dipole coordinates (1 ascending, -1 descending, 0 undefined)",
        (),
        TIME,
    ),
    AuxiliaryVariable(
        "QDOrbitDirectionBoundaryType",
        "-",
        "QD orbit direction boundary type (1 segment start, 0 latitude extremum, -1 segment end)",
        (),
        TIME,
    ),
    # geomagnetic and solar indices (cached products)
    AuxiliaryVariable("Kp", "-", "Planetary three-hour index Kp for the interval", (), TIME),
    AuxiliaryVariable("Kp10", "-", "Global geo-magnetic storm index multiplied by 10.", (), TIME),
    AuxiliaryVariable("Dst", "nT", "Hourly geomagnetic equatorial Dst index", (), TIME),
    AuxiliaryVariable(
        "dDst",
        "nT/h",
        "Absolute rate of change of the hourly Dst index (calculated as an absolute value of "
        "the difference between two consecutive hourly Dst values)",
        (),
        TIME,
    ),
    AuxiliaryVariable(
        "F107",
        "10e-22 W m^-2 Hz^-1",
        "Assembled daily observed values of solar flux F10.7",
        (),
        TIME,
    ),
    AuxiliaryVariable(
        "F10_INDEX",
        "10-22.J.s-1.m-2.Hz-1",
        "F10.7 - Daily 10.7 cm solar radio flux (the last daily value)",
        (),
        TIME,
    ),
    # magnetic coordinates (apexpy)
    AuxiliaryVariable("QDLat", "deg", "Quasi-dipole latitude", (), POSITION),
    AuxiliaryVariable("QDLon", "deg", "Quasi-dipole longitude", (), POSITION),
    AuxiliaryVariable("MLT", "hour", "Magnetic local time", (), POSITION),
    # Sun
    AuxiliaryVariable("SunDeclination", "deg", "Sun position - declination", (), TIME),
    AuxiliaryVariable("SunRightAscension", "deg", "Sun position - right ascension", (), TIME),
    AuxiliaryVariable(
        "SunHourAngle", "deg", "Sun position - hour angle", (), ("Timestamp", "Longitude")
    ),
    AuxiliaryVariable("SunAzimuthAngle", "deg", "Sun position - azimuth angle", (), POSITION),
    AuxiliaryVariable("SunZenithAngle", "deg", "Sun position - zenith angle", (), POSITION),
    AuxiliaryVariable(
        "SunLongitude",
        "deg",
        "Longitude of the sub-solar point complementary to the SunDeclination (i.e., "
        "sub-solar longitude. ",
        (),
        ("Timestamp", "Longitude"),
    ),
    AuxiliaryVariable(
        "SunVector",
        "-",
        "Unit vector pointing to Sun in geocentric Cartesian coordinate system.",
        (3,),
        ("Timestamp", "Longitude"),
    ),
    # derived from the product's own variables
    AuxiliaryVariable("F", "nT", "Magnetic field intensity", (), ("B_NEC",)),
)

AUXILIARY_VARIABLES: Mapping[str, AuxiliaryVariable] = {v.name: v for v in _VARIABLES}
"""The auxiliary variables by name. VirES names the sub-solar point ``SunLongitude`` (its
latitude is ``SunDeclination``)."""
