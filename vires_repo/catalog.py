"""The catalogue: one root folder (or URL) holding definitions and indexes.

Layout below the root::

    product_types/<name>.json            product type definitions
    product_collections/<name>.json      product collection definitions
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

    def __init__(self, root: str | os.PathLike[str] | Storage | None = None) -> None:
        if isinstance(root, Storage):
            self.storage = root
        else:
            if root is None:  # pydantic is imported only when it is needed
                from vires_repo.settings import default_catalog_root

                root = default_catalog_root()
            self.storage = Storage(root)
        self.product_types = DefinitionStore(self.storage, PRODUCT_TYPES)
        self.product_collections = DefinitionStore(self.storage, PRODUCT_COLLECTIONS)

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

    @contextmanager
    def writing(self, timeout: float | None = None) -> Iterator[None]:
        """Hold the catalogue write lock (creating the root folder if needed)."""
        self.storage.makedirs()
        with self.storage.lock(timeout):
            yield
