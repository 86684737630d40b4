"""The cyclopts application: every command group (loaded lazily), the global options and the
usage errors.

:func:`vires_repo.cli.main` runs it for every command line that the lookups' quick path
(:mod:`vires_repo.cli.lookups`) does not answer.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Annotated

from cyclopts import App, Parameter, validators
from cyclopts.exceptions import CycloptsError

from vires_repo import __version__
from vires_repo.cli import _common

app = App(
    name="vires-repo",
    version=__version__,
    help="Manage the catalogue of a VirES-style satellite data service: product types, "
    "product collections, registered products, orbit-direction tables and cached products, "
    "stored as JSON definitions and Parquet indexes in a git-versioned folder.",
    default_parameter=Parameter(negative="", negative_iterable=""),
    help_format="plaintext",
    suppress_keyboard_interrupt=False,  # main() reports it and returns 130
    print_error=False,  # main() reports usage errors in one line
)
app.meta.suppress_keyboard_interrupt = False
app.meta.print_error = False

_GROUPS = (
    ("product_type", "Product types: import, list, export, remove."),
    ("product_collection", "Product collections: import, list, export, remove."),
    ("product", "Registered products: register, list, exists, export, import, deregister."),
    ("cached_product", "Cached products: update, dump."),
    ("orbit_direction", "Orbit-direction lookup tables: update, sync, rebuild, import, export."),
    ("dangling_job", "Back-end jobs without a job record: list, info, dump, remove."),
)
for _name, _help in _GROUPS:
    _kebab = _name.replace("_", "-")
    app.command(
        f"vires_repo.cli.{_name}:app",
        name=_name,
        alias=_kebab if _kebab != _name else None,
        help=_help,
    )

# -- operations (issue 15) --
app.command(
    "vires_repo.cli.maintenance:app",
    name="maintenance",
    help="Maintenance mode: on [--reason TEXT], off, status.",
)
app.command("vires_repo.cli.lock:app", name="lock", help="The catalogue lock: status, clear.")
app.command(
    "vires_repo.cli.purge:purge",
    name="purge",
    help="Remove de-registered products and superseded files for good.",
)

# -- operations: backup, mirror, sync (issue 15, ops-copy) --
app.command(
    "vires_repo.cli.backup:app",
    name="backup",
    help="Backups of the catalogue: create, list, verify, restore.",
)
app.command(
    "vires_repo.cli.mirror:mirror",
    name="mirror",
    help="Copy a catalogue instance onto another (sha256, data first, manifests last).",
)
app.command(
    "vires_repo.cli.sync:sync",
    name="sync",
    help="Bring this read-only replica in step with its source, incrementally.",
)
app.command(
    "vires_repo.cli.mirror:role",
    name="role",
    help="Show or set the instance role (ops, test, dev).",
)

# the job group's commands are in two modules: job_queue.py adds its own to job.py's group
app.command(
    "vires_repo.cli.job_queue:app",
    name="job",
    help="Asynchronous jobs: list, info, dump, remove, purge (VirES), types, run, submit, wait, "
    "abort, retry, schedule, unschedule, scheduled.",
)
app.command(
    "vires_repo.cli.worker:app",
    name="worker",
    help="Job workers: start (foreground, N processes and the scheduler), status.",
)
app.command("vires_repo.cli.demo:demo", name="demo", help="Build a small demo catalogue.")
app.command("vires_repo.cli.info:info", name="info", help="Show what the catalogue holds.")
app.command("vires_repo.cli.check:app", name="check", help="Check the catalogue's integrity.")
app.command("vires_repo.cli.sql:sql", name="sql", help="Query the catalogue with SQL (DuckDB).")
app.command(
    "vires_repo.cli.extract:extract",
    name="extract",
    help="Extract data of collections in a time window into one CDF, CSV or Parquet file.",
)
app.command(
    "vires_repo.cli.gitops:plan",
    name="plan",
    help="Compare the catalogue at two git revisions (Markdown plan for CI).",
)
app.command(
    "vires_repo.cli.gitops:git_textconv", name="git-textconv", help="git diff driver: Parquet rows."
)
app.command(
    "vires_repo.cli.gitops:git_merge_manifest",
    name="git-merge-manifest",
    help="git merge driver: product-index manifests.",
)
app.command(
    "vires_repo.cli.gitops:git_setup",
    name="git-setup",
    help="Install the git diff and merge drivers into this clone.",
)


@app.meta.default
def _launcher(
    *tokens: Annotated[str, Parameter(show=False, allow_leading_hyphen=True)],
    catalog: Annotated[str | None, Parameter(name=["--catalog", "-C"])] = None,
    verbosity: Annotated[
        int, Parameter(name=["--verbosity", "-v"], validator=validators.Number(gte=0, lte=3))
    ] = 1,
    traceback: bool = False,
    as_of: Annotated[str | None, Parameter(name="--as-of")] = None,
    no_wait: Annotated[bool, Parameter(name="--no-wait")] = False,
) -> int:
    """Global options (give them before the command).

    Parameters
    ----------
    catalog
        Catalogue root: a local folder or an fsspec URL (default: $VIRES_CATALOG, else
        ./catalog).
    verbosity
        0 warnings only, 1 per-item messages (default), 2 debug, 3 debug of all libraries.
    traceback
        Print the Python traceback of an error.
    as_of
        Read the catalogue as it was at this git revision (read commands only).
    no_wait
        Writers fail at once, naming the holder, when another writer holds the catalogue lock
        (instead of waiting up to $VIRES_LOCK_TIMEOUT seconds).
    """
    _common.session.begin(
        catalog=catalog, verbosity=verbosity, traceback=traceback, as_of=as_of, no_wait=no_wait
    )
    if as_of is not None:
        _common.refuse_writes_at_revision(tokens, as_of)
    try:
        result = app(tokens, exit_on_error=False, result_action="return_value")
    finally:
        _common.session.close()
    return result if isinstance(result, int) else 0


def run(tokens: Sequence[str]) -> int:
    """Run a command line through cyclopts; a usage error is one ``ERROR:`` line, exit 2."""
    try:
        return int(app.meta(tokens, exit_on_error=False, result_action="return_value") or 0)
    except CycloptsError as exc:
        _report_usage_error(exc, tokens)
        return 2


def _report_usage_error(error: CycloptsError, tokens: Sequence[str]) -> None:
    """A usage error found by cyclopts (unknown option or command, a missing or bad value) as
    one ``ERROR:`` line and a hint naming the help of the command, instead of its panel."""
    _common.error(" ".join(str(error).split()))
    chain = [word for word in (error.command_chain or ()) if word != app.name[0]]
    print(f"Try '{' '.join([app.name[0], *chain, '--help'])}'.", file=sys.stderr)
