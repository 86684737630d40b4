"""``vires-repo product``: register, list, exists, export, import, deregister, compact."""

from __future__ import annotations

from typing import Annotated

from cyclopts import App, Parameter

from vires_repo.cli import _common, lookups
from vires_repo.cli._options import InputFile, OutputFile, ProductOptions

app = App(
    name="product",
    help="Registered products: register, list, exists, export, import, deregister, undelete, "
    "compact.",
)


Identifiers = Annotated[
    list[str] | None, Parameter(help="Product identifiers (data-file locations with -l).")
]


@app.command
def register(
    files: Annotated[
        list[str] | None, Parameter(help="Product data files (paths or URLs).")
    ] = None,
    /,
    *,
    collection: Annotated[str, Parameter(name=["--collection", "--product-collection", "-c"])],
    file: Annotated[str | None, Parameter(name=["--file", "-f"], allow_leading_hyphen=True)] = None,
    update: Annotated[bool, Parameter(name=["--update", "--re-register"])] = False,
    ignore_overlaps: bool = False,
    skip_post_registration_actions: bool = False,
) -> int:
    """Register product data files in a collection, reading their times from the files.

    The identifier is the file name without its last extension. A product whose time range
    touches that of a registered product of the collection replaces it ("last registered
    wins") unless --ignore-overlaps is given. Exit code 1 if any product failed.

    Parameters
    ----------
    collection
        The collection the products belong to (required).
    file
        Read the file names from this file, one per line ('#' comments and blank lines
        ignored); '-' reads standard input.
    update
        Update the record of an already registered product (default: skip it).
    ignore_overlaps
        Keep time-overlapping products of the collection registered.
    skip_post_registration_actions
        Do not update the orbit-direction tables (run 'orbit_direction sync' later).
    """
    from vires_repo.services import product_registration as service

    names = list(files or [])
    if file is not None:
        names += service.parse_file_list(*_common.read_input(file))
    with _common.progress_reporter("Registering", "products") as progress:
        result = service.register_products(
            _common.session.catalog(),
            collection,
            names,
            update=update,
            ignore_overlaps=ignore_overlaps,
            skip_post_registration_actions=skip_post_registration_actions,
            progress=progress,
        )
    return min(1, _common.report(result, prefix=""))


@app.command(name="list")
def list_(identifiers: Identifiers = None, /, *, selection: ProductOptions | None = None) -> None:
    """Print the selected products as <collection>/<identifier>, by collection and time."""
    lookups.print_products((selection or ProductOptions()).build(identifiers))


@app.command
def exists(
    identifier: Annotated[str, Parameter(help="Product identifier (a location with -l).")],
    /,
    *,
    not_: Annotated[bool, Parameter(name="--not")] = False,
    selection: ProductOptions | None = None,
) -> int:
    """Tell whether a product exists: exit 0 if it does, 1 if not (--not inverts).

    Parameters
    ----------
    not_
        Invert the exit code: 0 when the product does not exist.
    """
    chosen = (selection or ProductOptions()).build([identifier])
    return lookups.tell_exists(identifier, chosen, not_)


@app.command
def export(
    identifiers: Identifiers = None,
    /,
    *,
    file: OutputFile = "-",
    selection: ProductOptions | None = None,
) -> None:
    """Write the selected product records as a JSON list (the VirES export format)."""
    from vires_repo.services import product as service

    chosen = (selection or ProductOptions()).build(identifiers)
    records = service.select_products(
        _common.session.catalog(), chosen, lookups.warnings_on_console()
    )
    _common.write_json(file, [service.export_record(r) for r in records])


@app.command(name="import")
def import_(
    identifiers: Identifiers = None,
    /,
    *,
    file: InputFile = "-",
    update: bool = False,
    sync: Annotated[bool, Parameter(name=["--sync", "--remove-missing"])] = False,
    selection: ProductOptions | None = None,
) -> int:
    """Import product records exported by 'product export' (no data file is read).

    The selection options filter the input records (filtered ones count as skipped) and,
    with --sync, the stored products that may be removed. No orbit-direction update is made:
    run 'orbit_direction sync' afterwards.

    Parameters
    ----------
    update
        Overwrite the times, datasets and metadata of products already registered.
    sync
        Also de-register selected products that are not in the input.
    """
    from vires_repo.services import product_import

    with _common.local_input(file) as (path, name):
        imported, removed = product_import.import_products(
            _common.session.catalog(),
            path,
            (selection or ProductOptions()).build(identifiers),
            update=update,
            sync=sync,
            say=lookups.warnings_on_console(),
            source_name=name,
        )
    code = _common.report(removed) if sync else 0
    return _common.report(imported) or code


@app.command
def deregister(
    identifiers: Identifiers = None,
    /,
    *,
    all_: Annotated[bool, Parameter(name=["--all", "-a"])] = False,
    reason: Annotated[str, Parameter(name="--reason")] = "",
    selection: ProductOptions | None = None,
) -> int:
    """De-register the selected products (the data files stay where they are).

    The records are kept as deleted (who, when, why), hidden from every read command and
    SQL view, and can be restored with 'product undelete' until 'purge' removes them.
    Without identifiers nothing is removed unless --all (or --invalid-only) is given.
    Exit code: the number of products that failed to be de-registered.

    Parameters
    ----------
    all_
        De-register all products matching the selection options.
    reason
        Why, kept with the deleted records.
    """
    from vires_repo.services import product as service

    result = service.deregister_products(
        _common.session.catalog(),
        (selection or ProductOptions()).build(identifiers),
        all_=all_,
        reason=reason,
        say=lookups.warnings_on_console(),
    )
    return _common.report(result)


@app.command
def undelete(
    identifiers: Annotated[list[str], Parameter(help="Identifiers of de-registered products.")],
    /,
    *,
    collections: Annotated[
        list[str] | None, Parameter(name=["--collection", "--product-collection", "-c"])
    ] = None,
) -> int:
    """Restore de-registered products, as they were, until they are purged.

    Exit code: the number of identifiers that are not deleted products.

    Parameters
    ----------
    collections
        Look in these collections only (default: all).
    """
    from vires_repo.services import product as service

    result = service.undelete_products(
        _common.session.catalog(), identifiers, collections or (), say=lookups.warnings_on_console()
    )
    return _common.report(result)


@app.command
def compact(
    collections: Annotated[list[str] | None, Parameter(help="Collections (default: all).")] = None,
    /,
) -> None:
    """Merge each collection's index files into few files and drop replaced and purged rows
    (de-registered products stay restorable until 'purge').

    Registration compacts a collection by itself once it has many small files; this command
    does it now (e.g. before a release of the catalogue).
    """
    from vires_repo.services import product as service

    for line in service.compact(_common.session.catalog(), collections or ()):
        _common.info(line)
