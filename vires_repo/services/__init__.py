"""The use cases, one module per command group, each usable from Python without the CLI.

The modules are loaded on first use (``vires_repo.services.product_type``), so that a command
pays only for the use cases it runs.
"""

from __future__ import annotations

import importlib
from types import ModuleType

PUBLIC_MODULES = (
    "backup",
    "cached_product",
    "check",
    "dangling_jobs",
    "definitions",
    "demo",
    "extraction",
    "info",
    "job_queue",
    "job_types",
    "jobs",
    "locks",
    "maintenance",
    "messages",
    "mirror",
    "nightly",
    "orbit_direction",
    "orphans",
    "product",
    "product_collection",
    "product_import",
    "product_registration",
    "product_type",
    "purge",
    "schedules",
    "sql",
    "sync",
    "workers",
)

__all__ = list(PUBLIC_MODULES)


def __getattr__(name: str) -> ModuleType:
    if name not in PUBLIC_MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return importlib.import_module(f"{__name__}.{name}")


def __dir__() -> list[str]:
    return __all__
