"""Import, list, export and remove definitions: what product types and collections share."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from vires_repo import jsonio
from vires_repo.catalog import Catalog
from vires_repo.definitions.store import DefinitionStore, validate_definition
from vires_repo.errors import DefinitionError, ViresRepoError
from vires_repo.services._batch import IMPORT_SUMMARY, REMOVE_SUMMARY, BatchResult

NO_SELECTION_WARNING = (
    "No identifier selected and no {noun} will be removed. "
    "Use the --all option to remove all matched items."
)


def parse_definitions(text: str | bytes, source: str) -> list[Any]:
    """Parse an import document: a JSON list of objects (a single object is accepted too)."""
    try:
        document = jsonio.loads(text)
    except json.JSONDecodeError as error:
        raise DefinitionError(f"{source}: invalid JSON: {error}") from None
    except RecursionError:
        raise DefinitionError(f"{source}: invalid JSON: nested too deeply") from None
    if isinstance(document, dict):
        return [document]
    if not isinstance(document, list):
        raise DefinitionError(
            f"{source}: expected a JSON list of definitions, got {type(document).__name__}"
        )
    return document


def import_definitions(
    catalog: Catalog,
    store: DefinitionStore,
    items: Sequence[Any],
    check: Callable[[dict[str, Any]], None] | None = None,
) -> BatchResult:
    """Validate and store each item; a failing item is reported and the batch goes on."""
    label = store.kind.label
    result = BatchResult(noun=label, total=len(items), patterns=IMPORT_SUMMARY)
    now = datetime.now(UTC)
    with catalog.writing():
        for position, item in enumerate(items, 1):
            name = item.get("name") if isinstance(item, dict) else None
            identifier = str(name) if name is not None else f"#{position}"
            try:
                definition = validate_definition(store.kind, item)
                if check is not None:
                    check(definition)
                outcome = store.save(definition, now)
            except ViresRepoError as error:
                result.fail(identifier, f"Failed to create or update {label} {identifier}! {error}")
                continue
            result.add(outcome, identifier)
    return result


def remove_definitions(
    catalog: Catalog,
    store: DefinitionStore,
    identifiers: Sequence[str],
    all_: bool,
    matched: Sequence[str],
    in_use: Callable[[str], str | None],
) -> BatchResult:
    """Remove the ``matched`` definitions unless ``in_use`` explains why one must stay.

    Unknown ``identifiers`` are warned about; without identifiers nothing is removed unless
    ``all_`` is given (the ``--all`` guard).
    """
    label = store.kind.label
    warnings = [f"{label} {i} does not exist" for i in identifiers if not store.exists(i)]
    if not identifiers and not all_:
        warnings.append(NO_SELECTION_WARNING.format(noun=label.split()[-1]))
        matched = []
    result = BatchResult(
        noun=f"matched {label}", total=len(matched), warnings=warnings, patterns=REMOVE_SUMMARY
    )
    with catalog.writing():
        for identifier in matched:
            try:
                reason = in_use(identifier)
            except ViresRepoError as error:  # cannot tell: keep it, report it, go on
                reason = str(error)
            if reason is not None:
                result.fail(identifier, f"Failed to remove {label} {identifier}! {reason}")
                continue
            store.remove(identifier)
            result.add("removed", identifier)
    return result
