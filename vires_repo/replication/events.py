"""The events log of a catalogue: ``.state/events.log``, one JSON object a line.

Mirror, restore and sync append what they did (when, from where, by whom, how much), so a
catalogue remembers when and from where it was overwritten. The log is runtime state: no copy
ever carries it (CRDS keeps its meta events out of the mirror for the same reason).
"""

from __future__ import annotations

import json
import os
import socket
from datetime import UTC, datetime
from typing import Any

from vires_repo.errors import NotFoundError
from vires_repo.io.storage import STATE_FOLDER, Storage

EVENTS_FILE = f"{STATE_FOLDER}/events.log"


def actor() -> str:
    """Who acts: ``pid N on HOST``."""
    return f"pid {os.getpid()} on {socket.gethostname()}"


def append_event(storage: Storage, event: str, **details: Any) -> dict[str, Any]:
    """Add one line to the log (created if missing) and return it. The caller holds the
    catalogue lock, so the read-and-replace on an object store loses no line."""
    line = {
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "event": event,
        "by": actor(),
        **details,
    }
    try:
        earlier = storage.read_bytes(EVENTS_FILE)
    except NotFoundError:
        earlier = b""
    text = json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n"
    storage.write_bytes(EVENTS_FILE, earlier + text.encode("utf-8"))
    return line


def read_events(storage: Storage) -> list[dict[str, Any]]:
    """The log's entries, oldest first (a line that does not parse is skipped)."""
    try:
        text = storage.read_text(EVENTS_FILE)
    except NotFoundError:
        return []
    events = []
    for line in text.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict):
            events.append(entry)
    return events
