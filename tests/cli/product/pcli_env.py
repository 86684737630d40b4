"""Shared helpers of the ``product`` command tests: the catalogue/data environment and
readers of the command output."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import fsspec

from vires_repo.testing.mag_products import write_mag_lr_product

MAG_A = "SW_OPER_MAGA_LR_1B"
MAG_B = "SW_OPER_MAGB_LR_1B"
FAST_A = "SW_FAST_MAGA_LR_1B"
MINUTE = timedelta(minutes=1)
EXPORT_KEYS = [  # the keys of an exported product record, in order
    "identifier",
    "beginTime",
    "endTime",
    "created",
    "updated",
    "collection",
    "productType",
    "metadata",
    "datasets",
]

CliRunner = Callable[..., Any]  # the ``cli`` fixture of tests/conftest.py


@dataclass
class ProductEnv:
    """A catalogue root, a data folder for product files and the in-process CLI runner."""

    root: str
    data: str
    runner: CliRunner

    @property
    def is_local(self) -> bool:
        return "://" not in self.root

    def __call__(self, *argv: str, stdin: bytes | str | None = None) -> Any:
        return self.runner("--catalog", self.root, *argv, stdin=stdin)

    def register(
        self,
        collection: str,
        *files: str,
        options: tuple[str, ...] = (),
        orbit_directions: bool = False,
    ) -> Any:
        """``product register``; the orbit-direction update (a post-registration action with
        tests of its own) is skipped unless ``orbit_directions`` is set."""
        if not orbit_directions:
            options = ("--skip-post-registration-actions", *options)
        return self("product", "register", "-c", collection, *options, *files)

    def listed(self, *argv: str) -> list[str]:
        """``product list`` output lines (the command must succeed)."""
        result = self("product", "list", *argv)
        assert result.code == 0, result.err
        return result.out.splitlines()

    def exported(self, *argv: str) -> list[dict[str, Any]]:
        import json

        result = self("product", "export", *argv)
        assert result.code == 0, result.err
        records: list[dict[str, Any]] = json.loads(result.out)
        return records

    # -- product files ------------------------------------------------------------------

    def mag(self, start: str, end: str, **options: Any) -> str:
        """A small MAG LR product (one record a minute) from ``start`` to ``end``."""
        options.setdefault("sampling", MINUTE)
        options.setdefault("minimal", True)
        return write_mag_lr_product(self.data, start, end, **options)

    def hourly(self, day: str, hours: range, **options: Any) -> list[str]:
        """Non-touching hourly MAG LR products ``HH:00:00 - HH:59:00`` on ``day``."""
        return [self.mag(f"{day}T{h:02d}:00:00", f"{day}T{h:02d}:59:00", **options) for h in hours]


def summary(err: str) -> list[str]:
    """Summary lines printed without a label (``product register``)."""
    labels = ("INFO:", "WARNING:", "ERROR:")
    return [line for line in err.splitlines() if line and not line.startswith(labels)]


def labelled(err: str, label: str) -> list[str]:
    """The stderr lines starting with ``<label>:``."""
    return [line for line in err.splitlines() if line.startswith(f"{label}:")]


def ident(location: str) -> str:
    """The identifier VirES gives a product file: its name without the last extension."""
    return location.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def ids(env: ProductEnv, *argv: str) -> list[str]:
    """Identifiers listed by ``product list`` (without the collection)."""
    return [line.split("/", 1)[1] for line in env.listed(*argv)]


def copy_to(location: str, target: str) -> str:
    """Copy a product file (local path or URL) to ``target``; returns ``target``."""
    with fsspec.open(location, "rb") as source, fsspec.open(target, "wb") as sink:
        sink.write(source.read())
    return target


def remove_file(location: str) -> None:
    fs, path = fsspec.core.url_to_fs(location)
    fs.rm_file(path)


def snapshot(root: str, folder: str = "products") -> dict[str, tuple[bytes, Any]]:
    """Bytes and write stamp of every file under ``<root>/<folder>`` (the whole catalogue
    without its runtime ``.state`` folder when ``folder`` is empty).

    The stamp is the modification time in ns of a local file and the file object itself of
    a memory:// file (a rewrite replaces the object; keeping it stops its id being reused).
    """
    fs, path = fsspec.core.url_to_fs(f"{root}/{folder}".rstrip("/"))
    result: dict[str, tuple[bytes, Any]] = {}
    for name in fs.find(path):
        if "/.state/" in name:
            continue
        if "memory" in fs.protocol:
            stamp: Any = fs.store[name]
        else:
            stamp = Path(name).stat().st_mtime_ns
        result[name] = (fs.cat_file(name), stamp)
    return result
