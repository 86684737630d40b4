"""The rules of what enters the index hold for the Python API too (issue 11): identifiers
that registration could derive from a file name, metadata within its bounds, times within
the years 0001 to 9999. A refused batch writes nothing."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone
from typing import Any

import pyarrow as pa
import pytest
from product_samples import STAMP, daily

from vires_repo.errors import DefinitionError
from vires_repo.io.storage import Storage
from vires_repo.products import ProductIndex
from vires_repo.products.schema import (
    MAX_IDENTIFIER_BYTES,
    MAX_METADATA_BYTES,
    MAX_METADATA_DEPTH,
    SCHEMA,
    RecordColumns,
    identifier_problem,
)

MAGA = "SW_OPER_MAGA_LR_1B"


def nested(depth: int) -> Any:
    value: Any = 0
    for _ in range(depth):
        value = [value]
    return value


BAD_IDENTIFIERS = ["", "a\nb", "a\rb", "x\x00", "a/b", "x" * 256, "é" * 128, "z" * 5_000_000]
GOOD_IDENTIFIERS = ["x" * MAX_IDENTIFIER_BYTES, "é" * 127, "SW_OPER_MAGA_LR_1B_2016", ".."]


@pytest.mark.parametrize("identifier", GOOD_IDENTIFIERS)
def test_identifiers_that_could_be_file_names_are_accepted(identifier: str) -> None:
    assert identifier_problem(identifier) is None


@pytest.mark.parametrize("identifier", BAD_IDENTIFIERS, ids=range(len(BAD_IDENTIFIERS)))
def test_every_write_refuses_an_identifier_registration_could_not_derive(
    storage: Storage, identifier: str
) -> None:
    index = ProductIndex(storage)
    bad = daily(0, identifier=identifier)
    with pytest.raises(DefinitionError) as caught:
        index.upsert(MAGA, [daily(1), bad])
    assert "\n" not in str(caught.value)
    assert len(str(caught.value)) < 200
    with pytest.raises(DefinitionError):
        index.bulk_upsert([daily(1), bad])
    with pytest.raises(DefinitionError):
        columns = RecordColumns()
        columns.append(bad, STAMP)
    assert storage.listdir("products") == []


def table_of(*records: Any) -> pa.Table:
    """Rows built without the per-record checks, as a bulk import builds them."""
    columns = RecordColumns()
    for record in records:
        columns.append(dataclasses.replace(record, identifier="placeholder"), STAMP)
    table = columns.to_table()
    position = table.schema.get_field_index("identifier")
    return table.set_column(position, "identifier", pa.array([r.identifier for r in records]))


@pytest.mark.parametrize("identifier", BAD_IDENTIFIERS[1:], ids=range(len(BAD_IDENTIFIERS) - 1))
def test_upsert_table_refuses_rows_with_such_identifiers(storage: Storage, identifier: str) -> None:
    index = ProductIndex(storage)
    with pytest.raises(DefinitionError, match="product row refused: .*identifier"):
        index.upsert_table(MAGA, table_of(daily(1), daily(0, identifier=identifier)))
    assert storage.listdir("products") == []


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"metadata": {"x": nested(MAX_METADATA_DEPTH)}}, "metadata nests deeper than 32 levels"),
        ({"metadata": {"x": nested(100_000)}}, "metadata nests deeper than 32 levels"),
        ({"metadata": {"x": "y" * MAX_METADATA_BYTES}}, "metadata is larger than 65536 bytes"),
        (
            {"datasets": {"D": {"location": "/d", "x": nested(40)}}},
            "datasets nests deeper than 32 levels",
        ),
        (
            {"datasets": {"D": {"location": "/d", "x": "é" * 40_000}}},
            "datasets is larger than 65536 bytes",
        ),
    ],
)
def test_metadata_beyond_the_bounds_is_refused(
    storage: Storage, changes: dict[str, Any], problem: str
) -> None:
    index = ProductIndex(storage)
    bad = daily(0, **changes)
    with pytest.raises(DefinitionError, match=problem):
        index.upsert(MAGA, [daily(1), bad])
    with pytest.raises(DefinitionError, match=problem):
        index.bulk_upsert([bad])
    assert storage.listdir("products") == []


def test_metadata_at_the_bounds_is_stored(storage: Storage) -> None:
    index = ProductIndex(storage)
    deepest = daily(0, metadata={"x": nested(MAX_METADATA_DEPTH - 1)})
    largest = daily(1, metadata={"x": "y" * (MAX_METADATA_BYTES - 8)})
    index.upsert(MAGA, [deepest, largest])
    assert [r.metadata for r in index.find([deepest.identifier, largest.identifier])] == [
        deepest.metadata,
        largest.metadata,
    ]


@pytest.mark.parametrize(
    "time",
    [
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1))),
        datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-2))),
    ],
)
def test_an_offset_time_beyond_the_years_0001_to_9999_in_utc_is_refused(
    storage: Storage, time: datetime
) -> None:
    index = ProductIndex(storage)
    for changes in ({"begin_time": time, "end_time": time}, {"created": time}):
        with pytest.raises(DefinitionError, match="outside the years 0001 to 9999"):
            index.upsert(MAGA, [daily(0, **changes)])
    assert storage.listdir("products") == []


@pytest.mark.parametrize("column", ["begin_time", "end_time", "created", "updated"])
def test_upsert_table_refuses_times_beyond_the_year_9999(storage: Storage, column: str) -> None:
    table = table_of(daily(0, identifier="P0"))
    year_10000 = pa.array([253_402_300_800_000_000], pa.int64()).cast(SCHEMA.field(column).type)
    table = table.set_column(table.schema.get_field_index(column), column, year_10000)
    if column == "begin_time":  # keep the end after the begin
        table = table.set_column(table.schema.get_field_index("end_time"), "end_time", year_10000)
    with pytest.raises(DefinitionError, match=f"{column} outside the years 0001 to 9999"):
        ProductIndex(storage).upsert_table(MAGA, table)
    assert storage.listdir("products") == []
