"""``vires-repo check``: run the integrity checks and report (never fixes anything);
``check orphans``: the three-way orphan comparison (removes only with ``--purge``)."""

from __future__ import annotations

from typing import Annotated

from cyclopts import App, Parameter

from vires_repo.cli import _common

app = App(name="check", help="Check the catalogue's integrity; 'check orphans' for orphans.")


@app.default
def check(
    *,
    only: Annotated[list[str] | None, Parameter(name="--only")] = None,
    skip: Annotated[list[str] | None, Parameter(name="--skip")] = None,
    files: Annotated[bool, Parameter(name="--files")] = False,
    list_: Annotated[bool, Parameter(name="--list")] = False,
) -> int:
    """Check the catalogue's integrity; exit 1 if any check finds an error.

    Checks: definitions valid and canonical, collection -> type references, products ->
    collection references, index files intact (checksums, format, schema), orphan index
    files, duplicate identifiers, overlapping products, one source per orbit-direction
    table, retention policies, schedule files valid, JSON Schemas fresh and, with --files, data
    files present.

    Parameters
    ----------
    only
        Run only this check (repeat for several).
    skip
        Skip this check (repeat for several).
    files
        Also check that every product's data files exist (reads every location: slow).
    list_
        List the checks with their severity and exit.
    """
    from vires_repo.services.check import CheckOptions, run_checks, select_checks

    checks = select_checks(only or (), skip or ())
    if list_:
        _common.print_lines(f"{c.identifier} ({c.severity}): {c.description}" for c in checks)
        return 0
    _common.info(f"running {len(checks)} check(s): {', '.join(c.identifier for c in checks)}")
    report = run_checks(_common.session.catalog(), checks, CheckOptions(files=files))
    for outcome in report.outcomes:
        emit = _common.error if outcome.check.severity == "error" else _common.warning
        for problem in outcome.problems:
            emit(f"[{outcome.check.identifier}] {problem}")
        state = outcome.skipped or (
            f"{len(outcome.problems)} problem(s)" if outcome.problems else "ok"
        )
        _common.info(f"{outcome.check.identifier}: {state}")
    _common.info(f"{report.errors} error(s), {report.warnings} warning(s)")
    return 1 if report.errors else 0


@app.command
def orphans(*, purge: Annotated[bool, Parameter(name="--purge")] = False) -> int:
    """Compare definitions, product index and storage both ways; exit 1 if anything is found.

    One line per finding on standard output, ``<category> <what>``: index:not-in:definitions
    (products of an undefined collection), index:not-in:storage (data file missing),
    storage:not-in:index (a file in a collection's source folder that no product names),
    cached:not-in:storage, storage:not-in:cached, cached:not-in:index (a cached product built
    from a de-registered product); counts and intersections on standard error. A source
    folder is a folder holding data files of the collection's products.

    Parameters
    ----------
    purge
        Remove the orphan files (storage:not-in:index, storage:not-in:cached) and de-register
        (restorably) the products whose data file is missing; without it nothing changes.
    """
    from vires_repo.services.orphans import CATEGORIES, find_orphans

    report = find_orphans(_common.session.catalog(), purge=purge)
    _common.print_lines(report.lines)
    for category in CATEGORIES:
        _common.info(f"{category}: {len(report.findings[category])}")
    for line in [*report.intersections, *report.notes]:
        _common.info(line)
    if report.purged:
        _common.info(
            f"purged: {len(report.findings['storage:not-in:index'])} orphan data file(s) and "
            f"{len(report.findings['storage:not-in:cached'])} cached-product file(s) removed, "
            f"{len(report.missing_products)} product(s) without data file de-registered"
        )
    return 1 if report.unresolved else 0
