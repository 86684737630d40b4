"""The Swarm file-name grammar and the shipped product types the sample tests check against."""

from __future__ import annotations

import re
from typing import Any

from vires_repo.definitions import load_defaults

# The tested Swarm file-name grammar of reference/swarm-data-formats.md, section 1.2.
SWARM_NAME = re.compile(
    r"^(?P<collection>(?P<mission>[A-Z]{2})_(?P<file_class>[A-Z]{4})_(?P<file_type>[A-Z0-9_]{10})"
    r"|[A-Z0-9_]+?)_(?P<start>\d{8}T\d{6})_(?P<stop>\d{8}T\d{6})_(?P<version>\d{4})"
    r"(?:_(?P<dataset>[A-Z][A-Z0-9_]*))?"
    r"(?P<ext>(?:\.CDF\.ZIP|\.ZIP|\.zip|\.cdf|\.CDF|\.DBL|\.HDR|\.sp3))?$"
)
TYPES: dict[str, dict[str, Any]] = {
    definition["name"]: definition for definition in load_defaults("product_types")
}


def file_variables(product_type: str) -> dict[str, str]:
    """Variables of a shipped product type by their name in the file: ``{source: dataType}``."""
    return {
        variable.get("source", name): variable["dataType"]
        for dataset in TYPES[product_type]["datasets"].values()
        for name, variable in dataset.items()
    }
