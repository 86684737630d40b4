"""The catalogue as it was at a git revision, read without touching the working tree.

:func:`catalog_at` copies the catalogue folder of a commit into a temporary folder and opens it
as a read-only :class:`~vires_repo.catalog.Catalog`; the folder is removed on exit.

Why a materialized copy and not a filesystem over ``git cat-file``: every reader of the
catalogue (the definition store, the product index through pyarrow, DuckDB for ``sql``) then
works unchanged and at local-disk speed, and DuckDB cannot read through a Python filesystem
anyway. The catalogue is small by design (definitions plus a few KB of Parquet per day), so
the copy costs little. The copy is made with ``git ls-tree`` plus one ``git cat-file --batch``
process rather than ``git archive``: the blobs are written exactly as committed, whereas
``git archive`` applies ``export-ignore``/``export-subst`` and end-of-line attributes and
needs a tar parser on top.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from vires_repo.catalog import Catalog
from vires_repo.errors import GitError, NotFoundError, ViresRepoError
from vires_repo.io.git import git_output
from vires_repo.io.storage import Storage

WORKING_TREE = None
"""The revision argument that means "the working tree as it is"."""


@dataclass(frozen=True)
class CatalogLocation:
    """Where a local catalogue folder sits in its git repository."""

    root: Path
    """The catalogue folder (absolute; it need not exist in the working tree)."""
    toplevel: Path
    """The top folder of the git working tree."""
    prefix: str
    """The catalogue folder relative to ``toplevel`` (POSIX; empty for the top folder)."""

    def repo_path(self, relpath: str) -> str:
        """A path below the catalogue, relative to the repository top (as git prints it)."""
        return str(PurePosixPath(self.prefix, relpath)) if self.prefix else relpath


def locate(root: str | os.PathLike[str]) -> CatalogLocation:
    """Find the git repository holding the catalogue folder ``root`` (a local path)."""
    text = os.fspath(root)
    if "://" in text and not text.startswith("file://"):
        raise ViresRepoError(
            f"catalogue {text} is not a local folder; git revisions are read from a local clone"
        )
    path = Path(text.removeprefix("file://")).resolve()
    existing = path
    while not existing.is_dir():
        if existing.parent == existing:
            break
        existing = existing.parent
    try:
        top = git_output(existing, "rev-parse", "--show-toplevel").decode().strip()
    except GitError:
        raise GitError(f"catalogue {text} is not inside a git working tree") from None
    toplevel = Path(top).resolve()
    try:
        prefix = path.relative_to(toplevel).as_posix()
    except ValueError:
        raise GitError(f"catalogue {text} is not inside the git working tree {top}") from None
    return CatalogLocation(root=path, toplevel=toplevel, prefix="" if prefix == "." else prefix)


def resolve_commit(location: CatalogLocation, revision: str) -> str:
    """The commit id of ``revision`` (a branch, tag, ``HEAD~2``, a commit id, ...)."""
    if not revision or revision.startswith("-"):
        raise GitError(f"invalid git revision {revision!r}")
    try:
        out = git_output(
            location.toplevel, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"
        )
    except GitError:
        raise NotFoundError(
            f"git revision {revision} does not exist in the repository {location.toplevel}"
        ) from None
    return out.decode().strip()


def _tree_entries(location: CatalogLocation, commit: str) -> list[tuple[str, str]]:
    """(blob id, path below the catalogue) of the regular files of the catalogue at ``commit``."""
    spec = [location.prefix] if location.prefix else []
    out = git_output(location.toplevel, "ls-tree", "-r", "-z", "--full-tree", commit, "--", *spec)
    entries = []
    strip = f"{location.prefix}/" if location.prefix else ""
    for item in out.split(b"\0"):
        if not item:
            continue
        meta, _, raw_path = item.partition(b"\t")
        mode, kind, sha = meta.decode().split()
        path = raw_path.decode("utf-8", "surrogateescape")
        # Regular files only: symlinks (120000) and submodules are not catalogue content.
        if kind == "blob" and mode in ("100644", "100755") and path.startswith(strip):
            entries.append((sha, path[len(strip) :]))
    return entries


def read_blobs(cwd: str | os.PathLike[str], objects: Sequence[str]) -> Iterator[bytes | None]:
    """The contents of git objects (``sha`` or ``rev:path``), in order; None when missing.

    One ``git cat-file --batch`` process serves all of them.
    """
    if not objects:
        return
    request = "".join(f"{name}\n" for name in objects).encode("utf-8", "surrogateescape")
    out = git_output(cwd, "cat-file", "--batch", stdin=request)
    position = 0
    for _name in objects:
        end = out.index(b"\n", position)
        line = out[position:end]
        position = end + 1
        if line.endswith((b" missing", b" ambiguous")):
            yield None
            continue
        _sha, kind, size_text = line.rsplit(b" ", 2)
        size = int(size_text)
        body = out[position : position + size]
        position += size + 1
        yield body if kind == b"blob" else None


def materialize(location: CatalogLocation, commit: str, target: Path) -> int:
    """Write the catalogue files of ``commit`` below ``target``; return how many."""
    entries = _tree_entries(location, commit)
    blobs = read_blobs(location.toplevel, [sha for sha, _path in entries])
    for (_sha, relpath), data in zip(entries, blobs, strict=True):
        if data is None:
            raise GitError(f"git object of {location.repo_path(relpath)} at {commit} is missing")
        destination = target / relpath
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(data)
    return len(entries)


class ReadOnlyStorage(Storage):
    """A catalogue root that refuses every write (the catalogue at a past revision)."""

    def __init__(self, root: str | os.PathLike[str], label: str) -> None:
        super().__init__(root)
        self.label = label

    def _refuse(self) -> ViresRepoError:
        return ViresRepoError(f"the catalogue at {self.label} is read-only")

    def makedirs(self, relpath: str = "") -> None:
        raise self._refuse()

    def write_bytes(self, relpath: str, data: bytes) -> None:
        raise self._refuse()

    def remove(self, relpath: str) -> None:
        raise self._refuse()

    @contextmanager
    def lock(self, timeout: float | None = None) -> Iterator[None]:
        raise self._refuse()
        yield  # pragma: no cover - makes this a generator


@contextmanager
def catalog_at(
    root: str | os.PathLike[str], revision: str, *, must_exist: bool = True
) -> Iterator[Catalog]:
    """The catalogue ``root`` as it was at git ``revision``, read-only, in a temporary folder.

    ``must_exist=False`` gives an empty catalogue when the folder did not exist at that
    revision (a plan against a revision before the catalogue was created).
    """
    location = locate(root)
    commit = resolve_commit(location, revision)
    folder = Path(tempfile.mkdtemp(prefix="vires-repo-rev-"))
    try:
        target = folder / "catalog"
        target.mkdir()
        if materialize(location, commit, target) == 0 and must_exist:
            raise NotFoundError(
                f"catalogue {location.prefix or '.'} does not exist at git revision {revision}"
            )
        yield Catalog(ReadOnlyStorage(str(target), f"git revision {revision}"))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def open_revision(
    root: str | os.PathLike[str], revision: str | None, stack: Any, *, must_exist: bool = True
) -> Catalog:
    """``revision`` None: the working-tree catalogue; otherwise :func:`catalog_at` entered on
    ``stack`` (a :class:`contextlib.ExitStack`)."""
    if revision is WORKING_TREE:
        return Catalog(os.fspath(root))
    catalog: Catalog = stack.enter_context(catalog_at(root, revision, must_exist=must_exist))
    return catalog
