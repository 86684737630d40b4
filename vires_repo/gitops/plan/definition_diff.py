"""Product types, collections and schedules added, removed or changed between two snapshots,
per key."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from vires_repo.definitions.retention import RETENTION_POLICIES, RetentionPolicy
from vires_repo.definitions.store import PRODUCT_COLLECTIONS, PRODUCT_TYPES
from vires_repo.gitops.plan.changes import DefinitionChange, FieldChange, Status
from vires_repo.gitops.plan.snapshot import Snapshot

BOOKKEEPING_KEYS = ("created", "updated")
"""Keys every save rewrites: never reported as a change."""


def definition_changes(old: Snapshot, new: Snapshot) -> list[DefinitionChange]:
    """Changed definitions (types first, by identifier) with the products each affects."""
    changes = []
    for kind, before, after in (
        (PRODUCT_TYPES, old.types, new.types),
        (PRODUCT_COLLECTIONS, old.collections, new.collections),
        (RETENTION_POLICIES, old.policies, new.policies),
    ):
        for identifier in sorted(before.keys() | after.keys()):
            a, b = before.get(identifier), after.get(identifier)
            status: Status
            fields: tuple[FieldChange, ...]
            if a is None:
                status, fields = "added", ()
            elif b is None:
                status, fields = "removed", ()
            else:
                fields = tuple(field_changes(without_bookkeeping(a), without_bookkeeping(b)))
                if not fields:
                    continue
                status = "changed"
            snapshot = old if status == "removed" else new
            if kind is PRODUCT_TYPES:
                users = [
                    name
                    for name, definition in sorted(snapshot.collections.items())
                    if definition.get("productType") == identifier
                ]
                products = sum(snapshot.product_count(name) for name in users)
                changes.append(
                    DefinitionChange(kind.label, identifier, status, fields, len(users), products)
                )
            elif kind is RETENTION_POLICIES:
                covered = _covered(snapshot, identifier)
                products = sum(snapshot.product_count(name) for name in covered)
                changes.append(
                    DefinitionChange(kind.label, identifier, status, fields, len(covered), products)
                )
            else:
                products = snapshot.product_count(identifier)
                changes.append(
                    DefinitionChange(kind.label, identifier, status, fields, None, products)
                )
    return changes + schedule_changes(old, new)


def schedule_changes(old: Snapshot, new: Snapshot) -> list[DefinitionChange]:
    """Schedules (``schedules/*.json``) added, removed or changed (cron, enabled, ...)."""
    changes = []
    for key in sorted(old.schedules.keys() | new.schedules.keys()):
        a, b = old.schedules.get(key), new.schedules.get(key)
        fields = tuple(field_changes(a, b)) if a is not None and b is not None else ()
        status: Status = "added" if a is None else "removed" if b is None else "changed"
        if status == "changed" and not fields:
            continue
        changes.append(DefinitionChange("schedule", f"schedules/{key}.json", status, fields))
    return changes


def _covered(snapshot: Snapshot, policy: str) -> list[str]:
    """The collections a retention policy covers (none if the policy is invalid there)."""
    try:
        return RetentionPolicy.of(snapshot.policies[policy]).covers(snapshot.collections)
    except ValueError:  # pydantic's ValidationError: reported as a problem of the snapshot
        return []


def without_bookkeeping(definition: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in definition.items() if k not in BOOKKEEPING_KEYS}


def field_changes(old: Any, new: Any, prefix: str = "") -> Iterable[FieldChange]:
    """The keys that differ, sorted; nested objects are compared key by key (dotted paths)."""
    for key in sorted(old.keys() | new.keys()):
        path = f"{prefix}{key}"
        if key not in old:
            yield FieldChange(path, None, new[key], added=True)
        elif key not in new:
            yield FieldChange(path, old[key], None, removed=True)
        elif old[key] != new[key]:
            if isinstance(old[key], dict) and isinstance(new[key], dict):
                yield from field_changes(old[key], new[key], f"{path}.")
            else:
                yield FieldChange(path, old[key], new[key])
