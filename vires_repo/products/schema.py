"""Product records and the index's columns: the Arrow schema, the rules every row keeps
(identifier, metadata bounds, times) and conversions between records and tables.

The two data-file formats that hold these rows are in :mod:`vires_repo.products.data_files`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from vires_repo import jsonio
from vires_repo.errors import DefinitionError
from vires_repo.products import kernels
from vires_repo.timescales import EARLIEST_TIME, LATEST_TIME, to_utc

FORMAT_VERSION = 1

TIMESTAMP = pa.timestamp("us", tz="UTC")
SCHEMA = pa.schema(
    [
        pa.field("collection", pa.string(), nullable=False),
        pa.field("identifier", pa.string(), nullable=False),
        pa.field("product_type", pa.string()),
        pa.field("begin_time", TIMESTAMP, nullable=False),
        pa.field("end_time", TIMESTAMP, nullable=False),
        pa.field("created", TIMESTAMP, nullable=False),
        pa.field("updated", TIMESTAMP, nullable=False),
        pa.field("metadata", pa.string(), nullable=False),
        pa.field("datasets", pa.string(), nullable=False),
        pa.field("location", pa.string()),
    ]
)
COLUMNS = tuple(SCHEMA.names)
_REQUIRED = [column.name for column in SCHEMA if not column.nullable]

MAX_IDENTIFIER_BYTES = 255
"""Registration derives identifiers from file names, which common file systems limit to 255
bytes; an identifier that could not be a file name is refused on every way in."""
MAX_METADATA_DEPTH = 32
"""Nesting levels of ``metadata`` and of ``datasets``. Real records nest three or four levels
(attribute -> list -> value); the bound keeps every reader's JSON parser (recursive in Python)
far from its recursion limit."""
MAX_METADATA_BYTES = 64 * 1024
"""Serialized size of ``metadata`` and of ``datasets``. A CDF file's global attributes take a
few KiB; every row is read by ``product list``, so one row must not cost megabytes."""
_BAD_IDENTIFIER_CHARACTERS = r"[\x00-\x1f\x7f/]"


@dataclass(frozen=True, slots=True)
class ProductRecord:
    """One registered product, as VirES stores it (reference section 2.4).

    ``location`` is the data-file location of the product type's default dataset; when it is not
    given, the index takes the location of the first entry of ``datasets``. ``created`` and
    ``updated`` left as ``None`` are set by the index at write time.
    """

    collection: str
    identifier: str
    product_type: str | None
    begin_time: datetime
    end_time: datetime
    metadata: Mapping[str, Any] = field(default_factory=dict)
    datasets: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    created: datetime | None = None
    updated: datetime | None = None
    location: str | None = None

    def dataset_locations(self) -> list[str]:
        """The distinct data-file locations of all datasets (in dataset order)."""
        found: dict[str, None] = {}
        for entry in self.datasets.values():
            location = entry.get("location")
            if isinstance(location, str):
                found[location] = None
        return list(found)


def shortened(value: str, limit: int = 60) -> str:
    """``repr`` of a value for a message: control characters escaped, long text cut."""
    return repr(value[:limit]) + (f"... ({len(value)} characters)" if len(value) > limit else "")


def identifier_problem(identifier: str) -> str | None:
    """Why ``identifier`` cannot be a product identifier, or None when it can."""
    if not identifier:
        return "no identifier"
    if re.search(_BAD_IDENTIFIER_CHARACTERS, identifier):
        return f"invalid identifier {shortened(identifier)}: '/' or a control character"
    if len(identifier.encode("utf-8")) > MAX_IDENTIFIER_BYTES:
        return f"identifier {shortened(identifier)} is longer than {MAX_IDENTIFIER_BYTES} bytes"
    return None


def _json_text_problem(name: str, text: str) -> str | None:
    """Why a ``metadata``/``datasets`` column value is beyond the bounds, or None."""
    if len(text.encode("utf-8")) > MAX_METADATA_BYTES:
        return f"{name} is larger than {MAX_METADATA_BYTES} bytes"
    try:
        depth = jsonio.nesting_depth(jsonio.loads(text))
    except RecursionError:
        depth = MAX_METADATA_DEPTH + 1
    if depth > MAX_METADATA_DEPTH:
        return f"{name} nests deeper than {MAX_METADATA_DEPTH} levels"
    return None


def _bounded_json(name: str, value: Mapping[str, Any]) -> tuple[str | None, str]:
    """A ``metadata``/``datasets`` value as its column text, and why it is beyond the bounds
    (None when it is not); the depth is measured first, as serializing recurses."""
    if jsonio.nesting_depth(value) > MAX_METADATA_DEPTH:
        return f"{name} nests deeper than {MAX_METADATA_DEPTH} levels", ""
    text = dumps_json(value)
    if len(text.encode("utf-8")) > MAX_METADATA_BYTES:
        return f"{name} is larger than {MAX_METADATA_BYTES} bytes", text
    return None, text


def record_problem(record: ProductRecord) -> str | None:
    """Why a record cannot enter the index (identifier, metadata bounds), or None."""
    problem = identifier_problem(record.identifier)
    for name, value in (("metadata", record.metadata), ("datasets", record.datasets)):
        problem = problem or _bounded_json(name, value)[0]
    return problem


def row_problems(table: pa.Table) -> list[str | None]:
    """:func:`record_problem` of each row of index columns, column-wise: only rows that
    may be beyond a bound (by a cheap count) are looked at one by one."""
    call = kernels.call
    identifiers = table["identifier"]
    suspects = call(
        "or",
        call("match_substring_regex", identifiers, pattern=_BAD_IDENTIFIER_CHARACTERS),
        call("greater", call("binary_length", identifiers), kernels.int64(MAX_IDENTIFIER_BYTES)),
    )
    for name in ("metadata", "datasets"):
        column = table[name]
        brackets = call(
            "add",
            call("count_substring", column, pattern="{"),
            call("count_substring", column, pattern="["),
        )
        suspects = call(
            "or", suspects, call("greater", brackets, kernels.int64(MAX_METADATA_DEPTH))
        )
        length = call("binary_length", column)
        suspects = call("or", suspects, call("greater", length, kernels.int64(MAX_METADATA_BYTES)))
    problems: list[str | None] = [None] * table.num_rows
    for row in call("indices_nonzero", kernels.false_if_null(suspects)).to_pylist():
        identifier = identifiers[row].as_py()
        problem = identifier_problem(identifier) if identifier is not None else None
        for name in ("metadata", "datasets"):
            text = table[name][row].as_py()
            if problem is None and text is not None:
                problem = _json_text_problem(name, text)
        problems[row] = problem
    return problems


def first_row_problem(table: pa.Table) -> tuple[int, str] | None:
    """The first row of index columns (any subset) that breaks the rules every way into the
    index enforces, as (row, problem): a required value missing, an empty identifier, an end
    before the begin, a time outside the years 0001 to 9999, an identifier or metadata beyond
    :func:`row_problems`' bounds. Checked column-wise; None when every row keeps them."""
    call = kernels.call
    names = set(table.column_names)
    failures: list[tuple[pa.Array, str]] = [
        (call("is_null", table[name]), f"no {name}") for name in _REQUIRED if name in names
    ]
    if "identifier" in names:
        empty = call("equal", call("utf8_length", table["identifier"]), kernels.int64(0))
        failures.append((empty, "empty identifier"))
    if {"begin_time", "end_time"} <= names:
        backwards = call("less", table["end_time"], table["begin_time"])
        failures.append((backwards, "end time is before begin time"))
    low, high = (pa.scalar(time, TIMESTAMP) for time in (EARLIEST_TIME, LATEST_TIME))
    for name in sorted(names.intersection(("begin_time", "end_time", "created", "updated"))):
        outside = call("or", call("less", table[name], low), call("greater", table[name], high))
        failures.append((outside, f"{name} outside the years 0001 to 9999"))
    found: list[tuple[int, str]] = []
    for failed, problem in failures:
        rows = call("indices_nonzero", kernels.false_if_null(failed))
        if len(rows):
            found.append((rows[0].as_py(), problem))
    if {"identifier", "metadata", "datasets"} <= names:
        bounds = row_problems(table)
        found += [(row, p) for row, p in enumerate(bounds) if p is not None][:1]
    return min(found) if found else None


def default_location(datasets: Mapping[str, Mapping[str, Any]]) -> str | None:
    for entry in datasets.values():
        location = entry.get("location")
        if isinstance(location, str):
            return location
    return None


_COLUMN_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def dumps_json(value: Mapping[str, Any]) -> str:
    """Compact JSON for the ``metadata`` and ``datasets`` columns (key order kept)."""
    return _COLUMN_ENCODER.encode(value)


class RecordColumns:
    """Column-wise buffers for building a table from many records without per-row objects."""

    def __init__(self) -> None:
        self.columns: dict[str, list[Any]] = {name: [] for name in COLUMNS}

    def __len__(self) -> int:
        return len(self.columns["identifier"])

    def append(self, record: ProductRecord, now: datetime) -> None:
        """Add a record; refuse one without a valid identifier, beyond the metadata bounds
        or ending before it begins."""
        problem = identifier_problem(record.identifier)
        metadata_problem, metadata = _bounded_json("metadata", record.metadata)
        datasets_problem, datasets = _bounded_json("datasets", record.datasets)
        problem = problem or metadata_problem or datasets_problem
        if problem is not None:
            raise DefinitionError(f"product of {record.collection}: {problem}")
        try:
            begin_time, end_time, created, updated = (
                to_utc(time) if time else now
                for time in (record.begin_time, record.end_time, record.created, record.updated)
            )
        except OverflowError:  # an offset time at the end of year 1 or 9999
            raise DefinitionError(
                f"product {record.collection}/{record.identifier}: a time lies outside the "
                "years 0001 to 9999 in UTC"
            ) from None
        if end_time < begin_time:
            raise DefinitionError(
                f"product {record.collection}/{record.identifier}: end time is before begin time"
            )
        columns = self.columns
        columns["collection"].append(record.collection)
        columns["identifier"].append(record.identifier)
        columns["product_type"].append(record.product_type)
        columns["begin_time"].append(begin_time)
        columns["end_time"].append(end_time)
        columns["created"].append(created)
        columns["updated"].append(updated)
        columns["metadata"].append(metadata)
        columns["datasets"].append(datasets)
        columns["location"].append(
            record.location if record.location is not None else default_location(record.datasets)
        )

    def to_table(self) -> pa.Table:
        return pa.Table.from_pydict(self.columns, schema=SCHEMA)


_NAIVE = pa.timestamp("us")


def _python_values(column: pa.ChunkedArray) -> list[Any]:
    """``column.to_pylist()``, but timestamps naive (the caller gives them ``UTC``): for the
    zone of an aware one pyarrow would import zoneinfo, 2 ms of a lookup."""
    if column.type != TIMESTAMP:
        values: list[Any] = column.to_pylist()
        return values
    return [
        value
        for chunk in column.chunks
        for value in pa.Array.from_buffers(
            _NAIVE, len(chunk), chunk.buffers(), chunk.null_count, chunk.offset
        ).to_pylist()
    ]


def table_to_records(table: pa.Table) -> list[ProductRecord]:
    data = {name: _python_values(table.column(name)) for name in COLUMNS}
    return [
        ProductRecord(
            collection=collection,
            identifier=identifier,
            product_type=product_type,
            begin_time=begin_time.replace(tzinfo=UTC),
            end_time=end_time.replace(tzinfo=UTC),
            metadata=json.loads(metadata),
            datasets=json.loads(datasets),
            created=created.replace(tzinfo=UTC),
            updated=updated.replace(tzinfo=UTC),
            location=location,
        )
        for (
            collection,
            identifier,
            product_type,
            begin_time,
            end_time,
            created,
            updated,
            metadata,
            datasets,
            location,
        ) in zip(*(data[name] for name in COLUMNS), strict=True)
    ]


def sort_rows(table: pa.Table) -> pa.Table:
    """Rows in file order: by begin_time, then identifier."""
    if table.num_rows < 2:
        return table
    return kernels.sorted_rows(table, [("begin_time", "ascending"), ("identifier", "ascending")])
