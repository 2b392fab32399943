"""The funnel: what each filter removed, as rows and as a printable table."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from corpus.escape import terminal_text


def funnel_rows(stats: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per filter in pipeline order: in, out, removed, removed %, chars removed, time."""
    rows = []
    for entry in stats["filters"]:
        seconds = entry["wall_seconds"]
        removed = entry["docs_in"] - entry["docs_out"]
        rows.append({
            "filter": entry["name"],
            "mode": entry.get("mode", "filter"),
            "in": entry["docs_in"],
            "out": entry["docs_out"],
            "removed": removed,
            "removed_pct": 100.0 * removed / entry["docs_in"] if entry["docs_in"] else 0.0,
            "chars_removed": entry["chars_in"] - entry["chars_out"],
            "seconds": seconds,
            "docs_per_second": entry["docs_in"] / seconds if seconds else None,
        })
    return rows


def funnel_table(stats: dict[str, Any], title: str = "") -> Table:
    """The funnel as a Rich table; labels and the title are shown as text, never as markup."""
    table = Table(title=terminal_text(title) if title else None)
    for column in ("filter", "in", "out", "removed", "removed %", "chars removed", "seconds",
                   "docs/s"):
        table.add_column(column, justify="left" if column == "filter" else "right")
    for row in funnel_rows(stats):
        name = row["filter"] + (" (annotate)" if row["mode"] == "annotate" else "")
        rate = f"{row['docs_per_second']:,.0f}" if row["docs_per_second"] else "-"
        table.add_row(terminal_text(name), f"{row['in']:,}", f"{row['out']:,}", f"{row['removed']:,}",
                      f"{row['removed_pct']:.1f}", f"{row['chars_removed']:,}",
                      f"{row['seconds']:.2f}", rate)
    total = stats["total"]
    table.add_section()
    table.add_row("total", f"{total['read']:,}", f"{total['kept']:,}", f"{total['rejected']:,}",
                  "", "", f"{total['wall_seconds']:.2f}", f"{total['docs_per_second'] or 0:,.0f}")
    table.caption = f"quarantined: {total['quarantined']:,} of {total['read']:,} records read"
    return table
