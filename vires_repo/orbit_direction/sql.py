"""DuckDB SQL over the orbit-direction tables: two views and the ASOF join that tags data.

* ``orbit_direction_boundaries``: ``table, mission, spacecraft, grade, kind, time,
  boundary_type, orbit_direction``, one row per boundary point of every table;
* ``orbit_direction_sources``: ``table, mission, spacecraft, grade, kind, product_id, start,
  end``, one row per processed product.

The views read exactly the partition files a table's manifest lists (never a glob), so they
show a committed snapshot. This module only builds text; :mod:`vires_repo.io.duckdb` runs it.
File names and key values are SQL string literals (quotes doubled), nothing else is formatted
into the statements.

The lookup of reference 8.7 is an ``ASOF LEFT JOIN`` on ``measurement.time >= boundary.time``
per (mission, spacecraft, grade, kind): the last boundary point at or before a measurement
gives its direction and boundary type; before the first point there is no match (0 and -1),
after the last point the match is the closing END point, which carries 0 and -1 already.
"""

from __future__ import annotations

from collections.abc import Sequence

from vires_repo.orbit_direction.store import TableFiles

BOUNDARIES_VIEW = "orbit_direction_boundaries"
SOURCES_VIEW = "orbit_direction_sources"
_KEY_COLUMNS = '"table", mission, spacecraft, grade, kind'
_EMPTY_KEY = (
    'NULL::VARCHAR AS "table", NULL::VARCHAR AS mission, NULL::VARCHAR AS spacecraft, '
    "NULL::VARCHAR AS grade, NULL::VARCHAR AS kind"
)


def literal(value: str | None) -> str:
    """A SQL string literal (or NULL)."""
    if value is None:
        return "NULL::VARCHAR"
    return "'" + value.replace("'", "''") + "'"


def _file_list(files: Sequence[str]) -> str:
    return "[" + ", ".join(literal(f) for f in files) + "]"


def _key(table: TableFiles) -> str:
    key = table.key
    values = (table.name, key.mission, key.spacecraft, key.grade, key.kind)
    names = ('"table"', "mission", "spacecraft", "grade", "kind")
    return ", ".join(f"{literal(v)} AS {n}" for v, n in zip(values, names, strict=True))


def orbit_direction_view_sql(tables: Sequence[TableFiles]) -> list[str]:
    """``CREATE OR REPLACE VIEW`` statements of the two views over the given tables' files."""
    points = [
        f"SELECT {_key(t)}, CAST(time AS TIMESTAMPTZ) AS time, boundary_type, orbit_direction "
        f"FROM read_parquet({_file_list(t.points)})"
        for t in tables
        if t.points
    ]
    sources = [
        f"SELECT {_key(t)}, product_id, CAST(start AS TIMESTAMPTZ) AS start, "
        f'CAST("end" AS TIMESTAMPTZ) AS "end" FROM read_parquet({_file_list(t.sources)})'
        for t in tables
        if t.sources
    ]
    if not points:
        points = [
            f"SELECT {_EMPTY_KEY}, NULL::TIMESTAMPTZ AS time, NULL::TINYINT AS boundary_type, "
            "NULL::TINYINT AS orbit_direction WHERE false"
        ]
    if not sources:
        sources = [
            f"SELECT {_EMPTY_KEY}, NULL::VARCHAR AS product_id, NULL::TIMESTAMPTZ AS start, "
            'NULL::TIMESTAMPTZ AS "end" WHERE false'
        ]
    return [
        f"CREATE OR REPLACE VIEW {BOUNDARIES_VIEW} AS\n" + "\nUNION ALL\n".join(points),
        f"CREATE OR REPLACE VIEW {SOURCES_VIEW} AS\n" + "\nUNION ALL\n".join(sources),
    ]


def orbit_direction_tagging_sql(
    measurements: str, mission: str, spacecraft: str | None, grade: str | None
) -> str:
    """A query adding ``OrbitDirection``, ``OrbitDirectionBoundaryType``, ``QDOrbitDirection``
    and ``QDOrbitDirectionBoundaryType`` to every row of ``measurements`` (a table or view name
    with a ``time`` column), from the tables of (mission, spacecraft, grade)."""
    condition = (
        f"mission = {literal(mission)} "
        f"AND spacecraft IS NOT DISTINCT FROM {literal(spacecraft)} "
        f"AND grade IS NOT DISTINCT FROM {literal(grade)}"
    )
    return f"""
SELECT
    m.*,
    COALESCE(geo.orbit_direction, 0)::TINYINT AS "OrbitDirection",
    COALESCE(geo.boundary_type, -1)::TINYINT AS "OrbitDirectionBoundaryType",
    COALESCE(qd.orbit_direction, 0)::TINYINT AS "QDOrbitDirection",
    COALESCE(qd.boundary_type, -1)::TINYINT AS "QDOrbitDirectionBoundaryType"
FROM {measurements} m
ASOF LEFT JOIN (
    SELECT time, boundary_type, orbit_direction FROM {BOUNDARIES_VIEW}
    WHERE {condition} AND kind = 'GEO'
) geo ON m.time >= geo.time
ASOF LEFT JOIN (
    SELECT time, boundary_type, orbit_direction FROM {BOUNDARIES_VIEW}
    WHERE {condition} AND kind = 'QD'
) qd ON m.time >= qd.time
ORDER BY m.time
"""
