"""Settings read from the environment (kept import-light: the CLI reads them at start-up)."""

from __future__ import annotations

import os

DEFAULT_CATALOG = "./catalog"
CATALOG_ENV_VAR = "VIRES_CATALOG"


def default_catalog_root() -> str:
    """``$VIRES_CATALOG`` or ``./catalog``."""
    return os.environ.get(CATALOG_ENV_VAR) or DEFAULT_CATALOG
