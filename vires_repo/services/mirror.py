"""``vires-repo mirror``: make one catalogue instance a copy of another (CRDS mirror_server).

Data files first, manifests last, compared by sha256, under the destination's lock and
maintenance flag, logged in its events log (:mod:`vires_repo.replication`). An ``ops``
destination is refused unless forced.
"""

from __future__ import annotations

from vires_repo.catalog import Catalog
from vires_repo.errors import UsageError
from vires_repo.io.storage import Storage
from vires_repo.replication.copy import CopyOptions, CopyResult, Purge, copy_catalogue
from vires_repo.replication.roles import (
    Role,
    instance_role,
    refuse_mirror_onto_ops,
    set_instance_role,
)
from vires_repo.replication.sources import StorageSource


def mirror(
    source_url: str,
    destination_url: str,
    *,
    dry_run: bool = False,
    purge: bool = False,
    check_checksum: bool = False,
    force_ops: bool = False,
    lock_timeout: float | None = None,
) -> CopyResult:
    """Copy the catalogue at ``source_url`` onto the one at ``destination_url``."""
    source_storage, destination = Storage(source_url), Catalog(destination_url)
    if source_storage.url_of() == destination.storage.url_of():
        raise UsageError(f"mirror: source and destination are the same catalogue {source_url}")
    source = StorageSource(source_storage)
    refuse_mirror_onto_ops(destination.storage, force_ops=force_ops)
    options = CopyOptions(
        event="mirror",
        purge=Purge.ALL if purge else Purge.NONE,
        rehash_source=check_checksum,
        rehash_destination=check_checksum,
        dry_run=dry_run,
        maintenance=True,
        lock_timeout=lock_timeout,
    )
    return copy_catalogue(source, destination, options)


def role(catalog: Catalog) -> Role | None:
    """The catalogue instance's role (None: none recorded)."""
    catalog.require_existing()
    return instance_role(catalog.storage)


def set_role(catalog: Catalog, new_role: Role) -> Role:
    """Record the catalogue instance's role (``ops``, ``test`` or ``dev``)."""
    catalog.require_existing()
    return set_instance_role(catalog.storage, new_role)
