"""The checks of ``vires-repo check`` on the definitions: files valid and canonical, product
types of collections, orbit-direction sources, retention policies, schedules, JSON Schemas
(registered in :data:`vires_repo.services.check.CHECKS`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vires_repo.catalog import Catalog
from vires_repo.errors import ViresRepoError
from vires_repo.jsonio import dumps

if TYPE_CHECKING:
    from vires_repo.services.check import CheckOptions


def valid_definitions(catalog: Catalog, _options: CheckOptions) -> Iterator[str]:
    for store in (catalog.product_types, catalog.product_collections, catalog.retention_policies):
        for name in catalog.storage.listdir(store.kind.folder):
            relpath = f"{store.kind.folder}/{name}"
            if not name.endswith(".json"):
                yield f"{relpath}: not a .json definition file"
                continue
            try:
                stored = store.load(name[: -len(".json")])
            except ViresRepoError as error:
                yield str(error)
                continue
            if catalog.storage.read_text(relpath) != dumps(stored):
                yield f"{relpath}: not in canonical form (re-import it to rewrite it)"


def collection_types(catalog: Catalog, _options: CheckOptions) -> Iterator[str]:
    types = set(catalog.product_types.ids())
    for collection in loadable_collections(catalog):
        if collection["productType"] not in types:
            yield (
                f"product collection {collection['name']} refers to the product type "
                f"{collection['productType']}, which does not exist"
            )


def json_schemas(catalog: Catalog, _options: CheckOptions) -> Iterator[str]:
    from vires_repo.definitions.schemas import generate_schemas

    folder = schemas_folder(catalog)
    if folder is None:
        return
    for name, text in generate_schemas().items():
        path = folder / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            yield f"{path}: stale JSON Schema (run scripts/generate_schemas.py)"


def orbit_sources(catalog: Catalog, _options: CheckOptions) -> Iterator[str]:
    owners: dict[tuple[Any, Any, Any], list[str]] = {}
    for collection in loadable_collections(catalog):
        if collection.get("calculateOrbitDirection"):
            key = (collection.get("mission"), collection.get("spacecraft"), collection.get("grade"))
            owners.setdefault(key, []).append(collection["name"])
    for (mission, spacecraft, grade), names in sorted(owners.items(), key=str):
        if len(names) > 1:
            yield (
                f"orbit-direction table of {mission}/{spacecraft or '-'}/{grade or '-'} has "
                f"{len(names)} source collections: {', '.join(names)} (one is allowed)"
            )


def retention_policies(catalog: Catalog, _options: CheckOptions) -> Iterator[str]:
    from vires_repo.definitions.retention import stored_policy_problems

    yield from stored_policy_problems(catalog.retention_policies, catalog.product_collections)


def schedules(catalog: Catalog, _options: CheckOptions) -> Iterator[str]:
    from vires_repo.services.schedules import schedule_problems

    yield from schedule_problems(catalog)


def loadable_collections(catalog: Catalog) -> list[dict[str, Any]]:
    loaded = []
    for identifier in catalog.product_collections.ids():
        try:
            loaded.append(catalog.product_collections.load(identifier))
        except ViresRepoError:
            continue  # reported by definitions-valid
    return loaded


def schemas_folder(catalog: Catalog) -> Path | None:
    """The repository's ``schemas/`` next to (or above) a local catalogue, if there is one."""
    if not catalog.storage.is_local:
        return None
    for parent in Path(catalog.storage.root).resolve().parents:
        candidate = parent / "schemas"
        if (candidate / "product_type.schema.json").exists():
            return candidate
        if (parent / ".git").exists():
            return None
    return None
