"""The orbit-direction use cases, one module per job.

* :mod:`.maintenance`: ``orbit_direction update``, ``sync`` and ``rebuild``;
* :mod:`.registration`: what ``product register`` and ``deregister`` do to the tables;
* :mod:`.vires_files`: ``orbit_direction import`` and ``export`` of VirES table files;
* :mod:`.lookup`: orbit directions at given times;
* :mod:`.info`: the tables as ``cached_product dump`` records and as SQL views;
* :mod:`.sources`: the source collections (``calculateOrbitDirection: true``) and products;
* :mod:`.batches`: adding a batch of products to the two tables of a source collection;
* :mod:`.reporting`: :class:`~.reporting.Messages`, the one way this service reports, and the
  result counts.

The tables themselves (missions, extraction, storage) are :mod:`vires_repo.orbit_direction`.
"""

from __future__ import annotations

import importlib
from types import ModuleType

PUBLIC_MODULES = ("info", "lookup", "maintenance", "registration", "vires_files")

__all__ = list(PUBLIC_MODULES)


def __getattr__(name: str) -> ModuleType:
    """The public modules load on first use (``orbit_direction.maintenance``)."""
    if name not in PUBLIC_MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return importlib.import_module(f"{__name__}.{name}")


def __dir__() -> list[str]:
    return __all__
