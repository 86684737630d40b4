#!/usr/bin/env python3
"""The nightly operations of a catalogue (CI helper of the ``nightly`` workflow).

The steps are :func:`vires_repo.services.nightly.run_nightly`, the code the ``nightly`` job
type runs on a worker too: ``info``, ``check --files``, ``backup create --dest URL`` (skipped
without ``--backup-dest``), ``purge --policies``, and ``sync --push-state`` of each replica in
``--replicas`` from this catalogue, then which replica is behind. While the catalogue is in
maintenance mode nothing runs: a GitHub ``::notice::`` and the job summary say so, and the
exit status is 0.

Every step's figures (and its time) go into the job summary (``--summary``, default
``$GITHUB_STEP_SUMMARY``; standard output when neither is set). Exit status 1 when a step
failed, after all of them ran, so the summary is always complete.

Usage: ``python scripts/ci_nightly.py [--catalog catalog] [--backup-dest URL]
[--replicas "URL ..."]``
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Annotated

from cyclopts import App, Parameter

from vires_repo.catalog import Catalog
from vires_repo.errors import ViresRepoError
from vires_repo.services.nightly import NightlyStep, run_nightly


def write_summary(summary: str | None, lines: list[str]) -> None:
    text = "\n".join(lines) + "\n"
    if summary:
        with Path(summary).open("a", encoding="utf-8") as stream:
            stream.write(text)
    else:
        sys.stdout.write(text)


def report_step(step: NightlyStep) -> None:
    result = "failed" if step.failed else "ok"
    sys.stderr.write(f"{step.name}: {result} ({step.seconds:.1f} s): {step.figures}\n")


app = App(
    name="ci_nightly.py",
    help=__doc__.split("\n", 1)[0],
    version_flags=(),
    default_parameter=Parameter(negative=""),
)


@app.default
def nightly(
    *,
    catalog: str = "catalog",
    backup_dest: str = "",
    replicas: str = "",
    summary: Annotated[str | None, Parameter(env_var="GITHUB_STEP_SUMMARY")] = None,
) -> int:
    """Run the nightly operations and write the job summary.

    Parameters
    ----------
    catalog
        Catalogue folder or URL.
    backup_dest
        Where ``backup create`` keeps the backups (empty: no backup).
    replicas
        Replica URLs to sync, separated by spaces or commas (empty: none).
    summary
        File the Markdown summary is appended to (default: standard output).
    """
    urls = re.split(r"[\s,]+", replicas.strip()) if replicas.strip() else []
    try:
        report = run_nightly(
            Catalog(catalog), backup_dest=backup_dest, replicas=urls, on_step=report_step
        )
    except ViresRepoError as error:  # e.g. no catalogue there
        sys.stderr.write(f"ERROR: {error}\n")
        write_summary(summary, ["## Nightly operations: failed", "", str(error)])
        return 1
    if report.skipped is not None:
        print(
            f"::notice title=Nightly skipped::catalogue {catalog} is in maintenance mode "
            f"{report.skipped}"
        )
    write_summary(summary, report.summary_lines())
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(app())
