"""The role of a catalogue instance: ``ops`` (operational), ``test`` or ``dev``.

Kept in the instance's settings, ``.state/instance.json`` (runtime state: a mirror never
carries it, so a test instance stays a test instance after a mirror from ops). Mirroring onto
an ``ops`` instance is almost certainly a mistake and is refused unless forced; a restore of an
instance from its own backup is the exception. An instance without a recorded role has none.
"""

from __future__ import annotations

from typing import Literal, cast, get_args

from vires_repo import jsonio
from vires_repo.errors import ConflictError, IndexFormatError, NotFoundError
from vires_repo.io.storage import STATE_FOLDER, Storage

Role = Literal["ops", "test", "dev"]
ROLES: tuple[Role, ...] = get_args(Role)
SETTINGS_FILE = f"{STATE_FOLDER}/instance.json"


def instance_role(storage: Storage) -> Role | None:
    """The role recorded for the catalogue at ``storage`` (None if none is)."""
    try:
        document = jsonio.loads(storage.read_bytes(SETTINGS_FILE))
    except NotFoundError:
        return None
    except ValueError as error:
        raise IndexFormatError(
            f"{storage.url_of(SETTINGS_FILE)} is not valid JSON: {error}"
        ) from None
    role = document.get("role") if isinstance(document, dict) else None
    if role is None:
        return None
    if role not in ROLES:
        raise IndexFormatError(
            f"{storage.url_of(SETTINGS_FILE)}: role {role!r} is not one of {', '.join(ROLES)}"
        )
    return cast(Role, role)


def set_instance_role(storage: Storage, role: Role) -> Role:
    """Record the instance's role (refusing an unknown one)."""
    try:
        document = jsonio.loads(storage.read_bytes(SETTINGS_FILE))
    except (NotFoundError, ValueError):
        document = {}
    if not isinstance(document, dict):
        document = {}
    document["role"] = role
    storage.write_bytes(SETTINGS_FILE, jsonio.dumps(document).encode("utf-8"))
    return role


def refuse_mirror_onto_ops(storage: Storage, *, force_ops: bool) -> None:
    """A mirror onto an ``ops`` instance needs ``force_ops``."""
    if not force_ops and instance_role(storage) == "ops":
        raise ConflictError(
            f"destination {storage.url} is an ops instance: mirroring onto ops is refused "
            "(restore it from its own backup with 'backup restore', or pass --force-ops)"
        )
