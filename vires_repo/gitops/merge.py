"""Three-way merge of product-index manifests (``_manifest-<ID>.json``), as a git merge driver.

git runs ``vires-repo git-merge-manifest %O %A %B %P`` for a manifest changed on both sides
(base, ours, theirs, the manifest's path in the repository) and expects the result in the
"ours" file, with a non-zero exit status when it could not merge.

Data files are immutable and content-named, so the manifests merge by file name: the result
keeps the base files that neither side removed (a file removed by a compaction on one side
stays removed) plus the files either side added, with the union of both sides' tombstones.
That alone would be wrong in two cases, so the merge then works per product (identifier):

* a product changed on both sides (updated, re-registered or de-registered on each branch)
  unless both sides made the very same change: that is a conflict, reported product by
  product, and the driver fails;
* a product changed on one side whose old row the other side moved (compaction): the old row
  is tombstoned in the file it moved to, so every product has exactly one live row.

A product's rows are compared by content, which the manifest does not hold: the driver reads
the data files touched by either side, from the work tree or, for files only the other
branch has (git has not checked them out yet when it runs a merge driver), from git's object
store (``HEAD``, the merged commits git names in ``GITHEAD_*``, ``MERGE_HEAD`` and the other
in-progress operation heads, then any commit that added the file).

The output is canonical: the kept base files in base order, then the added files by time
range and name, so that merging A into B and B into A gives the same bytes.
"""

from __future__ import annotations

import bisect
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

from vires_repo.errors import GitError, MergeConflictError
from vires_repo.gitops.revisions import read_blobs
from vires_repo.io.git import git_output, run_git
from vires_repo.products.manifest import (
    DeletedEntry,
    FileEntry,
    Manifest,
    collection_of_folder,
    manifest_name,
)

Row = tuple[Any, ...]
RowReader = Callable[[FileEntry], Mapping[str, Row]]
"""All rows of a data file by identifier (tombstoned rows included)."""

_OPERATION_HEADS = ("MERGE_HEAD", "CHERRY_PICK_HEAD", "REBASE_HEAD", "REVERT_HEAD", "ORIG_HEAD")


@dataclass
class _SideChanges:
    """What one side did to the products relative to the base."""

    touched: set[str]
    changed: dict[str, Row | None]  # identifier -> new row (None: de-registered)


class _Merger:
    def __init__(self, base: Manifest, rows: RowReader) -> None:
        self.base = base
        self.rows = rows
        self._base_rows: dict[str, Row | None] = {}

    def live_ids(self, entry: FileEntry) -> set[str]:
        return set(self.rows(entry)) - entry.tombstones

    def base_row(self, identifier: str) -> Row | None:
        if identifier not in self._base_rows:
            found = None
            for entry in self.base.files:
                if entry.may_contain(identifier) and identifier not in entry.tombstones:
                    found = self.rows(entry).get(identifier)
                    if found is not None:
                        break
            self._base_rows[identifier] = found
        return self._base_rows[identifier]

    def side_changes(self, side: Manifest) -> _SideChanges:
        base_files = {entry.file: entry for entry in self.base.files}
        side_files = {entry.file: entry for entry in side.files}
        touched: set[str] = set()
        for name, entry in base_files.items():
            kept = side_files.get(name)
            if kept is None:  # removed (compacted) on this side: its live rows moved or went
                touched |= self.live_ids(entry)
            else:
                touched |= kept.tombstones - entry.tombstones
        new_rows: dict[str, Row] = {}
        for entry in side.files:
            if entry.file not in base_files:
                for identifier, row in self.rows(entry).items():
                    if identifier not in entry.tombstones:
                        new_rows[identifier] = row
        touched |= set(new_rows)
        changed: dict[str, Row | None] = {}
        for identifier in touched:
            new = new_rows.get(identifier)
            if new != self.base_row(identifier):
                changed[identifier] = new
        return _SideChanges(touched, changed)


def merge_manifests(
    base: Manifest,
    ours: Manifest,
    theirs: Manifest,
    rows: RowReader,
    warn: Callable[[str], None] | None = None,
) -> Manifest:
    """The merged manifest, or :class:`MergeConflictError` naming the products changed on both
    sides in different ways.

    ``warn`` is told about products new on one side whose time range overlaps a product new
    on the other: registered one after the other, the later would have replaced the earlier
    (unless registered with ``--ignore-overlaps``), so the merge keeps both and says so.
    """
    for manifest in (ours, theirs):
        if manifest.collection != base.collection and base.files:
            raise MergeConflictError(
                f"manifests of different collections: {base.collection} and {manifest.collection}"
            )
    collection = ours.collection
    merger = _Merger(base, rows)
    mine = merger.side_changes(ours)
    other = merger.side_changes(theirs)
    conflicts = sorted(
        identifier
        for identifier in mine.changed.keys() & other.changed.keys()
        if mine.changed[identifier] != other.changed[identifier]
    )
    if conflicts:
        shown = ", ".join(conflicts[:5]) + (", ..." if len(conflicts) > 5 else "")
        raise MergeConflictError(
            f"collection {collection}: {len(conflicts)} product(s) changed on both sides: {shown}",
            conflicts,
        )

    if warn is not None:
        for mine_id, other_id in _cross_overlaps(mine.changed, other.changed):
            warn(
                f"collection {collection}: product {mine_id} (ours) overlaps product "
                f"{other_id} (theirs); both are kept (see 'vires-repo check')"
            )

    # Files: base files both sides kept, then the added ones; tombstones of both sides.
    ours_files = {entry.file: entry for entry in ours.files}
    theirs_files = {entry.file: entry for entry in theirs.files}
    base_names = {entry.file for entry in base.files}
    result: dict[str, FileEntry] = {}
    for entry in base.files:
        if entry.file in ours_files and entry.file in theirs_files:
            tombstones = ours_files[entry.file].tombstones | theirs_files[entry.file].tombstones
            result[entry.file] = replace(entry, tombstones=tombstones)
    added: dict[str, FileEntry] = {}
    for entry in (*ours.files, *theirs.files):
        if entry.file in base_names:
            continue
        previous = added.get(entry.file)
        if previous is not None:
            entry = replace(entry, tombstones=entry.tombstones | previous.tombstones)
        added[entry.file] = entry
    for entry in sorted(added.values(), key=lambda e: (e.min_begin_time, e.max_end_time, e.file)):
        result[entry.file] = entry

    # Exactly one live row per product: the one the changing side (or the base) wants.
    extra: dict[str, set[str]] = {}
    for identifier in sorted(mine.touched | other.touched):
        if identifier in mine.changed:
            wanted = mine.changed[identifier]
        elif identifier in other.changed:
            wanted = other.changed[identifier]
        else:
            wanted = merger.base_row(identifier)
        kept = False
        for entry in result.values():
            if not entry.may_contain(identifier) or identifier in entry.tombstones:
                continue
            row = rows(entry).get(identifier)
            if row is None:
                continue
            if row == wanted and not kept:
                kept = True
            else:
                extra.setdefault(entry.file, set()).add(identifier)
        if wanted is not None and not kept:
            raise MergeConflictError(
                f"collection {collection}: product {identifier} would lose its row in the merge"
            )
    files = tuple(
        replace(entry, tombstones=entry.tombstones | extra[entry.file])
        if entry.file in extra
        else entry
        for entry in result.values()
    )
    return Manifest(collection=collection, files=files).with_deleted(
        _merged_deleted(ours, theirs, files)
    )


def _merged_deleted(
    ours: Manifest, theirs: Manifest, files: Sequence[FileEntry]
) -> list[DeletedEntry]:
    """The soft-deleted products of both sides whose row is still a tombstone of a merged
    file (the later record when both sides deleted the same product)."""
    tombstones = {entry.file: entry.tombstones for entry in files}
    records: dict[str, DeletedEntry] = {}
    for record in (*ours.deleted, *theirs.deleted):
        if record.identifier not in tombstones.get(record.file, ()):
            continue
        previous = records.get(record.identifier)
        if previous is None or previous.deleted_at < record.deleted_at:
            records[record.identifier] = record
    return list(records.values())


def _cross_overlaps(
    mine: Mapping[str, Row | None], other: Mapping[str, Row | None]
) -> list[tuple[str, str]]:
    """Pairs of new rows, one per side, with overlapping time ranges (inclusive, as VirES)."""
    from vires_repo.products.schema import COLUMNS

    begin, end = COLUMNS.index("begin_time"), COLUMNS.index("end_time")
    theirs = sorted(
        (row[begin], row[end], name)
        for name, row in other.items()
        if row is not None and name not in mine
    )
    if not theirs:
        return []
    begins = [item[0] for item in theirs]
    longest = max(item[1] - item[0] for item in theirs)
    pairs = []
    for name, row in sorted(mine.items()):
        if row is None or name in other:
            continue
        first = bisect.bisect_left(begins, row[begin] - longest)
        last = bisect.bisect_right(begins, row[end])
        pairs += [(name, item[2]) for item in theirs[first:last] if item[1] >= row[begin]]
    return pairs


# -- reading data files for the driver ------------------------------------------------------


class DataFileReader:
    """Rows of the data files of one partition, from the work tree or from git objects."""

    def __init__(self, toplevel: Path, folder: str) -> None:
        self.toplevel = toplevel
        self.folder = folder  # the partition folder relative to ``toplevel`` (POSIX)
        self._cache: dict[str, dict[str, Row]] = {}
        self._heads: list[str] | None = None

    def __call__(self, entry: FileEntry) -> Mapping[str, Row]:
        cached = self._cache.get(entry.file)
        if cached is None:
            cached = self._cache[entry.file] = _rows_of(self._bytes(entry), entry.file)
        return cached

    def _heads_to_try(self) -> list[str]:
        if self._heads is None:
            merged = [
                name.removeprefix("GITHEAD_")
                for name in sorted(os.environ)
                if name.startswith("GITHEAD_")
            ]
            self._heads = ["HEAD", *merged, *_OPERATION_HEADS]
        return self._heads

    def _bytes(self, entry: FileEntry) -> bytes:
        path = str(PurePosixPath(self.folder, entry.file))
        local = self.toplevel / path
        if local.is_file():
            data = local.read_bytes()
            if entry.holds(data):
                return data
        names = [f"{head}:{path}" for head in self._heads_to_try()]
        for blob in _blobs(self.toplevel, names):
            if blob is not None and entry.holds(blob):
                return blob
        try:  # last resort: any commit that added the file
            out = git_output(
                self.toplevel, "log", "--all", "--diff-filter=A", "--format=%H", "--", path
            )
        except GitError:
            out = b""
        commits = out.decode().split()
        for blob in _blobs(self.toplevel, [f"{commit}:{path}" for commit in commits]):
            if blob is not None and entry.holds(blob):
                return blob
        raise MergeConflictError(f"data file {path} is neither in the work tree nor in git")


def _blobs(toplevel: Path, names: list[str]) -> list[bytes | None]:
    try:
        return list(read_blobs(toplevel, names))
    except GitError:
        return []


def _rows_of(data: bytes, name: str) -> dict[str, Row]:
    from vires_repo.products.data_files import read_data_file
    from vires_repo.products.schema import COLUMNS

    # Single-threaded: under git, a short-lived driver process whose pyarrow thread pool was
    # used could abort at exit ("terminate called without an active exception").
    table = read_data_file(data, name, use_threads=False)
    columns = [table.column(column).to_pylist() for column in COLUMNS]
    identifiers = table.column("identifier").to_pylist()
    return dict(zip(identifiers, zip(*columns, strict=True), strict=True))


def _read_manifest(path: str, where: str, collection: str | None) -> Manifest:
    text = Path(path).read_bytes()
    if not text.strip():  # git passes an empty base when both sides added the file
        return Manifest(collection=collection or "", files=())
    return Manifest.loads(text, where)


def is_product_manifest(path: str) -> bool:
    """Whether ``path`` (a repository path) is a product-index manifest
    (``.../products/collection=<ID>/_manifest-<ID>.json``)."""
    parts = PurePosixPath(path).parts
    if len(parts) < 3 or parts[-3] != "products":
        return False
    collection = collection_of_folder(parts[-2])
    return collection is not None and parts[-1] == manifest_name(collection)


def text_merge(base: str, ours: str, theirs: str, path: str) -> int:
    """git's own line merge into ``ours`` (for manifests this driver does not know, e.g. the
    orbit-direction ones); the number of conflicts, as ``git merge-file`` returns it."""
    labels = ["-L", f"{path} (ours)", "-L", f"{path} (base)", "-L", f"{path} (theirs)"]
    # the exit status counts the conflicts; above 127 (or negative) git itself failed
    done = run_git(Path.cwd(), "merge-file", *labels, ours, base, theirs, accept=range(128))
    return done.returncode


def merge_manifest_files(
    base: str, ours: str, theirs: str, path: str, warn: Callable[[str], None] | None = None
) -> Manifest:
    """Merge the manifest files git gives a merge driver and write the result over ``ours``.

    ``path`` is the manifest's path in the repository (``%P``); the data files are looked up
    next to it. Raises :class:`MergeConflictError` (leaving ``ours`` untouched) when the same
    product changed on both sides.
    """
    try:
        toplevel = Path(git_output(Path.cwd(), "rev-parse", "--show-toplevel").decode().strip())
    except GitError:
        toplevel = Path.cwd()
    ours_manifest = _read_manifest(ours, f"{path} (ours)", None)
    theirs_manifest = _read_manifest(theirs, f"{path} (theirs)", ours_manifest.collection)
    if not ours_manifest.collection:
        ours_manifest = Manifest(collection=theirs_manifest.collection, files=ours_manifest.files)
    base_manifest = _read_manifest(base, f"{path} (base)", ours_manifest.collection)
    folder = str(PurePosixPath(path).parent)
    reader = DataFileReader(toplevel, folder)
    merged = merge_manifests(base_manifest, ours_manifest, theirs_manifest, reader, warn)
    Path(ours).write_text(merged.dumps(), encoding="utf-8")
    return merged
