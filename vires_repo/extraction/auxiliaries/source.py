"""The auxiliary variables of one extraction request, computed product by product.

An :class:`AuxiliarySource` belongs to one request: it reads each table it needs once (the
cached products of the indices and orbit counters whole, the orbit-direction tables for the
months of the request window) and computes the variables of one product's columns at a time.
Variables computed together (``QDLat``/``QDLon``/``MLT``, the Sun, a table lookup giving two
variables) are kept with the column arrays they came from, so asking for them one by one costs
one evaluation while the product's arrays stay the same objects.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from vires_repo.cached_products.orbit_counter import orbit_number_at
from vires_repo.cached_products.store import load_manifest
from vires_repo.cached_products.tables import sample_times
from vires_repo.cached_products.views import ORBIT_COUNTER_SPACECRAFT, cached_product_table
from vires_repo.catalog import Catalog
from vires_repo.errors import ExtractionRequestError, NotFoundError
from vires_repo.extraction.auxiliaries import indices
from vires_repo.extraction.auxiliaries.field import intensity
from vires_repo.extraction.auxiliaries.magnetic import magnetic_coordinates
from vires_repo.extraction.auxiliaries.sun import sun_position
from vires_repo.extraction.auxiliaries.variables import AUXILIARY_VARIABLES, AuxiliaryVariable
from vires_repo.orbit_direction.missions import TABLE_NAMES, TableKey, TableKind
from vires_repo.orbit_direction.store import TableStore
from vires_repo.orbit_direction.table import OrbitDirectionTable
from vires_repo.timescales import datetime64_to_mjd2000, to_datetime64

Columns = Mapping[str, npt.NDArray[Any]]

_ORBIT_DIRECTION: dict[str, tuple[TableKind, str]] = {
    "OrbitDirection": ("GEO", "direction"),
    "OrbitDirectionBoundaryType": ("GEO", "type"),
    "QDOrbitDirection": ("QD", "direction"),
    "QDOrbitDirectionBoundaryType": ("QD", "type"),
}
_INDEX_TABLES = {
    "Kp": "GFZ_AUX_KP",
    "Kp10": "GFZ_AUX_KP",
    "Dst": "GFZ_AUX_DST",
    "dDst": "GFZ_AUX_DST",
    "F107": "AUX_F10_2_",
    "F10_INDEX": "AUX_F10_2_",
}
_INDEX_LOOKUPS = {
    "Kp": indices.kp,
    "Kp10": indices.kp,
    "Dst": indices.dst,
    "dDst": indices.ddst,
    "F107": indices.f107,
    "F10_INDEX": indices.f10_index,
}
_MARGIN_ROWS = 3
"""Table rows kept on each side of a product's span: every lookup reads at most the two
samples around a time and their neighbours, so the cut table gives the whole table's values."""
_MAGNETIC = ("QDLat", "QDLon", "MLT")
_SUN = tuple(name for name in AUXILIARY_VARIABLES if name.startswith("Sun"))
_EVALUATED_TOGETHER = (
    _MAGNETIC,
    _SUN,
    ("Kp", "Kp10"),
    ("OrbitDirection", "OrbitDirectionBoundaryType"),
    ("QDOrbitDirection", "QDOrbitDirectionBoundaryType"),
)
_ORBIT_COUNTERS: dict[tuple[str, str | None], str] = {
    owner: identifier for identifier, owner in ORBIT_COUNTER_SPACECRAFT.items()
}


class AuxiliarySource:
    """Computes auxiliary variables for the products of a request window ``[begin, end]``."""

    def __init__(self, catalog: Catalog, begin: datetime, end: datetime) -> None:
        self.catalog = catalog
        self.begin = to_datetime64(begin, "ms")
        self.end = to_datetime64(end, "ms")
        self._cached_tables: dict[str, pa.Table] = {}
        self._cached_times: dict[str, npt.NDArray[np.float64]] = {}
        self._cached_sources: dict[str, tuple[str, ...]] = {}
        self.source_products: set[str] = set()
        """The products the computed values came from, as VirES lists them with the data
        products (reference 6.3): the sources of the cached products used (orbit counter,
        F10.7, and Kp and Dst, which VirES reads from their collections) and the products
        behind the orbit-direction points read."""
        self._orbit_direction_tables: dict[TableKey, OrbitDirectionTable] = {}
        self._memo: dict[str, tuple[tuple[Any, ...], npt.NDArray[Any]]] = {}
        """Per variable, the inputs it was last computed from and its values."""
        self._times: npt.NDArray[Any] | None = None
        self._times_mjd2000 = np.empty(0)

    def available(
        self, name: str, *, mission: str, spacecraft: str | None, grade: str | None = None
    ) -> bool:
        """Whether ``name`` can be computed for products of this mission and spacecraft:
        orbit directions and numbers need the mission's tables or orbit counter (VirES
        offers them only then); the others always can."""
        if name in _ORBIT_DIRECTION:
            kind, _ = _ORBIT_DIRECTION[name]
            return TableKey(mission, spacecraft, grade or None, kind) in TABLE_NAMES
        if name == "OrbitNumber":
            return (mission, spacecraft) in _ORBIT_COUNTERS
        return name in AUXILIARY_VARIABLES

    @staticmethod
    def computed_with(name: str) -> tuple[str, ...]:
        """The variables one evaluation of ``name`` gives as well (they cost nothing more
        while the product's columns stay the same arrays)."""
        return next((group for group in _EVALUATED_TOGETHER if name in group), (name,))

    def compute(
        self,
        name: str,
        columns: Columns,
        *,
        mission: str,
        spacecraft: str | None,
        grade: str | None = None,
    ) -> npt.NDArray[Any]:
        """The values of auxiliary ``name`` for the rows of ``columns`` (arrays of the
        variables :data:`AUXILIARY_VARIABLES` lists as required)."""
        variable = AUXILIARY_VARIABLES.get(name)
        if variable is None:
            raise ExtractionRequestError(
                f"Invalid input value of 'variables'! {name!r} is not an auxiliary variable"
            )
        owner = (mission, spacecraft, grade)
        known = self._memo.get(name)
        if known is not None and _same_inputs(known[0], _inputs(variable, columns, owner)):
            return known[1]
        results = self._evaluate(name, columns, mission, spacecraft, grade)
        for computed, values in results.items():  # keep what the columns suffice for
            other = AUXILIARY_VARIABLES[computed]
            if all(required in columns for required in other.requires):
                self._memo[computed] = (_inputs(other, columns, owner), values)
        return results[name]

    def _evaluate(
        self, name: str, columns: Columns, mission: str, spacecraft: str | None, grade: str | None
    ) -> dict[str, npt.NDArray[Any]]:
        times = columns["Timestamp"]
        if name in _ORBIT_DIRECTION:
            kind, _ = _ORBIT_DIRECTION[name]
            table = self._orbit_direction_table(TableKey(mission, spacecraft, grade or None, kind))
            times_ms = np.asarray(times).astype("datetime64[ms]")
            if times_ms.size:  # the table's points around the product's span (lookup's rule)
                first, last = times_ms.min(), times_ms.max()
                self._note_table_sources(table, first, last)
                table = OrbitDirectionTable(table.key, boundaries=table.subset(first, last))
            directions, types = table.lookup(times_ms)
            prefix = "QD" if kind == "QD" else ""
            return {
                f"{prefix}OrbitDirection": directions,
                f"{prefix}OrbitDirectionBoundaryType": types,
            }
        if name == "OrbitNumber":
            identifier = _ORBIT_COUNTERS.get((mission, spacecraft))
            if identifier is None:
                raise ExtractionRequestError(
                    f"Invalid input value of 'variables'! OrbitNumber is not available for "
                    f"{mission} {spacecraft or ''}".rstrip()
                )
            mjd2000 = self._mjd2000(times)
            numbers = orbit_number_at(self._table_around(identifier, mjd2000), mjd2000)
            return {"OrbitNumber": numbers.astype(np.int32)}
        if name in _INDEX_TABLES:
            mjd2000 = self._mjd2000(times)
            return _INDEX_LOOKUPS[name](self._table_around(_INDEX_TABLES[name], mjd2000), mjd2000)
        if name in _MAGNETIC:
            return magnetic_coordinates(
                times,
                _floats(columns, "Latitude"),
                _floats(columns, "Longitude"),
                _floats(columns, "Radius"),
            )
        if name == "F":
            return {"F": intensity(columns["B_NEC"])}
        size = len(times)  # the Sun: position columns a variable does not need may be absent
        return sun_position(
            self._mjd2000(times),
            _floats(columns, "Latitude", size),
            _floats(columns, "Longitude", size),
            _floats(columns, "Radius", size) * 1e-3,
        )

    def _mjd2000(self, times: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
        """MJD2000 of a product's times, converted once for all the variables needing it."""
        if self._times is not times:
            self._times, self._times_mjd2000 = times, datetime64_to_mjd2000(times)
        return self._times_mjd2000

    def _table_around(self, identifier: str, mjd2000: npt.NDArray[np.float64]) -> pa.Table:
        """The rows of a cached product's table that lookups at ``mjd2000`` read (a zero-copy
        slice: searching and segmenting the whole table for every product cost the most)."""
        table = self._cached_table(identifier)
        if not mjd2000.size:
            return table
        self.source_products.update(self._cached_sources[identifier])
        times = self._cached_times[identifier]
        low, high = np.searchsorted(times, [mjd2000.min(), mjd2000.max()], side="right")
        low, high = max(int(low) - _MARGIN_ROWS, 0), min(int(high) + _MARGIN_ROWS, len(times))
        return table.slice(low, high - low)

    def _cached_table(self, identifier: str) -> pa.Table:
        table = self._cached_tables.get(identifier)
        if table is None:
            table = cached_product_table(self.catalog.storage, identifier)
            if table is None:
                raise NotFoundError(
                    f"cached product {identifier} is not in the catalogue {self.catalog.url} "
                    f"(add it with 'vires-repo cached_product update {identifier} FILE')"
                )
            self._cached_tables[identifier] = table
            self._cached_times[identifier] = sample_times(table)
            record = load_manifest(self.catalog.storage).get(identifier)
            self._cached_sources[identifier] = record.sources if record is not None else ()
        return table

    def _note_table_sources(
        self, table: OrbitDirectionTable, first: np.datetime64, last: np.datetime64
    ) -> None:
        """The table's products whose samples overlap ``[first, last]``."""
        self.source_products.update(
            source.product_id
            for source in table.sources
            if source.start <= last and source.end >= first
        )

    def _orbit_direction_table(self, key: TableKey) -> OrbitDirectionTable:
        table = self._orbit_direction_tables.get(key)
        if table is None:
            if key not in TABLE_NAMES:
                raise ExtractionRequestError(
                    "Invalid input value of 'variables'! No orbit directions for "
                    f"{key.mission}/{key.spacecraft or '-'}/{key.grade or '-'}"
                )
            loaded = TableStore(self.catalog.storage).open(key)
            if loaded.exists:
                loaded.ensure(self.begin, self.end)
            table = self._orbit_direction_tables[key] = loaded.table
        return table


def _inputs(
    variable: AuxiliaryVariable, columns: Columns, owner: tuple[Any, ...]
) -> tuple[Any, ...]:
    """What a value depends on: the (array objects of the) required columns and the owner."""
    return (*(columns[required] for required in variable.requires), *owner)


def _same_inputs(first: tuple[Any, ...], second: tuple[Any, ...]) -> bool:
    return len(first) == len(second) and all(a is b for a, b in zip(first, second, strict=True))


def _floats(columns: Columns, name: str, size: int | None = None) -> npt.NDArray[np.float64]:
    if size is not None and name not in columns:
        return np.zeros(size)
    return np.asarray(columns[name], dtype=np.float64)
