"""The cached product types: source names, conversion, output file and how to read it back."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from pathlib import Path

import pyarrow as pa

from vires_repo.cached_products import dst, f107, kp, orbit_counter, shc_models
from vires_repo.cached_products.mma_models import (
    MMA_2C_LAYOUT,
    MMA_2F_LAYOUT,
    MMA_CHAOS_LAYOUT,
    mma_converter,
)
from vires_repo.errors import NotFoundError

Converter = Callable[[Sequence[str], Path, datetime], list[str]]
"""Writes the output file at the given path from the sources; returns the source product ids."""


class Provenance(Enum):
    """Where the update time and source ids of a cached product are kept (reference 9.4)."""

    CDF_ATTRIBUTES = "cdf"  # CREATED and SOURCES/SOURCE global attributes
    SOURCE_FILE = "source-file"  # file time and the lines of <file>.source
    ZIP_MEMBERS = "zip"  # file time and the member names


@dataclass(frozen=True)
class CachedProductType:
    identifier: str
    output_name: str
    description: str
    source_pattern: re.Pattern[str]
    """What a source file name (base name) must look like."""
    source_description: str
    convert: Converter
    provenance: Provenance
    multiple_sources: bool = False
    view: str | None = None
    """SQL view the tabular output feeds (orbit_counter, f107, kp, dst)."""
    read_table: Callable[[str], pa.Table] | None = None


_TIMED = r"_\d{8}T\d{6}_\d{8}T\d{6}_\d{4}"


def _orbit_counter(
    identifier: str, output: str, pattern: str, spacecraft: str
) -> CachedProductType:
    return CachedProductType(
        identifier=identifier,
        output_name=output,
        description=f"{spacecraft} orbit counter",
        source_pattern=re.compile(pattern, re.IGNORECASE),
        source_description="orbit-counter text file",
        convert=orbit_counter.convert_text_orbit_counter,
        provenance=Provenance.CDF_ATTRIBUTES,
        view="orbit_counter",
        read_table=orbit_counter.read_orbit_counter_table,
    )


def _gfz_orbit_counter(identifier: str, mission: str) -> CachedProductType:
    return CachedProductType(
        identifier=identifier,
        output_name=f"{identifier}.cdf",
        description=f"{mission} orbit counter (GFZ)",
        source_pattern=re.compile(r"^.+\.cdf$", re.IGNORECASE),
        source_description="CDF file",
        convert=orbit_counter.convert_gfz_orbit_counter,
        provenance=Provenance.CDF_ATTRIBUTES,
        view="orbit_counter",
        read_table=orbit_counter.read_orbit_counter_table,
    )


def _model_copy(
    model: str, extension: str, description: str, check: Callable[[str, str], object]
) -> CachedProductType:
    return CachedProductType(
        identifier=model,
        output_name=f"SW_OPER_{model}.{extension}",
        description=description,
        source_pattern=re.compile(
            rf"^SW_[A-Z]{{4}}_{model}(?:{_TIMED})?\.{extension}$", re.IGNORECASE
        ),
        source_description=f"SW_OPER_{model}[_<start>_<end>_<version>].{extension}",
        convert=shc_models.copy_converter(check),
        provenance=Provenance.SOURCE_FILE,
    )


def _mma(model: str, description: str, convert: Converter) -> CachedProductType:
    return CachedProductType(
        identifier=model,
        output_name=f"SW_OPER_{model}.cdf",
        description=description,
        source_pattern=re.compile(rf"^SW_OPER_{model}{_TIMED}\.cdf$", re.IGNORECASE),
        source_description=f"SW_OPER_{model}_<start>_<end>_<baseline><version>.cdf",
        convert=convert,
        provenance=Provenance.CDF_ATTRIBUTES,
        multiple_sources=True,
    )


_TYPES: tuple[CachedProductType, ...] = (
    _orbit_counter(
        "AUXAORBCNT", "SW_OPER_AUXAORBCNT.cdf", r"^SW_OPER_AUXAORBCNT_.*\.(TXT|DBL)$", "Swarm A"
    ),
    _orbit_counter(
        "AUXBORBCNT", "SW_OPER_AUXBORBCNT.cdf", r"^SW_OPER_AUXBORBCNT_.*\.(TXT|DBL)$", "Swarm B"
    ),
    _orbit_counter(
        "AUXCORBCNT", "SW_OPER_AUXCORBCNT.cdf", r"^SW_OPER_AUXCORBCNT_.*\.(TXT|DBL)$", "Swarm C"
    ),
    _orbit_counter(
        "CS2_ORBCNT", "CS2_ORBCNT.cdf", r"^CS_OPER_AUX_ORBCNT_.*\.(TXT|DBL)$", "CryoSat-2"
    ),
    _gfz_orbit_counter("GR1_ORBCNT", "GRACE 1"),
    _gfz_orbit_counter("GR2_ORBCNT", "GRACE 2"),
    _gfz_orbit_counter("GF1_ORBCNT", "GRACE-FO 1"),
    _gfz_orbit_counter("GF2_ORBCNT", "GRACE-FO 2"),
    _gfz_orbit_counter("GO_ORBCNT", "GOCE"),
    _gfz_orbit_counter("CH_ORBCNT", "CHAMP"),
    CachedProductType(
        identifier="AUX_F10_2_",
        output_name="SW_OPER_AUX_F10_2_.cdf",
        description="daily F10.7 solar flux with its 81-day centred mean",
        source_pattern=re.compile(r"^SW_OPER_AUX_F10_2__.*\.DBL$", re.IGNORECASE),
        source_description="SW_OPER_AUX_F10_2__*.DBL",
        convert=f107.convert_f107,
        provenance=Provenance.CDF_ATTRIBUTES,
        view="f107",
        read_table=f107.read_f107_table,
    ),
    CachedProductType(
        identifier="GFZ_AUX_DST",
        output_name="aux_dst.cdf",
        description="hourly Dst, Est, Ist and dDst (legacy)",
        source_pattern=re.compile(r"^Dst_MJD_.*\.dat$", re.IGNORECASE),
        source_description="Dst_MJD_*.dat",
        convert=dst.convert_dst,
        provenance=Provenance.CDF_ATTRIBUTES,
        view="dst",
        read_table=dst.read_dst_table,
    ),
    CachedProductType(
        identifier="GFZ_AUX_KP",
        output_name="aux_kp.cdf",
        description="3-hourly Kp and ap (legacy)",
        source_pattern=re.compile(r"^Kp_MJD_.*\.dat$", re.IGNORECASE),
        source_description="Kp_MJD_*.dat",
        convert=kp.convert_kp,
        provenance=Provenance.CDF_ATTRIBUTES,
        view="kp",
        read_table=kp.read_kp_table,
    ),
    _model_copy("MCO_SHA_2C", "shc", "Swarm core field model (CI)", shc_models.check_core_shc),
    _model_copy("MCO_SHA_2D", "shc", "Swarm core field model (DTU)", shc_models.check_core_shc),
    _model_copy(
        "MCO_SHA_2F", "shc", "Swarm core field model (fast track)", shc_models.check_core_shc
    ),
    _model_copy(
        "MLI_SHA_2C", "shc", "Swarm lithospheric field model (CI)", shc_models.check_lithosphere_shc
    ),
    _model_copy(
        "MLI_SHA_2D",
        "shc",
        "Swarm lithospheric field model (DTU)",
        shc_models.check_lithosphere_shc,
    ),
    _model_copy(
        "MLI_SHA_2E",
        "shc",
        "Swarm lithospheric field model (Swarm + CHAMP)",
        shc_models.check_lithosphere_shc,
    ),
    _model_copy("MIO_SHA_2C", "txt", "Swarm ionospheric field model (CI)", shc_models.check_mio),
    _model_copy("MIO_SHA_2D", "txt", "Swarm ionospheric field model (DTU)", shc_models.check_mio),
    CachedProductType(
        identifier="MCO_SHA_2X",
        output_name="SW_OPER_MCO_SHA_2X.zip",
        description="CHAOS core field model (latest version, contiguous files)",
        source_pattern=re.compile(rf"^SW_OPER_MCO_SHA_2X{_TIMED}\.shc$", re.IGNORECASE),
        source_description="SW_OPER_MCO_SHA_2X_<start>_<end>_<baseline><version>.shc",
        convert=shc_models.convert_chaos_core,
        provenance=Provenance.ZIP_MEMBERS,
        multiple_sources=True,
    ),
    _mma("MMA_SHA_2C", "Swarm magnetospheric field model (CI)", mma_converter(MMA_2C_LAYOUT)),
    _mma(
        "MMA_SHA_2F", "Swarm magnetospheric field model (fast track)", mma_converter(MMA_2F_LAYOUT)
    ),
    _mma("MMA_CHAOS_", "CHAOS magnetospheric field model", mma_converter(MMA_CHAOS_LAYOUT)),
)

CACHED_PRODUCT_TYPES: dict[str, CachedProductType] = {t.identifier: t for t in _TYPES}


def get_cached_product_type(identifier: str) -> CachedProductType:
    try:
        return CACHED_PRODUCT_TYPES[identifier]
    except KeyError:
        raise NotFoundError(
            f"unknown cached product type {identifier!r}; expected one of "
            + ", ".join(sorted(CACHED_PRODUCT_TYPES))
        ) from None
