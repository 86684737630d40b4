"""``services.sync`` called directly: an incremental sync reads only the files that changed."""

from __future__ import annotations

from pathlib import Path

from ops_env import build_catalogue, register_day

from vires_repo.catalog import Catalog
from vires_repo.services.sync import sync


def test_an_incremental_sync_reads_only_the_changed_files(tmp_path: Path) -> None:
    source = build_catalogue(str(tmp_path / "source"))
    replica = Catalog(str(tmp_path / "replica"))
    first = sync(replica, source)
    idle = sync(replica, source)
    register_day(source, 2000)

    after_a_day = sync(replica, source)

    assert first.hashed == len(first.plan.copies) > 4
    assert idle.hashed == 0 and idle.plan.empty
    assert after_a_day.hashed == 4  # two new index files and two manifests, at the source
    assert len(after_a_day.plan.data) == 2 and len(after_a_day.plan.manifests) == 2


def test_check_checksum_reads_everything_again(tmp_path: Path) -> None:
    source = build_catalogue(str(tmp_path / "source"))
    replica = Catalog(str(tmp_path / "replica"))
    first = sync(replica, source)

    again = sync(replica, source, check_checksum=True)

    assert again.hashed == 2 * len(first.plan.copies)
    assert again.plan.empty and again.damaged == ()
