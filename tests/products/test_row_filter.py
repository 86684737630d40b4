"""The row filter: one set of conditions drives file pruning, row-group pruning and the row
mask, and a scan whose file vanished reads again with a fresh manifest."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from product_samples import DAY, T0, daily

from vires_repo.errors import IndexFormatError
from vires_repo.io.storage import Storage
from vires_repo.products import FileEntry, ProductIndex, ProductSelection
from vires_repo.products.row_filter import Condition, RowFilter
from vires_repo.products.schema import RecordColumns

MAGA = "SW_OPER_MAGA_LR_1B"
STAMP = datetime(2024, 1, 1, tzinfo=UTC)


def entry(first: str, last: str, begin: int, end: int) -> FileEntry:
    return FileEntry(
        file="f",
        sha256="0" * 64,
        bytes=1,
        rows=2,
        min_begin_time=begin,
        max_end_time=end,
        min_identifier=first,
        max_identifier=last,
    )


@pytest.mark.parametrize(
    ("condition", "low", "high", "expected"),
    [
        (Condition("begin_time", ">=", 10), 0, 9, False),
        (Condition("begin_time", ">=", 10), 0, 10, True),
        (Condition("begin_time", "<=", 10), 11, 20, False),
        (Condition("begin_time", "<=", 10), 10, 20, True),
        (Condition("end_time", "<", 10), 10, 20, False),
        (Condition("end_time", "<", 10), 9, 20, True),
        (Condition("identifier", "in", ("B", "D")), "C", "C", False),
        (Condition("identifier", "in", ("B", "D")), "C", "D", True),
        (Condition("identifier", "in", ("B", "D")), "E", "F", False),
    ],
)
def test_a_condition_on_a_range(
    condition: Condition, low: object, high: object, expected: bool
) -> None:
    assert condition.may_hold_within(low, high) is expected


def test_files_are_pruned_by_their_manifest_ranges() -> None:
    named = RowFilter.of(ProductSelection(identifiers=("B",)))
    window = RowFilter.overlapping(100, 200)

    assert named.file_may_match(entry("A", "C", 0, 1))
    assert not named.file_may_match(entry("C", "D", 0, 1))
    assert window.file_may_match(entry("A", "A", 200, 300))
    assert not window.file_may_match(entry("A", "A", 201, 300))
    assert not window.file_may_match(entry("A", "A", 0, 99))
    # no range for created times in a manifest: the file may match
    late = RowFilter.of(ProductSelection(created_after=STAMP))
    assert late.file_may_match(entry("A", "A", 0, 1))


def test_row_groups_pruning_and_the_mask_agree() -> None:
    columns = RecordColumns()
    for day in range(6):
        columns.append(daily(day), STAMP)
    buffer = io.BytesIO()
    pq.write_table(columns.to_table(), buffer, row_group_size=2)
    parquet = pq.ParquetFile(pa.BufferReader(buffer.getvalue()))
    positions = {name: i for i, name in enumerate(parquet.metadata.schema.names)}
    row_filter = RowFilter.of(ProductSelection(after=T0 + 3 * DAY, before=T0 + 5 * DAY))

    groups = [
        index
        for index in range(parquet.metadata.num_row_groups)
        if row_filter.row_group_may_match(parquet.metadata.row_group(index), positions)
    ]
    table = parquet.read_row_groups(groups)
    kept = table.filter(row_filter.mask(table))

    assert groups == [1, 2]  # days 2-3 and 4-5; days 0-1 end before the window begins
    assert kept["identifier"].to_pylist() == [daily(3).identifier, daily(4).identifier]
    everything = parquet.read()
    assert everything.filter(row_filter.mask(everything)).equals(kept)


def test_unresolved_collection_options_are_refused() -> None:
    with pytest.raises(ValueError, match="resolve missions"):
        RowFilter.of(ProductSelection(grades=("FAST",)))


def test_a_scan_reads_again_when_compaction_removed_its_file(storage: Storage) -> None:
    index = ProductIndex(storage)
    index.upsert(MAGA, [daily(0)])
    index.upsert(MAGA, [daily(1)])
    stale = index.manifest(MAGA)
    index.compact(MAGA)

    parts = index._scan(MAGA, RowFilter(), ["identifier"], stale)

    assert [table["identifier"].to_pylist() for _entry, table in parts] == [
        [daily(0).identifier, daily(1).identifier]
    ]


def test_a_file_missing_from_every_manifest_read_fails(storage: Storage) -> None:
    index = ProductIndex(storage)
    index.upsert(MAGA, [daily(0)])
    (data_file,) = index.manifest(MAGA).files
    storage.remove(f"products/collection={MAGA}/{data_file.file}")
    reads = []
    original = index.manifest

    def counted(collection: str):  # type: ignore[no-untyped-def]
        reads.append(collection)
        return original(collection)

    index.manifest = counted  # type: ignore[method-assign]

    with pytest.raises(IndexFormatError, match=f"_manifest-{MAGA}.json lists {data_file.file}, "):
        index.select()
    assert len(reads) == 3  # three attempts, each with a fresh manifest
