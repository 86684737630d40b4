"""CDF access: the only module that imports cdflib.

* :func:`open_cdf`: a reader for local paths and fsspec URLs that reads only what is asked
  (selected variables, record ranges, single records, global attributes). Every failure is a
  :class:`~vires_repo.errors.ProductFileError` whose message names the file; truncated files
  and damaged counts that would make cdflib loop or allocate for long are refused up front.
* :func:`write_cdf`: a small writer for synthetic products, row-major and uncompressed like
  every ESA/VirES file.

Times are converted by :mod:`vires_repo.timescales`; invalid ones become
:data:`~vires_repo.timescales.INVALID_TIME` as in VirES.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cdflib
import fsspec
import numpy as np
import numpy.typing as npt
from cdflib.cdfwrite import CDF as CdfWriter

from vires_repo.errors import ProductFileError
from vires_repo.timescales import (
    cdf_epoch_to_datetime64,
    datetime64_to_cdf_epoch,
    datetime64_to_tt2000,
    tt2000_to_datetime64,
)

TimeArray = npt.NDArray[np.datetime64]
FloatArray = npt.NDArray[np.float64]
Int64Array = npt.NDArray[np.int64]

CDF_EPOCH = "CDF_EPOCH"
CDF_TIME_TT2000 = "CDF_TIME_TT2000"
TIME_TYPES = (CDF_EPOCH, CDF_TIME_TT2000)

# CDF data type codes (CDF specification, table "CDF data types").
CDF_TYPE_CODES: dict[str, int] = {
    "CDF_INT1": 1,
    "CDF_INT2": 2,
    "CDF_INT4": 4,
    "CDF_INT8": 8,
    "CDF_UINT1": 11,
    "CDF_UINT2": 12,
    "CDF_UINT4": 14,
    "CDF_REAL4": 21,
    "CDF_REAL8": 22,
    CDF_EPOCH: 31,
    CDF_TIME_TT2000: 33,
    "CDF_BYTE": 41,
    "CDF_FLOAT": 44,
    "CDF_DOUBLE": 45,
    "CDF_CHAR": 51,
    "CDF_UCHAR": 52,
}

_CDF3_MAGIC = bytes.fromhex("cdf30001")
_CDF_MAGICS = (_CDF3_MAGIC, bytes.fromhex("cdf26002"), bytes.fromhex("0000ffff"))
_UNCOMPRESSED_MARK = bytes.fromhex("0000ffff")
_GLOBAL_SCOPE = 1
_TYPE_BYTES = {  # bytes per element; the 8-byte types are the default
    "CDF_INT1": 1, "CDF_UINT1": 1, "CDF_BYTE": 1, "CDF_CHAR": 1, "CDF_UCHAR": 1,
    "CDF_INT2": 2, "CDF_UINT2": 2,
    "CDF_INT4": 4, "CDF_UINT4": 4, "CDF_REAL4": 4, "CDF_FLOAT": 4,
    "CDF_EPOCH16": 16,
}  # fmt: skip
# Records a read may request per byte of file: generous for compressed files, yet it stops a
# damaged record count from making cdflib allocate gigabytes.
_MAX_EXPANSION = 1000
_ONE_READ_RECORDS = 256  # records read at once rather than one by one
_MIN_ENTRY_BYTES = 24  # an attribute entry record is longer than that


def cdf_time_to_datetime64(values: npt.ArrayLike, time_type: str) -> TimeArray:
    """Raw CDF time values of ``time_type`` (CDF_EPOCH or CDF_TIME_TT2000) to ``datetime64``."""
    if time_type == CDF_EPOCH:
        return cdf_epoch_to_datetime64(values)
    if time_type == CDF_TIME_TT2000:
        return tt2000_to_datetime64(values)
    raise ValueError(f"unsupported CDF time type {time_type}")


def datetime64_to_cdf_time(times: npt.ArrayLike, time_type: str) -> npt.NDArray[Any]:
    """``datetime64`` to raw CDF time values of ``time_type``."""
    if time_type == CDF_EPOCH:
        return datetime64_to_cdf_epoch(times)
    if time_type == CDF_TIME_TT2000:
        return datetime64_to_tt2000(times)
    raise ValueError(f"unsupported CDF time type {time_type}")


# -- reading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class VariableInfo:
    """What a variable holds: CDF type name, per-record shape and number of records."""

    name: str
    data_type: str
    shape: tuple[int, ...]
    records: int
    record_bytes: int


def _one_line(error: BaseException) -> str:
    text = re.sub(r"\s+", " ", str(error)).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


class CdfReader:
    """An open CDF file; obtain one with :func:`open_cdf`."""

    def __init__(self, location: str, cdf: Any, file_size: int) -> None:
        self.location = location
        self._cdf = cdf
        self._file_size = file_size

    def error(self, problem: str) -> ProductFileError:
        """A :class:`ProductFileError` about this file: ``<location>: <problem>``."""
        return ProductFileError(f"{self.location}: {problem}")

    def _corrupt(self, what: str, error: Exception) -> ProductFileError:
        return self.error(f"corrupt or truncated CDF, failed to read {what} ({_one_line(error)})")

    def variable_names(self) -> list[str]:
        try:
            info = self._cdf.cdf_info()
        except Exception as error:  # cdflib raises anything on a damaged file
            raise self._corrupt("the variable list", error) from None
        return [*info.zVariables, *info.rVariables]

    def variable_info(self, name: str) -> VariableInfo:
        """Describe variable ``name``; a missing variable is a :class:`ProductFileError`."""
        try:
            inquiry = self._cdf.varinq(name)
        except Exception as error:  # cdflib raises anything on a damaged file
            if isinstance(error, ValueError) and "not found" in str(error):
                raise self.error(f"variable {name} not found") from None
            raise self._corrupt(f"variable {name}", error) from None
        if inquiry.Variable != name:  # cdflib matches names case-insensitively, CDF does not
            raise self.error(f"variable {name} not found")
        shape = tuple(
            int(size)
            for size, varies in zip(inquiry.Dim_Sizes, inquiry.Dim_Vary, strict=True)
            if varies
        )
        records = int(inquiry.Last_Rec) + 1 if inquiry.Rec_Vary else min(1, inquiry.Last_Rec + 1)
        data_type = str(inquiry.Data_Type_Description)
        record_bytes = _TYPE_BYTES.get(data_type, 8) * int(inquiry.Num_Elements) * math.prod(shape)
        return VariableInfo(name, data_type, shape, records, record_bytes)

    def read_variable(self, name: str, start: int = 0, stop: int | None = None) -> npt.NDArray[Any]:
        """Records ``[start, stop)`` of variable ``name`` (all by default), records first."""
        return self._read(self.variable_info(name), start, stop)

    def read_records(self, name: str, indices: Sequence[int]) -> npt.NDArray[Any]:
        """Only the records at ``indices`` (e.g. ``[0, -1]`` for the first and the last)."""
        return self._read_records(self.variable_info(name), indices)

    def _read(self, info: VariableInfo, start: int, stop: int | None) -> npt.NDArray[Any]:
        stop = info.records if stop is None else min(stop, info.records)
        if start >= stop:
            return self._empty(info)
        if (stop - start) * info.record_bytes > _MAX_EXPANSION * self._file_size + 2**20:
            # a damaged record count would make cdflib allocate gigabytes
            raise self.error(
                f"corrupt CDF, variable {info.name} claims {info.records} records, "
                f"more than a {self._file_size}-byte file can hold"
            )
        try:
            data = self._cdf.varget(info.name, startrec=start, endrec=stop - 1)
        except Exception as error:
            raise self._corrupt(f"variable {info.name}", error) from None
        return np.asarray(data).reshape((stop - start, *info.shape))

    def _read_records(self, info: VariableInfo, indices: Sequence[int]) -> npt.NDArray[Any]:
        picked = [index + info.records if index < 0 else index for index in indices]
        if any(not 0 <= index < info.records for index in picked):
            raise self.error(
                f"variable {info.name} has {info.records} records, "
                f"cannot read records {list(indices)}"
            )
        if not picked:
            return self._empty(info)
        first, last = min(picked), max(picked)
        if last - first < _ONE_READ_RECORDS:  # one cdflib call is cheaper than several
            return self._read(info, first, last + 1)[[index - first for index in picked]]
        return np.concatenate([self._read(info, index, index + 1) for index in picked])

    def read_times(self, name: str, start: int = 0, stop: int | None = None) -> TimeArray:
        """Records ``[start, stop)`` of time variable ``name`` as UTC ``datetime64[us]``."""
        info = self.time_variable_info(name)
        return self._to_datetime64(info, self._read(info, start, stop))

    def first_and_last_times(self, name: str) -> TimeArray:
        """The first and the last record of time variable ``name`` (reading only those two)."""
        info = self.time_variable_info(name)
        if info.records == 0:
            raise self.error(f"time variable {name} is empty")
        return self._to_datetime64(info, self._read_records(info, [0, -1]))

    def time_variable_info(self, name: str) -> VariableInfo:
        """:meth:`variable_info` of a one-dimensional CDF_EPOCH or CDF_TIME_TT2000 variable."""
        info = self.variable_info(name)
        if info.data_type not in TIME_TYPES:
            raise self.error(f"time variable {name} has unsupported type {info.data_type}")
        if info.shape:
            raise self.error(f"time variable {name} has shape {list(info.shape)} per record")
        return info

    def _to_datetime64(self, info: VariableInfo, values: npt.NDArray[Any]) -> TimeArray:
        try:
            return cdf_time_to_datetime64(values, info.data_type)
        except ValueError as error:
            raise self.error(f"time variable {info.name}: {error}") from None

    @staticmethod
    def _empty(info: VariableInfo) -> npt.NDArray[Any]:
        dtype = np.str_ if info.data_type in ("CDF_CHAR", "CDF_UCHAR") else np.float64
        return np.empty((0, *info.shape), dtype=dtype)

    def global_attribute_entry(
        self, name: str, entry: int = 0
    ) -> tuple[npt.NDArray[Any], str] | None:
        """Raw values and CDF type name of one entry of global attribute ``name``.

        ``None`` when the attribute or the entry does not exist.
        """
        try:
            data = self._cdf.attget(name, entry)
        except (KeyError, ValueError):
            return None
        except Exception as error:
            raise self._corrupt(f"global attribute {name}", error) from None
        return np.atleast_1d(np.asarray(data.Data)), str(data.Data_Type)

    def global_attribute(self, name: str) -> list[Any]:
        """All entries of global attribute ``name`` in entry order.

        A string entry is a ``str``, a numeric one a numpy array. A missing attribute is a
        :class:`ProductFileError`.
        """
        try:
            inquiry = self._cdf.attinq(name)
        except KeyError:
            raise self.error(f"global attribute {name} not found") from None
        except Exception as error:
            raise self._corrupt(f"global attribute {name}", error) from None
        if inquiry.scope != _GLOBAL_SCOPE:
            raise self.error(f"{name} is a variable attribute, not a global one")
        if max(inquiry.num_gr_entry, inquiry.max_gr_entry) > self._file_size // _MIN_ENTRY_BYTES:
            raise self.error(f"corrupt CDF, global attribute {name} claims too many entries")
        entries: list[Any] = []
        for entry in range(inquiry.max_gr_entry + 1):
            if len(entries) == inquiry.num_gr_entry:
                break
            found = self.global_attribute_entry(name, entry)
            if found is not None:
                values, data_type = found
                entries.append(str(values[0]) if data_type in ("CDF_CHAR", "CDF_UCHAR") else values)
        return entries

    def global_attributes(self) -> dict[str, list[Any]]:
        """All global attributes as ``{name: [entry, ...]}`` (cdflib's decoding)."""
        try:
            return dict(self._cdf.globalattsget())
        except Exception as error:
            raise self._corrupt("the global attributes", error) from None


def is_local(location: str) -> bool:
    return "://" not in location or location.startswith("file://")


def local_path(location: str) -> str:
    return location.removeprefix("file://")


@contextlib.contextmanager
def open_cdf(location: str | os.PathLike[str]) -> Iterator[CdfReader]:
    """Open the CDF file at a local path or fsspec URL for reading.

    cdflib reads local files in place (only the blocks asked for). Other locations are
    fetched with fsspec into a temporary file first, because cdflib opens only paths.
    """
    location = os.fspath(location)
    if is_local(location):
        path = Path(local_path(location))
        if not path.is_file():
            raise ProductFileError(f"{location}: file not found")
        yield CdfReader(location, _open_path(location, str(path)), path.stat().st_size)
        return
    try:
        data = fsspec.open(location, "rb").open().read()
    except FileNotFoundError:
        raise ProductFileError(f"{location}: file not found") from None
    except Exception as error:  # fsspec back-ends raise their own types
        raise ProductFileError(f"{location}: cannot read the file ({_one_line(error)})") from None
    with tempfile.NamedTemporaryFile(suffix=".cdf") as stream:
        stream.write(data)
        stream.flush()
        yield CdfReader(location, _open_path(location, stream.name), len(data))


def _open_path(location: str, path: str) -> Any:
    _check_global_descriptor(location, path)
    try:
        return cdflib.CDF(path)
    except Exception as error:
        if Path(path).stat().st_size == 0:
            raise ProductFileError(f"{location}: empty file, not a CDF") from None
        problem = "not a CDF file" if "not a CDF" in str(error) else "corrupt or truncated CDF"
        raise ProductFileError(f"{location}: {problem} ({_one_line(error)})") from None


@dataclass(frozen=True)
class _DescriptorLayout:
    """Where the global descriptor (GDR) and its fields are: (offset, width) in bytes."""

    gdr_pointer: tuple[int, int]
    record_type: tuple[int, int]
    end_of_file: tuple[int, int]
    counts: tuple[tuple[int, int], ...]  # rVariables, attributes, zVariables
    r_dimensions: tuple[int, int]


# From the CDF internal format description: CDF 3 uses 8-byte offsets, CDF 2 4-byte ones.
_CDF3_LAYOUT = _DescriptorLayout((20, 8), (8, 4), (36, 8), ((44, 4), (48, 4), (60, 4)), (56, 4))
_CDF2_LAYOUT = _DescriptorLayout((16, 4), (4, 4), (20, 4), ((24, 4), (28, 4), (40, 4)), (36, 4))
_GDR_RECORD_TYPE = 2
_MAX_DIMENSIONS = 10
_MIN_DESCRIBED_BYTES = 64  # each variable or attribute descriptor is longer than that


def _check_global_descriptor(location: str, path: str) -> None:
    """Check the global descriptor of an uncompressed CDF before cdflib walks the file.

    A cut-off file may still hold the records a reader needs (e.g. the time variable comes
    first), so its size is compared with the end of file the descriptor records. cdflib trusts
    the descriptor's counts and loops (or allocates) that many times, so a damaged descriptor
    is refused here. Anything else (not a CDF, compressed) is left to cdflib.
    """
    with open(path, "rb") as stream:
        head = stream.read(28)
        if head[:4] not in _CDF_MAGICS or head[4:8] != _UNCOMPRESSED_MARK:
            return
        layout = _CDF3_LAYOUT if head[:4] == _CDF3_MAGIC else _CDF2_LAYOUT
        gdr_offset = _field(head, layout.gdr_pointer)
        size = stream.seek(0, os.SEEK_END)
        if len(head) < 28 or not 0 < gdr_offset < size:
            raise ProductFileError(
                f"{location}: corrupt or truncated CDF ({size} bytes, no global descriptor)"
            )
        stream.seek(gdr_offset)
        gdr = stream.read(_field_end(layout))
    if len(gdr) < _field_end(layout):
        raise ProductFileError(f"{location}: truncated CDF ({size} bytes, cut in the header)")
    end_of_file = _field(gdr, layout.end_of_file)
    if end_of_file > size:
        raise ProductFileError(f"{location}: truncated CDF ({size} of {end_of_file} bytes)")
    counts = [_field(gdr, field) for field in layout.counts]
    if (
        _field(gdr, layout.record_type) != _GDR_RECORD_TYPE
        or not 0 <= _field(gdr, layout.r_dimensions) <= _MAX_DIMENSIONS
        or not all(0 <= count <= size // _MIN_DESCRIBED_BYTES for count in counts)
    ):
        raise ProductFileError(f"{location}: corrupt CDF (damaged global descriptor)")


def _field(data: bytes, where: tuple[int, int]) -> int:
    offset, width = where
    return int.from_bytes(data[offset : offset + width], "big", signed=True)


def _field_end(layout: _DescriptorLayout) -> int:
    fields = (layout.record_type, layout.end_of_file, layout.r_dimensions, *layout.counts)
    return max(offset + width for offset, width in fields)


# -- writing -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CdfVariable:
    """A record-varying zVariable to write: data with records first, CDF type name, attributes.

    ``CDF_CHAR`` data is an array of ``str``; the element count is the longest string.
    """

    data: npt.NDArray[Any]
    data_type: str
    attributes: Mapping[str, str] = field(default_factory=dict)


AttributeEntry = str | tuple[Sequence[float] | Sequence[int], str]
"""A global attribute entry: a string, or ``(values, CDF type name)``."""


def write_cdf(
    location: str | os.PathLike[str],
    variables: Mapping[str, CdfVariable],
    global_attributes: Mapping[str, Sequence[AttributeEntry]] | None = None,
) -> None:
    """Write a row-major, uncompressed CDF to a local path or fsspec URL (replacing it).

    The file is written to a temporary name first; local targets are then renamed into
    place, others uploaded, so a reader never sees a partial file.
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
            with fsspec.open(location, "wb") as stream:
                stream.write(scratch_path.read_bytes())


def _write_local(
    path: Path,
    variables: Mapping[str, CdfVariable],
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
        for name, variable in variables.items():
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
    data = np.asarray(variable.data)
    code = CDF_TYPE_CODES[variable.data_type]
    is_text = variable.data_type in ("CDF_CHAR", "CDF_UCHAR")
    elements = max((len(text) for text in data.tolist()), default=1) if is_text else 1
    spec = {
        "Variable": name,
        "Data_Type": code,
        "Num_Elements": max(elements, 1),
        "Rec_Vary": True,
        "Dim_Sizes": list(data.shape[1:]),
        "Compress": 0,
    }
    attributes = {key: str(value) for key, value in variable.attributes.items()} or None
    if len(data) == 0:
        return spec, attributes, None
    payload = data.tolist() if is_text else data
    return spec, attributes, payload
