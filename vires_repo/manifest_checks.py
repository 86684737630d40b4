"""The hand-written checks of a manifest read from JSON, for the manifests that are plain
dataclasses, not pydantic models: the product index's (read by every lookup,
:class:`~vires_repo.products.manifest.FileEntry` says why) and the orbit-direction tables'
(read by every registration into a source collection). Each check returns the value or raises
``ValueError`` with pydantic's wording, which :func:`checked_field` turns into an
:class:`~vires_repo.errors.IndexFormatError` naming the key
(``files.0.rows: Input should be a valid integer``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from vires_repo.errors import IndexFormatError
from vires_repo.manifests import plain_file_name
from vires_repo.timescales import to_micros


def malformed(where: str, location: str, message: str) -> IndexFormatError:
    return IndexFormatError(f"{where} is malformed: {location}: {message}")


def only_keys(value: Mapping[str, Any], keys: Sequence[str], where: str, prefix: str) -> None:
    for key in value:
        if key not in keys:
            raise malformed(where, f"{prefix}{key}", "Extra inputs are not permitted")


def checked_field(
    value: Mapping[str, Any], key: str, check: Callable[[Any], Any], where: str, prefix: str
) -> Any:
    if key not in value:
        raise malformed(where, f"{prefix}{key}", "Field required")
    try:
        return check(value[key])
    except ValueError as error:
        raise malformed(where, f"{prefix}{key}", str(error)) from None


def string(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("Input should be a valid string")
    return value


def integer(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError("Input should be a valid integer")
    return value


def micros(value: Any) -> int:
    """A time in microseconds: an integer, or ISO 8601 as the manifest writes it."""
    if isinstance(value, str):
        try:
            return to_micros(datetime.fromisoformat(value))
        except ValueError as error:
            raise ValueError(f"Value error, {error}") from None
    return integer(value)


def file_name(value: Any) -> str:
    name = string(value)
    try:
        return plain_file_name(name)
    except ValueError as error:
        raise ValueError(f"Value error, {error}") from None


def json_list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError("Input should be a valid list")
    return value


def names(value: Any) -> frozenset[str]:
    return frozenset(string(name) for name in json_list(value))
