"""``copy_catalogue`` against a source that a writer changes during the copy (while it hashes,
copies data files or copies manifests): no manifest is written that could name a file the
copy did not bring, and a rerun completes."""

from __future__ import annotations

from pathlib import Path

import pytest
from ops_env import build_catalogue, catalogue_files, register_day

from vires_repo.catalog import Catalog
from vires_repo.errors import ConflictError
from vires_repo.io.storage import Storage
from vires_repo.replication.copy import CopyOptions, copy_catalogue
from vires_repo.replication.events import read_events
from vires_repo.replication.sources import StorageSource


class WrittenDuringTheCopy(StorageSource):
    """A source where one more day is registered when the copy reads its ``nth`` file."""

    def __init__(self, storage: Storage, nth: int) -> None:
        super().__init__(storage)
        self.reads, self.nth = 0, nth

    def read(self, relpath: str) -> bytes:
        self.reads += 1
        if self.reads == self.nth:
            register_day(self.storage.url, 3000)
        return super().read(relpath)


@pytest.mark.parametrize(
    "nth", [1, 5, 7], ids=["while hashing", "while copying data", "while copying manifests"]
)
def test_a_source_written_during_the_copy_stops_it_before_a_manifest_could_name_missing_files(
    tmp_path: Path, nth: int
) -> None:
    source = build_catalogue(str(tmp_path / "source"), days=5)
    dest = str(tmp_path / "dest")
    copy_catalogue(StorageSource(Storage(source)), Catalog(dest), CopyOptions(event="mirror"))
    register_day(source, 10)
    before = catalogue_files(dest)

    with pytest.raises(ConflictError, match="changed during the copy"):
        copy_catalogue(
            WrittenDuringTheCopy(Storage(source), nth), Catalog(dest), CopyOptions(event="mirror")
        )

    after = catalogue_files(dest)
    manifests = {p for p in after if "/_manifest" in p}
    assert {p: after[p] for p in manifests} == {p: before[p] for p in manifests}
    assert read_events(Storage(dest))[-1]["status"] == "failed"
    copy_catalogue(StorageSource(Storage(source)), Catalog(dest), CopyOptions(event="mirror"))
    assert catalogue_files(dest) == catalogue_files(source)
