"""``product compact`` and the product-dependent parts of ``product_collection``."""

from __future__ import annotations

import json
from datetime import timedelta

import fsspec
from pcli_env import MAG_A, MAG_B, ProductEnv, ident, labelled, summary

from vires_repo.products.manifest import manifest_name, manifest_path
from vires_repo.testing.mag_products import write_small_mag_lr_products, write_timespan_product


def index_files(env: ProductEnv, collection: str) -> list[str]:
    """Names of the files in a collection's index folder (empty when it has none)."""
    fs, path = fsspec.core.url_to_fs(f"{env.root}/products/collection={collection}")
    if not fs.exists(path):
        return []
    return sorted(name.rsplit("/", 1)[-1] for name in fs.ls(path, detail=False))


def manifest_files(env: ProductEnv, collection: str) -> list[str]:
    url = f"{env.root}/{manifest_path(collection)}"
    with fsspec.open(url, "rt") as stream:
        return [entry["file"] for entry in json.load(stream)["files"]]


def test_compact_merges_the_small_files_and_keeps_every_record(env: ProductEnv) -> None:
    locations = write_small_mag_lr_products(env.data, 8, records=2)
    for location in locations:  # one index file per registration
        assert env.register(MAG_A, location).code == 0
    assert env("product", "deregister", ident(locations[3])).code == 0
    assert len(manifest_files(env, MAG_A)) == 8  # the de-registration is a tombstone
    before = env.exported()
    assert len(before) == 7

    result = env("product", "compact")
    assert result.code == 0, result.err
    assert result.err.splitlines() == [f"INFO: product index of {MAG_A} compacted: 8 -> 1 file(s)"]
    assert env.exported() == before  # created and updated times included
    [data_file] = manifest_files(env, MAG_A)
    assert index_files(env, MAG_A) == [manifest_name(MAG_A), data_file]

    # compacting again changes nothing
    result = env("product", "compact", MAG_A)
    assert result.err.splitlines() == [f"INFO: product index of {MAG_A} compacted: 1 -> 1 file(s)"]
    assert manifest_files(env, MAG_A) == [data_file]
    assert env.exported() == before


def test_compact_named_collections_only(env: ProductEnv) -> None:
    for hour in range(2):
        assert env.register(MAG_A, *env.hourly("2016-01-01", range(hour, hour + 1))).code == 0
        locations = env.hourly("2016-01-02", range(hour, hour + 1), spacecraft="B")
        assert env.register(MAG_B, *locations).code == 0
    result = env("product", "compact", MAG_B)
    assert result.err.splitlines() == [f"INFO: product index of {MAG_B} compacted: 2 -> 1 file(s)"]
    assert len(manifest_files(env, MAG_A)) == 2
    assert len(env.listed()) == 4


def test_compact_an_unknown_collection_is_an_error_and_creates_nothing(env: ProductEnv) -> None:
    result = env("product", "compact", "SW_OPER_NOPE")
    assert result.code == 1
    assert result.err.splitlines() == ["ERROR: The product collection SW_OPER_NOPE does not exist!"]
    assert index_files(env, "SW_OPER_NOPE") == []


def test_compact_a_collection_without_products_writes_nothing(env: ProductEnv) -> None:
    result = env("product", "compact", MAG_B)
    assert result.code == 0
    assert result.err.splitlines() == [f"INFO: product index of {MAG_B} compacted: 0 -> 0 file(s)"]
    assert index_files(env, MAG_B) == []


def test_many_registrations_compact_automatically(local_env: ProductEnv) -> None:
    locations = write_small_mag_lr_products(local_env.data, 36, records=2)
    for location in locations:
        assert local_env.register(MAG_A, location).code == 0
    files = manifest_files(local_env, MAG_A)
    assert len(files) < 36
    assert index_files(local_env, MAG_A) == sorted([manifest_name(MAG_A), *files])
    assert [line.split("/")[1] for line in local_env.listed()] == [ident(f) for f in locations]


# -- product_collection -------------------------------------------------------------------


def test_collection_with_products_cannot_be_removed(env: ProductEnv) -> None:
    assert env.register(MAG_A, *env.hourly("2016-01-01", range(2))).code == 0
    result = env("product_collection", "remove", MAG_A)
    assert result.code == 1
    assert labelled(result.err, "ERROR") == [
        f"ERROR: Failed to remove product collection {MAG_A}! "
        "The collection still contains 2 registered product(s)."
    ]
    assert env("product_collection", "list", MAG_A).out == f"{MAG_A}\n"

    assert env("product", "deregister", "--all", "-c", MAG_A).code == 0
    result = env("product_collection", "remove", MAG_A)
    assert result.code == 0, result.err
    assert env("product_collection", "list", MAG_A).out == ""


def exported_duration(env: ProductEnv, collection: str) -> str:
    result = env("product_collection", "export", collection)
    assert result.code == 0, result.err
    [exported] = json.loads(result.out)
    assert list(exported)[:5] == ["name", "productType", "created", "updated", "maxProductDuration"]
    duration: str = exported["maxProductDuration"]
    return duration


def test_collection_export_shows_max_product_duration(env: ProductEnv) -> None:
    assert exported_duration(env, MAG_A) == "PT0S"
    # 59 minutes: whole seconds + 1 s
    assert env.register(MAG_A, *env.hourly("2016-01-01", range(1))).code == 0
    assert exported_duration(env, MAG_A) == "PT3541S"
    # a day and a second
    day = env.mag("2016-01-02T00:00:00", "2016-01-03T00:00:00", sampling=timedelta(hours=1))
    assert env.register(MAG_A, day).code == 0
    assert exported_duration(env, MAG_A) == "P1DT1S"
    # fractional seconds round up, then + 1 s: 3600.999999 s -> 3602 s
    location = write_timespan_product(
        env.data, "2016-01-01T00:00:00", "2016-01-01T01:00:00", sampling=timedelta(minutes=10)
    )
    assert env.register("SW_OPER_ULFAMAG_2F", location).code == 0
    assert exported_duration(env, "SW_OPER_ULFAMAG_2F") == "PT3602S"


def test_deregistered_then_registered_again_is_one_product(env: ProductEnv) -> None:
    locations = env.hourly("2016-01-01", range(2))
    assert env.register(MAG_A, *locations).code == 0
    for _ in range(2):
        assert env("product", "deregister", ident(locations[0])).code == 0
        assert env.register(MAG_A, locations[0]).code == 0
    result = env.register(MAG_A, locations[0], options=("--update",))
    assert summary(result.err) == ["1 of 1 product(s) updated."]
    expected = [f"{MAG_A}/{ident(location)}" for location in locations]
    assert env.listed() == expected
    before = env.exported()
    assert env("product", "compact").code == 0
    assert env.listed() == expected
    assert env.exported() == before
    assert len(manifest_files(env, MAG_A)) == 1
