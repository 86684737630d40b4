"""Manifests: the small JSON documents that commit the state of a store's files.

Every store (product index, orbit-direction tables, cached products) keeps a manifest that
lists its live files and is replaced atomically last, after the files it names. They share
one shape and one writer:

* a model of the document that refuses unknown keys (an unknown key is an error, not
  silently dropped), validated from the parsed JSON: a pydantic model on
  :class:`~vires_repo.manifest_model.ManifestModel`, except where a command a user waits for
  reads it without needing pydantic otherwise: the product index's (every lookup) and the
  orbit-direction tables' (every registration into a source collection) are plain dataclasses
  checked by :mod:`vires_repo.manifest_checks`;
* one canonical text layout: the top-level keys in the order given, one per line, and the
  list of entries one compact JSON object per line, so that a change to one entry is a
  one-line diff in git and the same manifest always has the same bytes;
* a format version checked before anything else is read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from vires_repo.errors import IndexFormatError


def manifest_text(
    head: Mapping[str, object],
    list_key: str,
    entries: Sequence[Mapping[str, object]],
    optional_lists: Mapping[str, Sequence[Mapping[str, object]]] | None = None,
) -> str:
    """The canonical text of a manifest: ``head`` keys, then ``list_key`` one entry a line,
    then each of ``optional_lists`` the same way, written only when not empty."""
    lists = [(list_key, entries)]
    lists += [(key, values) for key, values in (optional_lists or {}).items() if values]
    lines = ["{"]
    lines += [f"  {_json(key)}: {_json(value)}," for key, value in head.items()]
    for number, (key, values) in enumerate(lists, 1):
        comma = "," if number < len(lists) else ""
        if values:
            lines.append(f"  {_json(key)}: [")
            lines.append(",\n".join(f"    {_json(entry)}" for entry in values))
            lines.append(f"  ]{comma}")
        else:
            lines.append(f"  {_json(key)}: []{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def parse_manifest(text: str | bytes, where: str, what: str, version: int) -> dict[str, Any]:
    """The JSON object of a manifest of format ``version``, else :class:`IndexFormatError`.

    ``what`` names the kind of manifest in messages (e.g. ``"product index"``).
    """
    try:
        document = json.loads(text)
    except ValueError as error:
        raise IndexFormatError(f"{where} is not valid JSON: {error}") from None
    if not isinstance(document, dict):
        raise IndexFormatError(f"{where} is not a {what} manifest")
    found = document.get("format_version")
    if found != version:
        raise IndexFormatError(
            f"{where} has {what} format version {found}; this vires_repo reads "
            f"version {version} only (upgrade vires_repo or rebuild the {what})"
        )
    return document


def plain_file_name(name: str) -> str:
    """``name`` if it names an entry of the folder it is listed in or looked up in, else
    ValueError.

    Every name taken from a manifest or an identifier option becomes a path below a folder of
    the catalogue; one with a separator, ``.``/``..`` or a NUL would reach outside it.
    """
    if name in ("", ".", "..") or any(char in name for char in "/\\\0"):
        raise ValueError(f"{name!r} is not a plain file name (no '/', '\\', '..' or NUL)")
    return name


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)
