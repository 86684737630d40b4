"""vires_repo.gitops.plan: the per-key definition diff and the split of removed products."""

from __future__ import annotations

from datetime import datetime

from vires_repo.gitops.plan.changes import FieldChange, IndexChange, ProductSpan
from vires_repo.gitops.plan.definition_diff import field_changes, without_bookkeeping
from vires_repo.gitops.plan.index_diff import split_removed


def test_field_changes_are_sorted_and_nested_objects_compared_key_by_key() -> None:
    old = {"b": 1, "a": {"x": 1, "y": [1]}, "gone": True, "same": "s"}
    new = {"b": 2, "a": {"x": 1, "y": [2], "z": None}, "new": "n", "same": "s"}

    assert list(field_changes(old, new)) == [
        FieldChange("a.y", [1], [2]),
        FieldChange("a.z", None, None, added=True),
        FieldChange("b", 1, 2),
        FieldChange("gone", True, None, removed=True),
        FieldChange("new", None, "n", added=True),
    ]


def test_a_value_changing_type_is_one_change() -> None:
    assert list(field_changes({"k": {"x": 1}}, {"k": [1]})) == [FieldChange("k", {"x": 1}, [1])]
    assert list(field_changes({"k": 1}, {"k": 1})) == []


def test_bookkeeping_keys_are_ignored() -> None:
    definition = {"name": "X", "created": "2020", "updated": "2021", "notes": "n"}

    assert without_bookkeeping(definition) == {"name": "X", "notes": "n"}


def _day(identifier: str, day: int, days: int = 1) -> ProductSpan:
    return ProductSpan(identifier, datetime(2020, 1, day), datetime(2020, 1, day + days - 1, 23))


def test_removed_products_overlapping_an_added_one_are_superseded() -> None:
    change = IndexChange("C", 3, 2, added=[_day("new2-3", 2, 2), _day("new5", 5)])
    removed = [_day("old1", 1), _day("old3", 3), _day("old4", 4), _day("old5", 5)]

    split_removed(change, removed)

    assert change.superseded == [(removed[1], "new2-3"), (removed[3], "new5")]
    assert change.deregistered == [removed[0], removed[2]]


def test_touching_ends_overlap_and_nothing_added_deregisters() -> None:
    touching = ProductSpan("old", datetime(2020, 1, 1), datetime(2020, 1, 2))
    change = IndexChange(
        "C", 1, 1, added=[ProductSpan("new", datetime(2020, 1, 2), datetime(2020, 1, 3))]
    )
    split_removed(change, [touching])
    assert change.superseded == [(touching, "new")]

    nothing_added = IndexChange("C", 1, 0)
    split_removed(nothing_added, [touching])
    assert nothing_added.deregistered == [touching] and nothing_added.superseded == []
