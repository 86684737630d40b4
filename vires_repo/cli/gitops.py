"""GitOps commands: ``plan``, ``git-textconv``, ``git-merge-manifest``, ``git-setup``.

Thin adapters over :mod:`vires_repo.gitops`; heavy imports stay inside the functions.
"""

from __future__ import annotations

from typing import Annotated

from cyclopts import Parameter

from vires_repo.cli import _common
from vires_repo.cli._options import OutputFile


def plan(
    base: str,
    head: str | None = None,
    /,
    *,
    file: OutputFile = "-",
) -> int:
    """Show what the catalogue change from BASE to HEAD does, as Markdown (for a CI summary).

    Product types and collections added, removed and changed (keys, products affected), and
    per collection the products added, de-registered, superseded by overlap and updated.
    Exit code 1 when the change is invalid (each problem is also an ERROR line on stderr).

    Parameters
    ----------
    base
        Git revision to compare from (e.g. origin/main).
    head
        Git revision to compare to; the working tree when not given.
    """
    from vires_repo.gitops.plan.compare import make_plan
    from vires_repo.gitops.plan.markdown import render_markdown

    result = make_plan(_common.session.root(), base, head)
    _common.write_output(file, render_markdown(result))
    for message in result.warnings:
        _common.warning(message)
    for message in result.errors:
        _common.error(message)
    return 0 if result.valid else 1


def git_textconv(file: str, /) -> int:
    """Print the rows of a Parquet file as sorted text lines (git's textconv for diffs).

    Parameters
    ----------
    file
        The Parquet file git gives the diff driver.
    """
    from vires_repo.gitops.textconv import parquet_lines

    lines = parquet_lines(file)
    if lines and lines[0].startswith("# not a readable"):
        _common.warning(f"{file}: {lines[0].removeprefix('# ')}")
    _common.print_lines(lines)
    return 0


def git_merge_manifest(base: str, ours: str, theirs: str, path: str, /) -> int:
    """Merge a product-index manifest three ways (git's merge driver, %O %A %B %P).

    The result replaces OURS. Different products registered or de-registered on the two
    branches merge; the same product changed differently on both is a conflict (exit 1).
    Other manifests (orbit-direction tables) get git's line merge.

    Parameters
    ----------
    base
        The common ancestor's version of the manifest (%O).
    ours
        Our version (%A); the merged manifest is written here.
    theirs
        Their version (%B).
    path
        The manifest's path in the repository (%P); the data files are found next to it.
    """
    from vires_repo.errors import MergeConflictError
    from vires_repo.gitops.merge import is_product_manifest, merge_manifest_files, text_merge

    if not is_product_manifest(path):  # e.g. an orbit-direction manifest: git's line merge
        if text_merge(base, ours, theirs, path):
            _common.error(f"cannot merge {path}: conflicting changes (markers written)")
            return 1
        return 0
    try:
        merged = merge_manifest_files(base, ours, theirs, path, _common.warning)
    except MergeConflictError as conflict:
        _common.error(f"cannot merge {path}: {conflict}")
        return 1
    if _common.session.verbosity >= 2:
        _common.info(f"merged {path}: {len(merged.files)} data file(s)")
    return 0


def git_setup(
    *,
    command: Annotated[str | None, Parameter(name="--command")] = None,
    config_only: Annotated[bool, Parameter(name="--config-only")] = False,
) -> None:
    """Install the Parquet diff and manifest merge drivers into this clone's git config.

    Also adds the lines naming them to the repository's .gitattributes for the catalogue
    folder (--catalog). Running it again changes nothing.

    Parameters
    ----------
    command
        How git should start vires-repo (default: this Python with -m vires_repo).
    config_only
        Only set the git config; leave .gitattributes alone.
    """
    from vires_repo.gitops.setup import setup_git

    for step in setup_git(_common.session.root(), command, attributes=not config_only):
        _common.info(step.describe())
