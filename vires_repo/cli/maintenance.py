"""``vires-repo maintenance on|off|status``: maintenance mode of the catalogue."""

from __future__ import annotations

from typing import Annotated

from cyclopts import App, Parameter

from vires_repo.cli import _common

MAINTENANCE_ON_EXIT_CODE = 3
"""Exit code of ``maintenance status`` while the catalogue is in maintenance (0 when it is
not, 1 for an error such as a missing catalogue), so a workflow can tell the three apart."""

app = App(
    name="maintenance",
    help="Maintenance mode: while on, every writer except mirror and restore refuses with the "
    "reason; readers keep working.",
)


@app.command
def on(*, reason: Annotated[str | None, Parameter(name="--reason")] = None) -> None:
    """Put the catalogue into maintenance mode.

    Writers (register, import, deregister, compact, purge, orbit_direction and cached_product
    updates, ...) then fail with one ERROR line giving the reason; mirror and restore still
    write. Running writers finish first.

    Parameters
    ----------
    reason
        Why, shown to every refused writer (default: "maintenance").
    """
    from vires_repo.services import maintenance

    state = maintenance.turn_on(_common.session.catalog(), reason)
    _common.info(f"catalogue in maintenance mode {state.describe()}")


@app.command
def off() -> None:
    """End maintenance mode: writers may write again."""
    from vires_repo.services import maintenance

    previous = maintenance.turn_off(_common.session.catalog())
    if previous is None:
        _common.info("catalogue was not in maintenance mode")
    else:
        _common.info(f"maintenance mode ended (it was on {previous.describe()})")


@app.command
def status() -> int:
    """Print whether the catalogue is in maintenance mode.

    Prints ``off`` (exit 0), or ``on`` and the reason, since when and by whom (exit 3); an
    error (no catalogue) exits 1. A workflow skips its writes when the exit code is 3.
    """
    from vires_repo.services import maintenance

    state = maintenance.status(_common.session.catalog())
    if state is None:
        _common.print_lines(["off"])
        return 0
    _common.print_lines(
        [
            "on",
            f"reason: {state.reason}",
            f"since: {state.since.strftime('%Y-%m-%dT%H:%M:%SZ')}",
            f"by: {state.by}",
        ]
    )
    return MAINTENANCE_ON_EXIT_CODE
