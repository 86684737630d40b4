"""vires_repo: a file-based GitOps catalogue manager for VirES-style satellite data services.

The public Python API, the same operations as the ``vires-repo`` command line::

    import vires_repo

    catalog = vires_repo.Catalog("./catalog")
    types = vires_repo.services.product_type
    result = types.import_types(catalog, types.default_types())
    print(result.summary_lines())

* :class:`Catalog`: a catalogue folder or object-store URL;
* :mod:`services`: the use cases, one module per command group (``product_type``,
  ``product_collection``, ``product``, ``product_registration``, ``product_import``,
  ``orbit_direction``, ``cached_product``, ``check``, ``info``, ``sql``, ``demo``);
* the values they take and give: :class:`ProductSelection`, :class:`CollectionFilter`,
  :class:`ProductRecord`;
* the errors, all derived from :class:`ViresRepoError` (the tree is in :mod:`vires_repo.errors`).

Names are loaded on first use, so that ``import vires_repo`` (and the command line's start-up)
costs nothing.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS: dict[str, tuple[str, str | None]] = {
    # name: (module, attribute of the module, or None for the module itself)
    "Catalog": ("vires_repo.catalog", "Catalog"),
    "CollectionFilter": ("vires_repo.definitions.selection", "CollectionFilter"),
    "ProductRecord": ("vires_repo.products.schema", "ProductRecord"),
    "ProductSelection": ("vires_repo.products.selection", "ProductSelection"),
    "services": ("vires_repo.services", None),
    **{
        name: ("vires_repo.errors", name)
        for name in (
            "CommitConflictError",
            "ConflictError",
            "DefinitionError",
            "ExtractionRequestError",
            "FilterError",
            "GitError",
            "IndexFormatError",
            "JobAbortedError",
            "JobNotFoundError",
            "JobStateError",
            "JobsDatabaseError",
            "LockHeldError",
            "LockLostError",
            "LockTimeoutError",
            "MaintenanceError",
            "MergeConflictError",
            "NotFoundError",
            "OrbitDirectionIntegrityError",
            "PermissionDeniedError",
            "ProductFileError",
            "ProductIntegrityError",
            "QuasiDipoleRangeError",
            "QueryError",
            "ServerBusyError",
            "SettingsError",
            "StorageError",
            "TimeSpecError",
            "UsageError",
            "ViresRepoError",
        )
    },
}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str) -> Any:
    try:
        module_name, attribute = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'vires_repo' has no attribute {name!r}") from None
    module = importlib.import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
