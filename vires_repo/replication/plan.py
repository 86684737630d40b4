"""What a copy does, decided before anything is written: which files to copy in which order,
which to remove, and what it costs.

Files are compared by sha256 (never by name and size only: two instances that changed
independently can hold same-named files of the same size and different content). The order
is the commit protocol of the catalogue's stores: data files first (new names before
rewritten ones), manifests last, removals only after every manifest that stopped naming the
removed files is in place. A copy interrupted at any point therefore leaves every manifest
at the destination naming files that are there.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from vires_repo.io.storage import FileStamp
from vires_repo.replication.files import is_commit_point


@dataclass(frozen=True)
class CopyPlan:
    """The steps of a copy, in the order they run."""

    data: tuple[str, ...]
    """Data files to copy: new ones first, then those replacing a different version."""
    manifests: tuple[str, ...]
    """Commit points to copy, after every data file."""
    remove: tuple[str, ...]
    """Destination files to remove after the manifests (``--purge``, restore, sync)."""
    unchanged: int
    copy_bytes: int

    @property
    def copies(self) -> tuple[str, ...]:
        return self.data + self.manifests

    @property
    def empty(self) -> bool:
        return not (self.copies or self.remove)

    def summary(self) -> str:
        """One line: how many files are copied, removed and left as they are."""
        return (
            f"{len(self.data)} data file(s) and {len(self.manifests)} manifest(s) to copy "
            f"({self.copy_bytes:,} bytes), {len(self.remove)} file(s) to remove, "
            f"{self.unchanged} unchanged"
        )

    def lines(self) -> Iterator[str]:
        """The plan as ``copy PATH`` and ``remove PATH`` lines, in execution order."""
        for path in self.copies:
            yield f"copy {path}"
        for path in self.remove:
            yield f"remove {path}"


def make_plan(
    source: Mapping[str, FileStamp],
    source_sha256: Mapping[str, str],
    destination_sha256: Mapping[str, str],
    removable: Mapping[str, FileStamp],
) -> CopyPlan:
    """Compare the sides by sha256 (``destination_sha256``: the destination files that the
    source also has) and order the work; the ``removable`` destination files that the source
    does not have are removed."""
    new: list[str] = []
    rewritten: list[str] = []
    manifests: list[str] = []
    unchanged = 0
    for path in sorted(source):
        there = destination_sha256.get(path)
        if there == source_sha256[path]:
            unchanged += 1
        elif is_commit_point(path):
            manifests.append(path)
        else:
            (new if there is None else rewritten).append(path)
    copies = new + rewritten + manifests
    return CopyPlan(
        data=tuple(new + rewritten),
        manifests=tuple(manifests),
        remove=tuple(sorted(set(removable) - set(source))),
        unchanged=unchanged,
        copy_bytes=sum(source[path].size for path in copies),
    )
