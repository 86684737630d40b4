"""``vires-repo check orphans [--purge]``: the three-way comparison of definitions, product
index and storage, both directions; nothing changes without --purge."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import fsspec
import pytest
from testdata import TESTDATA

from vires_repo.catalog import Catalog
from vires_repo.products import Deletion, ProductRecord
from vires_repo.products.manifest import manifest_path
from vires_repo.testing.mag_products import write_mag_lr_product

CliRunner = Callable[..., Any]
MAG_A = "SW_OPER_MAGA_LR_1B"
MAG_B = "SW_OPER_MAGB_LR_1B"
KP = TESTDATA / "aux" / "Kp_MJD_1998_QL_sample.dat"
KP_SOURCE = "SW_OPER_AUX_KP__2__19980101T013000_19980102T103000_0001"


def _register(cli: CliRunner, root: str, folder: Path, collection: str, hours: range) -> list[str]:
    folder.mkdir(exist_ok=True)
    spacecraft = collection[11]  # SW_OPER_MAGA_LR_1B -> A
    locations = [
        write_mag_lr_product(
            folder, f"2020-01-01T{h:02d}:00:00", f"2020-01-01T{h:02d}:59:00",
            spacecraft=spacecraft, sampling=timedelta(minutes=1),
            minimal=True,
        )
        for h in hours
    ]  # fmt: skip
    code, _, err = cli("-C", root, "product", "register", "-c", collection, *locations,
                       "--skip-post-registration-actions")  # fmt: skip
    assert code == 0, err
    return locations


@pytest.fixture
def messy(cli: CliRunner, default_catalog: str, tmp_path: Path) -> dict[str, Any]:
    """A catalogue with one finding of every category (and things that are fine)."""
    data = tmp_path / "data"
    a = _register(cli, default_catalog, data, MAG_A, range(4))
    b = _register(cli, default_catalog, tmp_path / "b", MAG_B, range(2))
    orphan = data / "SW_OPER_MAGA_LR_1B_stray.cdf"
    orphan.write_bytes(b"not registered")
    (data / ".hidden").write_bytes(b"dot files are left out")
    Path(a[1]).unlink()  # a registered product loses its file
    assert cli("-C", default_catalog, "product", "deregister", Path(a[2]).stem).code == 0
    fs, path = fsspec.core.url_to_fs(default_catalog)
    fs.rm_file(f"{path}/product_collections/{MAG_B}.json")  # products of an undefined collection
    assert cli("-C", default_catalog, "cached_product", "update", "GFZ_AUX_KP", str(KP)).code == 0
    fs.pipe_file(f"{path}/cached_products/aux_kp.cdf.old", b"superseded")
    catalog = Catalog(default_catalog)
    moment = datetime(1998, 1, 1, tzinfo=UTC)
    source = ProductRecord(MAG_A, KP_SOURCE, "SW_MAGx_LR_1B", moment, moment)
    catalog.products.upsert(MAG_A, [source])
    catalog.products.delete(MAG_A, [KP_SOURCE], Deletion(by="ops"))
    return {"root": default_catalog, "a": a, "b": b, "orphan": str(orphan)}


def test_every_category_is_found_and_nothing_changes(cli: CliRunner, messy: dict[str, Any]) -> None:
    root, a = messy["root"], messy["a"]
    fs, path = fsspec.core.url_to_fs(root)
    before = {name: fs.cat_file(name) for name in fs.find(path) if "/.state/" not in name}

    code, out, err = cli("-C", root, "check", "orphans")

    assert code == 1
    assert out.splitlines() == [
        f"index:not-in:definitions {MAG_B} (2 products)",
        f"index:not-in:storage {MAG_A}/{Path(a[1]).stem} {a[1]}",
        f"storage:not-in:index {messy['orphan']}",
        "storage:not-in:cached cached_products/aux_kp.cdf.old",
        f"cached:not-in:index GFZ_AUX_KP source {KP_SOURCE} (de-registered)",
    ]
    assert "INFO: cached:not-in:storage: 0" in err.splitlines()
    assert (
        "INFO: index:not-in:storage & index:not-in:definitions: 0 product(s) missing everywhere"
        in err.splitlines()
    )
    after = {name: fs.cat_file(name) for name in fs.find(path) if "/.state/" not in name}
    assert after == before
    assert Path(messy["orphan"]).exists()


def test_purge_removes_orphans_and_deregisters_products_without_file(
    cli: CliRunner, messy: dict[str, Any]
) -> None:
    root, a = messy["root"], messy["a"]

    code, out, err = cli("-C", root, "check", "orphans", "--purge")

    assert code == 1  # the undefined collection and the cached product need a decision
    assert f"storage:not-in:index {messy['orphan']}" in out.splitlines()
    assert not Path(messy["orphan"]).exists()
    assert Path(a[2]).exists()  # the data file of a de-registered product stays
    assert (Path(root) / ".state").exists() or "://" in root
    assert err.splitlines()[-1] == (
        "INFO: purged: 1 orphan data file(s) and 1 cached-product file(s) removed, "
        "1 product(s) without data file de-registered"
    )
    with fsspec.open(f"{root}/{manifest_path(MAG_A)}", "rt") as stream:
        reasons = {r["identifier"]: r["reason"] for r in json.load(stream)["deleted"]}
    assert reasons[Path(a[1]).stem] == "data file missing (check orphans --purge)"
    again = cli("-C", root, "check", "orphans")
    assert [line.split(" ", 1)[0] for line in again.out.splitlines()] == [
        "index:not-in:definitions",
        "index:not-in:storage",  # still named by the de-registered product, until purged
        "cached:not-in:index",
    ]
    assert again.out.splitlines()[1].endswith("(de-registered)")


def test_a_clean_catalogue_has_no_orphans(
    cli: CliRunner, default_catalog: str, tmp_path: Path
) -> None:
    _register(cli, default_catalog, tmp_path / "data", MAG_A, range(3))

    code, out, err = cli("-C", default_catalog, "check", "orphans")

    assert (code, out) == (0, "")
    assert "INFO: 3 data file(s) named by the index, 3 file(s) in 1 source folder(s)" in err


def test_purge_refuses_in_maintenance(cli: CliRunner, messy: dict[str, Any]) -> None:
    assert cli("-C", messy["root"], "maintenance", "on").code == 0

    code, out, err = cli("-C", messy["root"], "check", "orphans", "--purge")

    assert (code, out) == (1, "")
    assert "is in maintenance mode" in err
    assert Path(messy["orphan"]).exists()
    assert cli("-C", messy["root"], "check", "orphans").code == 1  # reading still works


def test_orphans_of_a_missing_catalogue(cli: CliRunner, tmp_path: Path) -> None:
    code, out, err = cli("-C", str(tmp_path / "nowhere"), "check", "orphans")

    assert (code, out) == (1, "")
    assert err.startswith(f"ERROR: catalogue {tmp_path / 'nowhere'} does not exist")
    assert len(err.splitlines()) == 1
