"""``vires-repo cached_product``: update and dump the cached auxiliary products and models."""

from __future__ import annotations

from typing import Annotated, Any

from cyclopts import App, Parameter

from vires_repo.cli import _common
from vires_repo.cli._options import OutputFile

app = App(name="cached_product", help="Cached products: update, dump.")


def _known_type(type_: Any, value: Any) -> None:
    """Usage-level check of TYPE (VirES validates it with argparse choices)."""
    from vires_repo.services.cached_product import cached_product_types

    choices = cached_product_types()
    if value not in choices:
        raise ValueError(
            f"Unknown cached product type {value!r}; expected one of: {', '.join(choices)}"
        )


@app.command
def update(
    type_: Annotated[str, Parameter(name="TYPE", validator=_known_type)],
    sources: Annotated[list[str], Parameter(name="SOURCE")],
    /,
) -> None:
    """Convert source files into a cached product and record it in the catalogue.

    The product is written to cached_products/ below the catalogue root and recorded in
    cached_products/_manifest.json. Sources giving the content already cached change no file.
    A failure leaves the cached product as it was (exit code 1).

    Parameters
    ----------
    type_
        Cached product type, e.g. GFZ_AUX_KP, AUX_F10_2_, AUXAORBCNT, MCO_SHA_2C (an unknown
        type is answered with the list of all).
    sources
        Source files (local paths or fsspec URLs); MCO_SHA_2X and the MMA types take several
        and keep the latest contiguous series.
    """
    from vires_repo.services import cached_product as service

    result = service.update_cached_product(_common.session.catalog(), type_, sources)
    _common.info(result.summary())


@app.command
def dump(
    types: Annotated[list[str] | None, Parameter(name="TYPE")] = None,
    /,
    *,
    file: OutputFile = "-",
) -> None:
    """Write the state of the cached products as a JSON list (all, or the types named).

    Each record holds the identifier, the last update time, the location of the data file and
    the source product identifiers; a product never updated has "updated": null.

    Parameters
    ----------
    types
        Cached product types, in the order wanted (default: all, sorted).
    """
    from vires_repo.services import cached_product as service
    from vires_repo.services.orbit_direction import info as orbit_direction

    catalog = _common.session.catalog()
    catalog.require_existing()
    tables = orbit_direction.cached_product_records(catalog)
    records = service.dump_cached_products(catalog, types or (), extra=tables)
    _common.write_json(file, records)
