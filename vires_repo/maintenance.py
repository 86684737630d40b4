"""Maintenance mode: a flag file that makes every catalogue writer refuse, with a reason.

The flag is ``<catalogue root>/.state/maintenance.json`` (local folder or object store,
written atomically through the storage seam; ``.state/`` is not versioned). While it exists,
:meth:`vires_repo.catalog.Catalog.writing`, where every writer takes the catalogue lock,
raises :class:`~vires_repo.errors.MaintenanceError` with the reason, before waiting for the
lock and again once holding it; readers never look at it. Mirror and restore, which put a
catalogue into maintenance so that nobody writes into a half-copied state, pass
``during_maintenance=True`` there.

Entering and leaving do not take the catalogue lock: a writer already running finishes, the
next one refuses (and a mirror holding the lock can set and clear the flag itself).
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import UTC, datetime

from vires_repo import jsonio
from vires_repo.errors import IndexFormatError, MaintenanceError, NotFoundError
from vires_repo.io.storage import STATE_FOLDER, Storage

MAINTENANCE_FILE = f"{STATE_FOLDER}/maintenance.json"
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True)
class MaintenanceState:
    """Why, since when and by whom a catalogue is in maintenance."""

    reason: str
    since: datetime
    by: str

    def describe(self) -> str:
        """One line for messages: ``since TIME by WHO: REASON``."""
        return f"since {self.since.strftime(_TIME_FORMAT)} by {self.by}: {self.reason}"


def _storage(root: str | Storage) -> Storage:
    return root if isinstance(root, Storage) else Storage(root)


def maintenance_state(root: str | Storage) -> MaintenanceState | None:
    """The maintenance state of the catalogue at ``root`` (a URL or its Storage); None if off."""
    storage = _storage(root)
    try:
        text = storage.read_text(MAINTENANCE_FILE)
    except NotFoundError:
        return None
    try:
        document = jsonio.loads(text)
        return MaintenanceState(
            reason=jsonio.typed(document["reason"], str),
            since=datetime.strptime(jsonio.typed(document["since"], str), _TIME_FORMAT).replace(
                tzinfo=UTC
            ),
            by=jsonio.typed(document["by"], str),
        )
    except (ValueError, KeyError, TypeError) as error:
        # a damaged flag still means "in maintenance": refusing writes is the safe side
        raise IndexFormatError(
            f"{storage.url_of(MAINTENANCE_FILE)} is not a valid maintenance flag ({error}); "
            "remove it with 'vires-repo maintenance off' or fix it"
        ) from None


def maintenance_reason(root: str | Storage) -> str | None:
    """Why the catalogue at ``root`` is in maintenance mode, as one line (``since TIME by WHO:
    REASON``), or None when it is not; a damaged flag counts as maintenance (its error)."""
    try:
        state = maintenance_state(root)
    except IndexFormatError as error:
        return str(error)
    return None if state is None else state.describe()


def enter_maintenance(root: str | Storage, reason: str, by: str) -> MaintenanceState:
    """Put the catalogue into maintenance (replacing an earlier reason); returns the state."""
    state = MaintenanceState(reason=reason, since=datetime.now(UTC).replace(microsecond=0), by=by)
    document = {"reason": state.reason, "since": state.since.strftime(_TIME_FORMAT), "by": by}
    _storage(root).write_text(MAINTENANCE_FILE, jsonio.dumps(document))
    return state


def leave_maintenance(root: str | Storage) -> None:
    """End maintenance (nothing happens if the catalogue is not in maintenance)."""
    _storage(root).remove(MAINTENANCE_FILE)


def refuse_during_maintenance(storage: Storage) -> None:
    """Raise :class:`MaintenanceError` with the reason if the catalogue is in maintenance."""
    try:
        state = maintenance_state(storage)
    except IndexFormatError as error:
        raise MaintenanceError(f"catalogue {storage.url} refuses writes: {error}") from None
    if state is not None:
        raise MaintenanceError(
            f"catalogue {storage.url} is in maintenance mode {state.describe()} (writes are "
            "refused until 'vires-repo maintenance off')"
        )


def current_user() -> str:
    """Who runs this process, for the records of who did what: ``user@host``."""
    try:
        import getpass  # (its imports: only for whoever turns maintenance on)

        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (some containers)
        user = "unknown"
    return f"{user}@{socket.gethostname()}"
