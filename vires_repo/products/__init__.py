"""Product records: the product index (Parquet and JSON-lines data files) and its manifest
commit point."""

from vires_repo.products.compaction import CompactionResult
from vires_repo.products.index import Deletion, ProductIndex, UpsertResult
from vires_repo.products.lookups import CollectionSummary, Overlap, vires_max_product_duration
from vires_repo.products.manifest import DeletedEntry, FileEntry, Manifest
from vires_repo.products.schema import FORMAT_VERSION, ProductRecord
from vires_repo.products.selection import ProductSelection

__all__ = [
    "FORMAT_VERSION",
    "CollectionSummary",
    "CompactionResult",
    "DeletedEntry",
    "Deletion",
    "FileEntry",
    "Manifest",
    "Overlap",
    "ProductIndex",
    "ProductRecord",
    "ProductSelection",
    "UpsertResult",
    "vires_max_product_duration",
]
