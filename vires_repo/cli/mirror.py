"""``vires-repo mirror`` and ``vires-repo role``: copy one catalogue instance onto another."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from cyclopts import Parameter

from vires_repo.cli import _common

if TYPE_CHECKING:
    from vires_repo.replication.copy import CopyResult


def mirror(
    *,
    source: Annotated[str, Parameter(name="--source")],
    dest: Annotated[str, Parameter(name="--dest")],
    dry_run: Annotated[bool, Parameter(name="--dry-run")] = False,
    purge: Annotated[bool, Parameter(name="--purge")] = False,
    check_checksum: Annotated[bool, Parameter(name="--check-checksum")] = False,
    force_ops: Annotated[bool, Parameter(name="--force-ops")] = False,
) -> int:
    """Make the catalogue at --dest a copy of the one at --source (local folders or URLs).

    Files are compared by sha256; data files are copied first and manifests last, so a reader
    of the destination never meets a manifest whose files are missing, and a mirror that is
    interrupted leaves the destination readable and is completed by running it again. The
    destination is locked and in maintenance mode while the mirror runs (writers refuse,
    readers keep working), and its events log (.state/events.log, never mirrored) records
    the mirror. A destination whose role is ops is refused without --force-ops.

    Parameters
    ----------
    source
        The catalogue to copy.
    dest
        The catalogue to overwrite (created if missing).
    dry_run
        Print the plan (copy PATH / remove PATH lines, in order) and change nothing.
    purge
        Also remove destination files the source does not have (after the manifests).
    check_checksum
        Hash every file on both sides again instead of trusting recorded checksums.
    force_ops
        Mirror onto an instance whose role is ops (almost certainly a mistake).
    """
    from vires_repo.services.mirror import mirror as run_mirror

    result = run_mirror(
        source,
        dest,
        dry_run=dry_run,
        purge=purge,
        check_checksum=check_checksum,
        force_ops=force_ops,
        lock_timeout=0 if _common.session.no_wait else None,
    )
    return report_copy(result, dry_run=dry_run, repaired=True)


def report_copy(result: CopyResult, *, dry_run: bool, repaired: bool) -> int:
    """Print a copy's plan (dry run) or summary, and its damaged files; the exit code."""
    plan = result.plan
    if dry_run:
        _common.print_lines(plan.lines())
        _common.info(f"dry run: {plan.summary()}")
    else:
        _common.info(
            plan.summary().replace(" to copy", " copied").replace(" to remove", " removed")
        )
    for path in result.damaged:
        if repaired:
            _common.warning(f"{path}: damaged at the destination (differed from its checksum)")
        else:
            _common.error(f"{path}: damaged at the destination (--repair copies it again)")
    return 1 if result.damaged and not repaired else 0


def role(
    new_role: Annotated[Literal["ops", "test", "dev"] | None, Parameter(name="ROLE")] = None,
    /,
) -> None:
    """Print the catalogue instance's role, or record it (ops, test or dev).

    The role is instance state (.state/instance.json): a mirror never copies it. Mirroring onto
    an ops instance is refused without --force-ops; restoring it from a backup is allowed.

    Parameters
    ----------
    new_role
        The role to record; without it the current role is printed ("none" if unset).
    """
    from vires_repo.services import mirror as service

    catalog = _common.session.catalog()
    if new_role is None:
        _common.print_lines([service.role(catalog) or "none"])
    else:
        _common.info(
            f"catalogue {catalog.url} is now a {service.set_role(catalog, new_role)} instance"
        )
