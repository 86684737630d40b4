"""The pydantic base of the manifest models (manifests.py describes the shared shape).

Apart from manifests.py so that a reader of the product index, whose manifest checks itself,
does not import pydantic.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from vires_repo.errors import IndexFormatError

_Model = TypeVar("_Model", bound=BaseModel)


class ManifestModel(BaseModel):
    """Base of the manifest models and their entries: immutable, no unknown keys."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def validate(model: type[_Model], value: object, where: str) -> _Model:
    """``value`` validated as ``model``; the first problem becomes one IndexFormatError line."""
    try:
        return model.model_validate(value)
    except ValidationError as error:
        first = error.errors()[0]
        location = ".".join(str(part) for part in first["loc"]) or "(document)"
        raise IndexFormatError(f"{where} is malformed: {location}: {first['msg']}") from None
