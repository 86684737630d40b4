#!/usr/bin/env python3
"""Check a pull request's catalogue (CI helper of the ``definitions`` workflow).

1. validate every product type and collection definition file (JSON, the pydantic model,
   the name matching the file name); each bad file is reported;
2. run ``vires-repo check`` (exit 1 on errors);
3. run ``vires-repo plan BASE [HEAD]`` and write its Markdown to the job summary
   (``--summary``, default ``$GITHUB_STEP_SUMMARY``; standard output when neither is set).

Exit status 1 when any step failed, after all of them ran, so the summary is always complete.

Usage: ``python scripts/ci_definitions.py [--catalog catalog] --base REV [--head REV]``
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

from cyclopts import App, Parameter

COMMAND_TIMEOUT = 1800


def say(message: str) -> None:
    print(f"ci_definitions: {message}", file=sys.stderr, flush=True)


def validate_definitions(catalog: str) -> list[str]:
    """One message per invalid definition file (empty when all are valid)."""
    from vires_repo.catalog import Catalog
    from vires_repo.errors import ViresRepoError

    opened = Catalog(catalog)
    problems = []
    for store in (opened.product_types, opened.product_collections):
        for identifier in store.ids():
            try:
                store.load(identifier)
            except ViresRepoError as error:
                problems.append(str(error))
    return problems


app = App(
    name="ci_definitions.py",
    help=__doc__.split("\n", 1)[0],
    version_flags=(),
    default_parameter=Parameter(negative=""),
)


@app.default
def check_pull_request(
    *,
    base: str,
    catalog: str = "catalog",
    head: str | None = None,
    summary: Annotated[str | None, Parameter(env_var="GITHUB_STEP_SUMMARY")] = None,
) -> int:
    """Check a pull request's catalogue and write the job summary.

    Parameters
    ----------
    base
        git revision of the base branch.
    catalog
        Catalogue folder.
    head
        git revision (default: the work tree).
    summary
        File the Markdown summary is appended to (default: standard output).
    """
    failed = []
    lines = ["## Catalogue definitions", ""]

    problems = validate_definitions(catalog)
    for problem in problems:
        say(f"invalid definition: {problem}")
    if problems:
        failed.append("definitions")
        lines += [f"- :x: {problem}" for problem in problems]
    else:
        lines.append("- definitions: all valid")

    vires_repo = [sys.executable, "-m", "vires_repo", "--catalog", catalog]
    checked = subprocess.run([*vires_repo, "check"], check=False, timeout=COMMAND_TIMEOUT)
    if checked.returncode != 0:
        failed.append("check")
    lines.append(f"- `vires-repo check`: {'failed' if checked.returncode else 'passed'}")

    lines.append("")
    revisions = [base] + ([head] if head else [])
    done = subprocess.run(
        [*vires_repo, "plan", *revisions],
        capture_output=True,
        text=True,
        check=False,
        timeout=COMMAND_TIMEOUT,
    )
    sys.stderr.write(done.stderr)
    if done.returncode != 0:
        failed.append("plan")
    lines.append(done.stdout.rstrip("\n") or "_The plan is empty._")

    text = "\n".join(lines) + "\n"
    if summary:
        with Path(summary).open("a", encoding="utf-8") as stream:
            stream.write(text)
    else:
        sys.stdout.write(text)
    if failed:
        say(f"failed: {', '.join(failed)}")
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    result = app(argv, result_action="return_value")
    return result if isinstance(result, int) else 0  # --help


if __name__ == "__main__":
    sys.exit(main())
