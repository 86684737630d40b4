"""What every synthetic product writer shares: Swarm file names and writing a CDF file with
the variable attributes (``DESCRIPTION``, ``UNITS``) of a shipped product type.

Every writer of :mod:`vires_repo.testing` takes a destination folder (local path or fsspec
URL), names the file after the Swarm grammar
(``SW_OPER_MAGA_LR_1B_20160101T000000_20160101T235959_0409_MDR_MAG_LR.cdf``: the first and last
record times, baseline and file counter) and returns the file's full location. The same
arguments always give the same bytes.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from vires_repo.definitions import load_defaults
from vires_repo.io.cdf import AttributeEntry, CdfVariable, write_cdf
from vires_repo.testing.sampling import TimeLike, to_datetime64


def product_file_name(
    collection: str,
    start: TimeLike,
    end: TimeLike,
    version: str,
    *,
    dataset: str | None = None,
    extension: str = ".cdf",
) -> str:
    """Swarm product file name: ``<collection>_<start>_<end>_<version>[_<dataset>]<ext>``."""
    parts = [collection, _compact(to_datetime64(start)), _compact(to_datetime64(end)), version]
    if dataset:
        parts.append(dataset)
    return "_".join(parts) + extension


def _compact(moment: np.datetime64) -> str:
    return str(np.datetime_as_string(moment, unit="s")).replace("-", "").replace(":", "")


@functools.cache
def _variable_attributes(product_type: str) -> dict[str, dict[str, str]]:
    """``DESCRIPTION``/``UNITS`` of each variable of a shipped type, by its name in the file."""
    attributes: dict[str, dict[str, str]] = {}
    for definition in load_defaults("product_types"):
        if definition["name"] != product_type:
            continue
        for variables in definition["datasets"].values():
            for name, variable in variables.items():
                source = variable.get("source", name)
                attributes.setdefault(source, dict(variable.get("attributes", {})))
    return attributes


def write_product_file(
    folder: str | os.PathLike[str],
    name: str,
    product_type: str,
    data: Mapping[str, tuple[npt.ArrayLike, str]],
    attributes: Mapping[str, Sequence[AttributeEntry]] | None = None,
) -> str:
    """Write ``data`` (variable -> values and CDF type, with the shipped attributes of
    ``product_type``) as ``folder/name``; return the location."""
    known = _variable_attributes(product_type)
    variables = {
        variable: CdfVariable(np.asarray(values), data_type, known.get(variable, {}))
        for variable, (values, data_type) in data.items()
    }
    folder = os.fspath(folder)
    location = f"{folder.rstrip('/')}/{name}" if folder else name
    write_cdf(location, variables, attributes)
    return location
