"""Choosing the files of a multi-file cached product from their names (reference 9.3).

Product names carry ``<start>_<end>_<baseline><version>``. Going back in time from the newest
file, a file is taken when it ends no later than the start of the part taken so far and leaves
a gap of at most ``max_gap``; files ending later (overlapping what is taken) are passed over and
the first larger gap stops the chain, so the result is the latest contiguous part.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from vires_repo.cached_products.product_time import parse_name_time
from vires_repo.cached_products.sources import basename, product_id
from vires_repo.errors import DefinitionError

TIMED_NAME = re.compile(
    r"^(?P<mission>[A-Z0-9]{2})_(?P<kind>[A-Z0-9]{4})_(?P<type>[A-Z0-9_]{10})_"
    r"(?P<start>\d{8}T\d{6})_(?P<end>\d{8}T\d{6})_(?P<baseline>\d{2})(?P<version>\d{2})$"
)


@dataclass(frozen=True)
class TimedProduct:
    """A source file whose name gives its product type, time range, baseline and version."""

    source: str
    identifier: str
    product_type: str
    start: datetime
    end: datetime
    baseline: str
    version: str


def parse_timed_name(source: str) -> TimedProduct:
    identifier = product_id(source)
    match = TIMED_NAME.match(identifier)
    if not match:
        raise DefinitionError(
            f"{basename(source)}: name does not follow "
            "<mission>_<class>_<type>_<start>_<end>_<baseline><version>"
        )
    return TimedProduct(
        source=source,
        identifier=identifier,
        product_type=match["type"],
        start=parse_name_time(match["start"]),
        end=parse_name_time(match["end"]),
        baseline=match["baseline"],
        version=match["version"],
    )


def newest_end_first(product: TimedProduct) -> tuple[datetime, str, str, datetime]:
    """MMA order: latest end, then highest baseline, version and start (sort descending)."""
    return (product.end, product.baseline, product.version, product.start)


def newest_version_first(product: TimedProduct) -> tuple[str, str, datetime, datetime]:
    """CHAOS core order: highest baseline and version, then latest end and start (descending)."""
    return (product.baseline, product.version, product.end, product.start)


def latest_contiguous(
    products: Iterable[TimedProduct],
    max_gap: timedelta,
    order: Callable[[TimedProduct], tuple[object, ...]],
    same_version_only: bool = False,
) -> list[TimedProduct]:
    """The latest contiguous chain of ``products`` in chronological order (empty if none)."""
    ranked = sorted(products, key=order, reverse=True)
    if not ranked:
        return []
    newest = ranked[0]
    chain = [newest]
    chain_start = newest.start
    for product in ranked[1:]:
        if same_version_only and (product.baseline, product.version) != (
            newest.baseline,
            newest.version,
        ):
            break
        if product.end > chain_start:
            continue
        if chain_start - product.end > max_gap:
            break
        chain.append(product)
        chain_start = product.start
    return chain[::-1]


def select_latest(
    sources: Sequence[str],
    product_type: str,
    max_gap: timedelta,
    order: Callable[[TimedProduct], tuple[object, ...]],
    same_version_only: bool = False,
) -> list[TimedProduct]:
    """The latest contiguous chain of ``sources``, all of ``product_type``, chronological."""
    products = [parse_timed_name(source) for source in sources]
    for product in products:
        if product.product_type != product_type:
            raise DefinitionError(
                f"{basename(product.source)}: not a {product_type} product "
                f"(type {product.product_type})"
            )
    selected = latest_contiguous(products, max_gap, order, same_version_only)
    if not selected:
        raise DefinitionError(f"{product_type}: no source file selected")
    return selected
