"""``maintenance on|off|status``: the maintenance flag (:mod:`vires_repo.maintenance`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vires_repo.errors import IndexFormatError
from vires_repo.maintenance import (
    MaintenanceState,
    current_user,
    enter_maintenance,
    leave_maintenance,
    maintenance_state,
)

if TYPE_CHECKING:
    from vires_repo.catalog import Catalog

DEFAULT_REASON = "maintenance"


def status(catalog: Catalog) -> MaintenanceState | None:
    """The catalogue's maintenance state, None when writers may write."""
    catalog.require_existing()
    return maintenance_state(catalog.storage)


def turn_on(catalog: Catalog, reason: str | None = None) -> MaintenanceState:
    """Put the catalogue into maintenance: writers other than mirror and restore refuse."""
    catalog.require_existing()
    return enter_maintenance(catalog.storage, reason or DEFAULT_REASON, current_user())


def turn_off(catalog: Catalog) -> MaintenanceState | None:
    """End maintenance; returns the state that ended (None if it was off already)."""
    catalog.require_existing()
    try:
        previous = maintenance_state(catalog.storage)
    except IndexFormatError:  # a damaged flag goes too: 'off' is how an operator removes it
        previous = None
    leave_maintenance(catalog.storage)
    return previous
