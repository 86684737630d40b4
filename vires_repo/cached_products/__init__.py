"""Cached products: auxiliary files and models converted into fixed-name files (reference 9).

``convert`` builds one product from its sources; ``read_table`` gives the tabular ones
(orbit counters, F10.7, Kp, Dst) as pyarrow Tables, on which the lookup helpers work.
"""

from vires_repo.cached_products.conversion import (
    CachedProductInfo,
    ConversionResult,
    convert,
    read_info,
    read_table,
)
from vires_repo.cached_products.dst import dst_at
from vires_repo.cached_products.f107 import f107_at
from vires_repo.cached_products.kp import kp_at
from vires_repo.cached_products.orbit_counter import NO_ORBIT, orbit_number_at
from vires_repo.cached_products.registry import (
    CACHED_PRODUCT_TYPES,
    CachedProductType,
    get_cached_product_type,
)

__all__ = [
    "CACHED_PRODUCT_TYPES",
    "NO_ORBIT",
    "CachedProductInfo",
    "CachedProductType",
    "ConversionResult",
    "convert",
    "dst_at",
    "f107_at",
    "get_cached_product_type",
    "kp_at",
    "orbit_number_at",
    "read_info",
    "read_table",
]
