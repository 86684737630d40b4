"""Soft delete through the command line: ``product deregister --reason`` hides the products
from every read command and SQL, ``product undelete`` restores them."""

from __future__ import annotations

import json
from pathlib import Path

import fsspec
from pcli_env import MAG_A, MAG_B, ProductEnv, ident, labelled

from vires_repo.products.manifest import manifest_path
from vires_repo.testing.mag_products import write_small_mag_lr_products


def _deleted(env: ProductEnv, collection: str = MAG_A) -> list[dict[str, str]]:
    with fsspec.open(f"{env.root}/{manifest_path(collection)}", "rt") as stream:
        records: list[dict[str, str]] = json.load(stream).get("deleted", [])
    return records


def _registered(env: ProductEnv, count: int = 3) -> list[str]:
    locations = write_small_mag_lr_products(env.data, count, records=2)
    assert env.register(MAG_A, *locations).code == 0
    return [ident(location) for location in locations]


def test_deregistered_products_are_hidden_and_restorable(env: ProductEnv) -> None:
    first, second, third = _registered(env)
    exported = env.exported()

    result = env("product", "deregister", second, "--reason", "bad calibration")

    assert result.code == 0, result.err
    assert [line.rsplit("/", 1)[-1] for line in env.listed()] == [first, third]
    assert [record["identifier"] for record in env.exported()] == [first, third]
    assert env("product", "exists", second).code == 1
    sql = env("sql", f"SELECT count(*) AS n FROM products WHERE identifier = '{second}'")
    assert sql.out.splitlines()[-1].strip().endswith("0")
    [record] = _deleted(env)
    assert record["identifier"] == second
    assert record["reason"] == "bad calibration"
    assert "@" in record["deleted_by"]
    assert record["deleted_at"].endswith("Z")

    result = env("product", "undelete", second)

    assert result.code == 0, result.err
    assert labelled(result.err, "INFO") == [
        f"INFO: product {MAG_A}/{second} restored",
        "INFO: 1 of 1 product restored.",
    ]
    assert env.exported() == exported
    assert _deleted(env) == []


def test_undelete_of_what_is_not_deleted_fails_per_identifier(env: ProductEnv) -> None:
    first, second, _ = _registered(env)
    assert env("product", "deregister", second).code == 0

    result = env("product", "undelete", first, second, "nothing-like-it")

    assert result.code == 2
    assert labelled(result.err, "ERROR") == [
        f"ERROR: product {name} is not a deleted product (never de-registered, registered again "
        "or purged); nothing restored"
        for name in (first, "nothing-like-it")
    ]
    assert second in {line.rsplit("/", 1)[-1] for line in env.listed()}


def test_undelete_in_named_collections_only(env: ProductEnv) -> None:
    _, second, _ = _registered(env)
    assert env("product", "deregister", second).code == 0

    elsewhere = env("product", "undelete", second, "-c", MAG_B)
    unknown = env("product", "undelete", second, "-c", "NO_SUCH_COLLECTION")

    assert elsewhere.code == 1
    assert (unknown.code, unknown.out) == (1, "")
    assert unknown.err == "ERROR: The product collection NO_SUCH_COLLECTION does not exist!\n"
    assert env("product", "undelete", second, "-c", MAG_A).code == 0


def test_undelete_needs_identifiers(env: ProductEnv) -> None:
    assert env("product", "undelete").code == 2


def test_import_sync_records_why_it_removed_products(env: ProductEnv, tmp_path: Path) -> None:
    first, second, third = _registered(env)
    kept = [r for r in env.exported() if r["identifier"] != second]
    records = tmp_path / "records.json"
    records.write_text(json.dumps(kept))

    result = env("product", "import", "-f", str(records), "--sync", "-c", MAG_A)

    assert result.code == 0, result.err
    [record] = _deleted(env)
    assert record["identifier"] == second
    assert record["reason"] == "not in the records imported with product import --sync"
    assert env("product", "undelete", second).code == 0
    assert len(env.listed()) == 3
