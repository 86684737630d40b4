"""A local catalogue with synthetic MAG LR products registered, and an independent reader of
their records (cdflib directly), for the extraction tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import cdflib
import numpy as np

from vires_repo.catalog import Catalog
from vires_repo.services import extraction, product_registration
from vires_repo.testing.mag_products import write_mag_lr_product

CDF_EPOCH_1970_MS = 62_167_219_200_000.0


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@dataclass
class ExtractionEnv:
    root: Path
    catalog: Catalog
    data: Path
    files: dict[str, str] = field(default_factory=dict)

    def add(self, collection: str, start: str, end: str, **options: Any) -> str:
        """Write a MAG LR product of ``collection`` and register it (overlaps kept)."""
        spacecraft = collection[11]
        file_class = collection[3:7]
        path = write_mag_lr_product(
            self.data, start, end, spacecraft=spacecraft, file_class=file_class, **options
        )
        result = product_registration.register_products(
            self.catalog,
            collection,
            [path],
            ignore_overlaps=True,
            skip_post_registration_actions=True,
        )
        assert not result.failures, result.failures
        identifier = Path(path).stem
        self.files[identifier] = path
        return identifier

    def register(self, collection: str, path: str) -> str:
        """Register an existing product file."""
        result = product_registration.register_products(
            self.catalog, collection, [path], skip_post_registration_actions=True
        )
        assert not result.failures, result.failures
        self.files[Path(path).stem] = path
        return Path(path).stem

    def extract(
        self, output: Path, collections: dict[str, list[str]], begin: str, end: str, **options: Any
    ) -> extraction.ExtractionResult:
        request = extraction.ExtractionRequest(
            collection_ids=collections, begin=utc(begin), end=utc(end), **options
        )
        return extraction.extract(self.catalog, request, output)


def build_env(tmp_path: Path, copy_default_catalog: Any) -> ExtractionEnv:
    root = tmp_path / "catalog"
    copy_default_catalog(str(root))
    data = tmp_path / "data"
    data.mkdir()
    return ExtractionEnv(tmp_path, Catalog(str(root)), data)


def source_records(path: str, names: list[str]) -> dict[str, np.ndarray]:
    """The records of a product file read with cdflib alone; ``Timestamp`` as datetime64[us]."""
    cdf = cdflib.CDF(path)
    records = {name: cdf.varget(name) for name in names}
    epochs = cdf.varget("Timestamp")
    micros = np.rint((epochs - CDF_EPOCH_1970_MS) * 1000).astype(np.int64)
    records["Timestamp"] = micros.astype("datetime64[us]")
    return records
