"""vires_repo.gitops.plan.markdown: the plan of a change rendered for a CI job summary."""

from __future__ import annotations

from datetime import UTC, datetime

from vires_repo.gitops.plan.changes import (
    DefinitionChange,
    FieldChange,
    IndexChange,
    Plan,
    ProductSpan,
)
from vires_repo.gitops.plan.markdown import describe_field, render_markdown


def test_field_descriptions_show_short_values_only() -> None:
    long_text = "x" * 41

    assert describe_field(FieldChange("k", 1, "a")) == '`k`: `1` -> `"a"`'
    assert describe_field(FieldChange("k", 1, long_text)) == "`k` changed"
    assert describe_field(FieldChange("k", None, [1, 2], added=True)) == "`k` added = `[1,2]`"
    assert describe_field(FieldChange("k", None, long_text, added=True)) == "`k` added"
    assert describe_field(FieldChange("k", "é", None, removed=True)) == '`k` removed (was `"é"`)'


def test_empty_plan() -> None:
    assert render_markdown(Plan("main", "working tree")) == (
        "## Catalogue plan: `main` -> `working tree`\n\nNo change to the catalogue.\n"
    )


def test_full_plan() -> None:
    begin, end = datetime(2020, 1, 1, tzinfo=UTC), datetime(2020, 1, 1, 23, 59, tzinfo=UTC)
    plan = Plan(
        "a",
        "b",
        definitions=[
            DefinitionChange("product type", "T", "added", (), 1, 2),
            DefinitionChange("product collection", "C", "changed", (FieldChange("a|b", 1, 2),)),
        ],
        index=[
            IndexChange(
                "C",
                1,
                2,
                added=[ProductSpan("P2", begin, end)],
                superseded=[(ProductSpan("P0", begin, end), "P2")],
                updated=["P1"],
            )
        ],
        errors=["bad\nthing"],
        warnings=["old | problem"],
    )

    assert render_markdown(plan).splitlines() == [
        "## Catalogue plan: `a` -> `b`",
        "",
        "**Invalid change: 1 error(s).**",
        "",
        "### Errors",
        "",
        "- bad thing",
        "",
        "### Warnings",
        "",
        "- old \\| problem",
        "",
        "### Product types",
        "",
        "| Change | Product type | Keys | Collections | Products |",
        "|---|---|---|---:|---:|",
        "| added | `T` | - | 1 | 2 |",
        "",
        "### Product collections",
        "",
        "| Change | Collection | Keys | Products |",
        "|---|---|---|---:|",
        "| changed | `C` | `a\\|b`: `1` -> `2` | 0 |",
        "",
        "### Product index",
        "",
        "| Collection | Added | De-registered | Superseded | Updated | Products |",
        "|---|---:|---:|---:|---:|---|",
        "| `C` | 1 | 0 | 1 | 1 | 1 -> 2 |",
        "",
        "<details><summary>C</summary>",
        "",
        "- added `P2` 2020-01-01T00:00:00Z/2020-01-01T23:59:00Z",
        "- superseded `P0` by `P2`",
        "- updated `P1`",
        "",
        "</details>",
    ]


def test_long_lists_are_cut() -> None:
    fields = tuple(FieldChange(f"k{i:02d}", 0, 1) for i in range(13))
    spans = [
        ProductSpan(f"P{i:02d}", datetime(2020, 1, 1), datetime(2020, 1, 2)) for i in range(51)
    ]
    plan = Plan(
        "a",
        "b",
        definitions=[DefinitionChange("product collection", "C", "changed", fields)],
        index=[IndexChange("C", 51, 0, deregistered=spans)],
    )

    text = render_markdown(plan)

    assert "`k11`: `0` -> `1`; ... and 1 more |" in text
    assert "- de-registered `P49`\n... and 1 more\n" in text
    assert "`P50`" not in text
