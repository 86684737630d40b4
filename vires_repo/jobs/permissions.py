"""Who may run what: permissions and groups as catalogue definitions, users' groups as state.

* ``permissions/<name>.json`` (``{"name", "description"}``) and ``groups/<name>.json``
  (``{"name", "title", "permissions": [...]}``) in the catalogue, reviewed in pull requests like
  the product types; a catalogue that defines none has VirES's defaults (``admin``, ``swarm``,
  ``swarm_vre``, ``swarm_disc``, ``swarm_advanced``; groups ``admin``, ``privileged``,
  ``default``, ``swarm_vre``, ``swarm_disc``, ``swarm_advanced``).
* ``.state/users.json``: which groups each user belongs to. Personal data, so runtime state
  outside git (``.state/`` ignores itself), never a definition.

A collection's ``requiredPermission`` is granted to an owner when one of the owner's groups has
it (as VirES matches it against ``user.vires_permissions``); a collection without one is public.
No group grants ``__restricted__`` unless a definition says so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from vires_repo import jsonio
from vires_repo.errors import DefinitionError, NotFoundError
from vires_repo.io.storage import STATE_FOLDER

if TYPE_CHECKING:
    from vires_repo.catalog import Catalog

PERMISSIONS = "permissions"
GROUPS = "groups"
USERS_FILE = f"{STATE_FOLDER}/users.json"

Name = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.@+-]*$", max_length=150)]


class Permission(BaseModel):
    """A permission (VirES ``vires_oauth`` permission)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: Name
    description: str = ""


class Group(BaseModel):
    """A group of users and the permissions it grants."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: Name
    title: str = ""
    permissions: tuple[Name, ...] = ()


@dataclass(frozen=True)
class AccessDefinitions:
    permissions: dict[str, Permission]
    groups: dict[str, Group]

    def check(self, source: str) -> AccessDefinitions:
        """Every group's permissions are defined."""
        for group in self.groups.values():
            unknown = sorted(set(group.permissions) - self.permissions.keys())
            if unknown:
                raise DefinitionError(
                    f"{source}: group {group.name} grants undefined permission(s) "
                    f"{', '.join(unknown)}"
                )
        return self


def _parse(kind: type[BaseModel], item: Any, source: str) -> Any:
    try:
        return kind.model_validate(item)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "document"
        raise DefinitionError(f"{source}: {where}: {first['msg']}", error) from None


def default_access() -> AccessDefinitions:
    """VirES's default permissions and groups."""
    data = resources.files("vires_repo.jobs") / "data"
    permissions = [
        _parse(Permission, item, "default permissions")
        for item in json.loads((data / "permissions.json").read_text(encoding="utf-8"))
    ]
    groups = [
        _parse(Group, item, "default groups")
        for item in json.loads((data / "groups.json").read_text(encoding="utf-8"))
    ]
    return AccessDefinitions({p.name: p for p in permissions}, {g.name: g for g in groups}).check(
        "default groups"
    )


def _read_folder(catalog: Catalog, folder: str, kind: type[BaseModel]) -> dict[str, Any]:
    found = {}
    for file_name in catalog.storage.listdir(folder):
        if not file_name.endswith(".json"):
            continue
        source = f"{folder}/{file_name}"
        try:
            item = jsonio.loads(catalog.storage.read_text(source))
        except json.JSONDecodeError as error:
            raise DefinitionError(f"{source}: invalid JSON: {error}") from None
        definition = _parse(kind, item, source)
        if f"{definition.name}.json" != file_name:
            raise DefinitionError(f"{source}: the file of {definition.name} must be named "
                                  f"{definition.name}.json")  # fmt: skip
        found[definition.name] = definition
    return found


def load_access(catalog: Catalog) -> AccessDefinitions:
    """The catalogue's permissions and groups, or VirES's defaults if it defines none."""
    permissions = _read_folder(catalog, PERMISSIONS, Permission)
    groups = _read_folder(catalog, GROUPS, Group)
    if not permissions and not groups:
        return default_access()
    return AccessDefinitions(permissions, groups).check(f"catalogue {catalog.url}")


def write_access(catalog: Catalog, access: AccessDefinitions) -> None:
    """Write the definitions into the catalogue (e.g. the defaults, to edit them there)."""
    access.check("definitions to write")
    with catalog.writing():
        for folder, items in ((PERMISSIONS, access.permissions), (GROUPS, access.groups)):
            for name, item in sorted(items.items()):
                value = item.model_dump(mode="json")
                catalog.storage.write_if_changed(
                    f"{folder}/{name}.json", jsonio.dumps(value).encode("utf-8")
                )


# -- users' groups (runtime state) -----------------------------------------------------------


def user_groups(catalog: Catalog) -> dict[str, tuple[str, ...]]:
    """Each user's groups, from ``.state/users.json`` (none if it does not exist)."""
    try:
        document = jsonio.loads(catalog.storage.read_text(USERS_FILE))
    except NotFoundError:
        return {}
    except json.JSONDecodeError as error:
        raise DefinitionError(f"{USERS_FILE}: invalid JSON: {error}") from None
    users = document.get("users") if isinstance(document, dict) else None
    if not isinstance(users, dict) or not all(
        isinstance(groups, list) and all(isinstance(g, str) for g in groups)
        for groups in users.values()
    ):
        raise DefinitionError(f'{USERS_FILE}: expected {{"users": {{"<user>": ["<group>", ...]}}}}')
    return {user: tuple(groups) for user, groups in users.items()}


def set_user_groups(catalog: Catalog, user: str, groups: tuple[str, ...]) -> None:
    """Make ``groups`` (defined ones) the groups of ``user``; no groups removes the user."""
    defined = load_access(catalog).groups
    unknown = sorted(set(groups) - defined.keys())
    if unknown:
        raise NotFoundError(f"group(s) {', '.join(unknown)} not defined")
    with catalog.writing():
        users = dict(user_groups(catalog))
        if groups:
            users[user] = tuple(sorted(set(groups)))
        else:
            users.pop(user, None)
        document = {"users": {name: list(users[name]) for name in sorted(users)}}
        catalog.storage.write_text(USERS_FILE, jsonio.dumps(document))


def owner_permissions(catalog: Catalog, owner: str | None) -> frozenset[str]:
    """The permissions the groups of ``owner`` grant (none for no owner or no groups)."""
    if owner is None:
        return frozenset()
    access = load_access(catalog)
    granted: set[str] = set()
    for name in user_groups(catalog).get(owner, ()):
        group = access.groups.get(name)
        if group is not None:  # a group since removed from the definitions grants nothing
            granted.update(group.permissions)
    return frozenset(granted)


def owner_has_permission(catalog: Catalog, owner: str | None, permission: str | None) -> bool:
    """Whether ``owner`` may use what requires ``permission`` (None: public, always)."""
    return permission is None or permission in owner_permissions(catalog, owner)
