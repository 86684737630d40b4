"""The manifest merge, product by product, on synthetic manifests (no git, no Parquet)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from vires_repo.errors import MergeConflictError
from vires_repo.gitops.merge import is_product_manifest, merge_manifests
from vires_repo.products.manifest import DeletedEntry, FileEntry, Manifest

Rows = dict[str, dict[str, tuple[str, ...]]]


def _entry(name: str, rows: Rows, tombstones: frozenset[str] = frozenset()) -> FileEntry:
    identifiers = sorted(rows[name])
    begin = int(name.rsplit("-", 1)[-1]) if name[-1].isdigit() else 0
    return FileEntry(
        file=name,
        sha256="0" * 64,
        bytes=1,
        rows=len(identifiers),
        min_begin_time=begin,
        max_end_time=begin + 1,
        min_identifier=identifiers[0],
        max_identifier=identifiers[-1],
        tombstones=tombstones,
    )


def _reader(rows: Rows):  # type: ignore[no-untyped-def]
    def read(entry: FileEntry) -> Mapping[str, tuple[str, ...]]:
        return rows[entry.file]

    return read


def _manifest(*entries: FileEntry) -> Manifest:
    return Manifest(collection="C", files=tuple(entries))


def _live(manifest: Manifest, rows: Rows) -> dict[str, tuple[str, ...]]:
    live: dict[str, tuple[str, ...]] = {}
    for entry in manifest.files:
        for identifier, row in rows[entry.file].items():
            if identifier not in entry.tombstones:
                assert identifier not in live, f"{identifier} live twice"
                live[identifier] = row
    return live


ROWS: Rows = {
    "base-1": {"a": ("a1",), "b": ("b1",)},
    "ours-2": {"c": ("c1",)},
    "theirs-3": {"d": ("d1",)},
    "ours-upd-4": {"a": ("a2",)},
    "theirs-upd-5": {"a": ("a3",)},
    "theirs-compact-6": {"a": ("a1",), "b": ("b1",)},
}


def test_different_products_merge_with_tombstones_united() -> None:
    base = _manifest(_entry("base-1", ROWS))
    ours = _manifest(
        _entry("base-1", ROWS, frozenset({"a"})), _entry("ours-upd-4", ROWS), _entry("ours-2", ROWS)
    )
    theirs = _manifest(_entry("base-1", ROWS, frozenset({"b"})), _entry("theirs-3", ROWS))
    merged = merge_manifests(base, ours, theirs, _reader(ROWS))
    assert [entry.file for entry in merged.files] == ["base-1", "ours-2", "theirs-3", "ours-upd-4"]
    assert merged.files[0].tombstones == {"a", "b"}
    assert _live(merged, ROWS) == {"a": ("a2",), "c": ("c1",), "d": ("d1",)}
    swapped = merge_manifests(base, theirs, ours, _reader(ROWS))
    assert swapped.dumps() == merged.dumps()


def test_the_same_product_changed_differently_conflicts() -> None:
    base = _manifest(_entry("base-1", ROWS))
    ours = _manifest(_entry("base-1", ROWS, frozenset({"a"})), _entry("ours-upd-4", ROWS))
    theirs = _manifest(_entry("base-1", ROWS, frozenset({"a"})), _entry("theirs-upd-5", ROWS))
    with pytest.raises(
        MergeConflictError, match=r"collection C: 1 product\(s\) changed on both sides: a"
    ):
        merge_manifests(base, ours, theirs, _reader(ROWS))
    deregistered = _manifest(_entry("base-1", ROWS, frozenset({"a"})))
    with pytest.raises(MergeConflictError) as raised:
        merge_manifests(base, ours, deregistered, _reader(ROWS))
    assert raised.value.conflicts == ("a",)


def test_the_same_change_on_both_sides_merges() -> None:
    base = _manifest(_entry("base-1", ROWS))
    both = _manifest(_entry("base-1", ROWS, frozenset({"a"})), _entry("ours-upd-4", ROWS))
    merged = merge_manifests(base, both, both, _reader(ROWS))
    assert merged == both


def test_compaction_on_one_side_moves_the_other_sides_tombstone() -> None:
    base = _manifest(_entry("base-1", ROWS))
    ours = _manifest(_entry("base-1", ROWS, frozenset({"a"})), _entry("ours-upd-4", ROWS))
    theirs = _manifest(_entry("theirs-compact-6", ROWS))  # base-1 compacted away
    merged = merge_manifests(base, ours, theirs, _reader(ROWS))
    assert [entry.file for entry in merged.files] == ["ours-upd-4", "theirs-compact-6"]
    assert merged.files[1].tombstones == {"a"}
    assert _live(merged, ROWS) == {"a": ("a2",), "b": ("b1",)}


def test_both_sides_add_the_first_file() -> None:
    empty = Manifest(collection="", files=())
    ours = _manifest(_entry("ours-2", ROWS))
    theirs = _manifest(_entry("theirs-3", ROWS))
    merged = merge_manifests(empty, ours, theirs, _reader(ROWS))
    assert [entry.file for entry in merged.files] == ["ours-2", "theirs-3"]


def test_which_manifests_the_driver_merges() -> None:
    assert is_product_manifest("catalog/products/collection=X/_manifest-X.json")
    mag_a = "SW_OPER_MAGA_LR_1B"
    assert is_product_manifest(f"products/collection={mag_a}/_manifest-{mag_a}.json")
    assert not is_product_manifest("catalog/products/collection=X/_manifest-Y.json")
    assert not is_product_manifest("catalog/products/collection=X/_manifest.json")
    assert not is_product_manifest("catalog/orbit_direction/SW_VIRE_AUXAODBGEO/_manifest.json")
    assert not is_product_manifest("_manifest-X.json")


def test_other_manifests_get_a_line_merge(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    base, ours, theirs = (tmp_path / name for name in ("base", "ours", "theirs"))
    base.write_text("1\n2\n3\n4\n5\n")
    ours.write_text("1\n2a\n3\n4\n5\n")
    theirs.write_text("1\n2\n3\n4\n5b\n")
    path = "catalog/orbit_direction/T/_manifest.json"
    code, _out, err = cli("git-merge-manifest", str(base), str(ours), str(theirs), path)
    assert code == 0, err
    assert ours.read_text() == "1\n2a\n3\n4\n5b\n"
    theirs.write_text("1\n2b\n3\n4\n5b\n")
    code, _out, err = cli("git-merge-manifest", str(base), str(ours), str(theirs), path)
    assert code == 1
    assert err.startswith(f"ERROR: cannot merge {path}: conflicting changes")
    assert "<<<<<<<" in ours.read_text()


def _deleted(identifier: str, file: str, at: int) -> DeletedEntry:
    return DeletedEntry(identifier=identifier, file=file, deleted_at=at, deleted_by="ops")


def test_soft_deleted_products_of_both_sides_stay_deleted() -> None:
    base = _manifest(_entry("base-1", ROWS))
    ours = _manifest(_entry("base-1", ROWS, frozenset({"a"}))).with_deleted(
        [_deleted("a", "base-1", 10)]
    )
    theirs = _manifest(_entry("base-1", ROWS, frozenset({"b"})), _entry("theirs-3", ROWS))
    theirs = theirs.with_deleted([_deleted("b", "base-1", 20)])

    merged = merge_manifests(base, ours, theirs, _reader(ROWS))

    assert [record.identifier for record in merged.deleted] == ["a", "b"]
    assert _live(merged, ROWS) == {"d": ("d1",)}
    assert merge_manifests(base, theirs, ours, _reader(ROWS)).dumps() == merged.dumps()
    assert Manifest.loads(merged.dumps(), "merged") == merged
