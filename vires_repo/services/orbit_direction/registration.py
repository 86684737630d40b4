"""The orbit-direction side of ``product register`` and ``product deregister``.

Registration adds the registered or updated products to the tables of their collection
(reference 6.1.6), and the products it skipped as registered before when the tables lack them;
de-registration leaves the tables alone and says how to bring them in step.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from vires_repo.catalog import Catalog
from vires_repo.errors import (
    OrbitDirectionIntegrityError,
    ProductIntegrityError,
    ViresRepoError,
)
from vires_repo.services.messages import Messages
from vires_repo.services.orbit_direction.maintenance import sync_or_rebuild, update_collection
from vires_repo.services.orbit_direction.reporting import REGISTRATION_LOG
from vires_repo.services.orbit_direction.sources import source_collection


def update_after_registration(
    catalog: Catalog,
    collection_id: str,
    product_ids: Sequence[str],
    say: Messages = REGISTRATION_LOG,
    *,
    already_registered: Sequence[str] = (),
) -> int:
    """Post-registration action (reference 6.1.6): add the registered or updated products to
    the tables of their collection, falling back to a sync and then a rebuild on integrity
    errors. Never raises for a product; returns the number of products that failed (all of
    them when the tables could not be read).

    ``already_registered`` are the products of the batch that the registration skipped as
    registered before: they are added too when the tables lack them (a run killed between its
    index commit and this update), so that a rerun leaves the tables as an uninterrupted run;
    those already processed cost a look at the tables and say nothing."""
    changed = set(product_ids)
    recheck = {i for i in already_registered if i not in changed}
    wanted = [*dict.fromkeys(product_ids), *sorted(recheck)]
    if not wanted:
        return 0
    try:
        source = source_collection(catalog, collection_id)
        if source is None:
            return 0
        with catalog.writing():
            items = catalog.products.find(wanted, [collection_id])
            if not items:
                return 0
            try:
                result = update_collection(catalog, source, items, say, unless_processed=recheck)
            except OrbitDirectionIntegrityError as error:
                product_id = (
                    error.product_id
                    if isinstance(error, ProductIntegrityError)
                    else ", ".join(wanted)
                )
                say.warning(
                    f"Failed to update orbit direction table for {product_id} product! {error}"
                )
                result = sync_or_rebuild(catalog, source, say)
    except ViresRepoError as error:
        say.error(f"Failed to update the orbit direction tables of {collection_id}! {error}")
        return len(wanted)
    return result.failed


def deregistration_note(catalog: Catalog, collections: Iterable[str]) -> str | None:
    """The INFO line ``product deregister`` prints when it removed products of source
    collections: their boundaries stay in the tables until the next sync."""
    affected = []
    for collection in sorted(set(collections)):
        try:
            if source_collection(catalog, collection) is not None:
                affected.append(collection)
        except ViresRepoError:
            continue
    if not affected:
        return None
    names = " ".join(affected)
    return (
        f"The orbit-direction tables still hold the boundaries of the de-registered products "
        f"of {', '.join(affected)}; run 'orbit_direction sync {names}' to remove them."
    )
