#!/usr/bin/env python3
"""The nightly operations of a catalogue (CI helper of the ``nightly`` workflow).

While the catalogue is in maintenance mode (``vires-repo maintenance status`` exits 3) nothing
runs: a GitHub ``::notice::`` and the job summary say so, and the exit status is 0. Otherwise,
in this order (CRDS's nightly job, mapped onto the catalogue):

1. ``info --json``: the counts;
2. ``check --files``: the integrity checks, data files included;
3. ``backup create --dest URL`` (skipped without ``--backup-dest``);
4. ``purge --policies``: the retention policies;
5. ``sync --source CATALOG --push-state`` of each replica in ``--replicas``, then ``info`` for
   which replica is behind.

Every step's figures (and its time) go into the job summary (``--summary``, default
``$GITHUB_STEP_SUMMARY``; standard output when neither is set). Exit status 1 when a step
failed, after all of them ran, so the summary is always complete.

Usage: ``python scripts/ci_nightly.py [--catalog catalog] [--backup-dest URL]
[--replicas "URL ..."]``
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from cyclopts import App, Parameter

COMMAND_TIMEOUT = 6 * 3600
MAINTENANCE_ON = 3  # the exit status of 'maintenance status' while it is on


@dataclass
class Step:
    name: str
    code: int
    seconds: float
    figures: str


def vires_repo(*argv: str) -> tuple[subprocess.CompletedProcess[str], float]:
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "vires_repo", *argv],
        capture_output=True,
        text=True,
        check=False,
        timeout=COMMAND_TIMEOUT,
    )
    sys.stderr.write(done.stderr)
    return done, time.monotonic() - start


def last_info(stderr: str, default: str = "") -> str:
    """The last ``INFO:`` line of a command (its summary line)."""
    lines = [line[len("INFO: ") :] for line in stderr.splitlines() if line.startswith("INFO: ")]
    return lines[-1] if lines else default


def errors_of(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith("ERROR: ")]
    return "; ".join(lines[:3]) + (f" (and {len(lines) - 3} more)" if len(lines) > 3 else "")


def run_info(catalog: str) -> Step:
    done, seconds = vires_repo("--catalog", catalog, "info", "--json")
    if done.returncode:
        return Step("info", done.returncode, seconds, errors_of(done.stderr))
    counts = json.loads(done.stdout)["counts"]
    figures = (
        f"{counts['products']:,} products in {counts['collections_with_products']} of "
        f"{counts['product_collections']} collections, {counts['product_types']} product types"
    )
    return Step("info", 0, seconds, figures)


def run_command(name: str, *argv: str) -> Step:
    """A step whose figures are its summary line (the last INFO line) or its errors."""
    done, seconds = vires_repo(*argv)
    figures = last_info(done.stderr) if done.returncode == 0 else errors_of(done.stderr)
    return Step(name, done.returncode, seconds, figures or last_info(done.stderr))


def run_purge(catalog: str) -> Step:
    """``purge --policies``: one line per item removed on standard output."""
    done, seconds = vires_repo("--catalog", catalog, "purge", "--policies")
    removed = [line for line in done.stdout.splitlines() if line.strip()]
    kinds = sorted({line.split(" ", 2)[1] for line in removed if line.count(" ") >= 2})
    figures = (
        f"{len(removed)} item(s) removed" + (f" ({', '.join(kinds)})" if kinds else "")
        if done.returncode == 0
        else errors_of(done.stderr)
    )
    return Step("purge --policies", done.returncode, seconds, figures)


def replica_lines(catalog: str) -> list[str]:
    done, _seconds = vires_repo("--catalog", catalog, "info", "--json")
    if done.returncode:
        return []
    return [
        f"- `{r['replica']}`: synced {r['synced']}, "
        + (f"**behind** ({r['files_differing']} file(s) differ)" if r["behind"] else "in step")
        for r in json.loads(done.stdout).get("replicas", [])
    ]


def write_summary(summary: str | None, lines: list[str]) -> None:
    text = "\n".join(lines) + "\n"
    if summary:
        with Path(summary).open("a", encoding="utf-8") as stream:
            stream.write(text)
    else:
        sys.stdout.write(text)


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
    status, _seconds = vires_repo("--catalog", catalog, "maintenance", "status")
    if status.returncode == MAINTENANCE_ON:
        reason = re.search(r"^reason: (.*)$", status.stdout, re.MULTILINE)
        why = reason.group(1) if reason else "no reason given"
        print(f"::notice title=Nightly skipped::catalogue {catalog} is in maintenance mode: {why}")
        write_summary(
            summary,
            ["## Nightly operations: skipped", "", f"The catalogue is in maintenance mode: {why}"]
            + ["", "```", status.stdout.strip(), "```"],
        )
        return 0
    steps = [run_info(catalog)]
    if status.returncode:
        steps.insert(0, Step("maintenance status", status.returncode, 0, errors_of(status.stderr)))
    steps.append(run_command("check --files", "--catalog", catalog, "check", "--files"))
    if backup_dest:
        steps.append(
            run_command(
                "backup create", "--catalog", catalog, "backup", "create", "--dest", backup_dest
            )
        )
    steps.append(run_purge(catalog))
    for replica in re.split(r"[\s,]+", replicas.strip()) if replicas.strip() else []:
        steps.append(
            run_command(
                f"sync {replica}",
                *("--catalog", replica, "sync", "--source", catalog, "--push-state"),
            )
        )
    lines = ["## Nightly operations", "", "| step | result | seconds | figures |"]
    lines.append("| --- | --- | ---: | --- |")
    for step in steps:
        result = "ok" if step.code == 0 else f"failed (exit {step.code})"
        figures = step.figures.replace("|", "\\|")
        lines.append(f"| `{step.name}` | {result} | {step.seconds:.1f} | {figures} |")
    if not backup_dest:
        lines += ["", "No backup: set the `VIRES_BACKUP_DEST` variable."]
    replicas_now = replica_lines(catalog) if replicas.strip() else []
    if replicas_now:
        lines += ["", "Replicas:", *replicas_now]
    write_summary(summary, lines)
    return 1 if any(step.code for step in steps) else 0


if __name__ == "__main__":
    sys.exit(app())
