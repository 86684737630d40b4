"""Writing CDF files: row-major and uncompressed, like every ESA/VirES file.

One writer for the synthetic products (test data), the cached products and the VirES
orbit-direction tables; the bytes depend only on the variables and attributes given.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from cdflib.cdfwrite import CDF as CdfWriter

from vires_repo.io.cdf.datatypes import CDF_TYPE_CODES, TEXT_TYPES, AttributeEntry
from vires_repo.io.cdf.location import is_local, local_path, write_remote


@dataclass(frozen=True)
class CdfVariable:
    """A record-varying zVariable to write: data with records first, CDF type name, attributes.

    ``CDF_CHAR`` data is an array of ``str`` (the element count is the longest string) or of
    fixed-width ``bytes`` (numpy ``S<n>``: ``n`` elements, written without a Python loop).
    """

    data: npt.NDArray[Any]
    data_type: str
    attributes: Mapping[str, AttributeEntry] = field(default_factory=dict)


def write_cdf(
    location: str | os.PathLike[str],
    variables: Mapping[str, CdfVariable] | Iterable[tuple[str, CdfVariable]],
    global_attributes: Mapping[str, Sequence[AttributeEntry]] | None = None,
) -> None:
    """Write a row-major, uncompressed CDF to a local path or fsspec URL (replacing it).

    ``variables`` may be an iterable of ``(name, variable)`` pairs made one at a time, so
    that only one variable's data need be in memory. The file is written to a temporary name
    first; local targets are then renamed into place, others uploaded, so a reader never sees
    a partial file.
    """
    location = os.fspath(location)
    target = Path(local_path(location)) if is_local(location) else None
    folder = target.parent if target is not None else None
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".tmp-cdf-") as scratch:
        scratch_path = Path(scratch) / "product.cdf"
        _write_local(scratch_path, variables, global_attributes or {})
        if target is not None:
            scratch_path.replace(target)
        else:
            write_remote(location, scratch_path.read_bytes())


def _write_local(
    path: Path,
    variables: Mapping[str, CdfVariable] | Iterable[tuple[str, CdfVariable]],
    global_attributes: Mapping[str, Sequence[AttributeEntry]],
) -> None:
    writer = CdfWriter(path, cdf_spec={"Majority": "row_major", "Compressed": 0})
    try:
        if global_attributes:
            writer.write_globalattrs(
                {
                    name: {number: _attribute_entry(entry) for number, entry in enumerate(entries)}
                    for name, entries in global_attributes.items()
                }
            )
        pairs = variables.items() if isinstance(variables, Mapping) else variables
        for name, variable in pairs:
            writer.write_var(*_variable_spec(name, variable))
    finally:
        writer.close()


def _attribute_entry(entry: AttributeEntry) -> Any:
    if isinstance(entry, str):
        return entry
    values, data_type = entry
    # a list, never a numpy array: cdflib keeps only the first element of an array entry
    return [np.asarray(values).tolist(), data_type]


def _variable_spec(name: str, variable: CdfVariable) -> tuple[dict[str, Any], Any, Any]:
    data = np.ascontiguousarray(variable.data)
    code = CDF_TYPE_CODES[variable.data_type]
    is_text = variable.data_type in TEXT_TYPES
    is_bytes = is_text and data.dtype.kind == "S"
    if is_bytes:
        elements = data.dtype.itemsize
    else:
        elements = max((len(text) for text in data.tolist()), default=1) if is_text else 1
    spec = {
        "Variable": name,
        "Data_Type": code,
        "Num_Elements": max(elements, 1),
        "Rec_Vary": True,
        "Dim_Sizes": list(data.shape[1:]),
        "Compress": 0,
    }
    attributes = {key: _attribute_entry(value) for key, value in variable.attributes.items()}
    if len(data) == 0:
        return spec, attributes or None, None
    payload = data.tobytes() if is_bytes else data.tolist() if is_text else data
    return spec, attributes or None, payload
