"""Helpers of the ``product_type`` and ``product_collection`` command tests."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from vires_repo.io.storage import Storage

OLD_NS = 1_000_000_000


def dump(items: Any) -> str:
    return json.dumps(items)


def file_states(root: str, folder: str) -> dict[str, tuple[bytes, Any]]:
    """Content and identity of the stored files (local: mtime and inode; memory: the object)."""
    storage = Storage(root)
    state: dict[str, tuple[bytes, Any]] = {}
    for name in storage.listdir(folder):
        relpath = f"{folder}/{name}"
        if storage.is_local:
            stat = Path(storage.path(relpath)).stat()
            identity: Any = (stat.st_mtime_ns, stat.st_ino)
        else:
            identity = storage.fs.store[storage.path(relpath)]  # kept alive: compared by identity
        state[relpath] = (storage.read_bytes(relpath), identity)
    return state


def age_files(root: str) -> None:
    """Give local files an old mtime, so that any rewrite shows."""
    storage = Storage(root)
    if storage.is_local:
        for path in Path(storage.path()).rglob("*.json"):
            os.utime(path, ns=(OLD_NS, OLD_NS))


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
