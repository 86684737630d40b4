"""The outcome of a batch command: what happened to each item, and the VirES summary lines.

Every batch service returns a :class:`BatchResult` (registration a subclass with its own
summary); the CLI prints any of them the same way: warnings, failures, ``summary_lines()``,
and exits with ``exit_code``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

MAX_EXIT_CODE = 255

SummaryPattern = tuple[str, str, bool]
"""(outcome, verb, shown when the batch is empty): one line ``N of M <noun>[s] <verb>.``"""


@dataclass
class BatchResult:
    """Outcome of a batch: identifiers per outcome, failures with their messages.

    ``noun`` is what the summary counts, e.g. ``"product type"`` or ``"matched product"``;
    ``patterns`` are the lines of its summary.
    """

    noun: str
    total: int = 0
    outcomes: dict[str, list[str]] = field(default_factory=dict)
    failures: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    patterns: Sequence[SummaryPattern] = ()

    def add(self, outcome: str, identifier: str) -> None:
        self.outcomes.setdefault(outcome, []).append(identifier)

    def fail(self, identifier: str, message: str) -> None:
        self.failures.append((identifier, message))

    def count(self, outcome: str) -> int:
        return len(self.outcomes.get(outcome, ()))

    def summary_lines(self) -> list[str]:
        """The summary printed after the batch."""
        return self.summary(self.patterns)

    def summary(self, patterns: Sequence[SummaryPattern]) -> list[str]:
        """Lines ``N of M <noun>[s] <verb>.``; a pattern is (outcome, verb, shown when empty).

        The outcome ``"failed"`` counts the failures. As in VirES the plural ``s`` follows
        the numerator only.
        """
        lines = []
        for outcome, verb, show_when_empty in patterns:
            n = len(self.failures) if outcome == "failed" else self.count(outcome)
            if n or (show_when_empty and self.total == 0):
                plural = "s" if n > 1 else ""
                lines.append(f"{n} of {self.total} {self.noun}{plural} {verb}.")
        return lines

    @property
    def exit_code(self) -> int:
        """The number of failures, capped so that it never wraps to 0 (VirES bug 10)."""
        return min(len(self.failures), MAX_EXIT_CODE)


IMPORT_SUMMARY = (
    ("created", "created", True),
    ("updated", "updated", False),
    ("unchanged", "unchanged", False),
    ("failed", "failed", False),
)
REMOVE_SUMMARY = (
    ("removed", "removed", True),
    ("failed", "failed to be removed", False),
)
