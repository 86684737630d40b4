"""Make the plan: read both revisions, compare them and check that HEAD is consistent."""

from __future__ import annotations

import os
from contextlib import ExitStack

from vires_repo.definitions.store import PRODUCT_COLLECTIONS
from vires_repo.gitops.plan.changes import Plan
from vires_repo.gitops.plan.definition_diff import definition_changes
from vires_repo.gitops.plan.index_diff import index_changes
from vires_repo.gitops.plan.snapshot import Snapshot
from vires_repo.gitops.revisions import locate, open_revision
from vires_repo.products.manifest import partition_folder


def make_plan(catalog_root: str | os.PathLike[str], base: str, head: str | None = None) -> Plan:
    """Compare the catalogue ``catalog_root`` at git revision ``base`` with ``head`` (a git
    revision, or None for the working tree)."""
    location = locate(catalog_root)
    head_label = head if head is not None else "working tree"
    with ExitStack() as stack:
        base_catalog = open_revision(catalog_root, base, stack, must_exist=False)
        head_catalog = open_revision(catalog_root, head, stack, must_exist=False)
        old = Snapshot(base_catalog, base, False, location).load()
        new = Snapshot(head_catalog, head_label, True, location).load()
        plan = Plan(base=base, head=head_label)
        plan.definitions = definition_changes(old, new)
        plan.index = index_changes(old, new)
        # Problems at BASE do not make the change invalid (it may be the fix).
        plan.warnings = list(old.problems)
        plan.errors = [*new.problems, *_consistency_errors(new)]
    return plan


def _consistency_errors(new: Snapshot) -> list[str]:
    """Collections using a missing product type; products in an undefined collection."""
    errors = []
    for name, definition in sorted(new.collections.items()):
        type_id = definition.get("productType")
        if isinstance(type_id, str) and type_id not in new.types:
            path = new.repo_path(f"{PRODUCT_COLLECTIONS.folder}/{name}.json")
            errors.append(
                f"{path}: product collection {name} uses product type {type_id}, "
                "which does not exist"
            )
    for name in sorted(new.manifests):
        count = new.product_count(name)
        if count and name not in new.collections:
            errors.append(
                f"{new.repo_path(partition_folder(name))}: {count} product(s) registered in "
                f"collection {name}, which is not defined (de-register them first)"
            )
    return errors
