"""Global attributes of the cached-product CDFs: update time, creator, source and validity.

``CREATED`` is read back as the update time of a cached product, ``SOURCE``/``SOURCES`` as the
source product ids, as VirES records them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from vires_repo.io.cdf import AttributeEntry

CREATOR = "vires-repo"
CREATED_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
"""Format of the ``CREATED`` attribute (UTC, whole seconds)."""


def created_attributes(created: datetime) -> dict[str, list[AttributeEntry]]:
    """``CREATED`` (read back as the "updated" time of a cached product) and ``CREATOR``."""
    return {"CREATED": [created.strftime(CREATED_FORMAT)], "CREATOR": [CREATOR]}


def validity_attribute(times: npt.NDArray[np.float64]) -> list[AttributeEntry]:
    """``VALIDITY``: two entries, the first and last MJD2000 time of the data."""
    return [([float(times.min())], "CDF_DOUBLE"), ([float(times.max())], "CDF_DOUBLE")]


def single_source_attributes(
    created: datetime, source: str, times: npt.NDArray[np.float64]
) -> dict[str, list[AttributeEntry]]:
    """Global attributes of a product converted from one source: ``CREATED``, ``CREATOR``,
    ``SOURCE`` (the source product id) and ``VALIDITY`` (the MJD2000 range of ``times``)."""
    return {
        **created_attributes(created),
        "SOURCE": [source],
        "VALIDITY": validity_attribute(times),
    }


def attribute_texts(attributes: Mapping[str, Sequence[Any]], name: str) -> list[str]:
    """The entries of global attribute ``name`` as strings (empty when it is absent)."""
    return [str(value) for value in attributes.get(name, [])]
