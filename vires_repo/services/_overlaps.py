"""Planning a registration batch: identifiers, time overlaps, what to write.

VirES registers products one by one; each new product de-registers every product of the
collection whose time range touches its own (inclusive bounds: "last registered wins"), even
when the new product itself is skipped. The planner replays exactly that sequence in memory for
a whole batch, so the index is then written once per batch instead of once per file.

Unlike VirES (bugs 8 and 9 of the reference), a product whose identifier is already registered
is found by identifier, not by overlap, and a re-registered identifier with changed times or
locations is updated rather than failing.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from vires_repo.products.schema import ProductRecord
from vires_repo.timescales import to_micros


@dataclass
class RegistrationPlan:
    """What a batch does to one collection."""

    outcomes: list[tuple[str, str]] = field(default_factory=list)
    """(identifier, "registered" | "updated" | "skipped") per incoming product, in input order."""
    deregistered: list[str] = field(default_factory=list)
    """Identifiers removed because a later product overlaps them."""
    events: list[tuple[str, str]] = field(default_factory=list)
    """(identifier, "de-registered" | outcome) in the order VirES reports them."""
    upserts: list[ProductRecord] = field(default_factory=list)
    """New or changed records to write."""
    deletions: list[str] = field(default_factory=list)
    """Identifiers of stored records to drop."""


def same_content(a: ProductRecord, b: ProductRecord) -> bool:
    return (
        a.begin_time == b.begin_time
        and a.end_time == b.end_time
        and dict(a.datasets) == dict(b.datasets)
        and dict(a.metadata) == dict(b.metadata)
    )


class _Timeline:
    """Products of one collection ordered by begin time, for inclusive overlap queries."""

    def __init__(self, records: Iterable[ProductRecord]) -> None:
        self.by_id: dict[str, ProductRecord] = {}
        self.starts: list[tuple[int, str]] = []
        self.max_duration = 0
        for record in records:
            self.add(record)

    def add(self, record: ProductRecord) -> None:
        begin, end = to_micros(record.begin_time), to_micros(record.end_time)
        self.by_id[record.identifier] = record
        bisect.insort(self.starts, (begin, record.identifier))
        self.max_duration = max(self.max_duration, end - begin)

    def remove(self, identifier: str) -> None:
        record = self.by_id.pop(identifier)
        position = bisect.bisect_left(self.starts, (to_micros(record.begin_time), identifier))
        del self.starts[position]

    def overlapping(self, record: ProductRecord) -> list[str]:
        """Identifiers whose [begin, end] touches the record's (both bounds inclusive)."""
        begin, end = to_micros(record.begin_time), to_micros(record.end_time)
        low = bisect.bisect_left(self.starts, (begin - self.max_duration, ""))
        high = bisect.bisect_right(self.starts, (end, "\U0010ffff"))
        return [
            identifier
            for _, identifier in self.starts[low:high]
            if to_micros(self.by_id[identifier].end_time) >= begin
        ]


def plan_registration(
    existing: Iterable[ProductRecord],
    incoming: Sequence[ProductRecord],
    *,
    update: bool,
    ignore_overlaps: bool,
) -> RegistrationPlan:
    """Replay the registration of ``incoming`` (in order) over the ``existing`` records.

    ``existing`` must hold at least every stored record that overlaps an incoming product or
    shares its identifier.
    """
    timeline = _Timeline(existing)
    stored = dict(timeline.by_id)
    plan = RegistrationPlan()
    for record in incoming:
        if not ignore_overlaps:
            for identifier in timeline.overlapping(record):
                if identifier != record.identifier:
                    timeline.remove(identifier)
                    plan.deregistered.append(identifier)
                    plan.events.append((identifier, "de-registered"))
        previous = timeline.by_id.get(record.identifier)
        if previous is None:
            outcome = "registered"
        elif update or not same_content(previous, record):
            outcome = "updated"
            timeline.remove(record.identifier)
            record = replace(record, created=previous.created)
        else:
            plan.outcomes.append((record.identifier, "skipped"))
            plan.events.append((record.identifier, "skipped"))
            continue
        timeline.add(record)
        plan.outcomes.append((record.identifier, outcome))
        plan.events.append((record.identifier, outcome))

    final = timeline.by_id
    plan.deletions = sorted(i for i in stored if i not in final)
    plan.upserts = [r for i, r in final.items() if stored.get(i) is not r]
    return plan
