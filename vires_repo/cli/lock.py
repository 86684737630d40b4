"""``vires-repo lock status|clear``: the catalogue write lock."""

from __future__ import annotations

from cyclopts import App

from vires_repo.cli import _common

app = App(name="lock", help="The catalogue write lock: status, clear.")


@app.command
def status() -> None:
    """Show the catalogue lock: local file lock or object-store lock, free, held or stale,
    the holder, since when and (object store) the last renewal."""
    from vires_repo.services import locks

    catalog = _common.session.catalog()
    _common.print_lines(locks.status_lines(catalog, locks.lock_status(catalog)))


@app.command
def clear(*, expired: bool = False, force: bool = False) -> None:
    """Remove a stale catalogue lock, saying whose it was.

    A stale lock is an object-store lock not renewed for $VIRES_LOCK_STALE_AFTER seconds, or
    a local lock file still naming a holder that was killed. A live lock is refused (exit 1)
    unless --force.

    Parameters
    ----------
    expired
        Remove the lock only if it is stale; a live lock is kept without error (for nightly
        housekeeping).
    force
        Also break a live object-store lock (its writer then fails). A live local lock cannot
        be broken: the operating system holds it for the writer's process.
    """
    from vires_repo.services import locks

    outcome = locks.clear_lock(_common.session.catalog(), expired_only=expired, force=force)
    (_common.warning if outcome.forced else _common.info)(outcome.message)
