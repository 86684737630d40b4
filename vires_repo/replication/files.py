"""Which files of a catalogue a copy carries, and which of them are commit points.

Everything below the root is copied except runtime state: ``.state/`` (the lock, the
maintenance flag, the events log, the instance role, the checksum records; job records only
when a backup takes them explicitly), a ``.git/`` folder at the root, and the temporary files
of interrupted atomic writes. A manifest (``_manifest*.json``) is a commit point: readers
read only the files it lists, so it is copied after them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from vires_repo.io.storage import STATE_FOLDER, FileStamp, Storage

JOBS_FOLDER = f"{STATE_FOLDER}/jobs"
"""The jobs store of a local catalogue (records and back-end): in backups, not in mirrors."""

Scope = Callable[[str], bool]
"""Whether a catalogue-relative path takes part in a copy."""


def is_catalogue_file(relpath: str) -> bool:
    """Not runtime state, git's own folder or a temporary file of an interrupted write."""
    first = relpath.split("/", 1)[0]
    name = relpath.rsplit("/", 1)[-1]
    if first in (STATE_FOLDER, ".git"):
        return False
    return not (name.startswith(".tmp-") and name.endswith(".part"))


def with_jobs(relpath: str) -> bool:
    """Catalogue files and the files of the jobs store (what a backup holds)."""
    return is_catalogue_file(relpath) or relpath.startswith(f"{JOBS_FOLDER}/")


def collections_scope(collections: Collection[str]) -> Scope:
    """The product-index partitions and definitions of these collections only."""
    folders = tuple(f"products/collection={c}/" for c in collections)
    definitions = {f"product_collections/{c}.json" for c in collections}

    def selected(relpath: str) -> bool:
        return relpath.startswith(folders) or relpath in definitions

    return selected


def is_commit_point(relpath: str) -> bool:
    """A manifest: the file whose replacement commits a store's new state."""
    name = relpath.rsplit("/", 1)[-1]
    return name.startswith("_manifest") and name.endswith(".json")


def list_files(storage: Storage, scope: Scope = is_catalogue_file) -> dict[str, FileStamp]:
    """The files of ``storage`` that ``scope`` selects, by path, with their stamps."""
    return {path: stamp for path, stamp in sorted(storage.walk().items()) if scope(path)}
