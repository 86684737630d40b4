"""The git side of a backup: which catalogue files git holds, the bundle, reading it back.

A catalogue folder inside a git work tree is backed up as a bundle of the repository (its
history up to ``HEAD``) plus the files git does not hold as they are: untracked, ignored or
changed since ``HEAD``. A file is taken from the bundle only if its bytes are exactly those of
``HEAD``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from vires_repo.errors import GitError
from vires_repo.io.git import git_objects, git_output


@dataclass(frozen=True)
class GitSnapshot:
    """A catalogue's place in its git repository at ``HEAD``."""

    toplevel: Path
    prefix: str
    """The catalogue folder relative to the repository (``""`` at its root, else ends in /)."""
    commit: str
    blobs: dict[str, str]
    """Catalogue-relative path -> blob id, for the files whose bytes are those of ``HEAD``."""


def git_snapshot(root: Path) -> GitSnapshot | None:
    """The snapshot of the catalogue folder ``root``, or None if it is not in a git work tree
    with at least one commit."""
    try:
        toplevel = Path(git_output(root, "rev-parse", "--show-toplevel").decode().strip())
        commit = git_output(root, "rev-parse", "--verify", "HEAD").decode().strip()
    except GitError:
        return None
    relative = root.resolve().relative_to(toplevel.resolve()).as_posix()
    prefix = "" if relative == "." else f"{relative}/"
    tree = _tree(toplevel, commit, prefix)
    changed = git_output(toplevel, "diff", "--name-only", "-z", "HEAD", "--", prefix or ".")
    for path in changed.decode("utf-8").split("\0"):
        if path.startswith(prefix):
            tree.pop(path[len(prefix) :], None)
    return GitSnapshot(toplevel, prefix, commit, tree)


def _tree(repository: Path, commit: str, prefix: str) -> dict[str, str]:
    """Catalogue-relative path -> blob id of the regular files below ``prefix`` at ``commit``."""
    listing = git_output(repository, "ls-tree", "-r", "-z", commit, "--", prefix or ".")
    blobs = {}
    for line in listing.decode("utf-8").split("\0"):
        if not line:
            continue
        meta, path = line.split("\t", 1)
        mode, kind, blob = meta.split()
        if kind == "blob" and mode in ("100644", "100755") and path.startswith(prefix):
            blobs[path[len(prefix) :]] = blob
    return blobs


def create_bundle(snapshot: GitSnapshot, target: Path) -> None:
    """Write a bundle of the repository's history up to ``HEAD`` (the snapshot's commit:
    the caller holds the catalogue lock)."""
    git_output(snapshot.toplevel, "bundle", "create", "--quiet", str(target), "HEAD")


@contextmanager
def opened_bundle(bundle: Path) -> Iterator[Path]:
    """A bare clone of ``bundle`` in a temporary folder (cloning verifies every object's
    hash); removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="vires-bundle-") as folder:
        repository = Path(folder) / "repository.git"
        git_output(folder, "clone", "--quiet", "--bare", str(bundle), str(repository))
        yield repository


def tree_at(repository: Path, commit: str, prefix: str) -> dict[str, str]:
    """Catalogue-relative path -> blob id of the catalogue files at ``commit``."""
    return _tree(repository, commit, prefix)


def read_blobs(repository: Path, blobs: list[str]) -> dict[str, bytes]:
    return git_objects(repository, blobs)
