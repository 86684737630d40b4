"""Per collection, the products added, de-registered, superseded and updated between two
snapshots; data files listed by both manifests with the same tombstones are not read."""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from typing import Any

from vires_repo.gitops.plan.changes import IndexChange, ProductSpan
from vires_repo.gitops.plan.snapshot import Snapshot
from vires_repo.products.manifest import Manifest


def index_changes(old: Snapshot, new: Snapshot) -> list[IndexChange]:
    """The collections whose live products differ, by name."""
    changes = []
    for collection in sorted(old.manifests.keys() | new.manifests.keys()):
        before = old.manifests.get(collection, Manifest(collection=collection, files=()))
        after = new.manifests.get(collection, Manifest(collection=collection, files=()))
        same = set(before.files) & set(after.files)  # same file, same tombstones: same rows
        base_rows = old.live_rows(collection, (e for e in before.files if e not in same))
        head_rows = new.live_rows(collection, (e for e in after.files if e not in same))
        change = IndexChange(collection, before.live_rows, after.live_rows)
        added = sorted(head_rows.keys() - base_rows.keys())
        removed = sorted(base_rows.keys() - head_rows.keys())
        change.updated = sorted(
            name
            for name in head_rows.keys() & base_rows.keys()
            if head_rows[name] != base_rows[name]
        )
        change.added = [_span(head_rows[name]) for name in added]
        split_removed(change, [_span(base_rows[name]) for name in removed])
        if not change.empty:
            changes.append(change)
    return changes


def _span(row: Mapping[str, Any]) -> ProductSpan:
    return ProductSpan(row["identifier"], row["begin_time"], row["end_time"])


def split_removed(change: IndexChange, removed: list[ProductSpan]) -> None:
    """Removed products overlapping an added one (inclusive, as VirES) were superseded."""
    added = sorted(change.added, key=lambda span: (span.begin, span.identifier))
    begins = [span.begin for span in added]
    longest = max((span.end - span.begin for span in added), default=None)
    for old in removed:
        by = None
        if longest is not None:
            first = bisect.bisect_left(begins, old.begin - longest)
            last = bisect.bisect_right(begins, old.end)
            by = next((span for span in added[first:last] if span.end >= old.begin), None)
        if by is None:
            change.deregistered.append(old)
        else:
            change.superseded.append((old, by.identifier))
