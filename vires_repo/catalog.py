"""The catalogue: one root folder (or URL) holding definitions and indexes.

Layout below the root::

    product_types/<name>.json            product type definitions
    product_collections/<name>.json      product collection definitions
    retention_policies/<name>.json       retention policies (definitions/retention.py)
    products/collection=<ID>/            product index partitions (data files + manifest)
    orbit_direction/<TABLE>/             orbit-direction tables (monthly Parquet + _manifest.json)
    cached_products/                     cached auxiliary products (VirES formats + _manifest.json)
    .state/                              runtime state, not versioned (lock, job spool, temp)
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import TYPE_CHECKING

from vires_repo.definitions.store import PRODUCT_COLLECTIONS, PRODUCT_TYPES, DefinitionStore
from vires_repo.errors import NotFoundError
from vires_repo.io.storage import Storage

if TYPE_CHECKING:
    from vires_repo.products import ProductIndex


class Catalog:
    """Entry point of the library: services take a Catalog."""

    def __init__(
        self,
        root: str | os.PathLike[str] | Storage | None = None,
        *,
        lock_timeout: float | None = None,
    ) -> None:
        if isinstance(root, Storage):
            self.storage = root
        else:
            if root is None:
                from vires_repo.environment import catalog_root

                root = catalog_root()
            self.storage = Storage(root)
        self.product_types = DefinitionStore(self.storage, PRODUCT_TYPES)
        self.product_collections = DefinitionStore(self.storage, PRODUCT_COLLECTIONS)
        self.lock_timeout = lock_timeout
        """Seconds :meth:`writing` waits for the lock (None: ``VIRES_LOCK_TIMEOUT``; 0 fails
        at once naming the holder, ``--no-wait``)."""
        self._exempt_writers = 0  # writing(during_maintenance=True) blocks open

    def __repr__(self) -> str:
        return f"Catalog({self.storage.url!r})"

    @property
    def url(self) -> str:
        return self.storage.url

    def require_existing(self) -> None:
        """Fail clearly when a read command points at a catalogue that is not there."""
        if not self.storage.exists():
            raise NotFoundError(
                f"catalogue {self.url} does not exist (set --catalog or VIRES_CATALOG, or "
                "create it with 'vires-repo product_type import --default')"
            )

    @cached_property
    def products(self) -> ProductIndex:
        """The product index (imported on first use: it needs pyarrow)."""
        from vires_repo.products import ProductIndex

        return ProductIndex(self.storage)

    @cached_property
    def retention_policies(self) -> DefinitionStore:
        """The retention policy definitions (``retention_policies/<name>.json``)."""
        from vires_repo.definitions.retention import RETENTION_POLICIES

        return DefinitionStore(self.storage, RETENTION_POLICIES)

    @contextmanager
    def writing(
        self, timeout: float | None = None, *, during_maintenance: bool = False
    ) -> Iterator[None]:
        """Hold the catalogue write lock (creating the root folder if needed).

        A catalogue in maintenance mode refuses (:class:`~vires_repo.errors.MaintenanceError`
        with the reason) before the wait and again once the lock is held, unless
        ``during_maintenance`` (mirror and restore) or inside such a block.
        """
        from vires_repo.maintenance import refuse_during_maintenance

        checked = not (during_maintenance or self._exempt_writers)
        if checked:
            refuse_during_maintenance(self.storage)
        self.storage.makedirs()
        with self.storage.lock(self.lock_timeout if timeout is None else timeout):
            if checked:
                refuse_during_maintenance(self.storage)
            self._exempt_writers += int(during_maintenance)
            try:
                yield
            finally:
                self._exempt_writers -= int(during_maintenance)
