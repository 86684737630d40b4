"""Reading CDF files: local paths and fsspec URLs, reading only what is asked.

:func:`open_cdf` gives a :class:`CdfReader` for selected variables, record ranges, single
records and attributes. Every failure is a :class:`~vires_repo.errors.ProductFileError` whose
message names the file; truncated files and damaged counts that would make cdflib loop or
allocate for long are refused up front (:mod:`vires_repo.io.cdf.guard` and the checks here).
Times become UTC ``datetime64[us]``; invalid ones :data:`~vires_repo.timescales.INVALID_TIME`.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cdflib
import numpy as np
import numpy.typing as npt

from vires_repo.errors import NotFoundError, ProductFileError
from vires_repo.io.cdf.datatypes import (
    TEXT_TYPES,
    TIME_TYPES,
    TYPE_BYTES,
    AttributeEntry,
    cdf_time_to_datetime64,
    empty_records,
)
from vires_repo.io.cdf.guard import check_global_descriptor
from vires_repo.io.cdf.location import is_local, local_path, read_remote
from vires_repo.timescales import TimeArray

_GLOBAL_SCOPE = 1
# Records a read may request per byte of file: generous for compressed files, yet it stops a
# damaged record count from making cdflib allocate gigabytes.
_MAX_EXPANSION = 1000
_ONE_READ_RECORDS = 256  # records read at once rather than one by one
_MIN_ENTRY_BYTES = 24  # an attribute entry record is longer than that


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
    """An open CDF file; obtain one with :func:`open_cdf`. ``location`` is how messages
    name the file."""

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
        record_bytes = TYPE_BYTES.get(data_type, 8) * int(inquiry.Num_Elements) * math.prod(shape)
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
            return empty_records(info.data_type, info.shape)
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
            return empty_records(info.data_type, info.shape)
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

    def time_record_range(
        self,
        name: str,
        begin: np.datetime64,
        end: np.datetime64,
        start: int = 0,
        stop: int | None = None,
    ) -> tuple[int, int]:
        """Records ``[low, high)`` of the records ``[start, stop)`` of the sorted time variable
        ``name`` whose times lie in ``[begin, end)``: two left-sided binary searches reading
        one record per probe (the ends are tried first, so a whole product costs two reads)."""
        info = self.time_variable_info(name)
        stop = info.records if stop is None else min(stop, info.records)
        if start >= stop:
            return start, start

        def time_at(index: int) -> np.datetime64:
            moment: np.datetime64 = self._to_datetime64(info, self._read(info, index, index + 1))[0]
            return moment

        def first_not_before(moment: np.datetime64) -> int:
            low, high = start, stop
            if time_at(start) >= moment:
                return start
            if time_at(stop - 1) < moment:
                return stop
            while low < high:
                middle = (low + high) // 2
                if time_at(middle) < moment:
                    low = middle + 1
                else:
                    high = middle
            return low

        low = first_not_before(begin)
        return low, max(low, first_not_before(end))

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
        return [
            str(values[0]) if data_type in TEXT_TYPES else values
            for values, data_type in self._global_entries(name)
        ]

    def attribute_entries(self) -> dict[str, list[AttributeEntry]]:
        """All global attributes in the writer's form (numbers keep their CDF type), so that
        they can be copied into another file unchanged."""
        return {
            name: [
                _writer_entry(values, data_type) for values, data_type in self._global_entries(name)
            ]
            for name in self.global_attributes()
        }

    def variable_attributes(self, variable: str) -> dict[str, AttributeEntry]:
        """The attributes of ``variable`` in the writer's form."""
        self.variable_info(variable)
        try:
            names = list(self._cdf.varattsget(variable))
            found = [self._cdf.attget(name, variable) for name in names]
        except Exception as error:
            raise self._corrupt(f"the attributes of variable {variable}", error) from None
        return {
            name: _writer_entry(np.atleast_1d(np.asarray(data.Data)), str(data.Data_Type))
            for name, data in zip(names, found, strict=True)
        }

    def _global_entries(self, name: str) -> list[tuple[npt.NDArray[Any], str]]:
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
        entries: list[tuple[npt.NDArray[Any], str]] = []
        for entry in range(inquiry.max_gr_entry + 1):
            if len(entries) == inquiry.num_gr_entry:
                break
            found = self.global_attribute_entry(name, entry)
            if found is not None:
                entries.append(found)
        return entries

    def global_attributes(self) -> dict[str, list[Any]]:
        """All global attributes as ``{name: [entry, ...]}`` (cdflib's decoding)."""
        try:
            return dict(self._cdf.globalattsget())
        except Exception as error:
            raise self._corrupt("the global attributes", error) from None


def _writer_entry(values: npt.NDArray[Any], data_type: str) -> AttributeEntry:
    if data_type in TEXT_TYPES:
        return str(values[0])
    return np.ravel(values).tolist(), data_type


@contextlib.contextmanager
def open_cdf(location: str | os.PathLike[str], name: str | None = None) -> Iterator[CdfReader]:
    """Open the CDF file at a local path or fsspec URL for reading.

    cdflib reads local files in place (only the blocks asked for). Other locations are
    fetched into a temporary file first, because cdflib opens only paths. Messages name the
    file by ``name`` (default: ``location``).
    """
    location = os.fspath(location)
    name = name or location
    if is_local(location):
        path = Path(local_path(location))
        if not path.is_file():
            raise ProductFileError(f"{name}: file not found")
        yield CdfReader(name, _open_path(name, str(path)), path.stat().st_size)
        return
    try:
        data = read_remote(location)
    except NotFoundError:
        raise ProductFileError(f"{name}: file not found") from None
    except Exception as error:  # fsspec back-ends raise their own types
        raise ProductFileError(f"{name}: cannot read the file ({_one_line(error)})") from None
    with tempfile.NamedTemporaryFile(suffix=".cdf") as stream:
        stream.write(data)
        stream.flush()
        yield CdfReader(name, _open_path(name, stream.name), len(data))


def _open_path(name: str, path: str) -> Any:
    check_global_descriptor(name, path)
    try:
        return cdflib.CDF(path)
    except Exception as error:
        if Path(path).stat().st_size == 0:
            raise ProductFileError(f"{name}: empty file, not a CDF") from None
        problem = "not a CDF file" if "not a CDF" in str(error) else "corrupt or truncated CDF"
        raise ProductFileError(f"{name}: {problem} ({_one_line(error)})") from None
