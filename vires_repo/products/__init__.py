"""Product records: the product index (Parquet and JSON-lines data files) and its manifest
commit point."""

from .index import (
    CollectionSummary,
    CompactionResult,
    Overlap,
    ProductIndex,
    ProductSelection,
    UpsertResult,
    vires_max_product_duration,
)
from .manifest import FileEntry, Manifest
from .schema import FORMAT_VERSION, ProductRecord

__all__ = [
    "FORMAT_VERSION",
    "CollectionSummary",
    "CompactionResult",
    "FileEntry",
    "Manifest",
    "Overlap",
    "ProductIndex",
    "ProductRecord",
    "ProductSelection",
    "UpsertResult",
    "vires_max_product_duration",
]
