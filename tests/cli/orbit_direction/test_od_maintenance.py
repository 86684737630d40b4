"""The orbit-direction tables kept in step with their source collections, through the CLI:
registration, update, sync, rebuild, their fallbacks, source-collection checks and what a daily
update costs in git."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
from od_env import GEO_A, MAG_A, MOD_A, QD_A, OdEnv, identifier

from vires_repo.io.cdf import open_cdf
from vires_repo.orbit_direction import product_extraction
from vires_repo.orbit_direction.extract import Boundaries, BoundaryType
from vires_repo.orbit_direction.store import TableStore, read_table, write_table
from vires_repo.services.orbit_direction.lookup import lookup_orbit_directions


def assert_same_tables(first: OdEnv, second: OdEnv) -> None:
    for one, other in zip(first.tables(), second.tables(), strict=True):
        assert one.boundaries.equals(other.boundaries)
        assert one.sources == other.sources
        one.verify()
    # same content, same bytes: the partition files are named by their content hash
    for one, other in zip(first.manifests(), second.manifests(), strict=True):
        assert one.months == other.months


def test_registration_fills_both_tables(odenv: OdEnv) -> None:
    files = odenv.products(3)

    result = odenv.register(*files)

    assert result.code == 0, result.err
    assert "WARNING" not in result.err and "ERROR" not in result.err
    geo, qd = odenv.tables()
    ids = [identifier(f) for f in files]
    assert [s.product_id for s in geo.sources] == ids
    assert [s.product_id for s in qd.sources] == ids
    for table in (geo, qd):
        table.verify()
        # contiguous products: one block from the first sample to one step after the last
        types = table.boundaries.types
        assert types[0] == BoundaryType.START and types[-1] == BoundaryType.END
        assert np.count_nonzero(types != BoundaryType.REGULAR) == 2
        assert len(table) > 10
    assert str(geo.boundaries.times[-1]) == "2016-01-01T18:00:00.000"


def test_shuffled_registration_equals_in_order_and_rebuild(
    local_odenv: OdEnv, tmp_path: Path, cli
) -> None:
    from od_env import make_env

    ordered = local_odenv
    files = ordered.products(4) + [ordered.product(6)]  # a gap of 6 hours before the last
    assert ordered.register(*files).code == 0
    shuffled = make_env(str(tmp_path / "shuffled"), ordered.data, cli)
    order = files[:]
    random.Random(4).shuffle(order)
    assert order != files
    for location in order:  # one registration per file, each with its table update
        result = shuffled.register(location)
        assert result.code == 0 and "ERROR" not in result.err, result.err

    assert_same_tables(ordered, shuffled)
    geo, _ = ordered.tables()
    assert np.count_nonzero(geo.boundaries.types == BoundaryType.START) == 2

    result = shuffled("orbit_direction", "rebuild", MAG_A)
    assert result.code == 0, result.err
    assert "INFO: Rebuilding orbit direction lookup tables for collection SW_OPER_MAGA_LR_1B" in (
        result.err
    )
    assert "INFO: 5 of 5 product(s) processed." in result.err
    assert_same_tables(ordered, shuffled)


def test_one_batch_registration_equals_one_by_one(local_odenv: OdEnv, tmp_path: Path, cli):
    from od_env import make_env

    files = local_odenv.products(4)
    for location in files:
        assert local_odenv.register(location).code == 0
    batch = make_env(str(tmp_path / "batch"), local_odenv.data, cli)
    assert batch.register(*reversed(files)).code == 0
    assert_same_tables(local_odenv, batch)


def test_update_skips_processed_products(odenv: OdEnv) -> None:
    files = odenv.products(2)
    assert odenv.register(*files, skip=True).code == 0
    assert odenv.manifests() == (None, None)
    ids = [identifier(f) for f in files]

    result = odenv("orbit_direction", "update", *ids)

    assert result.code == 0, result.err
    assert result.err.splitlines() == [
        f"INFO: {ids[0]} orbit direction lookup table extracted",
        f"INFO: {ids[1]} orbit direction lookup table extracted",
        "INFO: 2 of 2 product(s) processed.",
    ]
    again = odenv("orbit_direction", "update", ids[1], "NO_SUCH_PRODUCT", ids[1])
    assert again.code == 1
    assert again.err.splitlines() == [
        "ERROR: Processing of NO_SUCH_PRODUCT failed! "
        "Product not found in any allowed collections!",
        f"INFO: {ids[1]} orbit direction lookup table extraction skipped",
        "INFO: 1 of 2 product(s) skipped.",
        "INFO: Failed to process 1 of 2 product(s).",
    ]


def test_exit_codes_are_capped(odenv: OdEnv) -> None:
    result = odenv("orbit_direction", "update", *[f"MISSING_{k}" for k in range(256)])
    assert result.code == 255
    assert "INFO: Failed to process 256 of 256 product(s)." in result.err


def test_nothing_to_do(odenv: OdEnv) -> None:
    assert odenv("orbit_direction", "sync").err.splitlines()[-1] == "INFO: No file processed."
    result = odenv("orbit_direction", "update")
    assert (result.code, result.err) == (0, "INFO: No file processed.\n")


def test_sync_after_deregister_removes_the_points(odenv: OdEnv) -> None:
    files = odenv.products(3)
    assert odenv.register(*files).code == 0
    ids = [identifier(f) for f in files]

    result = odenv("product", "deregister", ids[1])
    assert result.code == 0
    assert (
        "INFO: The orbit-direction tables still hold the boundaries of the de-registered "
        f"products of {MAG_A}; run 'orbit_direction sync {MAG_A}' to remove them." in result.err
    )
    geo, _ = odenv.tables()
    assert ids[1] in geo

    result = odenv("orbit_direction", "sync", "-m", "Swarm", "-s", "A")
    assert result.code == 0, result.err
    lines = result.err.splitlines()
    assert f"INFO: Synchronizing orbit direction lookup tables for collection {MAG_A} ..." in lines
    assert f"INFO: {ids[1]} removed from orbit direction lookup tables" in lines
    assert lines[-2:] == [
        "INFO: 2 of 2 product(s) skipped.",
        "INFO: 1 old product(s) removed from lookup tables.",
    ]
    geo, qd = odenv.tables()
    for table in (geo, qd):
        assert [s.product_id for s in table.sources] == [ids[0], ids[2]]
        # VirES closes the hole: END where the removed product began, START where it ended
        hole = table.boundaries.within(
            np.datetime64("2016-01-01T06:00:00"), np.datetime64("2016-01-01T11:59:59")
        )
        assert hole.types.tolist() == [BoundaryType.END, BoundaryType.START]
        assert hole.times.astype(str).tolist() == [
            "2016-01-01T06:00:00.000",
            "2016-01-01T11:59:59.000",
        ]
    looked_up = lookup_orbit_directions(
        odenv.catalog, "Swarm", "A", None, np.array(["2016-01-01T09:00"], "datetime64[ms]")
    )
    assert {k: v.tolist() for k, v in looked_up.items()} == {
        "OrbitDirection": [0],
        "OrbitDirectionBoundaryType": [-1],
        "QDOrbitDirection": [0],
        "QDOrbitDirectionBoundaryType": [-1],
    }
    # a sync with nothing to do rewrites nothing
    before = odenv.manifests()
    assert odenv("orbit_direction", "sync", MAG_A).code == 0
    assert odenv.manifests() == before


def test_missing_neighbours_fall_back_to_sync(local_odenv: OdEnv) -> None:
    env = local_odenv
    files = env.products(3)
    assert env.register(files[0], files[2], skip=True).code == 0
    ids = [identifier(f) for f in files]

    result = env.register(files[1])

    assert result.code == 0, result.err
    assert (
        f"WARNING: Failed to update orbit direction table for {ids[1]} product! "
        f"{ids[0]} not found in orbit direction lookup table!" in result.err.splitlines()
    )
    geo, qd = env.tables()
    assert [s.product_id for s in geo.sources] == ids == [s.product_id for s in qd.sources]


def test_a_broken_table_falls_back_to_rebuild(local_odenv: OdEnv, monkeypatch) -> None:
    env = local_odenv
    files = env.products(3)
    assert env.register(*files[:2]).code == 0
    ids = [identifier(f) for f in files]
    store = TableStore(env.catalog.storage)
    broken = read_table(store, GEO_A)
    points = broken.boundaries
    directions = points.directions.copy()
    directions[3] = directions[2]  # two ascending passes in a row
    broken = type(broken)(GEO_A, Boundaries(points.times, points.types, directions), broken.sources)
    with monkeypatch.context() as patch:
        patch.setattr(
            "vires_repo.orbit_direction.loaded_table.verify_boundaries", lambda *a, **k: None
        )
        write_table(store, broken)

    result = env.register(files[2])

    assert result.code == 0, result.err
    warnings = [line for line in result.err.splitlines() if line.startswith("WARNING")]
    assert len(warnings) == 2
    assert warnings[0].startswith(
        f"WARNING: Failed to update orbit direction table for {ids[2]} product! "
    )
    assert warnings[1].startswith(
        f"WARNING: Failed to synchronize orbit direction table for {MAG_A} collection! "
    )
    geo, qd = env.tables()
    geo.verify()
    assert [s.product_id for s in geo.sources] == ids == [s.product_id for s in qd.sources]


def test_a_missing_file_fails_alone_and_the_batch_goes_on(local_odenv: OdEnv) -> None:
    env = local_odenv
    files = env.products(3) + [env.product(5)]
    assert env.register(*files, skip=True).code == 0
    ids = [identifier(f) for f in files]
    Path(files[1]).unlink()

    result = env("orbit_direction", "update", *ids)

    # the neighbours of the missing product go on without its samples as context
    assert result.code == 1, result.err
    lines = result.err.splitlines()
    assert lines[1].startswith(f"ERROR: Processing of {ids[1]} failed! Reason: ")
    assert lines[-2:] == [
        "INFO: 3 of 4 product(s) processed.",
        "INFO: Failed to process 1 of 4 product(s).",
    ]
    geo, qd = env.tables()
    expected = [ids[0], *ids[2:]]
    assert [s.product_id for s in geo.sources] == expected == [s.product_id for s in qd.sources]
    geo.verify()
    qd.verify()


def test_a_product_that_fails_after_its_predecessor_leaves_that_one_closed(
    local_odenv: OdEnv,
) -> None:
    """A readable product whose extraction fails (here: apexpy has no model after 2030) is
    reported alone; its predecessor, extracted with it as context, is extracted again without
    it, so the tables end with a closed block and the rest of the batch is saved."""
    env = local_odenv
    last_noon = (np.datetime64("2029-12-31T12") - np.datetime64("2016-01-01T00")).astype(int)
    first = int(last_noon) // 6  # products of six hours from 2016-01-01
    files = env.products(3, first=first)  # 12:00 and 18:00 on 2029-12-31, 00:00 in 2030
    assert env.register(*files, skip=True).code == 0
    ids = [identifier(f) for f in files]

    result = env("orbit_direction", "sync", MAG_A)

    assert result.code == 2, result.err
    failures = [line for line in result.err.splitlines() if line.startswith("ERROR")]
    assert failures == [
        f"ERROR: Processing of {ids[1]} failed! Reason: Quasi-Dipole latitude is not "
        "available for 2030.003: apexpy's magnetic model covers 1900-2030",
        f"ERROR: Processing of {ids[2]} failed! Reason: Quasi-Dipole latitude is not "
        "available for 2030.003: apexpy's magnetic model covers 1900-2030",
    ]
    assert "INFO: 1 of 3 product(s) processed." in result.err
    geo, qd = env.tables()
    for table in (geo, qd):
        table.verify()
        assert [s.product_id for s in table.sources] == ids[:1]
        assert table.boundaries.types[-1] == BoundaryType.END


def test_a_product_without_positions_is_reported_not_fatal(local_odenv: OdEnv) -> None:
    env = local_odenv
    files = env.products(2)
    assert env.register(files[0]).code == 0
    from vires_repo.io.cdf import CdfVariable, write_cdf

    with open_cdf(env.product(3)) as cdf:
        times = cdf.read_variable("Timestamp")
    no_positions = f"{env.data}/SW_OPER_MAGA_LR_1B_NO_POSITIONS.cdf"
    write_cdf(no_positions, {"Timestamp": CdfVariable(times, "CDF_EPOCH")})

    result = env.register(no_positions, files[1])

    assert result.code == 0, result.err
    assert "ERROR: Processing of SW_OPER_MAGA_LR_1B_NO_POSITIONS failed! Reason:" in result.err
    assert "variable Latitude not found" in result.err


# -- source collections ---------------------------------------------------------------------


def _collection(env: OdEnv, name: str, **changes: object) -> dict[str, object]:
    result = env("product_collection", "export", name)
    assert result.code == 0, result.err
    item: dict[str, object] = json.loads(result.out)[0]
    item.update(changes)
    return item


def test_a_second_source_collection_is_rejected(odenv: OdEnv) -> None:
    second = _collection(odenv, MOD_A, calculateOrbitDirection=True)

    result = odenv("product_collection", "import", stdin=json.dumps([second]))

    assert result.code == 1
    assert (
        f"ERROR: Failed to create or update product collection {MOD_A}! The collection {MAG_A} "
        "already feeds the orbit-direction tables of Swarm/A/-; only one collection per "
        "(mission, spacecraft, grade) may set calculateOrbitDirection." in result.err
    )


@pytest.mark.parametrize("mod_first", [True, False])
def test_switching_the_source_is_a_two_file_change(odenv: OdEnv, mod_first: bool) -> None:
    files = odenv.products(2)
    assert odenv.register(*files).code == 0
    items = [
        _collection(odenv, MOD_A, calculateOrbitDirection=True),
        _collection(odenv, MAG_A, calculateOrbitDirection=False),
    ]
    if not mod_first:
        items.reverse()

    result = odenv("product_collection", "import", stdin=json.dumps(items))
    assert result.code == 0, result.err
    assert odenv("orbit_direction", "update", identifier(files[0])).code == 1  # no source now

    result = odenv("orbit_direction", "sync")
    assert "INFO: 2 old product(s) removed from lookup tables." in result.err.splitlines()
    geo, qd = odenv.tables()
    assert len(geo) == len(qd) == 0 and geo.sources == []


def test_products_across_a_month_boundary_make_one_block(odenv: OdEnv) -> None:
    # products 122..125 cover 2016-01-31T12:00 to 2016-02-01T12:00
    files = [odenv.product(k) for k in range(122, 126)]
    assert odenv.register(*files[:2], *files[3:]).code == 0
    assert odenv.register(files[2]).code == 0
    geo, qd = odenv.tables()
    for table in (geo, qd):
        table.verify()
        assert np.count_nonzero(table.boundaries.types != 0) == 2
    months = [m.month for m in odenv.manifests()[0].months]
    assert months == ["2016-01", "2016-02"]


def test_parallel_rebuild_equals_incremental_registration(local_odenv: OdEnv, monkeypatch) -> None:
    monkeypatch.setattr(
        product_extraction, "_PARALLEL_MIN_PRODUCTS", 4
    )  # worker processes for 9 products
    files = local_odenv.products(9)
    for location in files:
        assert local_odenv.register(location).code == 0
    before = local_odenv.manifests()
    before_tables = local_odenv.tables()
    result = local_odenv("orbit_direction", "rebuild", MAG_A)
    assert "INFO: 9 of 9 product(s) processed." in result.err
    for one, other in zip(before_tables, local_odenv.tables(), strict=True):
        assert one.boundaries.equals(other.boundaries) and one.sources == other.sources
    assert [m.months for m in local_odenv.manifests()] == [m.months for m in before]


def test_registration_with_table_update_is_cheap_for_git(local_odenv: OdEnv) -> None:
    env = local_odenv
    files = env.products(8)
    assert env.register(*files[:7]).code == 0
    root = Path(env.root) / "orbit_direction"
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    assert env.register(files[7]).code == 0
    after = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    new_bytes = sum(len(data) for p, data in after.items() if before.get(p) != data)
    # per table: the month's points and sources partitions and the manifest
    assert len([p for p in after if before.get(p) != after[p]]) == 6
    assert new_bytes < 30_000
    assert QD_A.kind == "QD"
