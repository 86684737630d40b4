"""Tables written by an older format version: ``rebuild`` and ``import`` replace them without
reading them, every other command refuses them with the command to run.

A format-1 table is made from a current one as that version wrote it: the manifest declares
format version 1 and the Parquet files carry no format tag (so they have other content hashes,
hence other names).
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from od_env import GEO_A, MAG_A, OdEnv, identifier, make_env

from vires_repo.errors import IndexFormatError
from vires_repo.io.storage import Storage
from vires_repo.orbit_direction.manifest import MANIFEST_NAME
from vires_repo.orbit_direction.partitions import content_hash
from vires_repo.orbit_direction.store import FOLDER, TableStore, read_table
from vires_repo.services.orbit_direction.lookup import lookup_orbit_directions

TABLES = ("SW_VIRE_AUXAODBGEO", "SW_VIRE_AUXAODBMAG")


def downgrade_to_format_1(storage: Storage, name: str) -> list[str]:
    """Rewrite table ``name`` as format version 1 wrote it; returns its files (relative to the
    catalogue root)."""
    folder = f"{FOLDER}/{name}"
    document = json.loads(storage.read_bytes(f"{folder}/{MANIFEST_NAME}"))
    files = []
    for entry in document["months"]:
        for kind, subfolder in (("points", "points"), ("sources", "sources")):
            if entry[kind] is None:
                continue
            current = f"{folder}/{subfolder}/{entry['month']}-{entry[kind]}.parquet"
            rows = pq.read_table(io.BytesIO(storage.read_bytes(current)))
            buffer = io.BytesIO()
            pq.write_table(rows.replace_schema_metadata(None), buffer, compression="zstd")
            data = buffer.getvalue()
            entry[kind] = content_hash(data)
            old = f"{folder}/{subfolder}/{entry['month']}-{entry[kind]}.parquet"
            storage.write_bytes(old, data)
            storage.remove(current)
            files.append(old)
    document["format_version"] = 1
    storage.write_bytes(f"{folder}/{MANIFEST_NAME}", json.dumps(document, indent=2).encode())
    return [f"{folder}/{MANIFEST_NAME}", *files]


def catalogue_files(storage: Storage) -> dict[str, bytes]:
    """Every file below the catalogue root (relative path -> bytes)."""
    root = storage.path().rstrip("/")
    return {
        str(path)[len(root) :].lstrip("/"): bytes(storage.fs.cat_file(path))
        for path in storage.fs.find(root)
    }


def table_files(storage: Storage) -> dict[str, bytes]:
    return {k: v for k, v in catalogue_files(storage).items() if k.startswith(f"{FOLDER}/")}


def without_update_time(manifest: bytes) -> dict[str, object]:
    document: dict[str, object] = json.loads(manifest)
    assert document.pop("updated")
    return document


def old_tables(env: OdEnv, products: int = 3) -> tuple[list[str], list[str]]:
    """A catalogue with ``products`` products whose two tables are of format 1: (product
    identifiers, files of the old tables)."""
    files = env.products(products)
    assert env.register(*files).code == 0
    storage = env.catalog.storage
    old = [f for name in TABLES for f in downgrade_to_format_1(storage, name)]
    return [identifier(f) for f in files], old


def assert_same_as_fresh_rebuild(env: OdEnv, fresh: OdEnv) -> None:
    """The tables of ``env`` are those a rebuild writes into an empty catalogue, file by file."""
    assert fresh.register(*fresh.products(3), skip=True).code == 0
    result = fresh("orbit_direction", "rebuild", MAG_A)
    assert result.code == 0, result.err
    ours, theirs = table_files(env.catalog.storage), table_files(fresh.catalog.storage)
    assert sorted(ours) == sorted(theirs)
    for path, data in ours.items():
        if path.endswith(MANIFEST_NAME):
            assert without_update_time(data) == without_update_time(theirs[path])
        else:
            assert data == theirs[path], path


def test_rebuild_replaces_a_format_1_table(odenv: OdEnv, tmp_path: Path, cli) -> None:
    ids, old = old_tables(odenv)

    result = odenv("orbit_direction", "rebuild", MAG_A)

    assert result.code == 0, result.err
    assert "INFO: 3 of 3 product(s) processed." in result.err
    assert "ERROR" not in result.err and "WARNING" not in result.err
    now = table_files(odenv.catalog.storage)
    assert not [f for f in old if f in now and not f.endswith(MANIFEST_NAME)]
    geo, qd = odenv.tables()
    assert [s.product_id for s in geo.sources] == ids == [s.product_id for s in qd.sources]
    geo.verify()
    fresh_root = tmp_path / "fresh" if odenv.root.startswith("/") else odenv.root + "-fresh"
    assert_same_as_fresh_rebuild(odenv, make_env(str(fresh_root), odenv.data, cli))
    # and the table is a current one again: the other commands work
    assert odenv("orbit_direction", "sync", MAG_A).code == 0


def test_a_rebuild_without_products_replaces_a_format_1_table_with_an_empty_one(
    odenv: OdEnv,
) -> None:
    ids, _ = old_tables(odenv, products=2)
    assert odenv("product", "deregister", *ids).code == 0

    result = odenv("orbit_direction", "rebuild")

    assert result.code == 0, result.err
    assert sorted(table_files(odenv.catalog.storage)) == [
        f"{FOLDER}/{name}/{MANIFEST_NAME}" for name in TABLES
    ]
    geo, qd = odenv.tables()
    assert len(geo) == len(qd) == 0 and geo.sources == qd.sources == []


def test_import_replaces_a_format_1_table(odenv: OdEnv, tmp_path: Path) -> None:
    exported = str(tmp_path / "SW_VIRE_AUXAODBGEO.cdf")
    files = odenv.products(2)
    assert odenv.register(*files).code == 0
    assert odenv("orbit_direction", "export", "SW_VIRE_AUXAODBGEO", "-f", exported).code == 0
    before = table_files(odenv.catalog.storage)
    storage = odenv.catalog.storage
    old = downgrade_to_format_1(storage, "SW_VIRE_AUXAODBGEO")

    result = odenv("orbit_direction", "import", exported)

    assert result.code == 0, result.err
    now = table_files(storage)
    assert not [f for f in old[1:] if f in now]
    geo_files = [f for f in now if "/SW_VIRE_AUXAODBGEO/" in f]
    assert sorted(geo_files) == sorted(f for f in before if "/SW_VIRE_AUXAODBGEO/" in f)
    for path in geo_files:
        if not path.endswith(MANIFEST_NAME):
            assert now[path] == before[path]
    geo, _ = odenv.tables()
    assert [s.product_id for s in geo.sources] == [identifier(f) for f in files]


def test_a_damaged_manifest_is_replaced_with_every_parquet_file_of_its_folder(
    local_odenv: OdEnv,
) -> None:
    env = local_odenv
    assert env.register(*env.products(2)).code == 0
    storage = env.catalog.storage
    stray = f"{FOLDER}/SW_VIRE_AUXAODBGEO/points/2015-12-000000000000.parquet"
    storage.write_bytes(stray, b"left by an older version")
    storage.write_bytes(f"{FOLDER}/SW_VIRE_AUXAODBGEO/{MANIFEST_NAME}", b"{not json")

    assert env("orbit_direction", "sync").code == 1
    result = env("orbit_direction", "rebuild")

    assert result.code == 0, result.err
    assert not storage.exists(stray)
    geo, _ = env.tables()
    geo.verify()
    assert len(geo.sources) == 2


REFUSING = [
    ("orbit_direction", "update", "{last_product}"),
    ("orbit_direction", "sync"),
    ("orbit_direction", "sync", MAG_A),
    ("orbit_direction", "export", "SW_VIRE_AUXAODBGEO", "-f", "{output}"),
    ("cached_product", "dump"),
    ("sql", "--views"),
]


@pytest.mark.parametrize("command", REFUSING, ids=" ".join)
def test_other_commands_refuse_a_format_1_table_and_change_nothing(
    odenv: OdEnv, tmp_path: Path, command: tuple[str, ...]
) -> None:
    ids, _ = old_tables(odenv)
    storage = odenv.catalog.storage
    before = catalogue_files(storage)
    output = tmp_path / "x.cdf"

    result = odenv(*(arg.format(last_product=ids[-1], output=output) for arg in command))

    manifest = storage.url_of(f"{FOLDER}/SW_VIRE_AUXAODBGEO/{MANIFEST_NAME}")
    assert result.code == 1
    assert result.err == (
        f"ERROR: {manifest} has orbit-direction table format version 1, which this vires_repo "
        "no longer reads; run 'vires-repo orbit_direction rebuild' to rebuild the table (or "
        "import its VirES table file again)\n"
    )
    assert catalogue_files(storage) == before
    assert not output.exists()


def test_lookups_check_and_registration_refuse_a_format_1_table(odenv: OdEnv) -> None:
    old_tables(odenv)
    storage = odenv.catalog.storage
    before = table_files(storage)
    hint = (
        "format version 1, which this vires_repo no longer reads; "
        "run 'vires-repo orbit_direction rebuild'"
    )
    with pytest.raises(IndexFormatError, match=re.escape(hint)):
        lookup_orbit_directions(
            odenv.catalog, "Swarm", "A", None, np.array(["2016-01-01T09:00"], "datetime64[ms]")
        )

    result = odenv("check")
    assert "WARNING: [orbit-direction-sync] the check could not run: " in result.err
    assert hint in result.err

    result = odenv.register(odenv.product(3))

    # the product is registered; the tables are left alone, with the reason and the remedy
    assert f"ERROR: Failed to update the orbit direction tables of {MAG_A}! " in result.err
    assert hint in result.err
    assert table_files(storage) == before


def test_an_interrupted_rebuild_leaves_a_readable_table(local_odenv: OdEnv, monkeypatch) -> None:
    env = local_odenv
    ids, old = old_tables(env)

    class Crash(Exception):
        pass

    def crash(self: Storage, relpath: str) -> None:
        raise Crash(relpath)

    # dies before removing the first old file: the new manifest names only new files
    with monkeypatch.context() as patch:
        patch.setattr(Storage, "remove", crash)
        with pytest.raises(Crash):
            env("orbit_direction", "rebuild")
    geo = read_table(TableStore(env.catalog.storage), GEO_A)  # QD was not reached
    assert [s.product_id for s in geo.sources] == ids
    now = table_files(env.catalog.storage)
    assert [f for f in old if f in now and "GEO/" in f and not f.endswith(MANIFEST_NAME)]

    assert env("orbit_direction", "rebuild").code == 0
    geo, qd = env.tables()
    geo.verify()
    qd.verify()


def test_a_rebuild_interrupted_before_its_commit_leaves_the_old_table(
    local_odenv: OdEnv, monkeypatch
) -> None:
    env = local_odenv
    _, old = old_tables(env)
    storage = env.catalog.storage
    before = {f: storage.read_bytes(f) for f in old}
    write_bytes = Storage.write_bytes

    class Crash(Exception):
        pass

    def crash_on_manifest(self: Storage, relpath: str, data: bytes) -> None:
        if relpath.endswith(MANIFEST_NAME):
            raise Crash(relpath)
        write_bytes(self, relpath, data)

    with monkeypatch.context() as patch:
        patch.setattr(Storage, "write_bytes", crash_on_manifest)
        with pytest.raises(Crash):
            env("orbit_direction", "rebuild")
    assert {f: storage.read_bytes(f) for f in old} == before
    assert "format version 1" in env("orbit_direction", "sync").err

    assert env("orbit_direction", "rebuild").code == 0
    now = table_files(storage)
    assert not [f for f in old if f in now and not f.endswith(MANIFEST_NAME)]
