"""The sha256 of every file on both sides of a copy, hashed once per file version.

A catalogue keeps a record, ``.state/replication/checksums.json``, of the hashes it knows:
for its own files and for each source it was copied from, each path with the listing stamp
(:class:`~vires_repo.io.storage.FileStamp`) of the version that was hashed. A file whose
stamp is unchanged since is not read again, which keeps an incremental sync to the files that
changed; ``rehash`` (``--check-checksum``, ``--repair``) reads every file regardless and
reports the destination files whose bytes no longer match what was recorded (damaged).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from vires_repo import jsonio
from vires_repo.errors import NotFoundError
from vires_repo.io.storage import STATE_FOLDER, FileStamp, Storage
from vires_repo.parallel import ordered_map

RECORD_FILE = f"{STATE_FOLDER}/replication/checksums.json"
FORMAT_VERSION = 1
OWN_FILES = "."
"""The key of the catalogue's own files in its record."""
_PARALLEL_FROM = 8


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class ChecksumRecord:
    """Known hashes per side (a source URL, or :data:`OWN_FILES`): path -> (stamp, sha256)."""

    sides: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)

    @classmethod
    def load(cls, storage: Storage) -> ChecksumRecord:
        """The record of the destination ``storage`` (empty if missing or unreadable: the
        hashes are then computed again, which is slow but never wrong)."""
        try:
            document = jsonio.loads(storage.read_bytes(RECORD_FILE))
        except (NotFoundError, ValueError):
            return cls()
        if not isinstance(document, dict) or document.get("format_version") != FORMAT_VERSION:
            return cls()
        sides = document.get("sides", {})
        return cls(
            {
                side: {path: (str(entry[0]), str(entry[1])) for path, entry in files.items()}
                for side, files in sides.items()
            }
        )

    def save(self, storage: Storage) -> None:
        document = {
            "format_version": FORMAT_VERSION,
            "sides": {
                side: {path: list(entry) for path, entry in sorted(files.items())}
                for side, files in sorted(self.sides.items())
            },
        }
        storage.write_bytes(RECORD_FILE, jsonio.dumps(document).encode("utf-8"))

    def side(self, name: str) -> dict[str, tuple[str, str]]:
        return self.sides.setdefault(name, {})


@dataclass(frozen=True)
class Hashes:
    """The sha256 of each file of one side, and the files whose recorded hash was wrong."""

    sha256: dict[str, str]
    damaged: dict[str, str]
    """Path -> the sha256 recorded for it, for the files whose bytes no longer have it."""
    read: int = 0
    """How many files were read to hash them."""


def hash_side(
    files: Mapping[str, FileStamp],
    known: dict[str, tuple[str, str]],
    read: Callable[[str], bytes],
    *,
    rehash: bool = False,
    given: Callable[[str], str | None] = lambda _path: None,
) -> Hashes:
    """Hash ``files`` (path -> stamp), taking a hash from ``given`` (a backup's manifest) or
    from ``known`` when the stamp matches, reading the rest; ``known`` is updated in place."""
    result: dict[str, str] = {}
    to_read: list[str] = []
    for path, stamp in files.items():
        recorded = given(path)
        entry = known.get(path)
        if recorded is None and not rehash and entry and stamp.key and entry[0] == stamp.key:
            recorded = entry[1]
        if recorded is None:
            to_read.append(path)
        else:
            result[path] = recorded
    hashed = ordered_map(
        lambda path: sha256(read(path)), to_read, min_parallel=_PARALLEL_FROM, in_process=True
    )
    damaged = {}
    for path, digest in zip(to_read, hashed, strict=True):
        result[path] = digest
        entry, key = known.get(path), files[path].key
        if entry and key and entry[0] == key and entry[1] != digest:
            damaged[path] = entry[1]
        if key:
            known[path] = (key, digest)
    return Hashes(result, dict(sorted(damaged.items())), len(to_read))
