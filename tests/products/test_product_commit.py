"""Product index storage protocol: manifest commit point, crashes, determinism, locking, format."""

from __future__ import annotations

import io
import json
import threading

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from product_samples import daily

from vires_repo.errors import IndexFormatError
from vires_repo.io.object_commit import Snapshot
from vires_repo.io.storage import Storage
from vires_repo.products import ProductIndex, ProductSelection
from vires_repo.products.manifest import FileEntry, Manifest, manifest_name, manifest_path

MAGA = "SW_OPER_MAGA_LR_1B"
FOLDER = f"products/collection={MAGA}"
MANIFEST = manifest_path(MAGA)


class Crash(Exception):
    """Stands for the process dying at a given point."""


def crash(self: ProductIndex, manifest: Manifest, read: Snapshot) -> None:
    """A ``ProductIndex._commit`` that dies before the manifest is written."""
    raise Crash


def all_files(storage: Storage) -> dict[str, bytes]:
    return {name: storage.read_bytes(f"{FOLDER}/{name}") for name in storage.listdir(FOLDER)}


def test_crash_before_manifest_keeps_old_state_and_rerun_completes(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = ProductIndex(storage)
    index.upsert(MAGA, [daily(0)])
    committed = storage.read_bytes(MANIFEST)

    with monkeypatch.context() as patch:
        patch.setattr(ProductIndex, "_commit", crash)
        with pytest.raises(Crash):
            index.upsert(MAGA, [daily(1)], delete=[daily(0).identifier])
    stray = set(storage.listdir(FOLDER)) - {manifest_name(MAGA), *index_files(index)}
    assert len(stray) == 1  # the data file was written, the commit was not
    assert storage.read_bytes(MANIFEST) == committed
    reader = ProductIndex(Storage(storage.url))
    assert [r.identifier for r in reader.select()] == [daily(0).identifier]

    result = index.upsert(MAGA, [daily(1)], delete=[daily(0).identifier])  # the rerun
    assert set(result.data_files) == stray  # same rows, same file: nothing duplicated
    assert [r.identifier for r in reader.select()] == [daily(1).identifier]


def test_crash_during_compaction_leaves_a_readable_index(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = ProductIndex(storage)
    for day in range(5):
        index.upsert(MAGA, [daily(day)])
    before = index.select()
    original_commit = ProductIndex._commit

    with monkeypatch.context() as patch:
        patch.setattr(ProductIndex, "_commit", crash)
        with pytest.raises(Crash):
            index.compact(MAGA)
    assert index.select() == before
    assert len(index.manifest(MAGA).files) == 5

    def commit_then_crash(self: ProductIndex, manifest: Manifest, read: Snapshot) -> None:
        original_commit(self, manifest, read)
        raise Crash  # dies before the replaced files are removed

    with monkeypatch.context() as patch:
        patch.setattr(ProductIndex, "_commit", commit_then_crash)
        with pytest.raises(Crash):
            index.compact(MAGA)
    assert index.select() == before
    assert len(index.manifest(MAGA).files) == 1
    assert len(storage.listdir(FOLDER)) > 2  # unreferenced files are harmless ...
    index.compact(MAGA)
    assert len(storage.listdir(FOLDER)) == 2  # ... and removed by the next compaction
    assert index.select() == before


def test_reader_retries_when_compaction_removed_its_files(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = ProductIndex(storage)
    for day in range(3):
        index.upsert(MAGA, [daily(day)])
    stale = index.manifest(MAGA)
    ProductIndex(Storage(storage.url)).compact(MAGA)
    fresh_manifest = ProductIndex.manifest
    calls: list[str] = []

    def stale_first(self: ProductIndex, collection: str) -> Manifest:
        calls.append(collection)
        return stale if len(calls) == 1 else fresh_manifest(self, collection)

    monkeypatch.setattr(ProductIndex, "manifest", stale_first)
    assert len(index.select()) == 3
    assert len(calls) == 2


def index_files(index: ProductIndex) -> list[str]:
    return [entry.file for entry in index.manifest(MAGA).files]


def test_same_records_give_the_same_bytes(storage: Storage) -> None:
    other = Storage(storage.url + "-twin")
    for target in (storage, other):
        index = ProductIndex(target)
        index.upsert(MAGA, [daily(day) for day in range(20)])
        index.upsert(MAGA, [daily(3, metadata={"v": 2}), daily(30)])
    assert all_files(storage) == all_files(other)
    assert all(name.endswith(".jsonl") for name in index_files(ProductIndex(storage)))

    index = ProductIndex(storage)
    index.compact(MAGA)
    rebuilt = Storage(storage.url + "-rebuilt")
    # one Parquet write of the same live rows
    ProductIndex(rebuilt, small_batch_rows=1).upsert(MAGA, index.select())
    assert all_files(storage) == {
        name: rebuilt.read_bytes(f"{FOLDER}/{name}") for name in rebuilt.listdir(FOLDER)
    }


def test_manifest_text_is_deterministic_and_line_per_file(storage: Storage) -> None:
    index = ProductIndex(storage)
    index.upsert(MAGA, [daily(0), daily(1)])
    index.upsert(MAGA, [daily(2)], delete=[daily(0).identifier])
    text = storage.read_text(MANIFEST)
    document = json.loads(text)
    assert document["format_version"] == 1
    assert document["collection"] == MAGA
    assert [entry["rows"] for entry in document["files"]] == [2, 1]
    assert document["files"][0]["tombstones"] == [daily(0).identifier]
    assert document["files"][0]["min_begin_time"] == "2020-01-01T00:00:00Z"
    file_lines = [line for line in text.splitlines() if line.lstrip().startswith('{"file"')]
    assert len(file_lines) == 2
    assert text.endswith("}\n")
    assert Manifest.loads(text, "m").dumps() == text


def test_concurrent_writers_are_serialized_and_lose_nothing(storage: Storage) -> None:
    errors: list[BaseException] = []

    def register(worker: int) -> None:
        try:
            index = ProductIndex(Storage(storage.url), compaction_threshold=4)
            for step in range(8):
                index.upsert(MAGA, [daily(worker * 100 + step)])
        except BaseException as error:  # reported to the main thread
            errors.append(error)

    threads = [threading.Thread(target=register, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    expected = sorted(daily(w * 100 + s).identifier for w in range(4) for s in range(8))
    assert sorted(r.identifier for r in ProductIndex(storage).select()) == expected


def test_unknown_manifest_version_is_refused_with_a_clear_message(storage: Storage) -> None:
    index = ProductIndex(storage)
    index.upsert(MAGA, [daily(0)])
    document = json.loads(storage.read_text(MANIFEST))
    document["format_version"] = 2
    storage.write_text(MANIFEST, json.dumps(document))
    with pytest.raises(
        IndexFormatError,
        match=rf"_manifest-{MAGA}.json has product index format "
        r"version 2; this vires_repo reads version 1 only",
    ):
        index.select()


def test_data_file_of_another_format_is_refused(storage: Storage) -> None:
    index = ProductIndex(storage, small_batch_rows=1)  # a Parquet file
    index.upsert(MAGA, [daily(0)])
    (entry,) = index.manifest(MAGA).files
    plain = io.BytesIO()
    pq.write_table(pa.table({"identifier": ["x"]}), plain)
    storage.write_bytes(f"{FOLDER}/{entry.file}", plain.getvalue())
    with pytest.raises(IndexFormatError, match="is not a vires_repo product index file"):
        index.select(ProductSelection(collections=[MAGA]))

    tagged = io.BytesIO()
    table = pa.table({"identifier": ["x"]}).replace_schema_metadata(
        {"vires_repo": json.dumps({"format_version": 99})}
    )
    pq.write_table(table, tagged)
    storage.write_bytes(f"{FOLDER}/{entry.file}", tagged.getvalue())
    with pytest.raises(IndexFormatError, match="format version 99"):
        index.exists(daily(0).identifier, MAGA)


def test_a_manifest_under_its_old_name_is_refused_not_ignored(storage: Storage) -> None:
    index = ProductIndex(storage)
    index.upsert(MAGA, [daily(0)])
    data_files = index_files(index)
    legacy = f"{FOLDER}/_manifest.json"
    storage.write_bytes(legacy, storage.read_bytes(MANIFEST))
    storage.remove(MANIFEST)
    message = rf"_manifest.json: the product index manifest is now named _manifest-{MAGA}.json"
    with pytest.raises(IndexFormatError, match=message):
        index.exists(daily(0).identifier)
    with pytest.raises(IndexFormatError, match=message):  # a write would hide the old rows
        index.upsert(MAGA, [daily(1)])
    assert sorted(storage.listdir(FOLDER)) == sorted(["_manifest.json", *data_files])
    storage.write_bytes(MANIFEST, storage.read_bytes(legacy))  # what the message asks for
    storage.remove(legacy)
    assert index.exists(daily(0).identifier)


def test_garbled_manifest_is_an_index_format_error(storage: Storage) -> None:
    index = ProductIndex(storage)
    storage.write_text(MANIFEST, "{not json")
    with pytest.raises(IndexFormatError, match="is not valid JSON"):
        index.manifest(MAGA)
    storage.write_text(MANIFEST, json.dumps({"format_version": 1, "collection": MAGA}))
    with pytest.raises(IndexFormatError, match="is malformed"):
        index.manifest(MAGA)


def test_json_lines_file_with_other_columns_is_refused(storage: Storage) -> None:
    index = ProductIndex(storage)
    index.upsert(MAGA, [daily(0), daily(1)])
    (entry,) = index.manifest(MAGA).files
    assert entry.file.endswith(".jsonl")
    path = f"{FOLDER}/{entry.file}"
    first, second = storage.read_bytes(path).splitlines()
    row = json.loads(second)
    row["extra"] = 1
    storage.write_bytes(path, first + b"\n" + json.dumps(row).encode() + b"\n")
    with pytest.raises(IndexFormatError, match="line 2 does not hold the product index columns"):
        index.select()
    row = json.loads(second)
    row["begin_time"] = "yesterday"
    storage.write_bytes(path, first + b"\n" + json.dumps(row).encode() + b"\n")
    with pytest.raises(IndexFormatError, match="is not a product index JSON-lines file"):
        index.exists(daily(0).identifier, MAGA)
    row = json.loads(second)
    row["identifier"] = None  # (test_product_bad_records.py: edits that keep the checksum)
    storage.write_bytes(path, first + b"\n" + json.dumps(row).encode() + b"\n")
    with pytest.raises(IndexFormatError, match="checksum differs from its manifest entry"):
        index.select()


def test_manifest_keys_are_checked_by_the_model(storage: Storage) -> None:
    index = ProductIndex(storage)
    index.upsert(MAGA, [daily(0)])
    document = json.loads(storage.read_text(MANIFEST))
    document["files"][0]["colour"] = "blue"
    storage.write_text(MANIFEST, json.dumps(document))
    with pytest.raises(IndexFormatError, match=r"is malformed: files\.0\.colour: Extra inputs"):
        index.manifest(MAGA)
    document["files"][0].pop("colour")
    document["files"][0]["max_end_time"] = "yesterday"
    storage.write_text(MANIFEST, json.dumps(document))
    with pytest.raises(IndexFormatError, match=r"is malformed: files\.0\.max_end_time"):
        index.manifest(MAGA)


def test_an_entry_omits_what_its_defaults_say() -> None:
    entry = FileEntry(
        file="f",
        rows=2,
        bytes=10,
        sha256="0" * 64,
        min_begin_time=0,
        max_end_time=1,
        min_identifier="A",
        max_identifier="A",
    )
    text = Manifest(collection="C", files=(entry,)).dumps()

    assert '"max_identifier"' not in text and '"tombstones"' not in text
    assert Manifest.loads(text, "m").files == (entry,)
