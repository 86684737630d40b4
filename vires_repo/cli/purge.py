"""``vires-repo purge``: remove de-registered products, superseded cached-product files and
expired products (retention policies) and old finished jobs for good."""

from __future__ import annotations

from typing import Annotated

from cyclopts import Parameter

from vires_repo.cli import _common
from vires_repo.cli._options import JobsRoot
from vires_repo.errors import UsageError


def purge(
    *,
    products: Annotated[bool, Parameter(name="--products")] = False,
    jobs: Annotated[bool, Parameter(name="--jobs")] = False,
    cached_products: Annotated[bool, Parameter(name="--cached-products")] = False,
    older_than: Annotated[str | None, Parameter(name="--older-than")] = None,
    dry_run: Annotated[bool, Parameter(name="--dry-run")] = False,
    policies: Annotated[bool, Parameter(name="--policies")] = False,
    jobs_root: JobsRoot = None,
) -> None:
    """Remove for good what the catalogue only hid or left behind; permanent.

    Without a kind option every kind is purged (products, cached products, jobs). Each item
    removed is one line on standard output (``purged product COLL/ID (deleted TIME by WHO:
    REASON)``, ``removed cached_product PATH``, ``deregistered product COLL/ID``, ``purged
    job ID``); each kind starts with a ``-> Purging ...`` line on standard error and ends with
    its count.

    Parameters
    ----------
    products
        Purge de-registered product records (the data files of their collections' index are
        compacted; the product data files themselves stay).
    jobs
        Purge the jobs (outputs, folders, records) that finished more than --older-than
        (default P14D) ago, one line ``purged job ID`` each.
    cached_products
        Remove the files of cached_products/ that no cached product records (superseded).
    older_than
        Purge only products de-registered, and jobs ended, at least this long ago (ISO-8601
        duration, e.g. P30D).
    dry_run
        List what would be removed, remove nothing.
    policies
        Apply the retention policies (retention_policies/*.json): de-register the products
        they no longer keep, purge the deleted products they no longer keep.
    """
    from vires_repo.services.purge import PurgeOptions, purge
    from vires_repo.timespec import parse_duration

    age = None
    if older_than is not None:
        try:
            age = parse_duration(older_than)
        except ValueError as error:
            raise UsageError(f"purge --older-than {older_than!r}: {error}") from None
    options = PurgeOptions(
        products=products,
        cached_products=cached_products,
        jobs=jobs,
        policies=policies,
        older_than=age,
        dry_run=dry_run,
    )
    report = purge(_common.session.catalog(), options, jobs_root=jobs_root)
    for section in report.sections:
        _common.info(f"-> Purging {section.title}{' (dry run)' if dry_run else ''}")
        _common.print_lines(section.lines)
        for note in section.notes:
            _common.info(note)
