"""``vires-repo sync``: keep a read-only replica in step with its source (CRDS ``cron_sync``).

Incremental: only files whose source listing stamp changed since the last sync are read, and
only those whose sha256 differs are copied; files an earlier sync brought that the source no
longer has are removed. A replica whose lock is held is not waited for: the sync fails at once
naming the holder. ``--push-state`` records on the source which state the replica now holds.
"""

from __future__ import annotations

from collections.abc import Sequence

from vires_repo.catalog import Catalog
from vires_repo.errors import UsageError
from vires_repo.io.storage import Storage
from vires_repo.replication.copy import CopyOptions, CopyResult, Purge, copy_catalogue
from vires_repo.replication.files import collections_scope, is_catalogue_file
from vires_repo.replication.replicas import push_replica_state
from vires_repo.replication.sources import StorageSource


def sync(
    replica: Catalog,
    source_url: str,
    *,
    collections: Sequence[str] = (),
    check_checksum: bool = False,
    repair: bool = False,
    dry_run: bool = False,
    push_state: bool = False,
) -> CopyResult:
    """Bring ``replica`` in step with the catalogue at ``source_url`` (see the module doc).

    ``check_checksum`` hashes every file on both sides again; replica files whose bytes differ
    from what the last sync recorded are reported as damaged and copied again only with
    ``repair`` (which alone re-hashes the replica's files).
    """
    source_storage = Storage(source_url)
    if source_storage.url_of() == replica.storage.url_of():
        raise UsageError(f"sync: the replica {replica.url} cannot be its own source")
    source = StorageSource(source_storage)
    selected = tuple(sorted(set(collections)))
    options = CopyOptions(
        event="sync",
        scope=collections_scope(selected) if selected else is_catalogue_file,
        purge=Purge.SYNCED,
        rehash_source=check_checksum,
        rehash_destination=check_checksum or repair,
        repair=repair,
        dry_run=dry_run,
        lock_timeout=0,
    )
    result = copy_catalogue(source, replica, options)
    if push_state and not dry_run:
        push_replica_state(
            source_storage,
            replica.storage.url_of(),
            selected or None,
            result.source_files,
            result.source_sha256,
        )
    return result
