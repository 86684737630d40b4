"""JSON Schemas of the definition files, generated from the pydantic models.

``schemas/`` in the repository holds their output; a test fails when it is stale, so editors
and reviewers can rely on it (``scripts/generate_schemas.py`` rewrites it).
"""

from __future__ import annotations

from vires_repo import jsonio
from vires_repo.definitions.models import ProductCollection, ProductType
from vires_repo.definitions.retention import RetentionPolicy

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def generate_schemas() -> dict[str, str]:
    """File name -> canonical JSON text of each schema."""
    schemas = {}
    for filename, model in (
        ("product_type.schema.json", ProductType),
        ("product_collection.schema.json", ProductCollection),
        ("retention_policy.schema.json", RetentionPolicy),
    ):
        schema = {"$schema": SCHEMA_DIALECT, **model.model_json_schema()}
        schemas[filename] = jsonio.dumps(schema)
    return schemas
