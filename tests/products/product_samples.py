"""Synthetic product records for the product index tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from vires_repo.products import ProductRecord

T0 = datetime(2020, 1, 1, tzinfo=UTC)
DAY = timedelta(days=1)
STAMP = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def daily(
    day: int,
    collection: str = "SW_OPER_MAGA_LR_1B",
    version: str = "0602",
    **changes: Any,
) -> ProductRecord:
    """A Swarm-like daily product ``day`` days after 2020-01-01."""
    begin = T0 + day * DAY
    end = begin + DAY - timedelta(seconds=1)
    identifier = f"{collection}_{begin:%Y%m%dT%H%M%S}_{end:%Y%m%dT%H%M%S}_{version}_MDR_MAG_LR"
    fields: dict[str, Any] = {
        "collection": collection,
        "identifier": identifier,
        "product_type": "SW_MAGx_LR_1B",
        "begin_time": begin,
        "end_time": end,
        "metadata": {"format": "CDF-generic"},
        "datasets": {"MDR_MAG_LR": {"location": f"/data/{collection}/{identifier}.cdf"}},
        "created": STAMP,
        "updated": STAMP,
    }
    fields.update(changes)
    if "location" not in changes:  # what the index derives: the first dataset's location
        fields["location"] = next(iter(fields["datasets"].values()))["location"]
    return ProductRecord(**fields)
