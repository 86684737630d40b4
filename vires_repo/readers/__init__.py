"""Readers of product files: CDF access (:mod:`.cdf`) and product metadata for registration."""

from .product_metadata import ProductMetadata, read_product_metadata

__all__ = ["ProductMetadata", "read_product_metadata"]
