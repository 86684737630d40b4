"""Permissions and groups as catalogue definitions (VirES's defaults when there are none),
users' groups as runtime state, and owner_has_permission."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from vires_repo.catalog import Catalog
from vires_repo.errors import DefinitionError, NotFoundError
from vires_repo.jobs.permissions import (
    USERS_FILE,
    default_access,
    load_access,
    owner_has_permission,
    owner_permissions,
    set_user_groups,
    user_groups,
    write_access,
)


def test_the_vires_defaults() -> None:
    access = default_access()

    assert sorted(access.permissions) == [
        "admin", "swarm", "swarm_advanced", "swarm_disc", "swarm_vre"
    ]  # fmt: skip
    assert list(access.groups) == [
        "admin", "privileged", "default", "swarm_vre", "swarm_disc", "swarm_advanced"
    ]  # fmt: skip
    assert access.groups["swarm_disc"].permissions == ("swarm", "swarm_vre", "swarm_disc")


def test_owners_get_the_permissions_of_their_groups(catalog: Catalog) -> None:
    set_user_groups(catalog, "alice", ("default",))
    set_user_groups(catalog, "bob", ("swarm_vre", "swarm_advanced"))

    assert owner_has_permission(catalog, "alice", "swarm")
    assert not owner_has_permission(catalog, "alice", "swarm_vre")
    assert owner_permissions(catalog, "bob") == {"swarm", "swarm_vre", "swarm_advanced"}
    assert not owner_has_permission(catalog, "carol", "swarm")  # no groups
    assert not owner_has_permission(catalog, None, "swarm")
    assert owner_has_permission(catalog, None, None)  # a collection without requirement
    assert not owner_has_permission(catalog, "bob", "__restricted__")
    assert user_groups(catalog) == {"alice": ("default",), "bob": ("swarm_advanced", "swarm_vre")}

    set_user_groups(catalog, "alice", ())
    assert "alice" not in user_groups(catalog)
    with pytest.raises(NotFoundError, match="group.s. nope not defined"):
        set_user_groups(catalog, "alice", ("nope",))


def test_the_catalogue_s_definitions_replace_the_defaults(catalog: Catalog) -> None:
    write_access(catalog, default_access())
    catalog.storage.write_text(
        "groups/imf.json",
        '{"name": "imf", "title": "IMF licensees", "permissions": ["__restricted__"]}\n',
    )
    catalog.storage.write_text("permissions/__restricted__.json", '{"name": "__restricted__"}\n')
    set_user_groups(catalog, "dora", ("imf",))

    assert owner_has_permission(catalog, "dora", "__restricted__")
    assert catalog.storage.read_text("groups/default.json") == (
        '{\n  "name": "default",\n  "title": "Default VirES for Swarm user",\n'
        '  "permissions": [\n    "swarm"\n  ]\n}\n'
    )
    assert len(load_access(catalog).groups) == 7


@pytest.mark.parametrize(
    ("path", "text", "message"),
    [
        ("groups/g.json", '{"name": "g", "permissions": ["nope"]}', "grants undefined permission"),
        ("groups/g.json", '{"name": "g", "colour": "red"}', "colour: Extra inputs"),
        ("groups/g.json", '{"name": "h"}', "must be named h.json"),
        ("permissions/p.json", "{", "invalid JSON"),
    ],
)
def test_bad_definitions_are_named(catalog: Catalog, path: str, text: str, message: str) -> None:
    write_access(catalog, default_access())
    catalog.storage.write_text(path, text)

    with pytest.raises(DefinitionError, match=message):
        owner_has_permission(catalog, "alice", "swarm")


def test_bad_users_file(catalog: Catalog) -> None:
    catalog.storage.write_text(USERS_FILE, '{"users": {"alice": "default"}}')

    with pytest.raises(DefinitionError, match="users.json: expected"):
        owner_permissions(catalog, "alice")


def test_the_users_file_stays_out_of_git(tmp_path: Path) -> None:
    root = tmp_path / "catalog"
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    set_user_groups(Catalog(str(root)), "alice", ("default",))

    status = subprocess.run(
        ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=all"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip

    assert (root / USERS_FILE).exists()
    assert status == ""
