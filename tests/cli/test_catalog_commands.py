"""``sql``, ``info`` and ``check`` through the real entry point."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest
from testdata import TESTDATA

from vires_repo.catalog import Catalog
from vires_repo.products import ProductSelection
from vires_repo.services import product, product_collection, product_registration, product_type
from vires_repo.services.orbit_direction import maintenance
from vires_repo.testing.mag_products import write_small_mag_lr_products

MAG_A, MAG_B, MOD_A = "SW_OPER_MAGA_LR_1B", "SW_OPER_MAGB_LR_1B", "SW_OPER_MODA_SC_1B"

Cli = Callable[..., Any]


@pytest.fixture
def filled(catalog: Catalog, tmp_path: Path) -> Catalog:
    """The Swarm MAG LR / MOD definitions and 3 + 2 small registered products; MAG A is
    compacted (Parquet), MAG B holds the JSON-lines files of its registrations."""
    wanted_types = {"SW_MAGx_LR_1B", "SW_MODx_SC_1B"}
    types = [t for t in product_type.default_types() if t["name"] in wanted_types]
    collections = [
        c for c in product_collection.default_collections() if c["name"] in (MAG_A, MAG_B, MOD_A)
    ]
    assert not product_type.import_types(catalog, types).failures
    assert not product_collection.import_collections(catalog, collections).failures
    for collection, count, spacecraft in ((MAG_A, 3, "A"), (MAG_B, 2, "B")):
        files = write_small_mag_lr_products(
            tmp_path / "data", count, records=2, spacecraft=spacecraft
        )
        done = product_registration.register_products(
            catalog, collection, files, skip_post_registration_actions=True
        )
        assert done.count("registered") == count
    catalog.products.compact(MAG_A)
    assert not maintenance.sync_tables(catalog).failed
    return catalog


def run(cli: Cli, catalog: Catalog, *argv: str, **options: Any) -> Any:
    return cli("--catalog", catalog.url, *argv, **options)


# -- sql --------------------------------------------------------------------------------------


def test_sql_counts_products_per_collection_as_csv(cli: Cli, filled: Catalog) -> None:
    result = run(
        cli, filled, "sql", "SELECT collection, count(*) AS n FROM products GROUP BY ALL ORDER BY 1"
    )
    assert result.code == 0, result.err
    assert result.out == f"collection,n\n{MAG_A},3\n{MAG_B},2\n"


def test_sql_table_and_json_formats(cli: Cli, filled: Catalog) -> None:
    statement = "SELECT name, product_type FROM product_collections ORDER BY name"
    table = run(cli, filled, "sql", statement, "--format", "table")
    assert table.out.splitlines()[0].split() == ["name", "product_type"]
    assert table.out.splitlines()[-1] == "(3 rows)"
    rows = json.loads(run(cli, filled, "sql", statement, "--format", "json").out)
    assert rows[0] == {"name": MAG_A, "product_type": "SW_MAGx_LR_1B"}
    assert [r["name"] for r in rows] == [MAG_A, MAG_B, MOD_A]


def test_sql_times_and_datasets(cli: Cli, filled: Catalog) -> None:
    result = run(
        cli,
        filled,
        "sql",
        "SELECT min(begin_time) AS first, count(DISTINCT location) AS files FROM product_datasets",
        "--format",
        "json",
    )
    assert json.loads(result.out) == [{"first": "2016-01-01T00:00:00Z", "files": 5}]


def test_sql_parquet_output(cli: Cli, filled: Catalog, tmp_path: Path) -> None:
    target = tmp_path / "out.parquet"
    statement = "SELECT identifier FROM products ORDER BY identifier"
    result = run(cli, filled, "sql", statement, "--format", "parquet", "-o", str(target))
    assert result.code == 0, result.err
    assert pq.read_table(target).num_rows == 5
    missing = run(cli, filled, "sql", statement, "--format", "parquet")
    assert (missing.code, missing.err) == (2, "ERROR: --format parquet needs --output FILE\n")


def test_sql_from_file_and_stdin(cli: Cli, filled: Catalog, tmp_path: Path) -> None:
    script = tmp_path / "q.sql"
    script.write_text("SELECT count(*) AS n FROM products")
    assert run(cli, filled, "sql", "-f", str(script)).out == "n\n5\n"
    assert run(cli, filled, "sql", "-f", "-", stdin="SELECT 1 AS one").out == "one\n1\n"


@pytest.mark.parametrize(
    ("statement", "kind"),
    [
        ("COPY (SELECT 1) TO 'x.csv'", "COPY"),
        ("CREATE TABLE t AS SELECT 1", "CREATE"),
        ("INSERT INTO products SELECT * FROM products", "INSERT"),
        ("ATTACH 'other.db'", "ATTACH"),
    ],
)
def test_sql_refuses_statements_that_write_as_usage_errors(
    cli: Cli, filled: Catalog, statement: str, kind: str
) -> None:
    result = run(cli, filled, "sql", statement)
    assert result.code == 2
    assert result.err == (
        f"ERROR: the catalogue is read-only through SQL: {kind} statements are refused "
        "(change the catalogue with the vires-repo commands)\n"
    )


def test_sql_bad_statements_are_usage_errors_of_one_line(cli: Cli, filled: Catalog) -> None:
    syntax = run(cli, filled, "sql", "SELEC 1")
    assert syntax.code == 2
    assert syntax.err.startswith("ERROR: invalid SQL: Parser Error: syntax error")
    assert syntax.err.count("\n") == 1
    two = run(cli, filled, "sql", "SELECT 1; SELECT 2")
    assert (two.code, two.err) == (2, "ERROR: give exactly one SQL statement (got 2)\n")
    unknown = run(cli, filled, "sql", "SELECT * FROM nope")
    assert unknown.code == 2
    assert unknown.err.startswith("ERROR: SQL error: Catalog Error: Table with name nope")
    neither = run(cli, filled, "sql")
    assert (neither.code, neither.err) == (
        2,
        "ERROR: give the SQL statement as an argument or with --file (one of them)\n",
    )


def test_sql_hides_deregistered_products(cli: Cli, filled: Catalog) -> None:
    [first] = run(cli, filled, "product", "list", "-c", MAG_A).out.splitlines()[:1]
    assert run(cli, filled, "product", "deregister", first.split("/")[1]).code == 0
    result = run(cli, filled, "sql", "SELECT count(*) AS n FROM products")
    assert result.out == "n\n4\n"


def test_sql_views_work_in_a_plain_duckdb_client(cli: Cli, filled: Catalog) -> None:
    if not filled.storage.is_local:
        pytest.skip("a plain DuckDB client reads local files only")
    views = run(cli, filled, "sql", "--views").out
    connection = duckdb.connect()
    connection.execute(views)
    rows = connection.execute(
        "SELECT p.collection, count(*) FROM products p "
        "JOIN product_collections c ON c.name = p.collection GROUP BY ALL ORDER BY 1"
    ).fetchall()
    assert rows == [(MAG_A, 3), (MAG_B, 2)]
    boundaries = "SELECT count(*) AS n FROM orbit_direction_boundaries"
    [(count,)] = connection.execute(boundaries).fetchall()
    assert count > 0
    assert run(cli, filled, "sql", boundaries).out == f"n\n{count}\n"


def test_sql_reads_cached_products(cli: Cli, filled: Catalog) -> None:
    source = TESTDATA / "aux" / "Kp_MJD_1998_QL_sample.dat"
    assert run(cli, filled, "cached_product", "update", "GFZ_AUX_KP", str(source)).code == 0
    result = run(cli, filled, "sql", "SELECT count(*) AS n, min(kp10) AS low FROM kp")
    assert result.code == 0, result.err
    count, low = result.out.splitlines()[1].split(",")
    assert int(count) > 0 and int(low) >= 0


# -- info -------------------------------------------------------------------------------------


def test_info_json_counts(cli: Cli, filled: Catalog) -> None:
    details = json.loads(run(cli, filled, "info", "--json").out)
    assert details["catalog"] == filled.url
    assert details["counts"] == {
        "product_types": 2,
        "product_collections": 3,
        "collections_with_products": 2,
        "products": 5,
    }
    assert [e["collection"] for e in details["product_index"]] == [MAG_A, MAG_B]
    assert details["product_index"][0]["products"] == 3
    assert details["versions"]["duckdb"] == duckdb.__version__


def test_info_text_and_git_state(cli: Cli, filled: Catalog, tmp_path: Path) -> None:
    text = run(cli, filled, "info").out
    assert "products:        5" in text
    if not filled.storage.is_local:
        return
    root = Path(filled.storage.root)

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)

    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@example.invalid", "add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "x")
    clean = json.loads(run(cli, filled, "info", "--json").out)["git"]
    assert clean["dirty"] is False and len(clean["commit"]) == 40
    (root / "product_types" / "extra.txt").write_text("x")
    assert json.loads(run(cli, filled, "info", "--json").out)["git"]["dirty"] is True


def test_info_on_a_missing_catalogue(cli: Cli, tmp_path: Path) -> None:
    result = cli("--catalog", str(tmp_path / "nope"), "info")
    assert result.code == 1
    assert result.err.startswith(f"ERROR: catalogue {tmp_path / 'nope'} does not exist")


# -- check ------------------------------------------------------------------------------------


def problems(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith(("ERROR:", "WARNING:"))]


def test_check_passes_on_a_sound_catalogue(cli: Cli, filled: Catalog) -> None:
    result = run(cli, filled, "check")
    assert result.code == 0, result.err
    assert problems(result.err) == []
    assert result.err.splitlines()[-1] == "INFO: 0 error(s), 0 warning(s)"
    assert "INFO: data-files: needs --files" in result.err


def test_check_finds_an_orphan_index_file(cli: Cli, filled: Catalog) -> None:
    folder = f"products/collection={MAG_A}"
    filled.storage.write_bytes(f"{folder}/part-0000000000000000.parquet", b"left over")
    result = run(cli, filled, "check")
    assert result.code == 0  # a warning only
    assert problems(result.err) == [
        f"WARNING: [orphan-files] {folder}/part-0000000000000000.parquet: not listed in "
        f"_manifest-{MAG_A}.json (left by an interrupted write; 'product compact' removes it)"
    ]


def test_a_manifest_under_its_old_name_stops_commands_and_check_says_so(
    cli: Cli, filled: Catalog
) -> None:
    folder = f"products/collection={MAG_B}"
    new, old = f"{folder}/_manifest-{MAG_B}.json", f"{folder}/_manifest.json"
    filled.storage.write_bytes(old, filled.storage.read_bytes(new))
    filled.storage.remove(new)
    message = (
        f"{filled.storage.url_of(old)}: the product index manifest is now named "
        f"_manifest-{MAG_B}.json; rename the file (e.g. with git mv), its content is unchanged"
    )
    result = run(cli, filled, "product", "list", "-c", MAG_B)
    assert (result.code, result.out) == (1, "")
    assert result.err.splitlines() == [f"ERROR: {message}"]

    result = run(cli, filled, "check", "--only", "index-files", "--only", "orphan-files")
    assert result.code == 1
    assert problems(result.err) == [f"ERROR: [index-files] {message}"]


def test_check_finds_a_damaged_index_file(cli: Cli, filled: Catalog) -> None:
    folder = f"products/collection={MAG_B}"
    [name, *_] = [n for n in filled.storage.listdir(folder) if n.endswith(".jsonl")]
    data = bytearray(filled.storage.read_bytes(f"{folder}/{name}"))
    data[100] ^= 0xFF
    filled.storage.write_bytes(f"{folder}/{name}", bytes(data))
    result = run(cli, filled, "check")
    assert result.code == 1
    found = problems(result.err)
    assert found[0] == (
        f"ERROR: [index-files] {folder}/{name}: checksum differs from _manifest-{MAG_B}.json"
    )
    # the checks that read the rows report that they could not, and the run goes on
    assert all("the check could not run" in line for line in found[1:])
    errors = sum(line.startswith("ERROR:") for line in found)
    summary = f"INFO: {errors} error(s), {len(found) - errors} warning(s)"
    assert result.err.splitlines()[-1] == summary


def _rewrite_listed_file(catalog: Catalog, collection: str, data: bytes) -> str:
    """Replace the first data file of a collection, with a matching manifest checksum."""
    import hashlib
    from dataclasses import replace

    from vires_repo.products.manifest import manifest_path

    index = catalog.products
    manifest = index.manifest(collection)
    entry = manifest.files[0]
    relpath = f"products/collection={collection}/{entry.file}"
    catalog.storage.write_bytes(relpath, data)
    fixed = replace(entry, sha256=hashlib.sha256(data).hexdigest(), bytes=len(data))
    manifest = replace(manifest, files=(fixed, *manifest.files[1:]))
    catalog.storage.write_text(manifest_path(collection), manifest.dumps())
    return relpath


def test_check_reads_every_line_of_a_json_lines_file(cli: Cli, filled: Catalog) -> None:
    (entry, *_) = filled.products.manifest(MAG_B).files
    lines = filled.storage.read_bytes(f"products/collection={MAG_B}/{entry.file}").splitlines()
    row = json.loads(lines[0])
    short = json.dumps({key: value for key, value in row.items() if key != "location"})
    relpath = _rewrite_listed_file(filled, MAG_B, b"\n".join([*lines, short.encode()]) + b"\n")
    result = run(cli, filled, "check", "--only", "index-files")
    assert result.code == 1
    (found,) = problems(result.err)
    assert found.startswith(
        f"ERROR: [index-files] {relpath} is not a product index JSON-lines file: "
        f"line {len(lines) + 1} does not hold the product index columns"
    )

    relpath = _rewrite_listed_file(filled, MAG_B, b"\n".join([*lines, *lines]) + b"\n")
    result = run(cli, filled, "check", "--only", "index-files")
    assert problems(result.err) == [
        f"ERROR: [index-files] {relpath}: {2 * len(lines)} rows, "
        f"_manifest-{MAG_B}.json says {len(lines)}"
    ]


def test_check_finds_a_parquet_file_of_another_schema(cli: Cli, filled: Catalog) -> None:
    import io

    import pyarrow as pa

    buffer = io.BytesIO()
    table = pa.table({"identifier": ["x"]}).replace_schema_metadata(
        {"vires_repo": json.dumps({"format_version": 1})}
    )
    pq.write_table(table, buffer)
    relpath = _rewrite_listed_file(filled, MAG_A, buffer.getvalue())
    result = run(cli, filled, "check", "--only", "index-files")
    assert result.code == 1
    assert problems(result.err) == [
        f"ERROR: [index-files] {relpath}: Parquet schema differs from the product index schema",
        f"ERROR: [index-files] {relpath}: 1 rows, _manifest-{MAG_A}.json says 3",
    ]


def test_check_finds_broken_definitions(cli: Cli, filled: Catalog) -> None:
    filled.storage.write_text(f"product_collections/{MAG_B}.json", '{"name": ')
    text = filled.storage.read_text(f"product_collections/{MAG_A}.json")
    filled.storage.write_text(f"product_collections/{MAG_A}.json", json.dumps(json.loads(text)))
    result = run(cli, filled, "check", "--only", "definitions-valid")
    assert result.code == 1
    found = problems(result.err)
    assert len(found) == 2
    assert found[0] == (
        f"ERROR: [definitions-valid] product_collections/{MAG_A}.json: not in canonical form "
        "(re-import it to rewrite it)"
    )
    assert found[1].startswith(
        f"ERROR: [definitions-valid] product_collections/{MAG_B}.json: invalid JSON"
    )


def test_check_finds_dangling_references(cli: Cli, filled: Catalog) -> None:
    filled.storage.remove("product_types/SW_MODx_SC_1B.json")
    filled.storage.remove(f"product_collections/{MAG_B}.json")
    result = run(cli, filled, "check", "--skip", "definitions-valid")
    assert result.code == 1
    assert problems(result.err) == [
        f"ERROR: [collection-types] product collection {MOD_A} refers to the product type "
        "SW_MODx_SC_1B, which does not exist",
        f"ERROR: [product-collections] products/collection={MAG_B}: 2 product(s) of the "
        f"collection {MAG_B}, which is not defined",
    ]


def test_check_finds_two_orbit_direction_sources(cli: Cli, filled: Catalog) -> None:
    relpath = f"product_collections/{MOD_A}.json"
    definition = json.loads(filled.storage.read_text(relpath))
    definition["calculateOrbitDirection"] = True
    filled.storage.write_text(relpath, json.dumps(definition, indent=2) + "\n")
    result = run(cli, filled, "check", "--only", "orbit-direction-sources")
    assert result.code == 1
    assert problems(result.err) == [
        "ERROR: [orbit-direction-sources] orbit-direction table of Swarm/A/- has 2 source "
        f"collections: {MAG_A}, {MOD_A} (one is allowed)"
    ]


def test_check_reports_orbit_direction_tables_out_of_sync(cli: Cli, filled: Catalog) -> None:
    [first, *_] = run(cli, filled, "product", "list", "-c", MAG_A).out.splitlines()
    assert run(cli, filled, "product", "deregister", first.split("/")[1]).code == 0
    result = run(cli, filled, "check", "--only", "orbit-direction-sync")
    assert result.code == 0
    assert problems(result.err) == [
        f"WARNING: [orbit-direction-sync] orbit-direction table {table} is out of sync with "
        f"{MAG_A}: 0 product(s) not processed, 1 no longer registered "
        f"(run 'vires-repo orbit_direction sync {MAG_A}')"
        for table in ("SW_VIRE_AUXAODBGEO", "SW_VIRE_AUXAODBMAG")
    ]
    assert run(cli, filled, "orbit_direction", "sync", MAG_A).code == 0
    assert problems(run(cli, filled, "check", "--only", "orbit-direction-sync").err) == []


def test_check_missing_data_files_only_with_files_option(
    cli: Cli, filled: Catalog, tmp_path: Path
) -> None:
    record = product.select_products(filled, ProductSelection(collections=[MAG_B]))
    location = record[0].dataset_locations()[0]
    if "://" in location:
        import fsspec

        fsspec.filesystem("memory").rm(location.split("://", 1)[1])
    else:
        Path(location).unlink()
    assert run(cli, filled, "check", "--only", "data-files").code == 0
    result = run(cli, filled, "check", "--only", "data-files", "--files")
    assert result.code == 1
    assert problems(result.err) == [
        f"ERROR: [data-files] product {MAG_B}/{record[0].identifier}: data file {location} "
        "does not exist"
    ]


def test_check_selection_errors_and_listing(cli: Cli, filled: Catalog) -> None:
    unknown = run(cli, filled, "check", "--only", "nope")
    assert unknown.code == 2  # a usage error
    assert unknown.err.startswith("ERROR: unknown check(s) nope; available: ")
    listing = run(cli, filled, "check", "--list").out.splitlines()
    assert "orphan-files (warning): no file in the index that no manifest lists" in listing
    assert len(listing) == 14  # cached-products (issue 11), schedules (13), retention-policies (15)


@pytest.mark.parametrize(
    ("statement", "kind"),
    [
        ("EXPLAIN ANALYZE INSERT INTO products SELECT * FROM products", "EXPLAIN INSERT"),
        ("EXPLAIN ANALYZE COPY (SELECT 1) TO 'x.csv'", "EXPLAIN COPY"),
        ("PRAGMA show_tables", "PRAGMA"),
    ],
)
def test_sql_refuses_explain_analyze_of_writes_and_pragmas(
    cli: Cli, filled: Catalog, statement: str, kind: str, tmp_path: Path
) -> None:
    result = run(cli, filled, "sql", statement)
    assert result.code == 2
    assert result.err == (
        f"ERROR: the catalogue is read-only through SQL: {kind} statements are refused "
        "(change the catalogue with the vires-repo commands)\n"
    )
    assert not (tmp_path / "x.csv").exists()


def test_sql_explains_reads(cli: Cli, filled: Catalog) -> None:
    result = run(cli, filled, "sql", "EXPLAIN ANALYZE SELECT count(*) FROM products")
    assert result.code == 0, result.err
    assert "ANALYZE" in result.out.upper()


def _snapshot(catalog: Catalog) -> dict[str, bytes]:
    """Every file under the catalogue root with its bytes (the runtime state excluded)."""
    storage = catalog.storage
    files = storage.fs.find(storage.root)
    return {f: storage.fs.cat_file(f) for f in files if "/.state/" not in f}


@pytest.mark.parametrize(
    "spelling",
    [
        "COPY (SELECT 1 AS a) TO '{manifest}' (FORMAT csv)",
        "COPY (SELECT 1 AS a) TO '{manifest}' (FORMAT csv, USE_TMP_FILE false)",
        "EXPLAIN ANALYZE COPY (SELECT 1 AS a) TO '{manifest}' (FORMAT csv)",
        "EXPLAIN (ANALYZE) COPY (SELECT 1 AS a) TO '{data}'",
        "CREATE TABLE t AS SELECT * FROM products",
        "ATTACH '{root}/new.duckdb' AS other",
        "EXPORT DATABASE '{root}/export'",
        "INSTALL httpfs",
        "LOAD httpfs",
        "SET enable_external_access = true",
        "RESET lock_configuration",
        "PRAGMA enable_profiling = 'json'",
        "CALL pragma_version()",
        "SELECT * FROM read_text('{outside}')",
        "SELECT * FROM read_blob('{outside}')",
        "SELECT * FROM read_text('{root}/../outside.txt')",
        "SELECT * FROM read_csv('{outside}')",
        "FROM glob('{parent}/*')",
        "SELECT * FROM read_csv('http://127.0.0.1:9/x.csv')",
    ],
)
def test_sql_no_spelling_writes_or_reads_outside_the_catalogue(
    cli: Cli, filled: Catalog, spelling: str, tmp_path: Path
) -> None:
    """Each spelling is one ERROR line (exit 2) and leaves the catalogue byte-identical; the
    reads of files outside the catalogue pass the statement check and are refused by the
    confined connection (they succeeded before it)."""
    outside = tmp_path / "outside.txt"
    outside.write_text("secret\n")
    storage = filled.storage
    [manifest] = [
        f for f in storage.fs.find(storage.root) if f.endswith(".json") and "manifest" in f
    ][:1]
    data = next(f for f in storage.fs.find(storage.root) if f.endswith(".parquet"))
    statement = spelling.format(
        manifest=storage.url_of(manifest[len(storage.root) + 1 :]),
        data=storage.url_of(data[len(storage.root) + 1 :]),
        root=storage.url_of(),
        outside=outside,
        parent=tmp_path,
    )
    before = _snapshot(filled)

    result = run(cli, filled, "sql", statement)

    assert result.code == 2, result
    assert result.err.startswith("ERROR: ") and result.err.count("\n") == 1, result.err
    assert "secret" not in result.out + result.err
    assert _snapshot(filled) == before


def test_sql_reads_the_catalogues_own_files(cli: Cli, filled: Catalog) -> None:
    [entry] = filled.products.manifest(MAG_A).files
    url = filled.products.file_url(MAG_A, entry)
    result = run(cli, filled, "sql", f"SELECT count(*) AS n FROM read_parquet('{url}')")
    assert (result.code, result.out) == (0, "n\n3\n"), result


def test_sql_reruns_over_fresh_manifests_when_a_compaction_removed_a_file(
    cli: Cli, filled: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A compaction commits between the moment sql reads the manifests and the query: the
    JSON-lines files the views name are gone, the rerun reads the compacted file."""
    from vires_repo.services import sql as service

    build = service.view_statements
    builds: list[int] = []

    def build_then_compact(catalog: Catalog) -> list[str]:
        views = build(catalog)
        if not builds:
            filled.products.compact(MAG_B)
        builds.append(len(views))
        return views

    monkeypatch.setattr(service, "view_statements", build_then_compact)
    result = run(cli, filled, "sql", "SELECT count(*) AS n FROM products")

    assert (result.code, result.out, result.err) == (0, "n\n5\n", "")
    assert len(builds) == 2


def test_sql_fails_in_one_line_on_a_data_file_that_stays_missing(
    cli: Cli, filled: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vires_repo.services import sql as service

    build = service.view_statements
    builds: list[int] = []
    monkeypatch.setattr(service, "view_statements", lambda c: builds.append(1) or build(c))
    [entry] = filled.products.manifest(MAG_A).files
    filled.storage.fs.rm(filled.products.file_url(MAG_A, entry))

    result = run(cli, filled, "sql", "SELECT count(*) AS n FROM products")

    assert result.code == 1
    assert result.err.startswith("ERROR: SQL error: IO Error") and result.err.count("\n") == 1
    assert len(builds) == 2  # one rerun: the manifests had not changed
