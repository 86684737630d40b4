"""Auxiliary variables of the data extraction (reference vires-data-extraction.md, section 5),
one module per group:

* :mod:`.variables`: names, units, descriptions and required product variables;
* :mod:`.source`: :class:`AuxiliarySource`, one per request, reading each table once;
* :mod:`.indices`: Kp, Kp10, Dst, dDst, F107, F10_INDEX from the cached products;
* :mod:`.magnetic` (with :mod:`.knots`): QDLat, QDLon, MLT through apexpy;
* :mod:`.sun`: the Sun's position and the sub-solar point;
* :mod:`.field`: the intensity F of B_NEC.

Orbit directions come from the orbit-direction tables and orbit numbers from the orbit
counters (both looked up in :mod:`.source`).
"""

from vires_repo.extraction.auxiliaries.source import AuxiliarySource
from vires_repo.extraction.auxiliaries.variables import AUXILIARY_VARIABLES, AuxiliaryVariable

__all__ = ["AUXILIARY_VARIABLES", "AuxiliarySource", "AuxiliaryVariable"]
