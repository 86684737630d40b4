"""Which state each replica of a catalogue holds (``sync --push-state``), for ``info``.

After a sync, the replica records on its source, in ``.state/replicas/<key>.json``, what it
copied: each file with the source's listing stamp and sha256, and the collections synced (all
when none are named). ``info`` on the source compares that with the files it has now: a file
whose stamp is unchanged is the same, any other is hashed, so "which replica is behind" is
answered by content without reading the unchanged files.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from vires_repo import jsonio
from vires_repo.errors import NotFoundError
from vires_repo.io.storage import STATE_FOLDER, FileStamp, Storage
from vires_repo.replication.checksums import sha256
from vires_repo.replication.files import collections_scope, is_catalogue_file, list_files

REPLICAS_FOLDER = f"{STATE_FOLDER}/replicas"


@dataclass(frozen=True)
class ReplicaState:
    """A replica as its last sync left it, compared with the source now."""

    replica: str
    synced: str
    collections: tuple[str, ...] | None
    differing: int
    """Files added, changed or removed at the source since (0: the replica is in step)."""

    @property
    def behind(self) -> bool:
        return self.differing > 0


def _record_path(replica_url: str) -> str:
    key = hashlib.sha256(replica_url.encode("utf-8")).hexdigest()[:16]
    return f"{REPLICAS_FOLDER}/{key}.json"


def push_replica_state(
    source: Storage,
    replica_url: str,
    collections: tuple[str, ...] | None,
    stamps: Mapping[str, FileStamp],
    sha256s: Mapping[str, str],
) -> None:
    """Record on ``source`` that ``replica_url`` now holds these files."""
    document = {
        "replica": replica_url,
        "synced": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "collections": list(collections) if collections is not None else None,
        "files": {path: [stamps[path].key, sha256s[path]] for path in sorted(stamps)},
    }
    source.write_bytes(_record_path(replica_url), jsonio.dumps(document).encode("utf-8"))


def replica_states(source: Storage) -> list[ReplicaState]:
    """The replicas recorded on ``source``, each compared with the source's files now."""
    states = []
    current: dict[str, FileStamp] | None = None
    for name in source.listdir(REPLICAS_FOLDER):
        try:
            document = jsonio.loads(source.read_bytes(f"{REPLICAS_FOLDER}/{name}"))
            replica, synced = str(document["replica"]), str(document["synced"])
            collections = document.get("collections")
            recorded = {
                path: (entry[0], str(entry[1])) for path, entry in document["files"].items()
            }
        except (NotFoundError, ValueError, KeyError, TypeError, IndexError):
            continue  # a damaged record says nothing about its replica
        if current is None:
            current = list_files(source, is_catalogue_file)
        scope = collections_scope(collections) if collections is not None else is_catalogue_file
        now = {path: stamp for path, stamp in current.items() if scope(path)}
        differing = len(set(recorded) ^ set(now))
        for path in set(recorded) & set(now):
            key, digest = recorded[path]
            if key is None or key != now[path].key:
                differing += sha256(source.read_bytes(path)) != digest
        states.append(
            ReplicaState(replica, synced, tuple(collections) if collections else None, differing)
        )
    return sorted(states, key=lambda state: state.replica)
