"""Auxiliary variables (OrbitDirection, Kp, QDLat, ...): none yet.

Placeholder of the contract (prompts/extraction-api.md) until helper ``extract-vars`` commits
the real package, which replaces this file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy.typing as npt

from vires_repo.catalog import Catalog


@dataclass(frozen=True)
class AuxiliaryVariable:
    name: str
    unit: str
    description: str
    shape: tuple[int, ...]
    requires: tuple[str, ...]


AUXILIARY_VARIABLES: Mapping[str, AuxiliaryVariable] = {}


class AuxiliarySource:
    def __init__(self, catalog: Catalog, begin: datetime, end: datetime) -> None:
        del catalog, begin, end

    def compute(
        self, name: str, columns: Mapping[str, Any], *, mission: str, spacecraft: str | None
    ) -> npt.NDArray[Any]:
        raise KeyError(name)
