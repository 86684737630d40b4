"""Orbit-direction tables: adding products with neighbours, removal, invariants, lookups."""

from __future__ import annotations

import time

import numpy as np
import pytest

from vires_repo.errors import (
    ConflictError,
    NotFoundError,
    OrbitDirectionIntegrityError,
    ProductFileError,
)
from vires_repo.orbit_direction.extract import (
    Boundaries,
    OrbitSamples,
    extract_orbit_directions,
)
from vires_repo.orbit_direction.missions import DEFAULT_THRESHOLDS, TableKey
from vires_repo.orbit_direction.qd import extract_qd_orbit_directions
from vires_repo.orbit_direction.table import (
    OrbitDirectionTable,
    ProductInput,
    prepare_product_input,
)
from vires_repo.testing.sampling import SWARM_ORBITS

GEO_KEY = TableKey("Swarm", "A", None, "GEO")
QD_KEY = TableKey("Swarm", "A", None, "QD")
NOMINAL = DEFAULT_THRESHOLDS.nominal_sampling
GAP = DEFAULT_THRESHOLDS.gap_threshold


def geo_boundaries(samples: OrbitSamples) -> Boundaries:
    return extract_orbit_directions(samples.times, samples.latitudes, NOMINAL, GAP).boundaries


def qd_boundaries(samples: OrbitSamples) -> Boundaries:
    return extract_qd_orbit_directions(samples, NOMINAL, GAP).boundaries


def add_product(
    tables: dict[str, OrbitDirectionTable],
    products: list[OrbitSamples],
    index: int,
    with_next: bool = True,
) -> ProductInput:
    """Add ``products[index]`` with its neighbours (as a sync does) to GEO and QD tables."""
    previous = products[index - 1] if index > 0 else None
    following = products[index + 1] if with_next and index + 1 < len(products) else None
    product = prepare_product_input(products[index], previous, following, nominal_sampling=NOMINAL)
    previous_id = f"P{index - 1}" if index > 0 else None
    tables["GEO"].update(f"P{index}", geo_boundaries(product.samples), product, previous_id)
    if "QD" in tables:
        tables["QD"].update(f"P{index}", qd_boundaries(product.samples), product, previous_id)
    return product


def new_tables(*kinds: str) -> dict[str, OrbitDirectionTable]:
    keys = {"GEO": GEO_KEY, "QD": QD_KEY}
    return {kind: OrbitDirectionTable(keys[kind]) for kind in kinds}


def three_days_in_a_geo_table(
    make_daily_products,
) -> tuple[list[OrbitSamples], dict[str, OrbitDirectionTable]]:
    """Three daily Swarm A products (P0, P1, P2 from 2016-03-01) added to a GEO table."""
    products = make_daily_products(SWARM_ORBITS["A"], "2016-03-01", 3)
    tables = new_tables("GEO")
    for index in range(3):
        add_product(tables, products, index)
    return products, tables


def test_products_added_in_any_order_equal_one_continuous_file(make_daily_products):
    products = make_daily_products(SWARM_ORBITS["A"], "2016-03-01", 5)
    whole = OrbitSamples.concatenate(products)
    expected = {"GEO": geo_boundaries(whole), "QD": qd_boundaries(whole)}

    for seed in range(3):
        tables = new_tables("GEO", "QD")
        for index in np.random.default_rng(seed).permutation(len(products)):
            add_product(tables, products, int(index))
        for kind, table in tables.items():
            table.verify()
            assert table.boundaries.equals(expected[kind]), (seed, kind)
            assert [(s.product_id, str(s.start), str(s.end)) for s in table.sources] == [
                (f"P{k}", f"2016-03-0{k + 1}T00:00:00.000", f"2016-03-0{k + 1}T23:59:59.000")
                for k in range(5)
            ]


def test_a_rebuild_in_time_order_with_previous_neighbours_only_equals_the_continuous_file(
    make_daily_products,
):
    products = make_daily_products(SWARM_ORBITS["B"], "2016-12-30", 3)
    tables = new_tables("GEO")
    for index in range(len(products)):
        add_product(tables, products, index, with_next=False)
    assert tables["GEO"].boundaries.equals(geo_boundaries(OrbitSamples.concatenate(products)))


def test_a_missing_product_leaves_a_closed_gap(make_daily_products):
    products = make_daily_products(SWARM_ORBITS["A"], "2016-03-01", 3)
    tables = new_tables("GEO")
    add_product(tables, [products[0], products[2]], 0)
    add_product(tables, [products[0], products[2]], 1)  # neighbours 24 h apart: no context
    table = tables["GEO"]
    table.verify()
    flagged = table.boundaries.types != 0
    assert table.boundaries.times[flagged].astype(str).tolist() == [
        "2016-03-01T00:00:00.000",
        "2016-03-02T00:00:00.000",
        "2016-03-03T00:00:00.000",
        "2016-03-04T00:00:00.000",
    ]


def test_removing_a_product_closes_the_blocks_and_re_adding_restores_the_table(
    make_daily_products,
):
    products, tables = three_days_in_a_geo_table(make_daily_products)
    table = tables["GEO"]
    complete = table.boundaries

    table.remove("P1")

    table.verify()
    assert "P1" not in table and [s.product_id for s in table.sources] == ["P0", "P2"]
    removed = complete.within(np.datetime64("2016-03-02"), np.datetime64("2016-03-02T23:59:59"))
    after = table.boundaries
    flagged = after.types != 0
    assert after.times[flagged].astype(str).tolist() == [
        "2016-03-01T00:00:00.000",
        "2016-03-02T00:00:00.000",  # END at the removed product's start
        "2016-03-02T23:59:59.000",  # START at its end, in the last removed direction
        "2016-03-04T00:00:00.000",
    ]
    assert after.directions[np.flatnonzero(flagged)[2]] == removed.directions[-1]
    assert len(after) == len(complete) - len(removed) + 2

    add_product(tables, products, 1)
    assert table.boundaries.equals(complete)
    with pytest.raises(NotFoundError, match="P7 not found"):
        table.remove("P7")


def test_a_block_start_inside_an_open_block_is_refused(make_daily_products):
    products, tables = three_days_in_a_geo_table(make_daily_products)
    table = tables["GEO"]
    before = table.boundaries
    alone = prepare_product_input(products[1], nominal_sampling=NOMINAL)

    with pytest.raises(OrbitDirectionIntegrityError) as error:
        table.update("P1", geo_boundaries(alone.samples), alone)

    assert isinstance(error.value, ConflictError)
    assert str(error.value).startswith(
        "Swarm/A/-/GEO: cannot add P1: unexpected segment start at 2016-03-02T00:00:00.000 "
        "inside the block open since 2016-03-01T2"
    )
    assert table.boundaries.equals(before)


def test_a_block_end_before_continuing_points_is_refused(make_daily_products):
    products, tables = three_days_in_a_geo_table(make_daily_products)
    table = tables["GEO"]
    no_next = prepare_product_input(products[1], products[0], nominal_sampling=NOMINAL)

    with pytest.raises(
        OrbitDirectionIntegrityError,
        match="unexpected segment end at "
        "2016-03-03T00:00:00.000 before the points continuing at 2016-03-03T0",
    ):
        table.update("P1", geo_boundaries(no_next.samples), no_next, "P0")


def points(*rows: tuple[str, int, int]) -> Boundaries:
    return Boundaries(
        np.array([row[0] for row in rows], "datetime64[ms]"),
        np.array([row[1] for row in rows], np.int8),
        np.array([row[2] for row in rows], np.int8),
    )


VALID = [
    ("2016-01-01T00:00", 1, 1),
    ("2016-01-01T00:20", 0, -1),
    ("2016-01-01T01:00", 0, 1),
    ("2016-01-01T01:10", -1, 0),
    ("2016-01-01T02:00", 1, -1),
    ("2016-01-01T02:10", -1, 0),
]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            VALID[:1] + [("2016-01-01T00:00", 0, -1)] + VALID[2:],
            "boundary times are not strictly increasing at 2016-01-01T00:00:00.000",
        ),
        (VALID[1:], "the table must begin with a block START and end with a block END"),
        (
            VALID[:3] + [("2016-01-01T01:10", 1, 1)] + VALID[4:],
            "block START and END do not alternate at 2016-01-01T01:10:00.000",
        ),
        (
            VALID[:4] + [("2016-01-01T01:30", 0, 1)] + VALID[4:],
            "points between the block END at 2016-01-01T01:10:00.000 and the next START",
        ),
        (VALID[:3] + [("2016-01-01T01:10", -1, 1)] + VALID[4:], "a block END has a direction"),
        (
            VALID[:2] + [("2016-01-01T01:00", 0, 0)] + VALID[3:],
            "undefined orbit direction inside a block at 2016-01-01T01:00:00.000",
        ),
        (
            VALID[:2] + [("2016-01-01T01:00", 0, -1)] + VALID[3:],
            "orbit directions do not alternate at 2016-01-01T01:00:00.000",
        ),
        (VALID[:5] + [("2016-01-01T02:10", -1, 3)], "must be -1, 0 or 1"),
    ],
    ids=[
        "times",
        "first-start",
        "alternation",
        "between-blocks",
        "end-direction",
        "undefined",
        "directions",
        "values",
    ],
)
def test_invariant_violations_are_reported(rows, message):
    table = OrbitDirectionTable(GEO_KEY, points(*rows))
    with pytest.raises(OrbitDirectionIntegrityError, match=message):
        table.verify()


def test_a_valid_and_an_empty_table_verify():
    OrbitDirectionTable(GEO_KEY, points(*VALID)).verify()
    OrbitDirectionTable(GEO_KEY).verify()


def test_lookup_uses_the_last_point_at_or_before_and_no_data_outside():
    table = OrbitDirectionTable(GEO_KEY, points(*VALID))
    times = np.array(
        [
            "2015-12-31T23:59:59.999",
            "2016-01-01T00:00",
            "2016-01-01T00:10",
            "2016-01-01T00:20",
            "2016-01-01T01:05",
            "2016-01-01T01:30",
            "2016-01-01T02:05",
            "2016-01-01T02:10",
            "2016-01-01T03:00",
        ],
        "datetime64[us]",
    )
    directions, types = table.lookup(times)
    assert directions.tolist() == [0, 1, 1, -1, 1, 0, -1, 0, 0]
    assert types.tolist() == [-1, 1, 1, 0, 0, -1, 1, -1, -1]
    assert directions.dtype == types.dtype == np.int8
    empty_directions, empty_types = OrbitDirectionTable(GEO_KEY).lookup(times[:2])
    assert empty_directions.tolist() == [0, 0] and empty_types.tolist() == [-1, -1]


def test_sources_overlapping_a_new_product_are_dropped_and_the_previous_one_clipped(
    make_samples,
):
    orbit = SWARM_ORBITS["A"]
    first = make_samples(orbit, "2016-03-01T00:00", "2016-03-01T06:00")
    # a fast-track style product overlapping the end of the first by 10 minutes
    second = make_samples(orbit, "2016-03-01T05:50", "2016-03-01T12:00")
    table = OrbitDirectionTable(GEO_KEY)
    product = prepare_product_input(first, nominal_sampling=NOMINAL)
    table.update("first", geo_boundaries(product.samples), product)
    product = prepare_product_input(second, first, nominal_sampling=NOMINAL)
    table.update("second", geo_boundaries(product.samples), product, "first")
    assert [(s.product_id, str(s.end)) for s in table.sources] == [
        ("first", "2016-03-01T05:49:59.000"),
        ("second", "2016-03-01T11:59:59.000"),
    ]
    table.verify()

    replacement = make_samples(orbit, "2016-03-01T00:00", "2016-03-01T12:00:10", step_ms=2000)
    product = prepare_product_input(replacement, nominal_sampling=NOMINAL)
    table.update("replacement", geo_boundaries(product.samples), product)
    assert [s.product_id for s in table.sources] == ["replacement"]
    assert "first" not in table and "second" not in table


def test_a_product_is_cut_where_the_next_one_begins(make_samples):
    orbit = SWARM_ORBITS["A"]
    body = make_samples(orbit, "2016-03-01T00:00", "2016-03-01T06:00")
    following = make_samples(orbit, "2016-03-01T05:00", "2016-03-01T12:00")
    product = prepare_product_input(body, None, following, nominal_sampling=NOMINAL)
    assert str(product.end) == "2016-03-01T04:59:59.000"
    assert str(product.trim_end) == "2016-03-01T05:00:03.000"  # the 4th sample of the next
    assert len(product.samples) == 5 * 3600 + 6

    with pytest.raises(ProductFileError, match="Empty time selection!"):
        prepare_product_input(
            following.take(slice(100, 200)), None, following, nominal_sampling=NOMINAL
        )


def test_prepare_reports_what_sanitizing_fixed(make_samples):
    orbit = SWARM_ORBITS["A"]
    previous = make_samples(orbit, "2016-03-01T00:00", "2016-03-01T01:00")
    body = make_samples(orbit, "2016-03-01T01:00", "2016-03-01T02:00")
    messy_previous = previous.take(np.arange(len(previous))[::-1])
    product = prepare_product_input(body, messy_previous, nominal_sampling=NOMINAL)
    issues = dict(product.issues)
    assert issues["previous"].unsorted and not issues["body"].unsorted
    assert str(product.trim_start) == "2016-03-01T00:59:56.000"
    assert str(product.previous_end) == "2016-03-01T00:59:59.000"
    assert product.samples.times.size == 3600 + 6


def synthetic_product(day: int) -> tuple[Boundaries, ProductInput]:
    """A stand-alone day of boundaries (turning points every ~47 min) without samples."""
    start = np.datetime64("2000-01-01T00:00", "ms") + np.timedelta64(day, "D")
    count = 31
    end = start + np.timedelta64(85_000_000, "ms")  # products an hour apart: no neighbours
    offsets = np.concatenate([[0], 1000 + np.arange(count) * 2_740_000])
    times = np.append(start + offsets.astype("timedelta64[ms]"), end + NOMINAL)
    types = np.zeros(count + 2, np.int8)
    types[0], types[-1] = 1, -1
    directions = np.where(np.arange(count + 2) % 2 == 0, 1, -1).astype(np.int8)
    directions[-1] = 0
    empty = np.empty(0)
    product = ProductInput(
        OrbitSamples(np.empty(0, "datetime64[ms]"), empty, empty, empty),
        start,
        end,
        start,
        end + NOMINAL,
        None,
        (),
    )
    return Boundaries(times, types, directions), product


def time_update(table_days: int) -> float:
    table = OrbitDirectionTable(GEO_KEY)
    products = [synthetic_product(day) for day in range(table_days)]
    for day, (boundaries, product) in enumerate(products):
        table.update(f"P{day}", boundaries, product)
    len(table.boundaries)  # merge the chunks as a loaded table would have them
    middle = table_days // 2
    boundaries, product = products[middle]
    best = float("inf")
    for _ in range(30):
        started = time.perf_counter()
        table.update(f"P{middle}", boundaries, product)
        best = min(best, time.perf_counter() - started)
    table.verify()
    return best


def test_adding_a_product_costs_the_same_for_a_small_and_a_large_table():
    small, large = time_update(10), time_update(1000)
    assert large < 2 * small + 50e-6, (small, large)
