"""``vires-repo sync``: keep this catalogue, a read-only replica, in step with its source."""

from __future__ import annotations

from typing import Annotated

from cyclopts import Parameter

from vires_repo.cli import _common
from vires_repo.cli.mirror import report_copy


def sync(
    *,
    source: Annotated[str, Parameter(name="--source")],
    collections: Annotated[
        list[str] | None, Parameter(name="--collections", consume_multiple=True)
    ] = None,
    check_checksum: Annotated[bool, Parameter(name="--check-checksum")] = False,
    repair: Annotated[bool, Parameter(name="--repair")] = False,
    dry_run: Annotated[bool, Parameter(name="--dry-run")] = False,
    push_state: Annotated[bool, Parameter(name="--push-state")] = False,
) -> int:
    """Bring this catalogue (--catalog, the replica) in step with --source, incrementally.

    Only files changed at the source since the last sync are read and, when their sha256
    differs, copied (data first, manifests last); files an earlier sync brought that the
    source no longer has are removed. If the replica's lock is held, the sync says by whom and
    exits 1 at once (it never waits).

    Parameters
    ----------
    source
        The authoritative catalogue (a local folder or URL).
    collections
        Sync only these collections' product index and definitions.
    check_checksum
        Hash every file on both sides again; replica files that no longer match their
        recorded checksum are reported (exit 1) unless --repair.
    repair
        Copy damaged replica files again (re-hashes every replica file).
    dry_run
        Print the plan and change nothing.
    push_state
        Record on the source which state this replica now holds ('info' there shows which
        replica is behind).
    """
    from vires_repo.services.sync import sync as run_sync

    result = run_sync(
        _common.session.catalog(),
        source,
        collections=collections or (),
        check_checksum=check_checksum,
        repair=repair,
        dry_run=dry_run,
        push_state=push_state,
    )
    return report_copy(result, dry_run=dry_run, repaired=repair)
