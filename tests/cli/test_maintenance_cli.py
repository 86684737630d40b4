"""``vires-repo maintenance on|off|status`` and the refusal of every writer while it is on
(readers keep working), on a local and a ``memory://`` catalogue."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import fsspec
import pytest
from testdata import TESTDATA

from vires_repo.catalog import Catalog
from vires_repo.errors import MaintenanceError
from vires_repo.maintenance import enter_maintenance, leave_maintenance, maintenance_state
from vires_repo.testing.mag_products import write_mag_lr_product

CliRunner = Callable[..., Any]
MAG_A = "SW_OPER_MAGA_LR_1B"
REASON = "moving to the new bucket"


def _snapshot(root: str) -> dict[str, bytes]:
    """Every file of the catalogue except its runtime state."""
    fs, path = fsspec.core.url_to_fs(root)
    return {
        name[len(path) :]: fs.cat_file(name)
        for name in sorted(fs.find(path))
        if "/.state/" not in name
    }


@pytest.fixture
def maintained(
    cli: CliRunner, default_catalog: str, tmp_path: Path
) -> Iterator[tuple[str, dict[str, str]]]:
    """A catalogue with one registered product, in maintenance mode; and sample inputs."""
    data = tmp_path / "data"
    data.mkdir()
    first = write_mag_lr_product(data, "2020-01-01T00:00:00", "2020-01-01T00:59:00")
    second = write_mag_lr_product(data, "2020-01-02T00:00:00", "2020-01-02T00:59:00")
    code, _, err = cli(
        "-C",
        default_catalog,
        "product",
        "register",
        "-c",
        MAG_A,
        first,
        "--skip-post-registration-actions",
    )
    assert code == 0, err
    exported = cli("-C", default_catalog, "product", "export").out
    code, _, err = cli("-C", default_catalog, "maintenance", "on", "--reason", REASON)
    assert code == 0, err
    inputs = {
        "first": Path(first).stem,
        "second": second,
        "exported": exported,
        "type": json.dumps(
            [{"name": "TYPE_A", "datasets": {"D": {"t": {"dataType": "timestamp"}}}}]
        ),
    }
    yield default_catalog, inputs


WRITERS: list[tuple[str, Callable[[dict[str, str]], tuple[list[str], str | None]]]] = [
    ("product_type import", lambda i: (["product_type", "import"], i["type"])),
    ("product_type remove", lambda i: (["product_type", "remove", "--all"], None)),
    ("product_collection import", lambda i: (["product_collection", "import", "-d"], None)),
    ("product_collection remove", lambda i: (["product_collection", "remove", "--all"], None)),
    (
        "product register",
        lambda i: (["product", "register", "-c", MAG_A, i["second"]], None),
    ),
    ("product import", lambda i: (["product", "import", "--update"], i["exported"])),
    ("product deregister", lambda i: (["product", "deregister", i["first"]], None)),
    ("product compact", lambda i: (["product", "compact"], None)),
    (
        "cached_product update",
        lambda i: (
            [
                "cached_product",
                "update",
                "GFZ_AUX_KP",
                str(TESTDATA / "aux" / "Kp_MJD_1998_QL_sample.dat"),
            ],
            None,
        ),
    ),
    ("orbit_direction update", lambda i: (["orbit_direction", "update", i["first"]], None)),
    ("orbit_direction sync", lambda i: (["orbit_direction", "sync"], None)),
    ("orbit_direction rebuild", lambda i: (["orbit_direction", "rebuild"], None)),
]


@pytest.mark.parametrize("writer", WRITERS, ids=[name for name, _ in WRITERS])
def test_every_writer_refuses_with_the_reason_and_changes_nothing(
    cli: CliRunner, maintained: tuple[str, dict[str, str]], writer: Any
) -> None:
    root, inputs = maintained
    argv, stdin = writer[1](inputs)
    before = _snapshot(root)

    code, out, err = cli("-C", root, *argv, stdin=stdin)

    assert code == 1, err
    assert out == ""
    errors = [line for line in err.splitlines() if line.startswith("ERROR:")]
    assert errors == [
        f"ERROR: catalogue {root} is in maintenance mode since "
        f"{maintenance_state(root).since:%Y-%m-%dT%H:%M:%SZ} by "  # type: ignore[union-attr]
        f"{maintenance_state(root).by}: {REASON} (writes are refused until "  # type: ignore[union-attr]
        "'vires-repo maintenance off')"
    ]
    assert _snapshot(root) == before


@pytest.mark.parametrize(
    "argv",
    [
        ["product", "list"],
        ["product", "export"],
        ["product_type", "list"],
        ["product_collection", "list", MAG_A],
        ["info"],
        ["sql", "SELECT count(*) AS n FROM products"],
    ],
    ids=" ".join,
)
def test_readers_keep_working(
    cli: CliRunner, maintained: tuple[str, dict[str, str]], argv: list[str]
) -> None:
    root, _ = maintained

    code, out, err = cli("-C", root, *argv)

    assert code == 0, err
    assert out


def test_status_exit_codes_and_output(cli: CliRunner, default_catalog: str) -> None:
    assert cli("-C", default_catalog, "maintenance", "status") == (0, "off\n", "")

    code, _, err = cli("-C", default_catalog, "maintenance", "on", "--reason", REASON)
    assert code == 0
    assert err.startswith("INFO: catalogue in maintenance mode since ")
    code, out, err = cli("-C", default_catalog, "maintenance", "status")
    assert code == 3
    lines = out.splitlines()
    assert lines[:2] == ["on", f"reason: {REASON}"]
    assert lines[2].startswith("since: 20") and lines[3].startswith("by: ")
    assert err == ""

    code, _, err = cli("-C", default_catalog, "maintenance", "off")
    assert (code, cli("-C", default_catalog, "maintenance", "status").out) == (0, "off\n")
    assert err.startswith("INFO: maintenance mode ended (it was on since ")
    assert cli("-C", default_catalog, "maintenance", "off").err == (
        "INFO: catalogue was not in maintenance mode\n"
    )


def test_writers_write_again_after_maintenance_off(
    cli: CliRunner, maintained: tuple[str, dict[str, str]]
) -> None:
    root, inputs = maintained
    assert cli("-C", root, "maintenance", "off").code == 0

    code, _, err = cli("-C", root, "product", "deregister", inputs["first"])

    assert code == 0, err
    assert cli("-C", root, "product", "list").out == ""


def test_status_of_a_missing_catalogue_is_one_error_line(cli: CliRunner, tmp_path: Path) -> None:
    code, out, err = cli("-C", str(tmp_path / "nowhere"), "maintenance", "status")

    assert (code, out) == (1, "")
    assert err.startswith(f"ERROR: catalogue {tmp_path / 'nowhere'} does not exist")
    assert len(err.splitlines()) == 1


def test_a_damaged_flag_refuses_writes_and_off_removes_it(
    cli: CliRunner, default_catalog: str
) -> None:
    fs, path = fsspec.core.url_to_fs(default_catalog)
    fs.makedirs(f"{path}/.state", exist_ok=True)
    fs.pipe_file(f"{path}/.state/maintenance.json", b"{not json")

    code, _, err = cli("-C", default_catalog, "product_type", "remove", "--all")
    assert code == 1
    assert "is not a valid maintenance flag" in err and len(err.splitlines()) == 1
    assert cli("-C", default_catalog, "maintenance", "status").code == 1
    assert cli("-C", default_catalog, "maintenance", "off").code == 0
    assert cli("-C", default_catalog, "maintenance", "status").code == 0


def test_mirror_and_restore_write_during_maintenance(catalog_root: str) -> None:
    """The exemption of the contract: ``writing(during_maintenance=True)``, also for the
    writes nested inside it, while other writers refuse."""
    catalog = Catalog(catalog_root)
    catalog.storage.makedirs()
    enter_maintenance(catalog_root, REASON, "tester")

    with catalog.writing(during_maintenance=True):
        with catalog.writing():  # nested: part of the mirror
            catalog.storage.write_text("mirrored.txt", "x\n")
    with pytest.raises(MaintenanceError, match=REASON), catalog.writing():
        pass  # pragma: no cover
    leave_maintenance(catalog_root)
    with catalog.writing():
        pass
    assert catalog.storage.read_text("mirrored.txt") == "x\n"


def test_a_writer_refuses_at_once_while_a_mirror_holds_the_lock(
    cli: CliRunner, default_catalog: str
) -> None:
    """Maintenance is checked before waiting for the lock: a writer does not wait for the
    mirror's lock only to be refused afterwards."""
    import time

    catalog = Catalog(default_catalog)
    enter_maintenance(default_catalog, REASON, "mirror")
    with catalog.writing(during_maintenance=True):
        started = time.monotonic()
        code, _, err = cli("-C", default_catalog, "product_type", "remove", "--all")
        elapsed = time.monotonic() - started

    assert code == 1
    assert REASON in err and "is in maintenance mode" in err
    assert elapsed < 5  # VIRES_LOCK_TIMEOUT is 60 s
