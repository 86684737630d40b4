"""``lock status`` and ``lock clear``: inspect the catalogue write lock, remove a stale one.

A writer's lock ends with it anyway (a local file lock when its process dies, an object-store
lock when a waiter finds it not renewed for ``VIRES_LOCK_STALE_AFTER`` seconds), so clearing is
housekeeping and an operator's tool after a crash, never needed for correctness: a stale lock is
removed only if it is still the version that was judged stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from vires_repo.errors import UsageError
from vires_repo.io.locks import FREE, HELD, LockStatus

if TYPE_CHECKING:
    from vires_repo.catalog import Catalog


def lock_status(catalog: Catalog) -> LockStatus:
    """The state of the catalogue lock: free, held (by whom, since when) or stale."""
    catalog.require_existing()
    return catalog.storage.lock_status()


def status_lines(catalog: Catalog, status: LockStatus) -> list[str]:
    """``lock status`` output, one ``key: value`` a line."""
    lines = [
        f"catalogue: {catalog.url}",
        f"lock: {status.kind} {status.location}",
        f"state: {status.state}",
    ]
    if status.holder is not None:
        lines.append(f"holder: {status.holder}")
    if status.since is not None:
        lines.append(f"since: {status.since}")
    if status.kind == "object store":
        if status.age_seconds is not None:
            renewed = status.renewed or "unknown"
            lines.append(f"last renewal: {renewed} ({status.age_seconds:.0f} s ago)")
        lines.append(f"stale after: {status.stale_after:g} s")
    elif status.state != FREE:
        lines.append("last renewal: none (a local lock lasts as long as its holder's process)")
    return lines


@dataclass(frozen=True)
class ClearOutcome:
    """What ``lock clear`` found and did; ``message`` says whose lock it was."""

    found: LockStatus
    cleared: bool
    message: str
    forced: bool = False


def _whose(status: LockStatus) -> str:
    since = f" since {status.since}" if status.since else ""
    return f"held by {status.holder}{since}"


def clear_lock(
    catalog: Catalog, *, expired_only: bool = False, force: bool = False
) -> ClearOutcome:
    """Remove a stale lock. A live one raises :class:`~vires_repo.errors.LockHeldError`
    unless ``force`` (object store only) or ``expired_only`` (then it is kept, no error)."""
    if expired_only and force:
        raise UsageError("lock clear: --expired and --force exclude each other")
    catalog.require_existing()
    if expired_only:
        found = catalog.storage.lock_status()
        if found.state == HELD:
            return ClearOutcome(
                found, False, f"the lock of catalogue {catalog.url} is live, {_whose(found)}: kept"
            )
    found = catalog.storage.clear_lock(force=force)
    if found.state == FREE:
        return ClearOutcome(
            found, False, f"catalogue {catalog.url} is not locked: nothing to clear"
        )
    if found.state == HELD:
        return ClearOutcome(
            found,
            True,
            f"broke the live lock of catalogue {catalog.url} {_whose(found)} (--force): that "
            "writer fails when it next renews or releases the lock",
            forced=True,
        )
    return ClearOutcome(
        found, True, f"cleared the stale lock of catalogue {catalog.url} {_whose(found)}"
    )
