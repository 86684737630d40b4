"""The output variables of a request: what each source reads, computes and writes.

Per source, as VirES (reference 2.6): the mandatory variables (``DataSource`` for a gap-filled
source, ``Spacecraft`` when the master names a mission, ``Timestamp``, ``Latitude``,
``Longitude``, ``Radius``), the dataset's essential variables, then the requested ones; a
product variable wins over an auxiliary of the same name. The columns of the output are the
ordered union over the sources. Unlike VirES, an unknown variable is an error, not dropped, and
a magnetic model is refused: model evaluation is out of scope here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from vires_repo.errors import ExtractionRequestError
from vires_repo.extraction.request import Source, rejected

DATA_SOURCE = "DataSource"
SPACECRAFT = "Spacecraft"
MANDATORY = (DATA_SOURCE, SPACECRAFT, "Timestamp", "Latitude", "Longitude", "Radius")
_MODEL_VARIABLE = re.compile(r"^(B_NEC|F)_(res_)?(?P<model>.+)$")

_CDF_TYPES = {
    "f8": "CDF_DOUBLE", "f4": "CDF_FLOAT",
    "u1": "CDF_UINT1", "u2": "CDF_UINT2", "u4": "CDF_UINT4",
    "i1": "CDF_INT1", "i2": "CDF_INT2", "i4": "CDF_INT4", "i8": "CDF_INT8",
    "b1": "CDF_UINT1",
}  # fmt: skip
_DEFINITION_DTYPES = {"timestamp": "datetime64[ns]", "bool": "bool", "string": "U"}
_AUXILIARY_DTYPES = {  # VirES's CDF types of the orbit variables (reference 5.1); others double
    "OrbitNumber": "i4",
    "OrbitDirection": "i1",
    "QDOrbitDirection": "i1",
    "OrbitDirectionBoundaryType": "i1",
    "QDOrbitDirectionBoundaryType": "i1",
    "OrbitSource": "i1",
}


class Auxiliary(Protocol):
    """What the output needs to know of an auxiliary variable (extraction.auxiliaries)."""

    @property
    def name(self) -> str: ...
    @property
    def unit(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def shape(self) -> tuple[int, ...]: ...
    @property
    def requires(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class ColumnSpec:
    """One output column: numpy type and per-record shape, CDF type, CDF attributes."""

    name: str
    dtype: np.dtype[Any]
    shape: tuple[int, ...]
    cdf_type: str
    attributes: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_time(self) -> bool:
        return self.dtype.kind == "M"

    @property
    def is_text(self) -> bool:
        return self.dtype.kind == "U"


@dataclass(frozen=True)
class SourcePlan:
    """What one source reads from its products, computes, and outputs."""

    source: Source
    read: Mapping[str, str]
    """Product variables to read: output name -> name in the file."""
    time_variable: str
    auxiliaries: tuple[str, ...]
    outputs: tuple[str, ...]


def check_no_models(model_ids: str) -> None:
    """A magnetic model request is refused (evaluation belongs to a later issue)."""
    if model_ids.strip():
        raise _model_error(model_ids.strip())


def _model_error(what: str) -> ExtractionRequestError:
    return rejected(
        "model_ids",
        f"Magnetic model evaluation is out of scope of this service ({what}): request the "
        "product variables and auxiliaries only.",
    )


Offered = Callable[[Source, str], bool]
"""Whether an auxiliary can be computed for a source (orbit directions and numbers need the
mission's tables)."""


def plan_variables(
    sources: Sequence[Source],
    requested: Sequence[str],
    auxiliaries: Mapping[str, Auxiliary],
    extra: Iterable[str] = (),
    offered: Offered | None = None,
) -> tuple[list[ColumnSpec], list[SourcePlan]]:
    """The output columns and each source's plan; ``extra`` are variables needed beyond the
    output (those a filter tests), read or computed but not written. An auxiliary not
    ``offered`` for a source is left out of its output, as VirES leaves it out (it offers
    orbit directions and numbers only for the missions with tables)."""
    offered = offered or (lambda _source, _name: True)
    plans = [
        _plan_source(source, requested, auxiliaries, tuple(extra), offered) for source in sources
    ]
    columns: dict[str, ColumnSpec] = {}
    for plan in plans:
        for name in plan.outputs:
            if name not in columns:
                columns[name] = _column_spec(plan.source, name, auxiliaries)
    return list(columns.values()), plans


def _plan_source(
    source: Source,
    requested: Sequence[str],
    auxiliaries: Mapping[str, Auxiliary],
    extra: tuple[str, ...],
    offered: Offered,
) -> SourcePlan:
    definitions = source.variables
    time_variable = next(
        (name for name, variable in definitions.items() if variable.get("primaryTimestamp")),
        "Timestamp",
    )
    for name in [*requested, *extra]:
        if name in definitions or name in auxiliaries or name in MANDATORY:
            continue
        if _MODEL_VARIABLE.match(name):
            raise _model_error(name)
        raise rejected(
            "variables",
            f"Unknown variable '{name}' (label {source.label}, collection "
            f"{source.master.name}; variables: product type {source.master.type_name}'s "
            "dataset variables and the auxiliaries "
            f"{', '.join(sorted(auxiliaries))})",
        )
    essential = [
        name for name, variable in definitions.items() if variable.get("essentialVariable")
    ]
    wanted = list(dict.fromkeys([*MANDATORY, *essential, *requested]))
    outputs = [
        name
        for name in wanted
        if _available(source, name, definitions, auxiliaries)
        and (name in definitions or name not in auxiliaries or offered(source, name))
    ]
    needed = list(dict.fromkeys([*outputs, *extra]))
    computed = [name for name in needed if name not in definitions and name in auxiliaries]
    read_names = [name for name in needed if name in definitions]
    for name in computed:
        for required in auxiliaries[name].requires:
            if required not in definitions:
                raise rejected(
                    "variables",
                    f"Variable '{name}' needs '{required}', which collection "
                    f"{source.master.name} does not provide",
                )
            read_names.append(required)
    read = {
        name: str(definitions[name].get("source") or name)
        for name in dict.fromkeys([time_variable, *read_names])
    }
    return SourcePlan(source, read, time_variable, tuple(computed), tuple(outputs))


def _available(
    source: Source,
    name: str,
    definitions: Mapping[str, Any],
    auxiliaries: Mapping[str, Auxiliary],
) -> bool:
    if name == DATA_SOURCE:
        return len(source.collections) > 1
    if name == SPACECRAFT:
        return bool(source.master.definition.get("mission"))
    return name in definitions or name in auxiliaries


def _column_spec(source: Source, name: str, auxiliaries: Mapping[str, Auxiliary]) -> ColumnSpec:
    if name == DATA_SOURCE:
        listing = ", ".join(
            f"{index} - {collection.name}" for index, collection in enumerate(source.collections)
        )
        description = f"Index of the source data collection: {listing}"
        return _spec(name, np.dtype("u1"), (), {"DESCRIPTION": description, "UNITS": "-"})
    if name == SPACECRAFT:
        description = "Spacecraft identifier (values: 'A', 'B', 'C' or '-' if not available)."
        return _spec(name, np.dtype("U1"), (), {"DESCRIPTION": description, "UNITS": "-"})
    definition = source.variables.get(name)
    if definition is not None:
        attributes = {str(k): str(v) for k, v in (definition.get("attributes") or {}).items()}
        shape = tuple(int(size) for size in definition.get("dimension") or ())
        return _spec(name, _definition_dtype(str(definition["dataType"])), shape, attributes)
    auxiliary = auxiliaries[name]
    attributes = {"DESCRIPTION": auxiliary.description, "UNITS": auxiliary.unit}
    dtype = np.dtype(_AUXILIARY_DTYPES.get(name, "f8"))
    return _spec(name, dtype, tuple(auxiliary.shape), attributes)


def _definition_dtype(data_type: str) -> np.dtype[Any]:
    if data_type.startswith("char"):
        return np.dtype(f"U{int(data_type[4:] or 1)}")
    return np.dtype(_DEFINITION_DTYPES.get(data_type, data_type))


def _spec(
    name: str, dtype: np.dtype[Any], shape: tuple[int, ...], attributes: Mapping[str, str]
) -> ColumnSpec:
    if dtype.kind == "M":
        cdf_type = "CDF_EPOCH"
    elif dtype.kind == "U":
        cdf_type = "CDF_CHAR"
    else:
        cdf_type = _CDF_TYPES[f"{dtype.kind}{dtype.itemsize}"]
    return ColumnSpec(name, dtype, shape, cdf_type, attributes)


def spacecraft_letter(source: Source) -> str:
    """VirES's ``Spacecraft`` value: the master's spacecraft initial, or ``-``."""
    spacecraft = source.master.definition.get("spacecraft")
    return str(spacecraft)[0] if spacecraft else "-"
