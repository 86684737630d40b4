"""Data-file locations as products name them: paths made absolute as VirES stores them, URLs
as given, and the product identifier a file name gives (reference 6.1.1)."""

from __future__ import annotations

import os

from vires_repo.io.locations import is_url


def normalize_location(location: str) -> str:
    """Local paths become absolute (as VirES stores them); URLs stay as given."""
    # abspath, not resolve: VirES keeps symbolic links in the stored location
    return location if is_url(location) else os.path.abspath(location)  # noqa: PTH100


def product_identifier(location: str) -> str:
    """The file name without its last extension (reference 6.1.1)."""
    name = location.rstrip("/").rsplit("/", 1)[-1]
    stem, dot, _extension = name.rpartition(".")
    return stem if dot and stem else name


def data_file_exists(location: str) -> bool:
    from vires_repo.io.locations import is_file  # imports fsspec, which lookups do not need

    return is_file(location)
