"""Helpers of the orbit-direction catalogue tests: a catalogue with the Swarm MAG LR and MOD
definitions, and synthetic 1 Hz SW_MAGA_LR_1B products of six hours (four make a day)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np

from vires_repo.catalog import Catalog
from vires_repo.orbit_direction.missions import TableKey
from vires_repo.orbit_direction.store import TableStore, read_table
from vires_repo.services import product_collection, product_type
from vires_repo.testing.mag_products import write_mag_lr_product

MAG_A = "SW_OPER_MAGA_LR_1B"
MOD_A = "SW_OPER_MODA_SC_1B"
GEO_A = TableKey("Swarm", "A", None, "GEO")
QD_A = TableKey("Swarm", "A", None, "QD")
PRODUCT_HOURS = 6

CliRunner = Callable[..., Any]


def _definitions() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    types = [
        t for t in product_type.default_types() if t["name"] in ("SW_MAGx_LR_1B", "SW_MODx_SC_1B")
    ]
    names = (MAG_A, MOD_A, "SW_OPER_MAGB_LR_1B")
    collections = [c for c in product_collection.default_collections() if c["name"] in names]
    return types, collections


@dataclass
class OdEnv:
    """A catalogue, a data folder and the in-process CLI."""

    root: str
    data: str
    runner: CliRunner

    @property
    def catalog(self) -> Catalog:
        return Catalog(self.root)

    def __call__(self, *argv: str, stdin: str | None = None) -> Any:
        return self.runner("--catalog", self.root, *argv, stdin=stdin)

    def product(self, index: int, **options: Any) -> str:
        """Product ``index``: six hours of 1 Hz records from 2016-01-01 + index * 6 h."""
        start = np.datetime64("2016-01-01T00:00:00") + np.timedelta64(index * PRODUCT_HOURS, "h")
        end = start + np.timedelta64(PRODUCT_HOURS, "h") - np.timedelta64(1, "s")
        options.setdefault("minimal", True)
        return write_mag_lr_product(self.data, start, end, **options)

    def products(self, count: int, first: int = 0) -> list[str]:
        return [self.product(first + k) for k in range(count)]

    def register(self, *files: str, skip: bool = False, collection: str = MAG_A) -> Any:
        options = ["--skip-post-registration-actions"] if skip else []
        return self("product", "register", "-c", collection, *options, *files)

    def tables(self) -> tuple[Any, Any]:
        store = TableStore(self.catalog.storage)
        return read_table(store, GEO_A), read_table(store, QD_A)

    def manifests(self) -> tuple[Any, Any]:
        store = TableStore(self.catalog.storage)
        return store.manifest("SW_VIRE_AUXAODBGEO"), store.manifest("SW_VIRE_AUXAODBMAG")


def identifier(location: str) -> str:
    return location.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def make_env(root: str, data: str, cli: CliRunner) -> OdEnv:
    catalog = Catalog(root)
    types, collections = _definitions()
    assert not product_type.import_types(catalog, types).failures
    assert not product_collection.import_collections(catalog, collections).failures
    return OdEnv(root, data, cli)


HOUR = timedelta(hours=1)
