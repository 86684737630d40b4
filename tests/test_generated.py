"""Generated and versioned files stay in step with the code that defines them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from vires_repo import jsonio
from vires_repo.definitions.schemas import SCHEMA_DIALECT, generate_schemas
from vires_repo.definitions.store import PRODUCT_COLLECTIONS, PRODUCT_TYPES, validate_definition

REPO_ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = REPO_ROOT / "schemas"
CATALOG = REPO_ROOT / "catalog"
STALE = "is stale: run 'python scripts/generate_schemas.py' and commit the result"


def _tracked_catalog_files() -> list[str]:
    """The catalogue files committed in the repository (empty when there are none)."""
    try:
        result = subprocess.run(
            ["git", "ls-files", "-z", "--", "catalog"],
            cwd=REPO_ROOT,
            capture_output=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):  # not a git checkout
        return sorted(
            str(p.relative_to(REPO_ROOT))
            for p in CATALOG.rglob("*")
            if p.is_file() and ".state" not in p.parts
        )
    return sorted(name for name in result.stdout.decode().split("\0") if name)


CATALOG_JSON = [name for name in _tracked_catalog_files() if name.endswith(".json")]
# Definitions are written by vires_repo.jsonio; product manifests have their own line-oriented
# deterministic format (vires_repo/products/manifest.py) and are only required to be JSON.
DEFINITION_FILES = [
    name
    for name in CATALOG_JSON
    if name.count("/") == 2 and name.split("/")[1] in ("product_types", "product_collections")
]


@pytest.mark.parametrize("name", sorted(generate_schemas()))
def test_the_committed_schema_is_fresh(name: str) -> None:
    path = SCHEMAS / name

    assert path.exists(), f"schemas/{name} is missing: run 'python scripts/generate_schemas.py'"
    assert path.read_text(encoding="utf-8") == generate_schemas()[name], f"schemas/{name} {STALE}"


def test_no_schema_file_is_left_over() -> None:
    committed = {p.name for p in SCHEMAS.glob("*.json")}

    assert committed == set(generate_schemas()), f"schemas/ {STALE}"


def test_the_schemas_describe_the_vires_keys() -> None:
    schemas = {name: json.loads(text) for name, text in generate_schemas().items()}

    product_type = schemas["product_type.schema.json"]
    assert product_type["$schema"] == SCHEMA_DIALECT
    assert set(product_type["required"]) == {"name", "datasets"}
    assert product_type["properties"]["name"]["pattern"] == "^[A-Za-z_][A-Za-z0-9_]*$"
    collection = schemas["product_collection.schema.json"]
    assert set(collection["required"]) == {"name", "productType"}
    assert {"nominalSampling", "mission", "spacecraft", "grade"} <= set(collection["properties"])


def test_the_schemas_are_canonical_json() -> None:
    for text in generate_schemas().values():
        assert jsonio.dumps(jsonio.loads(text)) == text


@pytest.mark.parametrize("relpath", CATALOG_JSON)
def test_committed_catalogue_json_files_parse(relpath: str) -> None:
    try:
        jsonio.loads((REPO_ROOT / relpath).read_bytes())
    except json.JSONDecodeError as error:
        pytest.fail(f"{relpath}: invalid JSON: {error}")


@pytest.mark.parametrize("relpath", DEFINITION_FILES)
def test_committed_definitions_are_canonical_json(relpath: str) -> None:
    data = (REPO_ROOT / relpath).read_bytes()

    value = jsonio.loads(data)
    assert data.decode("utf-8") == jsonio.dumps(value), (
        f"{relpath} is not canonical (2-space indent, trailing newline); rewrite it with "
        "vires_repo.jsonio.dumps"
    )


@pytest.mark.parametrize("relpath", DEFINITION_FILES)
def test_committed_definitions_are_valid(relpath: str) -> None:
    _, folder, filename = relpath.split("/")
    kind = PRODUCT_TYPES if folder == "product_types" else PRODUCT_COLLECTIONS
    stored = jsonio.loads((REPO_ROOT / relpath).read_bytes())

    validate_definition(kind, stored)
    assert stored["name"] == filename.removesuffix(".json")
