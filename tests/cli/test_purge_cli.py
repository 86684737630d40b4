"""``vires-repo purge``: de-registered products, superseded cached-product files, the jobs
section and retention policies; the dry run lists exactly what the real run removes."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import fsspec
import pytest

from vires_repo.catalog import Catalog
from vires_repo.products import Deletion
from vires_repo.products.manifest import manifest_path
from vires_repo.testing.mag_products import write_mag_lr_product

CliRunner = Callable[..., Any]
MAG_A = "SW_OPER_MAGA_LR_1B"
FAST_A = "SW_FAST_MAGA_LR_1B"
NOW = datetime.now(UTC).replace(microsecond=0)


def _products(cli: CliRunner, root: str, data: Path, collection: str, days: list[int]) -> list[str]:
    """Register one-hour products starting ``days`` days ago (one per entry)."""
    locations = []
    for day in days:
        start = (NOW - timedelta(days=day)).replace(minute=0, second=0)
        locations.append(
            write_mag_lr_product(
                data,
                start,
                start + timedelta(minutes=59),
                sampling=timedelta(minutes=1),
                minimal=True,
                file_class=collection.split("_")[1],
            )
        )
    code, _, err = cli(
        "-C", root, "product", "register", "-c", collection, *locations,
        "--skip-post-registration-actions",
    )  # fmt: skip
    assert code == 0, err
    return [Path(location).stem for location in locations]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    return folder


def _manifest(root: str, collection: str = MAG_A) -> dict[str, Any]:
    with fsspec.open(f"{root}/{manifest_path(collection)}", "rt") as stream:
        document: dict[str, Any] = json.load(stream)
    return document


def test_purge_removes_exactly_what_the_dry_run_listed(
    cli: CliRunner, default_catalog: str, data: Path
) -> None:
    ids = _products(cli, default_catalog, data, MAG_A, [400, 300, 200, 100])
    catalog = Catalog(default_catalog)
    catalog.products.delete(
        MAG_A, ids[:2], Deletion(by="ops@a", reason="old", at=NOW - timedelta(days=40))
    )
    catalog.products.delete(MAG_A, ids[2:3], Deletion(by="ops@b", at=NOW - timedelta(days=5)))

    dry = cli("-C", default_catalog, "purge", "--products", "--older-than", "P30D", "--dry-run")
    before = _manifest(default_catalog)
    real = cli("-C", default_catalog, "purge", "--products", "--older-than", "P30D")

    assert dry.code == real.code == 0
    assert dry.out == real.out
    assert dry.out.splitlines() == [
        f"purged product {MAG_A}/{name} (deleted "
        f"{(NOW - timedelta(days=40)):%Y-%m-%dT%H:%M:%S}Z by ops@a: old)"
        for name in sorted(ids[:2])
    ]
    assert dry.err == (
        "INFO: -> Purging products (dry run)\nINFO: 2 deleted product records would be purged\n"
    )
    assert real.err == "INFO: -> Purging products\nINFO: 2 deleted product records purged\n"
    assert len(before["deleted"]) == 3
    after = _manifest(default_catalog)
    assert [record["identifier"] for record in after["deleted"]] == [ids[2]]
    assert sum(len(entry.get("tombstones", [])) for entry in after["files"]) == 1
    assert cli("-C", default_catalog, "product", "undelete", ids[0]).code == 1
    assert cli("-C", default_catalog, "product", "undelete", ids[2]).code == 0
    assert len(cli("-C", default_catalog, "product", "list").out.splitlines()) == 2


def test_purge_without_a_kind_runs_every_kind(cli: CliRunner, default_catalog: str) -> None:
    code, out, err = cli("-C", default_catalog, "purge")

    assert (code, out) == (0, "")
    assert err.splitlines() == [
        "INFO: -> Purging products",
        "INFO: 0 deleted product records purged",
        "INFO: -> Purging cached products",
        "INFO: 0 superseded cached-product files removed",
        "INFO: -> Purging jobs",
        "INFO: 0 finished jobs purged (ended more than P14D ago)"
        if "://" not in default_catalog
        else "INFO: no jobs store: jobs root "
        f"{default_catalog}/.state/jobs is not a local folder, so the job records cannot be a "
        "SQLite file there: set VIRES_JOBS_DB=postgresql://USER:PASSWORD@HOST/DB",
    ]


def test_superseded_cached_product_files_are_removed(cli: CliRunner, default_catalog: str) -> None:
    from testdata import TESTDATA

    kp = TESTDATA / "aux" / "Kp_MJD_1998_QL_sample.dat"
    assert cli("-C", default_catalog, "cached_product", "update", "GFZ_AUX_KP", str(kp)).code == 0
    fs, path = fsspec.core.url_to_fs(default_catalog)
    fs.pipe_file(f"{path}/cached_products/aux_kp.cdf.old", b"superseded")
    recorded = sorted(fs.ls(f"{path}/cached_products", detail=False))

    dry = cli("-C", default_catalog, "purge", "--cached-products", "--dry-run")
    real = cli("-C", default_catalog, "purge", "--cached-products")

    assert dry.out == real.out == "removed cached_product cached_products/aux_kp.cdf.old\n"
    assert sorted(fs.ls(f"{path}/cached_products", detail=False)) == [
        name for name in recorded if not name.endswith(".old")
    ]
    assert cli("-C", default_catalog, "check", "--only", "cached-products").code == 0


def test_jobs_past_their_retention_are_purged(
    cli: CliRunner, tmp_path: Path, copy_default_catalog: Callable[[str], str]
) -> None:
    catalog = copy_default_catalog(str(tmp_path / "catalog"))
    ended = [cli("-C", catalog, "job", "run", "sleep").err.split()[2] for _ in range(2)]
    assert cli("-C", catalog, "purge", "--jobs").out == ""  # they ended just now: kept

    dry = cli("-C", catalog, "purge", "--jobs", "--older-than", "PT0S", "--dry-run")
    assert cli("-C", catalog, "job", "list").out.split() == ended
    real = cli("-C", catalog, "purge", "--jobs", "--older-than", "PT0S")

    assert (
        dry.out == real.out == "".join(f"purged job {job_id}\n" for job_id in ended)
    )  # by submission
    assert real.err.splitlines() == [
        "INFO: -> Purging jobs",
        "INFO: 2 finished jobs purged (ended more than PT0S ago)",
    ]
    assert "2 finished jobs would be purged" in dry.err
    assert cli("-C", catalog, "job", "list").out == ""
    assert not list((tmp_path / "catalog" / ".state" / "jobs" / "perm").iterdir())


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--older-than", "soon"], "ERROR: purge --older-than 'soon': "),
        (["--older-than=-P1D"], "ERROR: purge --older-than '-P1D': "),
    ],
)
def test_bad_input_is_one_error_line(
    cli: CliRunner, default_catalog: str, argv: list[str], message: str
) -> None:
    code, out, err = cli("-C", default_catalog, "purge", *argv)

    assert (code, out) == (2, "")
    assert err.startswith(message)
    assert len(err.splitlines()) == 1


def test_purge_of_a_missing_catalogue(cli: CliRunner, tmp_path: Path) -> None:
    code, _, err = cli("-C", str(tmp_path / "nowhere"), "purge", "--dry-run")

    assert code == 1
    assert err.startswith(f"ERROR: catalogue {tmp_path / 'nowhere'} does not exist")


def test_purge_refuses_in_maintenance_but_its_dry_run_reads(
    cli: CliRunner, default_catalog: str
) -> None:
    assert cli("-C", default_catalog, "maintenance", "on", "--reason", "backup").code == 0

    refused = cli("-C", default_catalog, "purge", "--products")
    dry = cli("-C", default_catalog, "purge", "--products", "--dry-run")

    assert refused.code == 1
    assert "is in maintenance mode" in refused.err and "backup" in refused.err
    assert dry.code == 0


# -- retention policies ------------------------------------------------------------------


def _policy(root: str, name: str, **definition: Any) -> None:
    fs, path = fsspec.core.url_to_fs(root)
    fs.makedirs(f"{path}/retention_policies", exist_ok=True)
    text = json.dumps({"name": name, **definition}, indent=2) + "\n"
    fs.pipe_file(f"{path}/retention_policies/{name}.json", text.encode())


def test_policies_expire_old_products_and_purge_old_deletions(
    cli: CliRunner, default_catalog: str, data: Path
) -> None:
    fast = _products(cli, default_catalog, data, FAST_A, [200, 120, 30, 2])
    oper = _products(cli, default_catalog, data, MAG_A, [200])
    _policy(default_catalog, "fast", collections=["SW_FAST_*"], keepProducts="P90D",
            purgeDeletedAfter="P60D")  # fmt: skip
    catalog = Catalog(default_catalog)
    catalog.products.delete(FAST_A, [fast[2]], Deletion(by="ops", at=NOW - timedelta(days=61)))
    assert cli("-C", default_catalog, "check", "--only", "retention-policies").code == 0

    dry = cli("-C", default_catalog, "purge", "--policies", "--dry-run")
    real = cli("-C", default_catalog, "purge", "--policies")

    assert dry.code == real.code == 0
    assert dry.out == real.out
    lines = real.out.splitlines()
    assert lines[:2] == [f"deregistered product {FAST_A}/{name}" for name in sorted(fast[:2])]
    assert lines[2].startswith(f"purged product {FAST_A}/{fast[2]} (deleted ")
    assert len(lines) == 3
    assert "INFO: policy fast (27 collection(s)): 2 expired products de-registered, 1 deleted " \
        "product record purged" in real.err  # fmt: skip
    listed = cli("-C", default_catalog, "product", "list").out
    assert fast[3] in listed and oper[0] in listed
    assert fast[0] not in listed and fast[1] not in listed
    reasons = {r["identifier"]: r["reason"] for r in _manifest(default_catalog, FAST_A)["deleted"]}
    assert reasons == dict.fromkeys(fast[:2], "retention policy fast: keep P90D")
    assert cli("-C", default_catalog, "purge", "--policies").out == ""  # nothing left to do


def test_purge_policies_without_policies(cli: CliRunner, default_catalog: str) -> None:
    assert cli("-C", default_catalog, "purge", "--policies").err == (
        "INFO: -> Purging retention policies\n"
        "INFO: no retention policies defined (retention_policies/*.json)\n"
    )


@pytest.mark.parametrize(
    ("policies", "problem"),
    [
        (
            {"p": {"collections": ["NO_SUCH"], "keepProducts": "P1D"}},
            "retention policy p: collection NO_SUCH matches no product collection",
        ),
        (
            {"p": {"collections": ["SW_FAST_*"], "keepProducts": "P1D"},
             "q": {"collections": ["SW_FAST_MAGA_LR_1B"], "keepProducts": "P2D"}},
            "product collection SW_FAST_MAGA_LR_1B is covered by 2 retention policies: p, q",
        ),
        (
            {"p": {"collections": ["SW_FAST_*"]}},
            "retention_policies/p.json: give keepProducts, purgeDeletedAfter or both",
        ),
        (
            {"p": {"collections": ["SW_FAST_*"], "keepProducts": "soon"}},
            "retention_policies/p.json: keepProducts: ",
        ),
        (
            {"p": {"collections": ["SW_FAST_*"], "keepProducts": "P1D", "keep": 3}},
            "retention_policies/p.json: keep: Extra inputs are not permitted",
        ),
    ],
)  # fmt: skip
def test_check_reports_bad_policies(
    cli: CliRunner, default_catalog: str, policies: dict[str, Any], problem: str
) -> None:
    for name, definition in policies.items():
        _policy(default_catalog, name, **definition)

    code, _, err = cli("-C", default_catalog, "check", "--only", "definitions-valid",
                       "--only", "retention-policies")  # fmt: skip

    assert code == 1
    assert any(line.startswith("ERROR: [") and problem in line for line in err.splitlines()), err
