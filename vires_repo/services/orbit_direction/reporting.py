"""How the orbit-direction service reports: :class:`Messages` and :class:`OrbitDirectionResult`.

Every message of the orbit-direction use cases goes through a
:class:`~vires_repo.services.messages.Messages`, as in every service: the logger by default
(:data:`LOG`), the console when the CLI passes its own, debug-level per-product lines during a
registration (:data:`REGISTRATION_LOG`). The counts of an update, sync or rebuild come back as an
:class:`OrbitDirectionResult`, whose summary lines the caller prints.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from vires_repo.services._batch import MAX_EXIT_CODE
from vires_repo.services.messages import Messages

LOG = Messages.logged("orbit_direction")
REGISTRATION_LOG = Messages.logged("orbit_direction", info_level=logging.DEBUG)
"""Registration shows only the warnings and errors of its orbit-direction update (as VirES);
the per-product lines are debug messages there."""


@dataclass
class OrbitDirectionResult:
    """Counts of an update, sync or rebuild and its VirES summary lines (reference 8.6)."""

    total: int = 0
    processed: int = 0
    skipped: int = 0
    failed: int = 0
    removed: int = 0

    def summary_lines(self) -> list[str]:
        lines = []
        if self.processed:
            lines.append(f"{self.processed} of {self.total} product(s) processed.")
        if self.skipped:
            lines.append(f"{self.skipped} of {self.total} product(s) skipped.")
        if self.failed:
            lines.append(f"Failed to process {self.failed} of {self.total} product(s).")
        if self.removed:
            lines.append(f"{self.removed} old product(s) removed from lookup tables.")
        if self.total == 0:
            lines.append("No file processed.")
        return lines

    @property
    def exit_code(self) -> int:
        return min(self.failed, MAX_EXIT_CODE)

    def add(self, other: OrbitDirectionResult) -> None:
        self.total += other.total
        self.processed += other.processed
        self.skipped += other.skipped
        self.failed += other.failed
        self.removed += other.removed
