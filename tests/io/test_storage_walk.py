"""``Storage.walk`` and ``Storage.remove_tree``: recursive listings with stamps that change
when a file is replaced, on a local folder and on ``memory://``."""

from __future__ import annotations

from vires_repo.io.storage import Storage


def test_walk_lists_every_file_below_the_root_with_its_size(catalog_root: str) -> None:
    storage = Storage(catalog_root)
    storage.write_bytes("a/b/c.json", b"{}\n")
    storage.write_bytes("top.txt", b"12345")

    files = storage.walk()

    assert sorted(files) == ["a/b/c.json", "top.txt"]
    assert files["top.txt"].size == 5
    storage.write_bytes("ab/d.json", b"{}\n")
    assert set(storage.walk("a")) == {"a/b/c.json"}
    assert Storage(f"{catalog_root}/missing").walk() == {}


def test_a_replaced_file_gets_a_new_stamp(catalog_root: str) -> None:
    storage = Storage(catalog_root)
    storage.write_bytes("f.json", b"one")
    before = storage.walk()["f.json"].key

    storage.write_bytes("f.json", b"two")

    assert before is not None and storage.walk()["f.json"].key != before


def test_remove_tree_removes_a_folder_and_what_it_holds(catalog_root: str) -> None:
    storage = Storage(catalog_root)
    storage.write_bytes("backup/x/y.bin", b"1")
    storage.write_bytes("keep.bin", b"2")

    storage.remove_tree("backup")
    storage.remove_tree("backup")  # gone already: nothing happens

    assert list(storage.walk()) == ["keep.bin"]
