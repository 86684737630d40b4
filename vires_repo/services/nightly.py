"""The nightly operations of a catalogue (CRDS's nightly job, mapped onto the catalogue): the
one code path of ``scripts/ci_nightly.py`` (the ``nightly`` GitHub workflow) and of the
``nightly`` job type (a schedule on a worker).

While the catalogue is in maintenance mode nothing runs and the report says why. Otherwise,
in this order, each step with its figures and its time, a failed step not stopping the next:

1. ``info``: the counts;
2. ``check --files``: the integrity checks, data files included (failed on any error);
3. ``backup create`` at the backup destination (skipped without one);
4. ``purge --policies``: the retention policies;
5. ``sync --push-state`` of each replica from this catalogue (then the replicas' states, as
   ``info`` shows them: which one is behind).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from vires_repo.catalog import Catalog
from vires_repo.errors import ViresRepoError
from vires_repo.maintenance import maintenance_reason


@dataclass(frozen=True)
class NightlyStep:
    name: str
    failed: bool
    seconds: float
    figures: str


@dataclass
class NightlyReport:
    skipped: str | None = None
    """Why nothing ran (the maintenance state), or None."""
    steps: list[NightlyStep] = field(default_factory=list)
    replicas: list[dict[str, Any]] = field(default_factory=list)
    """The replicas' states after the syncs (``info``'s ``replicas``)."""
    backup_dest: str | None = None

    @property
    def failed(self) -> bool:
        return any(step.failed for step in self.steps)

    def summary_lines(self) -> list[str]:
        """The Markdown job summary."""
        if self.skipped is not None:
            return [
                "## Nightly operations: skipped",
                "",
                f"The catalogue is in maintenance mode: {self.skipped}",
            ]
        lines = ["## Nightly operations", "", "| step | result | seconds | figures |"]
        lines.append("| --- | --- | ---: | --- |")
        for step in self.steps:
            result = "failed" if step.failed else "ok"
            figures = step.figures.replace("|", "\\|")
            lines.append(f"| `{step.name}` | {result} | {step.seconds:.1f} | {figures} |")
        if not self.backup_dest:
            lines += ["", "No backup: set the `VIRES_BACKUP_DEST` variable."]
        if self.replicas:
            lines += ["", "Replicas:"]
            lines += [
                f"- `{r['replica']}`: synced {r['synced']}, "
                + (
                    f"**behind** ({r['files_differing']} file(s) differ)"
                    if r["behind"]
                    else "in step"
                )
                for r in self.replicas
            ]
        return lines


def step_names(backup_dest: str | None, replicas: Sequence[str]) -> list[str]:
    """The steps :func:`run_nightly` runs, in order (the ``nightly`` job's tasks)."""
    backup = ["backup create"] if backup_dest else []
    syncs = [f"sync {replica}" for replica in replicas]
    return ["info", "check --files", *backup, "purge --policies", *syncs]


def run_nightly(
    catalog: Catalog,
    *,
    backup_dest: str | None = None,
    replicas: Sequence[str] = (),
    on_step: Callable[[NightlyStep], None] | None = None,
) -> NightlyReport:
    """Run the nightly steps (see the module doc); ``on_step`` sees each as it ends."""
    catalog.require_existing()
    report = NightlyReport(backup_dest=backup_dest or None)
    report.skipped = maintenance_reason(catalog.storage)
    if report.skipped is not None:
        return report

    def step(name: str, work: Callable[[], tuple[bool, str]]) -> None:
        start = time.monotonic()
        try:
            failed, figures = work()
        except ViresRepoError as error:
            failed, figures = True, str(error)
        except Exception as error:  # a bug in one step must not cost the others their run
            failed, figures = True, f"{type(error).__name__}: {error}"
        done = NightlyStep(name, failed, time.monotonic() - start, figures)
        report.steps.append(done)
        if on_step is not None:
            on_step(done)

    step("info", lambda: _info(catalog))
    step("check --files", lambda: _check(catalog))
    if backup_dest:
        step("backup create", lambda: _backup(catalog, backup_dest))
    step("purge --policies", lambda: _purge(catalog))
    for replica in replicas:
        step(f"sync {replica}", partial(_sync, catalog, replica))
    if replicas:
        from vires_repo.services.info import catalog_info

        report.replicas = list(catalog_info(catalog)["replicas"])
    return report


def _info(catalog: Catalog) -> tuple[bool, str]:
    from vires_repo.services.info import catalog_info

    counts = catalog_info(catalog)["counts"]
    return False, (
        f"{counts['products']:,} products in {counts['collections_with_products']} of "
        f"{counts['product_collections']} collections, {counts['product_types']} product types"
    )


def _check(catalog: Catalog) -> tuple[bool, str]:
    from vires_repo.services.check import CheckOptions, run_checks, select_checks

    report = run_checks(catalog, select_checks(), CheckOptions(files=True))
    return report.errors > 0, f"{report.errors} error(s), {report.warnings} warning(s)"


def _backup(catalog: Catalog, destination: str) -> tuple[bool, str]:
    from vires_repo.services import backup

    return False, backup.create(catalog, destination).summary()


def _purge(catalog: Catalog) -> tuple[bool, str]:
    from vires_repo.services.purge import PurgeOptions, purge

    lines = purge(catalog, PurgeOptions(policies=True)).lines
    kinds = sorted({line.split(" ", 2)[1] for line in lines if line.count(" ") >= 2})
    return False, f"{len(lines)} item(s) removed" + (f" ({', '.join(kinds)})" if kinds else "")


def _sync(catalog: Catalog, replica: str) -> tuple[bool, str]:
    from vires_repo.services.sync import sync

    result = sync(Catalog(replica), catalog.url, push_state=True)
    summary = result.plan.summary().replace(" to copy", " copied").replace(" to remove", " removed")
    return bool(result.damaged), summary
