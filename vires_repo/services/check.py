"""Integrity checks of a catalogue (``vires-repo check``): report, never fix.

Each check has an identifier, a severity and a function returning problem messages. ``error``
problems make the command fail; ``warning`` ones are shown only. The registry is a plain list
so a new check is one function (in ``_check_definitions`` for the definitions, in
``_check_stores`` for the product index, the orbit-direction tables and the cached products)
and one line; ``--only``/``--skip`` select by identifier.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

from vires_repo.catalog import Catalog
from vires_repo.errors import UsageError, ViresRepoError
from vires_repo.services import _check_definitions as definitions
from vires_repo.services import _check_stores as stores

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class CheckOptions:
    files: bool = False
    """Also check that every product's data files exist (reads every location: slow)."""


@dataclass(frozen=True)
class Check:
    identifier: str
    severity: Severity
    description: str
    run: Callable[[Catalog, CheckOptions], Iterator[str]]
    needs_files_option: bool = False


@dataclass
class CheckOutcome:
    check: Check
    problems: list[str] = field(default_factory=list)
    skipped: str | None = None


@dataclass
class CheckReport:
    outcomes: list[CheckOutcome]

    @property
    def errors(self) -> int:
        return sum(len(o.problems) for o in self.outcomes if o.check.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(len(o.problems) for o in self.outcomes if o.check.severity == "warning")


CHECKS: tuple[Check, ...] = (
    Check(
        "definitions-valid",
        "error",
        "definition files parse, validate and are canonical",
        definitions.valid_definitions,
    ),
    Check(
        "collection-types",
        "error",
        "every collection's product type exists",
        definitions.collection_types,
    ),
    Check(
        "product-collections",
        "error",
        "every indexed product's collection exists",
        stores.product_collections,
    ),
    Check(
        "index-files",
        "error",
        "manifests readable; listed files present, intact, of the current format and schema",
        stores.index_files,
    ),
    Check(
        "orphan-files",
        "warning",
        "no file in the index that no manifest lists",
        stores.orphan_files,
    ),
    Check(
        "duplicate-identifiers",
        "error",
        "no product registered twice in a collection",
        stores.duplicate_identifiers,
    ),
    Check(
        "overlapping-products",
        "warning",
        "no time-overlapping products within a collection",
        stores.overlapping_products,
    ),
    Check(
        "orbit-direction-sources",
        "error",
        "one source collection per orbit-direction table",
        definitions.orbit_sources,
    ),
    Check(
        "orbit-direction-sync",
        "warning",
        "orbit-direction tables hold exactly the registered products of their source",
        stores.orbit_tables_in_sync,
    ),
    Check(
        "cached-products",
        "error",
        "cached products match their manifest; their tables have valid, ordered times",
        stores.cached_products,
    ),
    Check(
        "retention-policies",
        "error",
        "retention policies name existing collections, one policy per collection",
        definitions.retention_policies,
    ),
    Check(
        "schedules",
        "error",
        "schedule files valid: cron string, known job type, parameters the type accepts",
        definitions.schedules,
    ),
    Check(
        "json-schemas", "error", "schemas/ matches the definition models", definitions.json_schemas
    ),
    Check(
        "data-files",
        "error",
        "every product's data files exist (with --files)",
        stores.data_files,
        needs_files_option=True,
    ),
)


def select_checks(only: Sequence[str] = (), skip: Sequence[str] = ()) -> list[Check]:
    known = {check.identifier for check in CHECKS}
    unknown = sorted((set(only) | set(skip)) - known)
    if unknown:
        raise UsageError(
            f"unknown check(s) {', '.join(unknown)}; available: {', '.join(sorted(known))}"
        )
    return [
        check
        for check in CHECKS
        if (not only or check.identifier in only) and check.identifier not in skip
    ]


def run_checks(
    catalog: Catalog,
    checks: Sequence[Check],
    options: CheckOptions,
    on_start: Callable[[Check], None] | None = None,
) -> CheckReport:
    catalog.require_existing()
    outcomes = []
    for check in checks:
        if on_start:
            on_start(check)
        if check.needs_files_option and not options.files:
            outcomes.append(CheckOutcome(check, skipped="needs --files"))
            continue
        try:
            found = list(check.run(catalog, options))
        except (ViresRepoError, OSError, ValueError) as error:  # pyarrow errors included
            found = [f"the check could not run: {error}"]
        outcomes.append(CheckOutcome(check, found))
    return CheckReport(outcomes)
