"""``vires-repo backup create|list|verify|restore``: dated backups of the catalogue."""

from __future__ import annotations

from typing import Annotated

from cyclopts import App, Parameter

from vires_repo.cli import _common
from vires_repo.cli.mirror import report_copy

app = App(
    name="backup",
    help="Backups of the catalogue (git bundle, files outside git, job records, MANIFEST.json "
    "with checksums): create, list, verify, restore.",
)

Destination = Annotated[
    str | None,
    Parameter(
        name="--dest", help="Where the backups are (folder or URL; default $VIRES_BACKUP_DEST)."
    ),
]
Wanted = Annotated[str, Parameter(name="ID", help="A backup ID or 'latest'.")]


@app.command
def create(
    *,
    dest: Destination = None,
    tag: Annotated[str | None, Parameter(name="--tag")] = None,
    keep_days: Annotated[int, Parameter(name="--keep-days")] = 550,
    force: Annotated[bool, Parameter(name="--force")] = False,
) -> None:
    """Back the catalogue up into a new dated folder and point 'latest' at it.

    Runs 'check' first and refuses an inconsistent catalogue unless --force (the manifest then
    says so). Product data files are not copied: the product index records where they are.

    Parameters
    ----------
    tag
        Appended to the backup's ID (letters, digits, '.', '_', '-').
    keep_days
        Remove backups older than this many days (never the new one).
    force
        Back up even if 'check' finds errors.
    """
    from vires_repo.services import backup
    from vires_repo.services.messages import Messages

    created = backup.create(
        _common.session.catalog(),
        backup.destination(dest),
        tag=tag,
        keep_days=keep_days,
        force=force,
        say=_common.console(Messages.logged("backup")),
    )
    _common.print_lines([created.manifest.id])
    _common.info(created.summary())
    for identifier in created.pruned:
        _common.info(f"pruned backup {identifier} (older than {keep_days} days)")


@app.command(name="list")
def list_(*, dest: Destination = None) -> None:
    """List the backups, oldest first: ID, creation time, files, bytes, check result."""
    from vires_repo.services import backup

    lines = []
    for manifest, latest in backup.list_backups(backup.destination(dest)):
        check = (
            f"{manifest.check.errors} check error(s), forced"
            if manifest.check.forced
            else "checked"
        )
        size = sum(f.size for f in manifest.files)
        git = f" git {manifest.git.commit[:12]}" if manifest.git else ""
        marker = " (latest)" if latest else ""
        lines.append(
            f"{manifest.id}{marker} {manifest.created} {len(manifest.files)} files "
            f"{size} bytes{git} {check}"
        )
    _common.print_lines(lines)


@app.command
def verify(wanted: Wanted = "latest", /, *, dest: Destination = None) -> int:
    """Check every checksum of a backup (its files, its bundle and the files in the bundle);
    exit 1 naming each file that does not match."""
    from vires_repo.services import backup

    identifier, problems = backup.verify(backup.destination(dest), wanted)
    for problem in problems:
        _common.error(problem)
    _common.info(
        f"backup {identifier}: {len(problems)} problem(s)"
        if problems
        else f"backup {identifier}: ok"
    )
    return 1 if problems else 0


@app.command
def restore(
    wanted: Wanted = "latest",
    /,
    *,
    dest: Destination = None,
    dry_run: Annotated[bool, Parameter(name="--dry-run")] = False,
) -> int:
    """Make the catalogue (--catalog) what a backup holds: a mirror from the backup onto it.

    Files added since the backup are removed; job records come back when the backup has them.
    Allowed on an ops instance (the one exception to the mirror rule).

    Parameters
    ----------
    dry_run
        Print the plan and change nothing.
    """
    from vires_repo.services import backup
    from vires_repo.services.messages import Messages

    identifier, result = backup.restore(
        _common.session.catalog(),
        backup.destination(dest),
        wanted,
        dry_run=dry_run,
        say=_common.console(Messages.logged("backup")),
    )
    _common.info(f"restore from backup {identifier}")
    return report_copy(result, dry_run=dry_run, repaired=True)
