"""``vires-repo cached_product update|dump`` through ``main(argv)`` on the real sample files,
on a local and a ``memory://`` catalogue (the ``catalog_root`` fixture runs each test on both).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import fsspec
import pytest
from testdata import TESTDATA

from vires_repo.cached_products.store import MANIFEST_PATH, sha256
from vires_repo.catalog import Catalog
from vires_repo.manifests import manifest_text
from vires_repo.services import cached_product as service

CliRunner = Callable[..., Any]
"""The ``cli`` fixture of tests/conftest.py: ``cli(*argv)`` -> ``(code, out, err)``."""

AUX = TESTDATA / "aux"
MODELS = TESTDATA / "models"
KP = AUX / "Kp_MJD_1998_QL_sample.dat"
DST = AUX / "Dst_MJD_1998_sample.dat"
F107 = AUX / "SW_OPER_AUX_F10_2__sample.DBL"
ORBCNT_A = AUX / "SW_OPER_AUXAORBCNT_sample.TXT"
MCO_2C = MODELS / "SW_OPER_MCO_SHA_2C.shc"
MIO_2C = MODELS / "SW_OPER_MIO_SHA_2C.txt"

KP_SOURCE = "SW_OPER_AUX_KP__2__19980101T013000_19980102T103000_0001"
DST_SOURCE = "SW_OPER_AUX_DST_2__19980101T003000_19980102T103000_0001"
EARLIER = datetime(2020, 2, 27, 9, 53, 11, tzinfo=UTC)

# (type, source, cached file names, recorded source ids)
SAMPLES = [
    ("GFZ_AUX_KP", KP, ("aux_kp.cdf",), [KP_SOURCE]),
    ("GFZ_AUX_DST", DST, ("aux_dst.cdf",), [DST_SOURCE]),
    ("AUX_F10_2_", F107, ("SW_OPER_AUX_F10_2_.cdf",), ["SW_OPER_AUX_F10_2__sample"]),
    ("AUXAORBCNT", ORBCNT_A, ("SW_OPER_AUXAORBCNT.cdf",), ["SW_OPER_AUXAORBCNT_sample"]),
    (
        "MCO_SHA_2C",
        MCO_2C,
        ("SW_OPER_MCO_SHA_2C.shc", "SW_OPER_MCO_SHA_2C.shc.source"),
        ["SW_OPER_MCO_SHA_2C"],
    ),
    (
        "MIO_SHA_2C",
        MIO_2C,
        ("SW_OPER_MIO_SHA_2C.txt", "SW_OPER_MIO_SHA_2C.txt.source"),
        ["SW_OPER_MIO_SHA_2C"],
    ),
]


@pytest.fixture
def run(cli: CliRunner, catalog_root: str) -> CliRunner:
    """``run("update", TYPE, SOURCE...)`` = ``vires-repo --catalog ROOT cached_product ...``."""

    def command(*argv: str | Path) -> Any:
        return cli("--catalog", catalog_root, "cached_product", *map(str, argv))

    return command


def snapshot(catalog: Catalog) -> dict[str, bytes]:
    """Every file below the catalogue root except the runtime state, with its bytes."""
    storage = catalog.storage
    files = storage.fs.find(storage.root, withdirs=False)
    prefix = storage.root.rstrip("/") + "/"
    result = {}
    for name in files:
        relative = str(name)[len(prefix) :] if str(name).startswith(prefix) else str(name)
        if not relative.startswith(".state/"):
            result[relative] = storage.read_bytes(relative)
    return result


def manifest(catalog: Catalog) -> dict[str, object]:
    document: dict[str, object] = json.loads(catalog.storage.read_bytes(MANIFEST_PATH))
    return document


# -- update then dump ------------------------------------------------------------------------


def test_update_then_dump_several_types(run: CliRunner, catalog: Catalog) -> None:
    for type_id, source, _files, _sources in SAMPLES:
        result = run("update", type_id, source)
        assert result == (0, "", f"INFO: {type_id} updated from 1 source file(s).\n")

    code, out, err = run("dump", "GFZ_AUX_KP", "MCO_SHA_2C", "AUXAORBCNT")
    assert (code, err) == (0, "")
    records = json.loads(out)
    assert [r["identifier"] for r in records] == ["GFZ_AUX_KP", "MCO_SHA_2C", "AUXAORBCNT"]
    by_type = {sample[0]: sample for sample in SAMPLES}
    for record in records:
        _type, _source, files, sources = by_type[record["identifier"]]
        assert list(record) == ["identifier", "updated", "location", "sources"]
        assert record["location"] == catalog.storage.url_of(f"cached_products/{files[0]}")
        assert record["sources"] == sources
        updated = datetime.fromisoformat(record["updated"].replace("Z", "+00:00"))
        assert record["updated"].endswith("Z") and updated.microsecond == 0
        assert abs((datetime.now(UTC) - updated).total_seconds()) < 120

    # the files are where the manifest says, with the recorded bytes
    stored = snapshot(catalog)
    expected = {MANIFEST_PATH} | {f"cached_products/{n}" for s in SAMPLES for n in s[2]}
    assert set(stored) == expected
    assert stored["cached_products/SW_OPER_MCO_SHA_2C.shc"] == MCO_2C.read_bytes()
    assert stored["cached_products/SW_OPER_MCO_SHA_2C.shc.source"] == b"SW_OPER_MCO_SHA_2C\n"
    document = manifest(catalog)
    assert document["format_version"] == 1
    entries = document["cached_products"]
    assert isinstance(entries, list)
    assert [e["identifier"] for e in entries] == sorted(s[0] for s in SAMPLES)
    for entry in entries:
        assert list(entry) == ["identifier", "updated", "location", "sources"] + [
            "checksum",
            "files",
        ]
        assert entry["location"] == f"cached_products/{entry['files'][0]['name']}"
        assert entry["checksum"] == entry["files"][0]["checksum"]
        for file in entry["files"]:
            data = stored[f"cached_products/{file['name']}"]
            assert (file["size"], file["checksum"]) == (len(data), sha256(data))
    # the canonical manifest layout: one record a line, the same bytes for the same records
    text = catalog.storage.read_text(MANIFEST_PATH)
    assert text == manifest_text({"format_version": 1}, "cached_products", entries)
    lines = [f"    {json.dumps(entry)}" for entry in entries]
    assert text.splitlines()[3:-2] == [line + "," for line in lines[:-1]] + lines[-1:]


def test_dump_all_lists_every_type_sorted_with_null_for_missing(
    run: CliRunner, catalog: Catalog
) -> None:
    assert run("update", "GFZ_AUX_KP", KP).code == 0
    code, out, err = run("dump")
    assert (code, err) == (0, "")
    records = json.loads(out)
    identifiers = [r["identifier"] for r in records]
    assert identifiers == sorted(service.cached_product_types())
    assert len(identifiers) == 25
    kp = records[identifiers.index("GFZ_AUX_KP")]
    assert kp["sources"] == [KP_SOURCE]
    dst = records[identifiers.index("GFZ_AUX_DST")]
    assert dst == {
        "identifier": "GFZ_AUX_DST",
        "updated": None,
        "location": catalog.storage.url_of("cached_products/aux_dst.cdf"),
        "sources": [],
    }


def test_dump_of_named_types_keeps_their_order_without_duplicates(run: CliRunner) -> None:
    assert run("update", "GFZ_AUX_DST", DST).code == 0
    code, out, _ = run("dump", "GFZ_AUX_KP", "GFZ_AUX_DST", "GFZ_AUX_KP")
    assert code == 0
    assert [r["identifier"] for r in json.loads(out)] == ["GFZ_AUX_KP", "GFZ_AUX_DST"]


def test_dump_to_a_file(run: CliRunner, tmp_path: Path) -> None:
    assert run("update", "GFZ_AUX_DST", DST).code == 0
    target = tmp_path / "dump.json"
    assert run("dump", "GFZ_AUX_DST", "-f", target) == (0, "", "")
    code, out, _ = run("dump", "GFZ_AUX_DST", "--file", "-")
    assert code == 0
    assert target.read_text() == out
    assert json.loads(out)[0]["sources"] == [DST_SOURCE]


def test_update_from_an_fsspec_url(run: CliRunner) -> None:
    url = "memory://sources/Kp_MJD_1998_QL_sample.dat"
    fsspec.filesystem("memory").pipe_file(url, KP.read_bytes())
    assert run("update", "GFZ_AUX_KP", url) == (
        0,
        "",
        "INFO: GFZ_AUX_KP updated from 1 source file(s).\n",
    )
    assert json.loads(run("dump", "GFZ_AUX_KP").out)[0]["sources"] == [KP_SOURCE]


# -- same inputs, same bytes -----------------------------------------------------------------


@pytest.mark.parametrize(("type_id", "source", "files", "sources"), SAMPLES[::2] + SAMPLES[3:5])
def test_repeated_identical_update_changes_no_file(
    run: CliRunner,
    catalog: Catalog,
    type_id: str,
    source: Path,
    files: tuple[str, ...],
    sources: list[str],
) -> None:
    # a first update long ago: an identical one now must keep its time and its bytes
    first = service.update_cached_product(catalog, type_id, [str(source)], now=EARLIER)
    assert first.changed and first.record.updated == EARLIER
    before = snapshot(catalog)
    stats = _local_stats(catalog)

    code, out, err = run("update", type_id, source)
    assert (code, out) == (0, "")
    assert err == (
        f"INFO: {type_id} unchanged: the 1 source file(s) give the content already cached "
        "on 2020-02-27T09:53:11Z.\n"
    )
    assert snapshot(catalog) == before
    assert _local_stats(catalog) == stats  # not even rewritten with the same bytes
    dumped = json.loads(run("dump", type_id).out)[0]
    assert (dumped["updated"], dumped["sources"]) == ("2020-02-27T09:53:11Z", sources)


def _local_stats(catalog: Catalog) -> dict[str, tuple[int, int]]:
    if not catalog.storage.is_local:
        return {}
    root = Path(catalog.storage.root)
    return {
        str(p.relative_to(root)): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in root.rglob("*")
        if p.is_file() and ".state" not in p.parts
    }


def test_changed_content_gets_a_new_time_and_new_bytes(catalog: Catalog, tmp_path: Path) -> None:
    service.update_cached_product(catalog, "GFZ_AUX_KP", [str(KP)], now=EARLIER)
    old = snapshot(catalog)
    shorter = tmp_path / "Kp_MJD_1998_QL_shorter.dat"
    shorter.write_text("".join(KP.read_text().splitlines(keepends=True)[:-1]))
    later = datetime(2021, 1, 1, 12, 0, 0, 123456, tzinfo=UTC)

    result = service.update_cached_product(catalog, "GFZ_AUX_KP", [str(shorter)], now=later)

    assert result.changed
    assert result.record.updated == later.replace(microsecond=0)
    assert result.written == ("cached_products/aux_kp.cdf", MANIFEST_PATH)
    new = snapshot(catalog)
    assert new["cached_products/aux_kp.cdf"] != old["cached_products/aux_kp.cdf"]
    # the CDF's own update time is the recorded one (VirES reads CREATED for dump)
    from vires_repo.cached_products import read_info

    local = tmp_path / "out"
    local.mkdir()
    (local / "aux_kp.cdf").write_bytes(new["cached_products/aux_kp.cdf"])
    assert read_info("GFZ_AUX_KP", local).updated == later.replace(microsecond=0)
    dumped = service.dump_cached_products(catalog, ["GFZ_AUX_KP"])
    assert dumped[0]["updated"] == "2021-01-01T12:00:00Z"


# -- failures keep the previous product ------------------------------------------------------


def test_wrong_file_for_the_type_keeps_the_previous_product(
    run: CliRunner, catalog: Catalog
) -> None:
    assert run("update", "GFZ_AUX_KP", KP).code == 0
    before = snapshot(catalog)

    code, out, err = run("update", "GFZ_AUX_KP", DST)

    assert (code, out) == (1, "")
    assert err == (
        "ERROR: Failed to update cached product GFZ_AUX_KP: Dst_MJD_1998_sample.dat: "
        "not a GFZ_AUX_KP source file (expected Kp_MJD_*.dat)\n"
    )
    assert snapshot(catalog) == before


def test_kp_content_in_a_kp_named_file_that_is_not_kp(
    run: CliRunner, catalog: Catalog, tmp_path: Path
) -> None:
    assert run("update", "GFZ_AUX_KP", KP).code == 0
    before = snapshot(catalog)
    impostor = tmp_path / "Kp_MJD_impostor.dat"
    shutil.copy(DST, impostor)

    code, _, err = run("update", "GFZ_AUX_KP", impostor)

    assert code == 1
    assert err.startswith(
        "ERROR: Failed to update cached product GFZ_AUX_KP: Kp_MJD_impostor.dat: line "
    )
    assert err.count("\n") == 1 and "Traceback" not in err
    assert snapshot(catalog) == before


def test_truncated_shc_keeps_the_previous_model_and_manifest(
    run: CliRunner, catalog: Catalog, tmp_path: Path
) -> None:
    assert run("update", "MCO_SHA_2C", MCO_2C).code == 0
    assert run("update", "GFZ_AUX_DST", DST).code == 0
    before = snapshot(catalog)
    truncated = tmp_path / MCO_2C.name
    truncated.write_bytes(MCO_2C.read_bytes()[:100_000])

    code, out, err = run("update", "MCO_SHA_2C", truncated)

    assert (code, out) == (1, "")
    assert err == (
        "ERROR: Failed to update cached product MCO_SHA_2C: SW_OPER_MCO_SHA_2C.shc: "
        "truncated SHC file: coefficient row 161 of 360 is incomplete (line 166)\n"
    )
    assert snapshot(catalog) == before
    assert before["cached_products/SW_OPER_MCO_SHA_2C.shc"] == MCO_2C.read_bytes()


def test_missing_source_file(run: CliRunner, catalog: Catalog, tmp_path: Path) -> None:
    code, _, err = run("update", "GFZ_AUX_KP", tmp_path / "Kp_MJD_none.dat")
    assert code == 1
    assert err == (
        f"ERROR: Failed to update cached product GFZ_AUX_KP: {tmp_path}/Kp_MJD_none.dat: "
        "source file does not exist\n"
    )
    assert not catalog.storage.exists(MANIFEST_PATH)


def test_too_many_sources_for_a_single_source_type(run: CliRunner) -> None:
    code, _, err = run("update", "GFZ_AUX_KP", KP, KP)
    assert code == 1
    assert err == (
        "ERROR: Failed to update cached product GFZ_AUX_KP: GFZ_AUX_KP: too many sources (2); "
        "only one source file expected\n"
    )


def test_leftovers_of_a_killed_run_do_not_matter(run: CliRunner, catalog: Catalog) -> None:
    storage = catalog.storage
    storage.write_bytes("cached_products/.staging-dead/aux_kp.cdf", b"half a CDF")
    storage.write_bytes("cached_products/.tmp-123.part", b"half a file")

    assert run("update", "GFZ_AUX_KP", KP).code == 0
    assert run("update", "GFZ_AUX_KP", KP).err.startswith("INFO: GFZ_AUX_KP unchanged")

    entries = manifest(catalog)["cached_products"]
    assert isinstance(entries, list)
    assert [file["name"] for file in entries[0]["files"]] == ["aux_kp.cdf"]
    assert json.loads(run("dump", "GFZ_AUX_KP").out)[0]["sources"] == [KP_SOURCE]


def test_a_torn_update_is_repaired_by_the_rerun(catalog: Catalog) -> None:
    """Killed after the data file but before the manifest: rerunning the old inputs puts the
    old bytes back (files are compared with the bytes, not only with the manifest)."""
    service.update_cached_product(catalog, "GFZ_AUX_KP", [str(KP)], now=EARLIER)
    before = snapshot(catalog)
    catalog.storage.write_bytes("cached_products/aux_kp.cdf", b"newer bytes")

    result = service.update_cached_product(catalog, "GFZ_AUX_KP", [str(KP)])

    assert not result.changed
    assert result.written == ("cached_products/aux_kp.cdf",)
    assert snapshot(catalog) == before


# -- usage errors ----------------------------------------------------------------------------


def test_unknown_type_is_a_usage_error_listing_the_types(run: CliRunner, catalog: Catalog) -> None:
    code, out, err = run("update", "KP", KP)
    assert (code, out) == (2, "")
    error, hint = err.splitlines()
    assert error.startswith("ERROR: ")
    assert "Unknown cached product type 'KP'; expected one of: AUXAORBCNT, AUXBORBCNT," in error
    assert "MMA_CHAOS_, MMA_SHA_2C, MMA_SHA_2F" in error
    assert hint == "Try 'vires-repo cached_product update --help'."
    assert not catalog.storage.exists()


def test_update_without_sources(run: CliRunner) -> None:
    code, _, _ = run("update", "GFZ_AUX_KP")
    assert code == 2


def test_dump_of_an_unknown_type(run: CliRunner) -> None:
    assert run("update", "GFZ_AUX_KP", KP).code == 0
    code, out, err = run("dump", "GFZ_AUX_KP", "KP", "XYZ")
    assert (code, out) == (1, "")
    assert err.startswith("ERROR: unknown cached product types 'KP', 'XYZ'; expected one of ")
    assert err.endswith("MMA_SHA_2C, MMA_SHA_2F\n")


def test_dump_of_a_catalogue_that_does_not_exist(run: CliRunner) -> None:
    code, out, err = run("dump")
    assert (code, out) == (1, "")
    assert err.startswith("ERROR: catalogue ") and "does not exist" in err


def test_unreadable_manifest_is_reported(run: CliRunner, catalog: Catalog) -> None:
    assert run("update", "GFZ_AUX_KP", KP).code == 0
    catalog.storage.write_bytes(MANIFEST_PATH, b"{not json")
    code, _, err = run("update", "GFZ_AUX_DST", DST)
    assert code == 1
    assert err.startswith("ERROR: ") and "_manifest.json is not valid JSON" in err
    assert not catalog.storage.exists("cached_products/aux_dst.cdf")


def test_verbose_update_shows_the_steps(cli: CliRunner, catalog_root: str) -> None:
    code, _, err = cli("--catalog", catalog_root, "-v", "2", "cached_product", "update",
                       "GFZ_AUX_KP", str(KP))  # fmt: skip
    assert code == 0
    assert "DEBUG: Updating cached_products/aux_kp.cdf from " in err
    assert "DEBUG: wrote cached_products/aux_kp.cdf (" in err
    assert "DEBUG: wrote cached_products/_manifest.json" in err
    assert err.endswith("INFO: GFZ_AUX_KP updated from 1 source file(s).\n")


def test_help_documents_the_arguments(cli: CliRunner) -> None:
    code, out, _ = cli("cached_product", "update", "--help")
    assert code == 0
    assert "Convert source files into a cached product" in out
    assert "local paths or fsspec URLs" in out


# -- multi-source types ----------------------------------------------------------------------


def test_chaos_core_keeps_the_newest_version(
    run: CliRunner, catalog: Catalog, tmp_path: Path
) -> None:
    names = [
        f"SW_OPER_MCO_SHA_2X_19990101T000000_20200101T000000_070{version}.shc" for version in (1, 2)
    ]
    for name in names:
        shutil.copy(MCO_2C, tmp_path / name)

    code, _, err = run("update", "MCO_SHA_2X", *(tmp_path / name for name in names))

    assert code == 0
    assert err == (
        "INFO: MCO_SHA_2X updated from 1 of 2 source files (the others are superseded or "
        "not contiguous with the latest ones).\n"
    )
    record = json.loads(run("dump", "MCO_SHA_2X").out)[0]
    assert record["sources"] == [names[1].removesuffix(".shc")]
    assert record["location"] == catalog.storage.url_of("cached_products/SW_OPER_MCO_SHA_2X.zip")


def test_mma_model_from_a_real_file(run: CliRunner, catalog: Catalog, tmp_path: Path) -> None:
    source = tmp_path / "SW_OPER_MMA_SHA_2F_20131125T103000_20140101T000000_0108.cdf"
    shutil.copy(MODELS / "TEST_MMA_SHA_2F.cdf", source)
    assert run("update", "MMA_SHA_2F", source).code == 0
    before = snapshot(catalog)
    assert run("update", "MMA_SHA_2F", source).err.startswith("INFO: MMA_SHA_2F unchanged")
    assert snapshot(catalog) == before
    record = json.loads(run("dump", "MMA_SHA_2F").out)[0]
    assert record["sources"] == [source.stem]


def test_a_truncated_model_cdf_keeps_the_previous_product_and_manifest(
    run: CliRunner, catalog: Catalog, tmp_path: Path
) -> None:
    """A damaged CDF source fails in the guarded reader with one line naming the file."""
    name = "SW_OPER_MMA_SHA_2F_20131125T103000_20140101T000000_0108.cdf"
    source = tmp_path / name
    shutil.copy(MODELS / "TEST_MMA_SHA_2F.cdf", source)
    assert run("update", "MMA_SHA_2F", source).code == 0
    before = snapshot(catalog)
    truncated = tmp_path / "cut" / name
    truncated.parent.mkdir()
    truncated.write_bytes(source.read_bytes()[:20_000])

    code, out, err = run("update", "MMA_SHA_2F", truncated)

    assert (code, out) == (1, "")
    failure = f"ERROR: Failed to update cached product MMA_SHA_2F: {name}: "
    assert err.startswith(failure + "corrupt or truncated CDF (")
    assert err.count("\n") == 1 and err.endswith(")\n")
    assert snapshot(catalog) == before


def test_a_folder_given_as_source(run: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "Kp_MJD_folder.dat"
    folder.mkdir()
    code, _, err = run("update", "GFZ_AUX_KP", folder)
    assert code == 1
    assert err == (
        f"ERROR: Failed to update cached product GFZ_AUX_KP: {folder}: is a folder, "
        "not a source file\n"
    )


def test_concurrent_updates_of_two_types_both_reach_the_manifest(catalog_root: str) -> None:
    """The manifest's read-modify-write happens under the catalogue lock."""
    from concurrent.futures import ThreadPoolExecutor

    jobs = [("GFZ_AUX_KP", KP), ("GFZ_AUX_DST", DST), ("AUX_F10_2_", F107)] * 2
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = [
            pool.submit(service.update_cached_product, Catalog(catalog_root), t, [str(s)])
            for t, s in jobs
        ]
        for future in futures:
            future.result()
    entries = manifest(Catalog(catalog_root))["cached_products"]
    assert isinstance(entries, list)
    assert [e["identifier"] for e in entries] == ["AUX_F10_2_", "GFZ_AUX_DST", "GFZ_AUX_KP"]


def test_the_command_module_imports_no_heavy_library() -> None:
    """``vires-repo cached_product --help`` stays fast: pyarrow and cdflib load on use."""
    import subprocess
    import sys

    code = (
        "import sys, vires_repo.cli, vires_repo.cli.cached_product; "
        "print(sorted(m for m in ('pyarrow', 'cdflib', 'numpy') if m in sys.modules))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "[]"
