"""The quick-start demo: a catalogue with the VirES defaults and a few realistic products."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from vires_repo.catalog import Catalog
from vires_repo.services import product_collection, product_registration, product_type, sql

Say = Callable[[str], None]

DEMO_START = datetime(2016, 1, 1)


@dataclass
class DemoReport:
    data_folder: str
    product_files: list[str] = field(default_factory=list)
    collection_counts: dict[str, int] = field(default_factory=dict)
    queries: list[tuple[str, str]] = field(default_factory=list)
    """(SQL statement, its result as a text table) showing what the catalogue holds."""


DEMO_QUERIES = (
    "SELECT collection, count(*) AS products, min(begin_time) AS first_begin, "
    "max(end_time) AS last_end FROM products GROUP BY ALL ORDER BY collection",
    'SELECT "table", kind, count(*) AS boundary_points, min(time) AS first_point, '
    "max(time) AS last_point FROM orbit_direction_boundaries GROUP BY ALL ORDER BY 1",
    "SELECT time, boundary_type, orbit_direction FROM orbit_direction_boundaries "
    "WHERE \"table\" = 'SW_VIRE_AUXAODBMAG' ORDER BY time LIMIT 5",
)


def run_demo(catalog: Catalog, data_folder: Path, days: int, say: Say) -> DemoReport:
    """Load the defaults, synthesize ``days`` daily 1 Hz MAG LR products of Swarm A and B
    (circular orbits, realistic layout) into ``data_folder``, register them (which builds
    their orbit-direction tables) and query the result with SQL."""
    from vires_repo.testing.mag_products import write_mag_lr_product

    report = DemoReport(data_folder=str(data_folder))
    for outcome in (
        product_type.import_types(catalog, product_type.default_types()),
        product_collection.import_collections(catalog, product_collection.default_collections()),
    ):
        for line in outcome.summary(
            (("created", "created", True), ("unchanged", "unchanged", False))
        ):
            say(line)
    data_folder.mkdir(parents=True, exist_ok=True)
    for spacecraft in ("A", "B"):
        collection = f"SW_OPER_MAG{spacecraft}_LR_1B"
        files = []
        for day in range(days):
            start = DEMO_START + timedelta(days=day)
            end = start + timedelta(days=1) - timedelta(seconds=1)
            files.append(write_mag_lr_product(data_folder, start, end, spacecraft=spacecraft))
        say(f"wrote {len(files)} synthetic product(s) of {collection} to {data_folder}")
        result = product_registration.register_products(catalog, collection, files)
        for line in result.summary_lines():
            say(f"{collection}: {line}")
        report.product_files += files
        report.collection_counts[collection] = product_collection.product_count(catalog, collection)
    for statement in DEMO_QUERIES:
        report.queries.append((statement, sql.render(sql.run_sql(catalog, statement), "table")))
    return report
