"""A table name becomes the table's folder: one that would name a path outside
``orbit_direction/`` is refused before anything is read there."""

from __future__ import annotations

from pathlib import Path

import pytest

from vires_repo.errors import NotFoundError
from vires_repo.io.storage import Storage
from vires_repo.orbit_direction.store import TableStore


@pytest.mark.parametrize("name", ["..", "../planted", "a/b", "a\\b", "a\x00b", ""])
def test_a_table_name_naming_a_path_is_not_a_table(tmp_path: Path, name: str) -> None:
    (tmp_path / "planted").mkdir()
    (tmp_path / "planted" / "_manifest.json").write_text("{not json")
    store = TableStore(Storage(str(tmp_path)))

    with pytest.raises(NotFoundError, match="no orbit-direction table"):
        store.manifest(name)
