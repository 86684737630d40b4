"""The ``VIRES_*`` environment variables as the process has them, not yet validated.

:mod:`vires_repo.settings` validates every variable with pydantic. A command that needs only
string-valued variables, whatever they hold (the catalogue root; the job read commands: the
jobs root and the records database), reads them here instead: it imports no pydantic (80 ms of
start-up) and does not fail on a bad value of a variable it does not use.
"""

from __future__ import annotations

import os
from collections.abc import Collection

ENV_PREFIX = "VIRES_"
DEFAULT_CATALOG = "./catalog"


def variables(fields: Collection[str]) -> dict[str, str]:
    """The variables of the settings ``fields`` by field name (``jobs_root`` for
    ``VIRES_JOBS_ROOT``): any case of the name, an empty value meaning the default (left out),
    as pydantic-settings reads them."""
    found = {}
    for name, value in os.environ.items():
        upper = name.upper()
        if upper.startswith(ENV_PREFIX) and value:
            field = upper[len(ENV_PREFIX) :].lower()
            if field in fields:
                found[field] = value
    return found


def catalog_root() -> str:
    """``$VIRES_CATALOG`` or ``./catalog``: any string names a catalogue (a folder or a URL),
    so a lookup reads it here without the settings' validation."""
    return variables(("catalog",)).get("catalog", DEFAULT_CATALOG)
