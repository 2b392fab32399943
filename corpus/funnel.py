"""The funnel: what each filter removed, as rows and as a printable table."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from corpus.escape import terminal_text


def funnel_rows(stats: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per filter in pipeline order: in, out, removed, removed %, chars removed, tokens in and
    out (None without a tokenizer), time."""
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
            "tokens_in": entry.get("tokens_in"),
            "tokens_out": entry.get("tokens_out"),
            "seconds": seconds,
            "docs_per_second": entry["docs_in"] / seconds if seconds else None,
        })
    return rows


def funnel_table(stats: dict[str, Any], title: str = "") -> Table:
    """The funnel as a Rich table; labels and the title are shown as text, never as markup.

    With a tokenizer it has tokens in and out; without one its caption says so."""
    total = stats["total"]
    tokens = total.get("tokens_in") is not None
    table = Table(title=terminal_text(title) if title else None)
    for column in ("filter", "in", "out", "removed", "removed %", "chars removed",
                   *(("tokens in", "tokens out") if tokens else ()), "seconds", "docs/s"):
        table.add_column(column, justify="left" if column == "filter" else "right")
    for row in funnel_rows(stats):
        name = row["filter"] + (" (annotate)" if row["mode"] == "annotate" else "")
        rate = f"{row['docs_per_second']:,.0f}" if row["docs_per_second"] else "-"
        counted = (_count(row["tokens_in"]), _count(row["tokens_out"])) if tokens else ()
        table.add_row(terminal_text(name), f"{row['in']:,}", f"{row['out']:,}", f"{row['removed']:,}",
                      f"{row['removed_pct']:.1f}", f"{row['chars_removed']:,}", *counted,
                      f"{row['seconds']:.2f}", rate)
    table.add_section()
    counted = (_count(total["tokens_in"]), _count(total["tokens_out"])) if tokens else ()
    table.add_row("total", f"{total['read']:,}", f"{total['kept']:,}", f"{total['rejected']:,}",
                  "", "", *counted, f"{total['wall_seconds']:.2f}", f"{total['docs_per_second'] or 0:,.0f}")
    table.caption = (f"quarantined: {total['quarantined']:,} of {total['read']:,} records read"
                     + ("" if tokens else "; tokens: no tokenizer configured"))
    return table


def _count(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"
