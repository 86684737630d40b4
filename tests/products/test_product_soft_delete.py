"""Soft delete in the product index: a de-registered product stays in its data file,
tombstoned and recorded in the manifest's ``deleted`` list (who, when, why), hidden from every
read, restorable until purged; compaction keeps it, purge removes it for good."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from product_samples import daily

from vires_repo.errors import IndexFormatError
from vires_repo.io.storage import Storage
from vires_repo.products import Deletion, ProductIndex, ProductSelection
from vires_repo.products.manifest import manifest_path
from vires_repo.sql.views import connect

MAGA = "SW_OPER_MAGA_LR_1B"
WHEN = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
BY = Deletion(by="ops@host", reason="bad calibration", at=WHEN)


def _index(storage: Storage, days: int = 5, **options: int) -> ProductIndex:
    index = ProductIndex(storage, **options)
    index.upsert(MAGA, [daily(day) for day in range(days)])
    return index


def _ids(index: ProductIndex) -> list[str]:
    return [record.identifier for record in index.select()]


def test_a_deleted_product_is_hidden_from_every_read(storage: Storage) -> None:
    index = _index(storage)
    gone = daily(2).identifier

    result = index.delete(MAGA, [gone], BY)

    assert result.deleted == (gone,)
    assert gone not in _ids(index)
    assert not index.exists(gone)
    assert index.find([gone]) == []
    assert [s.product_count for s in index.summaries([MAGA])] == [4]
    assert index.in_window(MAGA, daily(2).begin_time, daily(2).end_time) == []
    with connect(storage) as connection:
        rows = connection.execute(
            "SELECT count(*) FROM products WHERE identifier = ?", [gone]
        ).fetchone()
    assert rows == (0,)


def test_the_manifest_records_who_when_and_why(storage: Storage) -> None:
    index = _index(storage)
    gone = daily(2).identifier

    index.delete(MAGA, [gone], BY)

    [record] = index.deleted(MAGA)
    assert (record.identifier, record.deleted_by, record.reason) == (gone, BY.by, BY.reason)
    assert record.deleted_at == int(WHEN.timestamp() * 1_000_000)
    assert gone in {name for entry in index.manifest(MAGA).files for name in entry.tombstones}
    text = storage.read_text(manifest_path(MAGA))
    assert text.endswith(
        '  "deleted": [\n'
        f'    {{"identifier": "{gone}", "file": "{record.file}", '
        '"deleted_at": "2026-12-01T08:30:00Z", "deleted_by": "ops@host", '
        '"reason": "bad calibration"}\n'
        "  ]\n}\n"
    )


def test_undelete_restores_the_row_as_it_was(storage: Storage) -> None:
    index = _index(storage)
    before = index.select()
    gone = daily(2).identifier
    index.delete(MAGA, [gone], BY)

    assert index.undelete(MAGA, [gone, "unknown"]) == [gone]

    assert index.select() == before
    assert index.deleted(MAGA) == ()
    assert index.undelete(MAGA, [gone]) == []


def test_the_same_state_has_the_same_bytes(storage: Storage, tmp_path: object) -> None:
    """Delete then undelete gives back the manifest it started from, byte for byte."""
    index = _index(storage)
    original = storage.read_bytes(manifest_path(MAGA))
    index.delete(MAGA, [daily(1).identifier, daily(3).identifier], BY)
    deleted_once = storage.read_bytes(manifest_path(MAGA))

    index.undelete(MAGA, [daily(1).identifier, daily(3).identifier])
    assert storage.read_bytes(manifest_path(MAGA)) == original
    index.delete(MAGA, [daily(3).identifier, daily(1).identifier], BY)
    assert storage.read_bytes(manifest_path(MAGA)) == deleted_once


def test_compaction_keeps_deleted_products_restorable(storage: Storage) -> None:
    index = _index(storage, days=1)
    for day in range(1, 6):  # several files
        index.upsert(MAGA, [daily(day)])
    before = index.select()
    gone = daily(4).identifier
    index.delete(MAGA, [gone], BY)

    [done] = index.compact(MAGA)

    manifest = index.manifest(MAGA)
    assert done.files_after == len(manifest.files) == 1
    [record] = manifest.deleted
    assert record.file == manifest.files[0].file
    assert manifest.files[0].tombstones == {gone}
    assert gone not in _ids(index)
    assert index.undelete(MAGA, [gone]) == [gone]
    assert index.select() == before


def test_purge_removes_the_rows_for_good(storage: Storage) -> None:
    index = _index(storage)
    gone = daily(2).identifier
    index.delete(MAGA, [gone], BY)

    purged, compaction = index.purge_deleted(MAGA)

    assert [record.identifier for record in purged] == [gone]
    assert compaction is not None
    manifest = index.manifest(MAGA)
    assert manifest.deleted == ()
    assert manifest.tombstone_count == 0
    assert manifest.live_rows == 4
    assert index.undelete(MAGA, [gone]) == []
    assert index.purge_deleted(MAGA) == ([], None)


def test_purge_older_than_keeps_recent_deletions(storage: Storage) -> None:
    index = _index(storage)
    old, recent = daily(1).identifier, daily(3).identifier
    index.delete(MAGA, [old], BY)
    index.delete(MAGA, [recent], Deletion(by="ops@host", at=WHEN + timedelta(days=20)))

    purged, _ = index.purge_deleted(MAGA, deleted_before=WHEN + timedelta(days=10))

    assert [record.identifier for record in purged] == [old]
    assert [record.identifier for record in index.deleted(MAGA)] == [recent]
    assert index.undelete(MAGA, [recent]) == [recent]


def test_registering_a_deleted_product_again_replaces_its_record(storage: Storage) -> None:
    index = _index(storage)
    gone = daily(2)
    index.delete(MAGA, [gone.identifier], BY)

    result = index.upsert(MAGA, [gone])

    assert result.inserted == (gone.identifier,)
    assert index.deleted(MAGA) == ()
    assert gone.identifier in _ids(index)


def test_a_replaced_product_is_not_kept_as_deleted(storage: Storage) -> None:
    """Registration's overlap replacement (no Deletion given) stays a hard tombstone."""
    index = _index(storage)

    index.upsert(MAGA, [], delete=[daily(2).identifier])

    assert index.deleted(MAGA) == ()
    index.compact(MAGA)
    assert index.manifest(MAGA).tombstone_count == 0


def test_many_deleted_products_do_not_trigger_compaction_again_and_again(
    storage: Storage,
) -> None:
    index = _index(storage, days=8, tombstone_threshold=2)
    index.delete(MAGA, [daily(day).identifier for day in range(5)], BY)
    files = index.manifest(MAGA).files

    result = index.upsert(MAGA, [daily(20)])

    assert not result.compacted
    assert set(files) <= set(index.manifest(MAGA).files)


def test_a_deleted_record_without_its_tombstone_is_refused(storage: Storage) -> None:
    index = _index(storage)
    index.delete(MAGA, [daily(2).identifier], BY)
    text = storage.read_text(manifest_path(MAGA))
    tampered = text.replace(f'"tombstones": ["{daily(2).identifier}"]', '"tombstones": []')
    assert tampered != text
    storage.write_text(manifest_path(MAGA), tampered.replace(', "tombstones": []', ""))

    with pytest.raises(IndexFormatError, match="is not a tombstone of"):
        index.select(ProductSelection(collections=(MAGA,)))
