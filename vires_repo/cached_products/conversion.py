"""Converting sources into a cached product, and reading a converted product back.

``convert`` stages the output in a hidden folder inside ``output_dir`` and only then renames
the finished files into ``output_dir``; a failure leaves nothing behind but the files that
were there before. The caller moves the result into the catalogue.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from vires_repo.cached_products.attributes import CREATED_FORMAT, attribute_texts
from vires_repo.cached_products.registry import (
    CachedProductType,
    Provenance,
    get_cached_product_type,
)
from vires_repo.cached_products.shc_models import source_file
from vires_repo.cached_products.sources import basename, product_id
from vires_repo.errors import DefinitionError, ProductFileError
from vires_repo.io.cdf import open_cdf


@dataclass(frozen=True)
class ConversionResult:
    identifier: str
    """The cached product type, e.g. ``GFZ_AUX_KP``."""
    files: tuple[str, ...]
    """Output file names in ``output_dir``, the data file first (then e.g. its ``.source``)."""
    sources: tuple[str, ...]
    """Product ids of the sources used, in time order, as VirES records them."""
    checksum: str
    """``sha256:<hex>`` of the data file."""


@dataclass(frozen=True)
class CachedProductInfo:
    """What ``cached_product dump`` reports for one product (reference 9.4)."""

    identifier: str
    updated: datetime | None
    location: str
    sources: list[str]


def convert(
    type_id: str,
    sources: Sequence[str | os.PathLike[str]],
    output_dir: str | os.PathLike[str],
    *,
    created: datetime | None = None,
) -> ConversionResult:
    """Convert ``sources`` (local paths or fsspec URLs) into the cached product ``type_id``.

    ``created`` (default: now) is recorded in CDF outputs as the update time.
    """
    product_type = get_cached_product_type(type_id)
    source_list = [os.fspath(source) for source in sources]
    _check_sources(product_type, source_list)
    target_dir = Path(output_dir)
    target_dir.mkdir(parents=True, exist_ok=True)
    when = (created or datetime.now(UTC)).astimezone(UTC)
    with tempfile.TemporaryDirectory(dir=target_dir, prefix=".staging-") as staging:
        staged = Path(staging) / product_type.output_name
        used_sources = product_type.convert(source_list, staged, when)
        side_files = sorted(p.name for p in Path(staging).iterdir() if p.name != staged.name)
        checksum = "sha256:" + _sha256(staged)
        for name in [*side_files, staged.name]:  # the data file last: it marks completion
            (Path(staging) / name).replace(target_dir / name)
    return ConversionResult(
        identifier=product_type.identifier,
        files=(staged.name, *side_files),
        sources=tuple(used_sources),
        checksum=checksum,
    )


def _check_sources(product_type: CachedProductType, sources: list[str]) -> None:
    if not sources:
        raise DefinitionError(f"{product_type.identifier}: no source file given")
    if len(sources) > 1 and not product_type.multiple_sources:
        raise DefinitionError(
            f"{product_type.identifier}: too many sources ({len(sources)}); "
            "only one source file expected"
        )
    for source in sources:
        if not product_type.source_pattern.match(basename(source)):
            raise DefinitionError(
                f"{basename(source)}: not a {product_type.identifier} source file "
                f"(expected {product_type.source_description})"
            )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_table(type_id: str, path: str | os.PathLike[str]) -> pa.Table:
    """The converted file (local path or fsspec URL) of a tabular cached product as a Table."""
    product_type = get_cached_product_type(type_id)
    if product_type.read_table is None:
        raise DefinitionError(f"{type_id}: not a tabular cached product")
    return product_type.read_table(os.fspath(path))


def read_info(type_id: str, output_dir: str | os.PathLike[str]) -> CachedProductInfo:
    """Update time and source ids of a converted product; ``None``/``[]`` if unreadable."""
    product_type = get_cached_product_type(type_id)
    path = Path(output_dir) / product_type.output_name
    updated: datetime | None = None
    sources: list[str] = []
    if path.is_file():
        if product_type.provenance is Provenance.CDF_ATTRIBUTES:
            updated, sources = _cdf_provenance(path)
        else:
            updated = datetime.fromtimestamp(path.stat().st_mtime, UTC)
            sources = _file_sources(path, product_type.provenance)
    return CachedProductInfo(product_type.identifier, updated, str(path), sources)


def _cdf_provenance(path: Path) -> tuple[datetime | None, list[str]]:
    try:
        with open_cdf(path) as cdf:
            attributes = cdf.global_attributes()
        created = attribute_texts(attributes, "CREATED")
        updated = (
            datetime.strptime(created[0], CREATED_FORMAT).replace(tzinfo=UTC) if created else None
        )
    except (ProductFileError, ValueError):  # unreadable: "no information", as in VirES
        return None, []
    return updated, attribute_texts(attributes, "SOURCES") or attribute_texts(attributes, "SOURCE")


def _file_sources(path: Path, provenance: Provenance) -> list[str]:
    if provenance is Provenance.ZIP_MEMBERS:
        with zipfile.ZipFile(path) as archive:
            return [product_id(name) for name in archive.namelist()]
    side_file = source_file(path)
    if not side_file.is_file():
        return []
    return [line for line in side_file.read_text(encoding="ascii").splitlines() if line]
