"""Install the ``vires-parquet`` diff driver and the ``vires-manifest`` merge driver.

git keeps driver commands in the clone's own config (never in the repository, as they run
programs), and the repository's ``.gitattributes`` says which files use them::

    catalog/**/*.parquet -text diff=vires-parquet
    catalog/**/_manifest-*.json merge=vires-manifest

:func:`setup_git` sets both (idempotently: an equal value or line is left alone) and reports
what it did.
"""

from __future__ import annotations

import os
import shlex
import sys
from dataclasses import dataclass

from vires_repo.errors import GitError
from vires_repo.gitops.revisions import locate
from vires_repo.io.git import git_output

DIFF_DRIVER = "vires-parquet"
MERGE_DRIVER = "vires-manifest"
ATTRIBUTES_FILE = ".gitattributes"


def default_command() -> str:
    """How git should start vires-repo: this Python with ``-m vires_repo`` (works in a
    virtualenv that is not on git's PATH)."""
    return f"{shlex.quote(sys.executable)} -m vires_repo"


def driver_settings(command: str) -> dict[str, str]:
    """The git config keys and values of both drivers."""
    return {
        f"diff.{DIFF_DRIVER}.textconv": f"{command} git-textconv",
        f"merge.{MERGE_DRIVER}.name": "vires-repo product index manifest merge",
        f"merge.{MERGE_DRIVER}.driver": f"{command} git-merge-manifest %O %A %B %P",
    }


def attribute_lines(prefix: str) -> list[str]:
    """The ``.gitattributes`` lines for a catalogue folder ``prefix`` (relative to the top)."""
    if any(char.isspace() for char in prefix) or '"' in prefix:
        raise GitError(f"catalogue folder {prefix!r}: write its .gitattributes lines by hand")
    base = f"{prefix}/**" if prefix else "**"
    return [
        f"{base}/*.parquet -text diff={DIFF_DRIVER}",
        f"{base}/_manifest-*.json merge={MERGE_DRIVER}",
    ]


@dataclass(frozen=True)
class SetupStep:
    what: str
    changed: bool

    def describe(self) -> str:
        return f"{self.what} ({'set' if self.changed else 'unchanged'})"


def setup_git(
    catalog_root: str | os.PathLike[str], command: str | None = None, *, attributes: bool = True
) -> list[SetupStep]:
    """Install both drivers into the git config of the clone holding ``catalog_root`` and,
    with ``attributes``, make the repository's ``.gitattributes`` name them."""
    location = locate(catalog_root)
    steps = []
    for key, value in driver_settings(command or default_command()).items():
        try:
            current = git_output(location.toplevel, "config", "--local", "--get", key).decode()
        except GitError:
            current = None
        if current is not None and current.rstrip("\n") == value:
            steps.append(SetupStep(f"git config {key}", False))
            continue
        git_output(location.toplevel, "config", "--local", key, value)
        steps.append(SetupStep(f"git config {key}", True))
    if attributes:
        path = location.toplevel / ATTRIBUTES_FILE
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        present = {line.strip() for line in text.splitlines()}
        missing = [line for line in attribute_lines(location.prefix) if line not in present]
        if missing:
            if text and not text.endswith("\n"):
                text += "\n"
            path.write_text(text + "".join(f"{line}\n" for line in missing), encoding="utf-8")
        steps.append(
            SetupStep(f"{ATTRIBUTES_FILE} lines for {location.prefix or '.'}", bool(missing))
        )
    return steps
