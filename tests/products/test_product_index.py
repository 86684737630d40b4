"""Product index: upsert, tombstones, compaction, lookups, overlaps, summaries."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import UTC, timedelta

import pyarrow as pa
import pytest
from product_samples import DAY, STAMP, T0, daily

from vires_repo.errors import DefinitionError
from vires_repo.io.storage import Storage
from vires_repo.products import ProductIndex, ProductRecord, ProductSelection
from vires_repo.products.manifest import manifest_name
from vires_repo.products.schema import SCHEMA, RecordColumns, dumps_json
from vires_repo.timespec import format_timedelta

MAGA = "SW_OPER_MAGA_LR_1B"
MAGB = "SW_OPER_MAGB_LR_1B"
FOLDER = f"products/collection={MAGA}"


def identifiers(records: list[ProductRecord]) -> list[str]:
    return [record.identifier for record in records]


def test_upsert_inserts_and_reads_back_records(storage: Storage) -> None:
    index = ProductIndex(storage)
    records = [daily(day) for day in (2, 0, 1)]
    result = index.upsert(MAGA, records)
    assert sorted(result.inserted) == sorted(identifiers(records))
    assert len(result.data_files) == 1
    assert index.select() == [daily(day) for day in (0, 1, 2)]
    assert index.collections() == [MAGA]


def test_location_defaults_to_first_dataset(storage: Storage) -> None:
    index = ProductIndex(storage)
    index.upsert(MAGA, [daily(0, location=None)])
    (record,) = index.select()
    assert record.location == daily(0).datasets["MDR_MAG_LR"]["location"]


def test_update_replaces_row_keeps_created_and_tombstones_old_row(storage: Storage) -> None:
    index = ProductIndex(storage)
    index.upsert(MAGA, [daily(0), daily(1)])
    later = STAMP + DAY
    changed = daily(1, created=later, updated=later, metadata={"format": "new"})
    result = index.upsert(MAGA, [changed])
    assert result.replaced == (changed.identifier,)
    assert result.inserted == ()
    (stored,) = index.find([changed.identifier])
    assert stored.metadata == {"format": "new"}
    assert stored.updated == later
    assert stored.created == STAMP  # first registration time survives an update
    manifest = index.manifest(MAGA)
    assert len(manifest.files) == 2
    assert manifest.files[0].tombstones == {changed.identifier}
    assert manifest.live_rows == 2


def test_last_record_of_an_identifier_in_a_batch_wins(storage: Storage) -> None:
    index = ProductIndex(storage)
    index.upsert(MAGA, [daily(0, metadata={"n": 1}), daily(0, metadata={"n": 2})])
    (stored,) = index.select()
    assert stored.metadata == {"n": 2}


def test_delete_tombstones_and_ignores_unknown_identifiers(storage: Storage) -> None:
    index = ProductIndex(storage)
    index.upsert(MAGA, [daily(day) for day in range(3)])
    result = index.delete(MAGA, [daily(1).identifier, "NOT_THERE"])
    assert result.deleted == (daily(1).identifier,)
    assert result.data_files == ()
    assert identifiers(index.select()) == [daily(0).identifier, daily(2).identifier]
    assert not index.exists(daily(1).identifier)


def test_delete_and_reinsert_in_one_batch(storage: Storage) -> None:
    index = ProductIndex(storage)
    index.upsert(MAGA, [daily(0)])
    newer = daily(0, metadata={"v": 2})
    result = index.upsert(MAGA, [newer], delete=[newer.identifier])
    assert result.deleted == (newer.identifier,)
    assert result.inserted == (newer.identifier,)
    assert index.select()[0].metadata == {"v": 2}


def test_skip_existing_keeps_registered_products(storage: Storage) -> None:
    index = ProductIndex(storage)
    index.upsert(MAGA, [daily(0)])
    result = index.upsert(MAGA, [daily(0, metadata={"v": 2}), daily(1)], skip_existing=True)
    assert result.skipped == (daily(0).identifier,)
    assert result.inserted == (daily(1).identifier,)
    assert index.find([daily(0).identifier])[0].metadata == {"format": "CDF-generic"}


def test_same_identifier_in_two_collections(storage: Storage) -> None:
    index = ProductIndex(storage)
    record = daily(0)
    twin = dataclasses.replace(record, collection=MAGB)
    index.upsert(MAGA, [record])
    index.upsert(MAGB, [twin])
    assert [r.collection for r in index.find([record.identifier])] == [MAGA, MAGB]
    index.delete(MAGB, [record.identifier])
    assert index.exists(record.identifier, MAGA)
    assert not index.exists(record.identifier, MAGB)


def test_one_data_file_per_batch(storage: Storage) -> None:
    index = ProductIndex(storage)
    index.upsert(MAGA, [daily(day) for day in range(100)])
    index.upsert(MAGA, [daily(day) for day in range(100, 150)])
    assert [entry.rows for entry in index.manifest(MAGA).files] == [100, 50]
    assert len([name for name in storage.listdir(FOLDER) if name.startswith("part-")]) == 2


def test_small_batches_are_json_lines_large_batches_and_compaction_parquet(
    storage: Storage,
) -> None:
    index = ProductIndex(storage, small_batch_rows=50)
    index.upsert(MAGA, [daily(day) for day in range(50)])  # 50 rows: Parquet
    index.upsert(MAGA, [daily(day) for day in range(50, 99)])  # 49 rows: JSON lines
    index.bulk_upsert([daily(day) for day in range(99, 102)])  # 3 rows: JSON lines
    files = [entry.file for entry in index.manifest(MAGA).files]
    assert [name.rsplit(".", 1)[1] for name in files] == ["parquet", "jsonl", "jsonl"]
    assert [r.identifier for r in index.select()] == [daily(day).identifier for day in range(102)]
    index.compact(MAGA)
    ((entry),) = index.manifest(MAGA).files
    assert entry.file.endswith(f"-{MAGA}.parquet") and entry.rows == 102


def test_json_lines_data_file_is_canonical(storage: Storage) -> None:
    index = ProductIndex(storage)
    record = daily(0, metadata={"title": "Magnétique", "n": 1}, created=T0, updated=T0 + DAY)
    index.upsert(MAGA, [daily(1), record], now=T0)
    (entry,) = index.manifest(MAGA).files
    data = storage.read_bytes(f"{FOLDER}/{entry.file}")
    assert entry.file == f"part-{hashlib.sha256(data).hexdigest()[:16]}-{MAGA}.jsonl"
    assert (entry.bytes, entry.rows, entry.min_identifier) == (len(data), 2, record.identifier)
    first, second = data.decode().splitlines()  # sorted by begin_time
    assert first == (
        '{"collection":"SW_OPER_MAGA_LR_1B","identifier":"' + record.identifier + '",'
        '"product_type":"SW_MAGx_LR_1B","begin_time":"2020-01-01T00:00:00.000000Z",'
        '"end_time":"2020-01-01T23:59:59.000000Z","created":"2020-01-01T00:00:00.000000Z",'
        '"updated":"2020-01-02T00:00:00.000000Z","metadata":"{\\"title\\":\\"Magnétique\\",'
        '\\"n\\":1}","datasets":' + json.dumps(dumps_json(record.datasets)) + ","
        '"location":' + json.dumps(record.location) + "}"
    )
    assert json.loads(second)["identifier"] == daily(1).identifier
    assert index.find([record.identifier]) == [record]


def test_invalid_records_are_refused(storage: Storage) -> None:
    index = ProductIndex(storage)
    with pytest.raises(DefinitionError, match="does not belong to collection"):
        index.upsert(MAGB, [daily(0)])
    with pytest.raises(DefinitionError, match="end time is before begin time"):
        index.upsert(MAGA, [daily(0, end_time=T0 - DAY)])
    with pytest.raises(DefinitionError, match="no identifier"):
        index.bulk_upsert([daily(0, identifier="")])
    with pytest.raises(DefinitionError, match="Invalid collection identifier 'a/b'"):
        index.bulk_upsert([daily(0, collection="a/b")])
    assert index.collections() == []


# -- compaction ----------------------------------------------------------------------------


def test_automatic_compaction_past_file_threshold(storage: Storage) -> None:
    index = ProductIndex(storage, compaction_threshold=8)
    index.upsert(MAGA, [daily(day) for day in range(100)])
    results = [index.upsert(MAGA, [daily(day)]) for day in range(100, 109)]
    # 1 + 8 files exceed the threshold of 8 at the 8th single-product upsert
    assert [result.compacted for result in results] == [False] * 7 + [True, False]
    manifest = index.manifest(MAGA)
    assert len(manifest.files) <= 8
    assert manifest.files[0].rows == 100  # the big base file is not rewritten
    assert identifiers(index.select()) == [daily(day).identifier for day in range(109)]
    listed = {entry.file for entry in manifest.files} | {manifest_name(MAGA)}
    assert set(storage.listdir(FOLDER)) == listed


def test_explicit_compaction_drops_tombstones_and_keeps_content(storage: Storage) -> None:
    index = ProductIndex(storage)
    index.upsert(MAGA, [daily(day) for day in range(10)])
    index.upsert(MAGA, [daily(3, metadata={"v": 2})], delete=[daily(5).identifier])
    before = index.select()
    (result,) = index.compact(MAGA)
    assert (result.files_before, result.files_after) == (2, 1)
    manifest = index.manifest(MAGA)
    assert manifest.tombstone_count == 0
    assert manifest.files[0].rows == 9
    assert index.select() == before
    assert sorted(storage.listdir(FOLDER)) == sorted([manifest_name(MAGA), manifest.files[0].file])


def test_many_tombstones_trigger_compaction(storage: Storage) -> None:
    index = ProductIndex(storage, tombstone_threshold=5)
    index.upsert(MAGA, [daily(day) for day in range(20)])
    result = index.delete(MAGA, [daily(day).identifier for day in range(6)])
    assert result.compacted
    assert index.manifest(MAGA).tombstone_count == 0
    assert len(index.select()) == 14


def test_compacting_everything_empties_deleted_collections(storage: Storage) -> None:
    index = ProductIndex(storage)
    index.upsert(MAGA, [daily(0)])
    index.delete(MAGA, [daily(0).identifier])
    index.compact()
    assert index.manifest(MAGA).files == ()
    assert storage.listdir(FOLDER) == [manifest_name(MAGA)]
    assert index.select() == []


def test_large_batches_split_into_files_of_bounded_size(storage: Storage) -> None:
    index = ProductIndex(storage, max_rows_per_file=40)
    result = index.upsert(MAGA, [daily(day) for day in range(100)])
    assert [entry.rows for entry in index.manifest(MAGA).files] == [40, 40, 20]
    assert len(result.data_files) == 3
    assert len(index.select(ProductSelection(after=T0 + 50 * DAY))) == 50


def test_bulk_upsert_commits_once_per_collection(storage: Storage) -> None:
    index = ProductIndex(storage)
    records = [daily(day, collection) for day in range(50) for collection in (MAGB, MAGA)]
    results = index.bulk_upsert(records)
    assert sorted(results) == [MAGA, MAGB]
    assert all(len(result.inserted) == 50 for result in results.values())
    assert all(len(index.manifest(name).files) == 1 for name in (MAGA, MAGB))
    assert len(index.select()) == 100
    again = index.bulk_upsert(records[:10], skip_existing=True)
    assert sum(len(result.skipped) for result in again.values()) == 10


# -- lookups -------------------------------------------------------------------------------


def test_exists_with_and_without_collection(storage: Storage) -> None:
    index = ProductIndex(storage)
    index.upsert(MAGA, [daily(day, MAGA) for day in range(5)])
    index.upsert(MAGB, [daily(day, MAGB) for day in range(5)])
    assert index.exists(daily(3, MAGB).identifier)
    assert index.exists(daily(3, MAGB).identifier, MAGB)
    assert not index.exists(daily(3, MAGB).identifier, MAGA)
    assert not index.exists("SW_OPER_MAGC_LR_1B_X")


def test_time_window_selection_follows_vires_semantics(storage: Storage) -> None:
    index = ProductIndex(storage)
    index.upsert(MAGA, [daily(day) for day in range(10)])
    index.upsert(MAGB, [daily(day, MAGB) for day in range(10)])
    # --after: begin_time >= T; --before: end_time < T
    selection = ProductSelection(collections=[MAGA], after=T0 + 3 * DAY, before=T0 + 6 * DAY)
    assert identifiers(index.select(selection)) == [daily(d).identifier for d in (3, 4, 5)]
    exact_end = ProductSelection(collections=[MAGA], before=daily(2).end_time)
    assert identifiers(index.select(exact_end)) == [daily(d).identifier for d in (0, 1)]
    assert len(index.select(ProductSelection(after=T0 + 8 * DAY))) == 4


def test_selection_sorted_by_collection_begin_time_identifier(storage: Storage) -> None:
    index = ProductIndex(storage)
    index.upsert(MAGB, [daily(1, MAGB), daily(0, MAGB)])
    index.upsert(MAGA, [daily(1), daily(0, version="0603"), daily(0, version="0602")])
    keys = [(r.collection, r.begin_time, r.identifier) for r in index.select()]
    assert keys == sorted(keys)
    assert [r.collection for r in index.select()] == [MAGA] * 3 + [MAGB] * 2


def test_created_updated_and_product_type_filters(storage: Storage) -> None:
    index = ProductIndex(storage)
    late = STAMP + 10 * DAY
    index.upsert(MAGA, [daily(0), daily(1, created=late, updated=late, product_type="OTHER")])
    created_after = ProductSelection(created_after=STAMP + DAY)
    assert identifiers(index.select(created_after)) == [daily(1).identifier]
    assert identifiers(index.select(ProductSelection(updated_before=late))) == [daily(0).identifier]
    assert identifiers(index.select(ProductSelection(product_types=["OTHER"]))) == [
        daily(1).identifier
    ]


def test_lookup_by_location_matches_any_dataset_exactly(storage: Storage) -> None:
    index = ProductIndex(storage)
    two_files = daily(
        1,
        datasets={
            "MDR_MAG_LR": {"location": "/data/main.cdf"},
            "Quality": {"location": "/data/quality.cdf"},
        },
    )
    index.upsert(MAGA, [daily(0), two_files])
    default = daily(0).datasets["MDR_MAG_LR"]["location"]
    assert identifiers(index.find_by_location([default])) == [daily(0).identifier]
    assert identifiers(index.find_by_location(["/data/quality.cdf"])) == [two_files.identifier]
    assert index.find_by_location(["/data/quality"]) == []  # exact, not a prefix
    assert index.find_by_location(["/data/main.cdf"], collections=[MAGB]) == []


def test_lookup_never_reads_files_outside_the_manifest(storage: Storage) -> None:
    index = ProductIndex(storage)
    index.upsert(MAGA, [daily(0)])
    other = ProductIndex(Storage(storage.url))
    stray_source = ProductIndex(Storage(storage.url + "-stray"))
    stray_source.upsert(MAGA, [daily(5)])
    (entry,) = stray_source.manifest(MAGA).files
    data = stray_source.storage.read_bytes(f"{FOLDER}/{entry.file}")
    storage.write_bytes(f"{FOLDER}/{entry.file}", data)
    assert identifiers(other.select()) == [daily(0).identifier]


# -- overlaps ------------------------------------------------------------------------------


def test_overlaps_are_inclusive(storage: Storage) -> None:
    index = ProductIndex(storage)
    index.upsert(MAGA, [daily(day) for day in range(5)])
    touching = ("NEW", daily(2).end_time, daily(2).end_time + timedelta(milliseconds=500))
    inside = ("INSIDE", daily(3).begin_time + timedelta(hours=1), daily(3).end_time)
    outside = ("LATER", T0 + 30 * DAY, T0 + 31 * DAY)
    overlaps = index.find_overlaps(MAGA, [touching, inside, outside])
    pairs = [(o.identifier, o.existing_identifier) for o in overlaps]
    assert pairs == [("NEW", daily(2).identifier), ("INSIDE", daily(3).identifier)]
    assert overlaps[0].existing_end_time == daily(2).end_time


def test_overlaps_find_long_products_and_same_identifier(storage: Storage) -> None:
    index = ProductIndex(storage)
    long_product = daily(0, end_time=T0 + 20 * DAY, identifier="LONG")
    index.upsert(MAGA, [long_product, *[daily(day) for day in range(1, 30)]])
    found = index.find_overlaps(MAGA, [(daily(15).identifier, T0 + 15 * DAY, T0 + 15 * DAY)])
    names = {overlap.existing_identifier for overlap in found}
    assert names == {"LONG", daily(15).identifier}
    index.delete(MAGA, ["LONG"])
    found = index.find_overlaps(MAGA, [("X", T0 + 15.5 * DAY, T0 + 15.6 * DAY)])
    assert [overlap.existing_identifier for overlap in found] == [daily(15).identifier]


def test_overlaps_of_a_batch_against_an_empty_collection(storage: Storage) -> None:
    index = ProductIndex(storage)
    assert index.find_overlaps(MAGA, [("X", T0, T0 + DAY)]) == []
    assert index.find_overlaps(MAGA, []) == []


# -- collection facts ------------------------------------------------------------------------


def test_max_product_duration_uses_vires_rounding(storage: Storage) -> None:
    index = ProductIndex(storage)
    assert index.max_product_duration(MAGA) == timedelta(0)
    index.upsert(MAGA, [daily(0)])  # 23:59:59 -> whole seconds + 1 s
    assert format_timedelta(index.max_product_duration(MAGA)) == "P1D"
    odd = daily(1, end_time=daily(1).begin_time + timedelta(days=1, microseconds=5))
    index.upsert(MAGA, [odd])  # fractional seconds round up, plus the 1 s buffer
    assert format_timedelta(index.max_product_duration(MAGA)) == "P1DT2S"


def test_collection_summaries(storage: Storage) -> None:
    index = ProductIndex(storage)
    index.upsert(MAGA, [daily(day) for day in range(3)])
    index.upsert(MAGA, [daily(5, updated=STAMP + DAY)])
    index.delete(MAGA, [daily(0).identifier])
    index.upsert(MAGB, [])
    summary_a, summary_b = index.summaries()
    assert summary_a.collection == MAGA
    assert summary_a.product_count == 3
    assert summary_a.begin_time == daily(1).begin_time
    assert summary_a.end_time == daily(5).end_time
    assert summary_a.last_updated == STAMP + DAY
    assert summary_a.max_product_duration == DAY
    assert (summary_b.collection, summary_b.product_count, summary_b.begin_time) == (
        MAGB,
        0,
        None,
    )


def test_in_window_returns_products_with_data_in_the_window(storage: Storage) -> None:
    index = ProductIndex(storage)
    index.upsert(MAGA, [daily(day) for day in range(10)])
    window = index.in_window(MAGA, daily(3).end_time, T0 + 5 * DAY)
    assert identifiers(window) == [daily(d).identifier for d in (3, 4)]  # stop is exclusive
    assert index.in_window(MAGB, T0, T0 + DAY) == []


def test_instant_products_get_the_one_second_buffer(storage: Storage) -> None:
    index = ProductIndex(storage)
    index.upsert(MAGA, [daily(0, end_time=T0)])
    assert format_timedelta(index.max_product_duration(MAGA)) == "PT1S"


def test_upsert_table_checks_rows_like_upsert(storage: Storage) -> None:
    index = ProductIndex(storage)
    columns = RecordColumns()
    columns.append(daily(0), STAMP)
    good = columns.to_table()
    assert index.upsert_table(MAGA, good).inserted == (daily(0).identifier,)
    backwards = good.set_column(
        SCHEMA.get_field_index("end_time"),
        "end_time",
        pa.array([T0 - DAY], SCHEMA.field("end_time").type),
    )
    with pytest.raises(DefinitionError, match="end time is before begin time"):
        index.upsert_table(MAGA, backwards)
    nameless = good.set_column(SCHEMA.get_field_index("identifier"), "identifier", pa.array([""]))
    with pytest.raises(DefinitionError, match="empty identifier"):
        index.upsert_table(MAGA, nameless)
    with pytest.raises(DefinitionError, match="rows of other collections"):
        index.upsert_table(MAGB, good)


def test_records_read_back_from_sliced_and_chunked_tables() -> None:
    """Timestamps are read as naive microseconds and given UTC: chunk offsets must not shift
    them."""
    from vires_repo.products.schema import table_to_records

    records = [dataclasses.replace(daily(day), created=STAMP, updated=STAMP) for day in range(5)]
    columns = RecordColumns()
    for record in records:
        columns.append(record, STAMP)
    table = columns.to_table()
    chunked = pa.concat_tables([table.slice(0, 2), table.slice(2)])

    assert table_to_records(table.slice(1, 3)) == records[1:4]
    assert table_to_records(chunked) == records
    assert table_to_records(chunked.slice(1, 3)) == records[1:4]
    assert {record.begin_time.tzinfo for record in table_to_records(chunked)} == {UTC}
