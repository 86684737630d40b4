"""The plan as Markdown for a CI job summary: tables of changed definitions and collections,
then the products of each collection in a folded ``<details>`` block, in a deterministic order.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from vires_repo.gitops.plan.changes import FieldChange, Plan
from vires_repo.timespec import format_datetime

_SHORT_VALUE = 40  # longer values are not shown in a table cell
_MAX_FIELDS = 12
_MAX_LISTED = 50


def render_markdown(plan: Plan) -> str:
    lines = [f"## Catalogue plan: `{plan.base}` -> `{plan.head}`", ""]
    if plan.errors:
        lines += [f"**Invalid change: {len(plan.errors)} error(s).**", "", "### Errors", ""]
        lines += [f"- {_cell(message)}" for message in plan.errors]
        lines.append("")
    elif not plan.definitions and not plan.index:
        lines += ["No change to the catalogue.", ""]
    else:
        lines += ["The change is valid.", ""]
    if plan.warnings:
        lines += ["### Warnings", ""]
        lines += [f"- {_cell(message)}" for message in plan.warnings]
        lines.append("")
    for kind, title in (
        ("product type", "Product types"),
        ("product collection", "Product collections"),
        ("retention policy", "Retention policies"),
        ("schedule", "Schedules"),
    ):
        changes = [c for c in plan.definitions if c.kind == kind]
        if not changes:
            continue
        lines += [f"### {title}", ""]
        if kind in ("product type", "retention policy"):
            lines += [
                f"| Change | {kind.capitalize()} | Keys | Collections | Products |",
                "|---|---|---|---:|---:|",
            ]
        elif kind == "schedule":
            lines += ["| Change | Schedule | Keys |", "|---|---|---|"]
        else:
            lines += ["| Change | Collection | Keys | Products |", "|---|---|---|---:|"]
        for definition in changes:
            shown = [describe_field(f) for f in definition.fields[:_MAX_FIELDS]]
            if len(definition.fields) > _MAX_FIELDS:
                shown.append(f"... and {len(definition.fields) - _MAX_FIELDS} more")
            keys = _cell("; ".join(shown)) or "-"
            row = f"| {definition.status} | `{definition.identifier}` | {keys} |"
            if definition.collections is not None:
                row += f" {definition.collections} |"
            lines.append(row if kind == "schedule" else f"{row} {definition.products} |")
        lines.append("")
    if plan.index:
        lines += [
            "### Product index",
            "",
            "| Collection | Added | De-registered | Superseded | Updated | Products |",
            "|---|---:|---:|---:|---:|---|",
        ]
        for change in plan.index:
            lines.append(
                f"| `{change.collection}` | {len(change.added)} | {len(change.deregistered)} | "
                f"{len(change.superseded)} | {len(change.updated)} | "
                f"{change.base_count} -> {change.head_count} |"
            )
        lines.append("")
        for change in plan.index:
            lines += [f"<details><summary>{change.collection}</summary>", ""]
            items = [
                f"- added `{s.identifier}` {_time(s.begin)}/{_time(s.end)}" for s in change.added
            ]
            items += [f"- superseded `{old.identifier}` by `{by}`" for old, by in change.superseded]
            items += [f"- de-registered `{s.identifier}`" for s in change.deregistered]
            items += [f"- updated `{name}`" for name in change.updated]
            lines += _limited(items)
            lines += ["", "</details>", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def describe_field(change: FieldChange) -> str:
    """One changed key for a table cell; old -> new only when both values are short."""
    if change.added:
        return f"`{change.key}` added" + _short(" = ", change.new)
    if change.removed:
        return f"`{change.key}` removed" + _short(" (was ", change.old, ")")
    old, new = _json(change.old), _json(change.new)
    if len(old) <= _SHORT_VALUE and len(new) <= _SHORT_VALUE:
        return f"`{change.key}`: `{old}` -> `{new}`"
    return f"`{change.key}` changed"


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _short(before: str, value: Any, after: str = "") -> str:
    text = _json(value)
    return f"{before}`{text}`{after}" if len(text) <= _SHORT_VALUE else ""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _time(value: datetime) -> str:
    return str(format_datetime(value))


def _limited(items: list[str]) -> list[str]:
    if len(items) <= _MAX_LISTED:
        return items
    return [*items[:_MAX_LISTED], f"... and {len(items) - _MAX_LISTED} more"]
