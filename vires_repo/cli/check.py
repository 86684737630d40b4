"""``vires-repo check``: run the integrity checks and report (never fixes anything)."""

from __future__ import annotations

from typing import Annotated

from cyclopts import Parameter

from vires_repo.cli import _common


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
    table, schedule files valid, JSON Schemas fresh and, with --files, data files present.

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
