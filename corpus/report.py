"""The audit report of a version: one self-contained HTML page of its statistics, plots and samples.

Every number taken from stats.json is rendered as
`<span class="stat" data-stat="PATH" data-value="RAW">FORMATTED</span>`: PATH is a dotted path
into stats.json that enters `filters` by label (`filters.<label>.counters.<group>.<key>`),
RAW the value as JSON, so a test can check the page against the file. Counter groups and
histogram keys may hold dots themselves (`docs_by_lang.classifier`, `lang_score.en`).
Plots are bar charts written as inline SVG by corpus.charts, their text kept as text; the page
needs no script, no font file and no network.

A filter's section shows what every filter has (figures, settings, samples), the figures the
step declares (`corpus.figures`, as the manifest records them), and every histogram and
counter group those do not use, drawn and tabled generically.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from corpus.charts import Chart, Panel
from corpus.diff import config_changes
from corpus.figures import (
    CounterBars,
    CounterTable,
    Figures,
    HistogramPlot,
    Threshold,
    ThresholdText,
    recorded,
)
from corpus.funnel import funnel_rows

Json = dict[str, Any]

KEPT, REMOVED, READ, ACCENT = "#4c78a8", "#e45756", "#9d9d9d", "#f58518"
# A histogram whose widest bin is this many times its narrowest is drawn one bar per bin.
GEOMETRIC_BINS = 20
WIDE, HEIGHT, ROW_HEIGHT = 468.0, 180.0, 115.2  # points: 6.5 x 2.5 inches, grids 1.6 inches a row
COLOURS = {"kept": KEPT, "removed": REMOVED, "read": READ, "accent": ACCENT}
TOTALS = (("read", "read"), ("kept", "kept"), ("rejected", "rejected"), ("quarantined", "quarantined"),
          ("kept_fraction", "kept fraction"), ("chars_in", "characters in"),
          ("chars_out", "characters out"), ("tokens_in", "tokens in"), ("tokens_out", "tokens out"),
          ("tokenize_seconds", "seconds tokenizing"), ("wall_seconds", "seconds"),
          ("docs_per_second", "documents / second"))
FILTER_FIGURES = (("docs_in", "docs in"), ("docs_out", "docs out"), ("docs_removed", "removed"),
                  ("chars_in", "chars in"), ("chars_out", "chars out"), ("bytes_in", "bytes in"),
                  ("bytes_out", "bytes out"), ("tokens_in", "tokens in"), ("tokens_out", "tokens out"),
                  ("wall_seconds", "wall seconds"),
                  ("cpu_seconds", "CPU seconds"))
INPUT_COLUMNS = ("uri", "format", "compression", "size", "fingerprint")
SHARD_COLUMNS = ("path", "rows", "bytes", "sha256")
MISSING = object()

CSS = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em auto; max-width: 1100px; padding: 0 1em;
       color: #222; }
h1 { margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ccc; margin-top: 2em; }
.meta { color: #666; } nav a { margin-right: 1em; }
table { border-collapse: collapse; margin: 0.5em 1em 1em 0; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 2px 8px; text-align: left; vertical-align: top; }
table.numbers td + td, table.figures td { text-align: right; }
tfoot td { font-weight: bold; border-top: 1px solid #999; }
.tables { display: flex; flex-wrap: wrap; align-items: flex-start; }
.delta { color: #777; font-size: 85%; margin-left: 0.3em; }
.cards { display: flex; flex-wrap: wrap; gap: 0.5em; }
.card { border: 1px solid #ddd; border-radius: 4px; padding: 0.4em 0.8em; }
.card .stat { display: block; font-size: 130%; font-weight: bold; }
.pass { color: #2a7d2a; } .fail, .status-failed_gates { color: #b00; font-weight: bold; }
figure.plot { margin: 0.5em 0; } figure.plot svg { max-width: 100%; height: auto; }
figcaption { color: #555; font-size: 90%; }
.text { white-space: pre-wrap; word-break: break-word; max-height: 12em; overflow: auto;
        font: 12px/1.3 ui-monospace, monospace; }
pre { background: #f6f6f6; padding: 0.8em; overflow: auto; font-size: 12px; }
"""


def render_report(stats: Json, manifest: Json, samples: dict[str, list[Json]],
                  compare: tuple[Json, Json] | None = None) -> str:
    """The HTML page of the version described by `stats` and `manifest`.

    `samples` maps a filter label to removed documents (`id`, `reason`, `score`, `text`),
    already redacted and truncated. `compare` is the (stats, manifest) of another version:
    every number from stats then shows its change, and the configuration its differences.
    """
    previous_stats, previous_manifest = compare or (None, None)
    numbers = _Numbers(stats, previous_stats)
    figures = recorded(manifest)
    sections = [
        _title(manifest, previous_manifest),
        _navigation(stats, manifest),
        _totals(numbers, stats),
        _gates(manifest),
        _funnel(numbers, stats),
        _lengths(stats),
        *(_filter_section(numbers, entry, manifest, figures.get(entry["name"], Figures()),
                          samples.get(entry["name"], [])) for entry in stats["filters"]),
        _config(manifest, previous_manifest),
        _files(manifest),
    ]
    title = html.escape(f"{manifest.get('dataset', '')} {manifest.get('version', '')}")
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
            f'<style>{CSS}</style></head><body>{"".join(sections)}</body></html>\n')


# Numbers ---------------------------------------------------------------------------------------


class _Numbers:
    """Spans for numbers of stats.json, each followed by its change against another version."""

    def __init__(self, stats: Json, previous: Json | None) -> None:
        self.stats, self.previous = stats, previous

    def __call__(self, *parts: str) -> str:
        value = _lookup(self.stats, parts)
        if value is MISSING:
            raise KeyError(".".join(parts))
        if value is None:  # e.g. chars_in of a run without filters
            return "–"
        span = (f'<span class="stat" data-stat="{html.escape(".".join(parts))}" '
                f'data-value="{html.escape(json.dumps(value))}">{_format(value, parts[-1])}</span>')
        if self.previous is None:
            return span
        return span + _delta(value, _lookup(self.previous, parts), parts[-1])

    def optional(self, *parts: str) -> str:
        """The span, or a dash where stats.json has no such number."""
        return "–" if _lookup(self.stats, parts) is MISSING else self(*parts)


def _lookup(stats: Json, parts: Sequence[str]) -> Any:
    """The value at `parts` (the `filters` list is entered by label), or MISSING."""
    node: Any = stats
    for part in parts:
        if isinstance(node, list):
            node = next((entry for entry in node if entry.get("name") == part), MISSING)
        elif isinstance(node, dict):
            node = node.get(part, MISSING)
        else:
            return MISSING
        if node is MISSING:
            return MISSING
    return node


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _format(value: float, key: str = "", sign: bool = False) -> str:
    """Thousands separators for integers, three significant digits for floats, percent for fractions."""
    plus = "+" if sign else ""
    if key.endswith("fraction"):
        return f"{value * 100:{plus}.3g}%"
    if isinstance(value, int):
        return f"{value:{plus},}"
    if abs(value) >= 1000:
        return f"{value:{plus},.0f}"
    return f"{value:{plus}.3g}"


def _plain(value: Any, key: str = "") -> str:
    """A value that does not come from stats.json (manifest, gates, samples), escaped."""
    if value is None:
        return "–"
    return _format(value, key) if _is_number(value) else html.escape(str(value))


def _delta(value: float, old: Any, key: str) -> str:
    if not _is_number(old):
        text = "new"
    elif value == old:
        text = "±0"
    elif key.endswith("fraction"):
        text = f"{(value - old) * 100:+.3g} pp"
    else:
        text = _format(value - old, key, sign=True)
    return f'<span class="delta">({text})</span>'


# HTML pieces -----------------------------------------------------------------------------------


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], foot: Sequence[str] = (),
           css: str = "numbers") -> str:
    """A table of cells that are already HTML; headers are text."""
    head = "".join(f"<th>{html.escape(header)}</th>" for header in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    tail = "<tfoot><tr>" + "".join(f"<td>{cell}</td>" for cell in foot) + "</tr></tfoot>" if foot else ""
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody>{tail}</table>'


def _anchor(label: str) -> str:
    return "filter-" + re.sub(r"[^A-Za-z0-9_-]", "_", label)


def _section(anchor: str, heading: str, content: str) -> str:
    return f'<section id="{anchor}"><h2>{html.escape(heading)}</h2>{content}</section>'


def _title(manifest: Json, previous: Json | None) -> str:
    status = str(manifest.get("status", ""))
    facts = [f"created {html.escape(str(manifest.get('created_at', '–')))}"]
    if status:
        facts.append(f'status <span class="status status-{html.escape(status)}">{html.escape(status)}</span>')
    if manifest.get("parent"):
        facts.append(f"parent {html.escape(str(manifest['parent']))}")
    engine = manifest.get("engine", {})
    if engine:
        facts.append("engine " + html.escape(", ".join(f"{key} {value}" for key, value in engine.items())))
    compared = ""
    if previous is not None:
        other = html.escape(f"{previous.get('dataset')} {previous.get('version')}, created "
                            f"{previous.get('created_at', '–')}")
        compared = f'<p class="meta">Changes (in brackets) are against {other}.</p>'
    heading = html.escape(f"{manifest.get('dataset', '')} {manifest.get('version', '')}")
    return f'<header><h1>{heading}</h1><p class="meta">{" · ".join(facts)}</p>{compared}</header>'


def _navigation(stats: Json, manifest: Json) -> str:
    links = [("totals", "Totals"), ("gates", "Gates")] if manifest.get("gates") else [("totals", "Totals")]
    links += [("funnel", "Funnel"), ("lengths", "Lengths")]
    links += [(_anchor(entry["name"]), entry["name"]) for entry in stats["filters"]]
    links += [("config", "Configuration"), ("files", "Files")]
    items = "".join(f'<a href="#{anchor}">{html.escape(text)}</a>' for anchor, text in links)
    return f"<nav>{items}</nav>"


def _totals(numbers: _Numbers, stats: Json) -> str:
    total = stats["total"]
    cards = [f'<div class="card">{html.escape(text)}{numbers("total", key)}</div>'
             for key, text in TOTALS if key in total and (total[key] is not None or
                                                          not key.startswith("token"))]
    if total.get("tokens_in", MISSING) is None:
        tokens = "<p>Tokens: not counted, no tokenizer was configured (<code>tokenizer:</code>).</p>"
    else:
        tokens = _tokens_by_lang(numbers, ("total",), total, "Kept tokens by language")
    return _section("totals", "Totals", f'<div class="cards">{"".join(cards)}</div>' + tokens)


def _tokens_by_lang(numbers: _Numbers, parts: tuple[str, ...], node: Json, caption: str) -> str:
    """Tokens by language (in, where counted, and out) as a table; empty without languages."""
    out, into = node.get("tokens_by_lang") or {}, node.get("tokens_in_by_lang") or {}
    codes = sorted(set(out) | set(into), key=lambda code: (-into.get(code, out.get(code, 0)), code))
    if not codes:
        return ""
    columns = [("tokens_in_by_lang", "tokens in")] if into else []
    columns.append(("tokens_by_lang", "tokens out"))
    rows = [[html.escape(code), *(numbers.optional(*parts, key, code) for key, _ in columns)]
            for code in codes]
    return f"<h3>{html.escape(caption)}</h3>" + _table(["language", *(text for _, text in columns)], rows)


def _gates(manifest: Json) -> str:
    gates = manifest.get("gates")
    if not gates:
        return ""
    rows = [[html.escape(gate["name"]), _plain(gate.get("value"), gate["name"]),
             _plain(gate.get("min"), gate["name"]), _plain(gate.get("max"), gate["name"]),
             '<span class="pass">pass</span>' if gate["passed"] else '<span class="fail">FAIL</span>']
            for gate in gates]
    passed = sum(bool(gate["passed"]) for gate in gates)
    summary = f"<p>{passed} of {len(gates)} gates passed.</p>"
    table = _table(["gate", "value", "min", "max", "result"], rows)
    return _section("gates", "Quality gates", summary + table)


def _funnel(numbers: _Numbers, stats: Json) -> str:
    total = stats["total"]
    tokens = ("tokens_in", "tokens_out") if total.get("tokens_in") is not None else ()
    rows = []
    for entry, row in zip(stats["filters"], funnel_rows(stats), strict=True):
        label = entry["name"]
        name = html.escape(label) + (" <small>(annotate)</small>" if row["mode"] == "annotate" else "")
        docs = [numbers("filters", label, key) for key in ("docs_in", "docs_out", "docs_removed")]
        chars = [numbers("filters", label, key) for key in ("chars_in", "chars_out", *tokens,
                                                            "wall_seconds")]
        rows.append([name, *docs, f"{row['removed_pct']:.1f}%", *chars])
    rejected = f"{100 * total['rejected'] / total['read']:.1f}%" if total["read"] else "–"
    foot = ["total", numbers("total", "read"), numbers("total", "kept"), numbers("total", "rejected"),
            rejected, numbers("total", "chars_in"), numbers("total", "chars_out"),
            *(numbers("total", key) for key in tokens), numbers("total", "wall_seconds")]
    table = _table(["filter", "docs in", "docs out", "removed", "removed %", "chars in", "chars out",
                    *(key.replace("_", " ") for key in tokens), "seconds"], rows, foot)
    note = (f"<p>Quarantined records (never reach a filter): {numbers('total', 'quarantined')}. "
            "The total row's seconds are the whole run, reading and writing included.</p>")
    plot = _funnel_plot(stats) if stats["filters"] else ""
    return _section("funnel", "Funnel", table + note + plot)


def _lengths(stats: Json) -> str:
    histograms = stats["total"].get("length_histograms")
    if not histograms:
        return _section("lengths", "Document lengths", "<p>This version records no length histograms.</p>")
    return _section("lengths", "Document lengths", _length_plot(histograms))


# Filter sections -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Part:
    """What a filter's declared figures drew, and the counter groups and histograms they used."""

    html: str
    counters: frozenset[str] = frozenset()
    histograms: frozenset[str] = frozenset()


def _filter_section(numbers: _Numbers, entry: Json, manifest: Json, figures: Figures,
                    samples: list[Json]) -> str:
    label, kind = entry["name"], entry.get("filter", entry["name"])
    part = _declared(numbers, entry, figures, _params(manifest, label))
    meta = f'<p class="meta">filter {html.escape(kind)}, mode {html.escape(entry.get("mode", "filter"))}</p>'
    tokens = _tokens_by_lang(numbers, ("filters", label), entry, "Tokens by language")
    content = (meta + _figures(numbers, entry) + tokens + part.html + _generic(numbers, entry, part)
               + _info(numbers, entry) + "<h3>Removed samples</h3>" + _samples(samples))
    return _section(_anchor(label), label, content)


def _figures(numbers: _Numbers, entry: Json) -> str:
    """Documents, characters, bytes and tokens (where counted) in and out, and the time the filter took."""
    figures = [(key, text) for key, text in FILTER_FIGURES if entry.get(key) is not None]
    cells = [numbers("filters", entry["name"], key) for key, _ in figures]
    return _table([text for _, text in figures], [cells], css="figures")


def _params(manifest: Json, label: str) -> Json:
    """The configured parameters of filter `label`: manifest `filters` and `config.filters` align."""
    labels = [entry.get("label") for entry in manifest.get("filters", [])]
    if label not in labels:
        return {}
    spec = manifest["config"]["filters"][labels.index(label)]
    return next(iter(spec.values()))


def _declared(numbers: _Numbers, entry: Json, figures: Figures, params: Json) -> _Part:
    """The figures the filter declares for its section, and what statistics they use."""
    pieces, counters, histograms = [], set(), set()
    for figure in figures.report:
        if isinstance(figure, HistogramPlot):
            used = figure.histograms(list(entry["histograms"]))
            histograms |= used
            pieces.append(_histogram_figure(entry, figure, sorted(used), params))
        elif isinstance(figure, ThresholdText):
            pieces.append(_threshold_text(figure.threshold, params))
        elif isinstance(figure, CounterBars):
            counters |= figure.groups
            pieces.append(_counter_bars(entry, figure))
        else:
            counters |= set(figure.groups)
            pieces.append(_counter_table(numbers, entry, figure))
    return _Part("".join(pieces), frozenset(counters), frozenset(histograms))


def _ordered_keys(counters: Json, groups: Sequence[str], order: str) -> list[str]:
    """The keys of the counter groups: by descending count in the first group, or sorted."""
    keys = sorted(set().union(*(counters.get(group, {}) for group in groups)))
    if order == "count":
        first = counters.get(groups[0], {})
        keys.sort(key=lambda key: -first.get(key, 0))
    return keys


def _threshold_value(threshold: Threshold | None, params: Json, part: str | None = None) -> float | None:
    """The configured value of the threshold, or of its override for `part`."""
    if threshold is None:
        return None
    overrides = (params.get(threshold.by_key) or {}) if threshold.by_key else {}
    return overrides.get(part, params.get(threshold.param))


def _threshold_text(threshold: Threshold, params: Json) -> str:
    overrides = (params.get(threshold.by_key) or {}) if threshold.by_key else {}
    listed = ", ".join(f"{key} {value:g}" for key, value in overrides.items())
    text = f"<p>Threshold: {html.escape(threshold.param)} = {_plain(params.get(threshold.param))}"
    return text + (f" (by {html.escape(threshold.per)}: {html.escape(listed)})</p>" if listed else "</p>")


def _counter_table(numbers: _Numbers, entry: Json, table: CounterTable) -> str:
    keys = _ordered_keys(entry["counters"], table.groups, table.order)
    if not keys:
        return f"<p>{html.escape(table.empty)}</p>" if table.empty else ""
    rows = [[html.escape(key), *(numbers.optional("filters", entry["name"], "counters", group, key)
                                 for group in table.groups)] for key in keys]
    return _table([table.key_header, *table.headers], rows)


def _generic(numbers: _Numbers, entry: Json, part: _Part) -> str:
    """Every histogram and counter group the filter's declared figures did not use."""
    label = entry["name"]
    plots = [_histogram_plot(key, histogram) for key, histogram in entry["histograms"].items()
             if key not in part.histograms]
    tables = [_table([group, "count"], [[html.escape(key), numbers("filters", label, "counters", group, key)]
                                        for key in values])
              for group, values in entry["counters"].items() if group not in part.counters and values]
    return "".join(plots) + (f'<div class="tables">{"".join(tables)}</div>' if tables else "")


def _info(numbers: _Numbers, entry: Json) -> str:
    info = entry.get("info") or {}
    if not info:
        return ""
    rows = [[html.escape(key), _info_value(numbers, ("filters", entry["name"], "info", key), value)]
            for key, value in info.items()]
    return "<h3>Settings recorded by the filter</h3>" + _table(["key", "value"], rows, css="info")


def _info_value(numbers: _Numbers, parts: tuple[str, ...], value: Any) -> str:
    if _is_number(value):
        return numbers(*parts)
    if isinstance(value, dict):
        return ", ".join(f"{html.escape(str(key))}: {_info_value(numbers, (*parts, str(key)), item)}"
                         for key, item in value.items())
    if isinstance(value, list):
        return html.escape(", ".join(map(str, value)))
    return html.escape(str(value))


def _samples(samples: list[Json]) -> str:
    if not samples:
        return "<p>No samples.</p>"
    rows = [[html.escape(str(sample["id"])), _plain(sample.get("reason")), _plain(sample.get("score")),
             f'<div class="text">{html.escape(str(sample.get("text", "")))}</div>'] for sample in samples]
    return _table(["id", "reason", "score", "text"], rows, css="samples")


# Configuration and files -----------------------------------------------------------------------


def _config(manifest: Json, previous: Json | None) -> str:
    config = manifest.get("config", {})
    content = ""
    if previous is not None:
        content = "<h3>Config changes</h3>" + _config_changes(previous.get("config", {}), config)
    if manifest.get("config_sha256"):
        content += f'<p class="meta">sha256 {html.escape(manifest["config_sha256"])}</p>'
    content += f"<pre>{html.escape(json.dumps(config, indent=2, ensure_ascii=False))}</pre>"
    return _section("config", "Configuration", content)


def _config_changes(old: Json, new: Json) -> str:
    changes = config_changes(old, new)
    if not changes:
        return "<p>No configuration changes.</p>"
    items = [f"<li><code>{html.escape(key)}</code>: {_config_value(before)} → {_config_value(after)}</li>"
             for key, before, after in changes]
    return f'<ul class="changes">{"".join(items)}</ul>'


def _config_value(value: Any) -> str:
    return "<em>absent</em>" if value is None else f"<code>{html.escape(json.dumps(value))}</code>"


def _files(manifest: Json) -> str:
    inputs = manifest.get("inputs", [])
    content = "<h3>Inputs</h3>" + _records(inputs, INPUT_COLUMNS)
    for kind, shards in manifest.get("shards", {}).items():
        content += f"<h3>{html.escape(kind.capitalize())} shards</h3>" + _records(shards, SHARD_COLUMNS)
    return _section("files", "Files", content)


def _records(records: list[Json], columns: Sequence[str]) -> str:
    if not records:
        return "<p>None.</p>"
    rows = [[_plain(record.get(column)) for column in columns] for record in records]
    return _table(columns, rows, css="files")


# Plots -----------------------------------------------------------------------------------------


def _svg(chart: Chart, caption: str) -> str:
    """The chart as an inline SVG element in a <figure> with its caption."""
    return f'<figure class="plot">{chart.svg()}<figcaption>{html.escape(caption)}</figcaption></figure>'


def _mark(panel: Panel, value: float | None, name: str, legend: bool = True) -> None:
    """A dashed vertical line at a filter's threshold."""
    if value is None:
        return
    panel.threshold(value, f"{name} = {value:g}")
    panel.legend = legend


def _funnel_plot(stats: Json) -> str:
    filters = stats["filters"]
    stages = ["input", *(entry["name"] for entry in filters)]
    chart = Chart(1, 2, WIDE, HEIGHT)
    for panel, unit, key in zip(chart.panels, ("documents", "characters"), ("docs", "chars"), strict=True):
        kept = [filters[0][f"{key}_in"], *(entry[f"{key}_out"] for entry in filters)]
        panel.bar(range(len(stages)), kept, colour=[READ, *[KEPT] * len(filters)])
        panel.xticks(range(len(stages)), stages, rotation=30)
        panel.eng = True
        panel.title = f"{unit} kept after each filter"
    return _svg(chart, "Documents and characters entering the first filter and kept after each.")


def _length_plot(histograms: Json) -> str:
    edges = histograms["read"]["edges"]
    read, kept = histograms["read"]["counts"], histograms["kept"]["counts"]
    used = max([index for index, (a, b) in enumerate(zip(read, kept, strict=True)) if a or b] or [0]) + 1
    names = _bin_names(edges, used)
    chart = Chart(1, 1, WIDE, HEIGHT)
    panel = chart.panel
    panel.bar([index - 0.2 for index in range(used)], read[:used], width=0.4, colour=READ, label="read")
    panel.bar([index + 0.2 for index in range(used)], kept[:used], width=0.4, colour=KEPT, label="kept")
    panel.xticks(range(used), names, rotation=30)
    panel.xlabel, panel.ylabel, panel.legend = "characters per document", "documents", True
    return _svg(chart, "Document lengths of every record read and of the documents kept.")


def _bin_names(edges: Sequence[float], used: int) -> list[str]:
    """`low–high` for the first `used` bins; the last bin of all holds everything above it."""
    names = [f"{_short(low)}–{_short(high)}"
             for low, high in zip(edges[:used], edges[1:used + 1], strict=True)]
    if used == len(edges) - 1:
        names[-1] = f"≥{_short(edges[used - 1])}"
    return names


def _short(edge: float) -> str:
    for size, suffix in ((1_000_000, "M"), (1_000, "k")):
        if edge >= size:
            return f"{edge / size:g}{suffix}"
    return f"{edge:g}"


def _histogram_figure(entry: Json, plot: HistogramPlot, keys: list[str], params: Json) -> str:
    """One histogram with its threshold marked, or a grid of a histogram and its parts."""
    if not keys:
        return ""
    if not plot.parts:
        return _threshold_plot(entry["histograms"][plot.histogram], plot, params)
    parts = [name for name in keys if name != plot.histogram]
    if plot.order_by is not None:
        counts = entry["counters"].get(plot.order_by, {})
        parts.sort(key=lambda name: -counts.get(name.split(".", 1)[1], 0))
    shown = ([plot.histogram] if plot.histogram in keys else []) + parts
    rows, columns = plot.grid or (1, len(shown))
    shown = shown[:rows * columns]
    chart = Chart(rows, columns, WIDE, HEIGHT if rows == 1 else ROW_HEIGHT * rows, sharex=True)
    name = plot.threshold.param if plot.threshold else ""
    for panel, histogram in zip(chart.panels, shown, strict=False):
        part = None if histogram == plot.histogram else histogram.split(".", 1)[1]
        # The whole histogram in the main colour; beside it, its parts in the accent colour.
        counts = entry["histograms"][histogram]
        panel.histogram(counts["edges"], counts["counts"],
                        ACCENT if part is not None and plot.histogram in keys else KEPT)
        panel.log = plot.log and any(counts["counts"])  # a log axis needs a positive count
        title = plot.total_title if part is None else part
        if part is not None and plot.order_by is not None:
            title += f" ({_format(entry['counters'].get(plot.order_by, {}).get(part, 0))})"
        panel.title = title
        _mark(panel, _threshold_value(plot.threshold, params, part), name, legend=False)
    for panel in chart.panels[len(shown):]:
        panel.visible = False
    threshold = _threshold_value(plot.threshold, params)
    overrides = (plot.threshold is not None and plot.threshold.by_key is not None
                 and params.get(plot.threshold.by_key))
    caption = (_caption(plot, len(shown)) + _threshold_note(name, threshold)
               + (f" (or its per-{plot.threshold.per} value)" if overrides else ""))
    return _svg(chart, caption + ".")


def _threshold_plot(histogram: Json, plot: HistogramPlot, params: Json) -> str:
    chart = Chart(1, 1, WIDE, HEIGHT)
    panel = chart.panel
    panel.histogram(histogram["edges"], histogram["counts"], KEPT)
    panel.log = plot.log and any(histogram["counts"])
    panel.xlabel, panel.ylabel = plot.histogram, "documents"
    threshold, name = _threshold_value(plot.threshold, params), plot.threshold.param if plot.threshold else ""
    _mark(panel, threshold, name)
    return _svg(chart, f"{_caption(plot, 1)}{_threshold_note(name, threshold)}.")


def _caption(plot: HistogramPlot, count: int) -> str:
    caption = plot.caption.replace("{key}", plot.histogram).replace("{count}", str(count))
    return caption + (" (log scale)" if plot.log else "")


def _threshold_note(name: str, value: float | None) -> str:
    return "" if value is None else f"; dashed line: {name} = {value:g}"


def _counter_bars(entry: Json, bars: CounterBars) -> str:
    """Counter groups as bars over their keys, stacked or side by side."""
    counters = entry["counters"]
    keys = _ordered_keys(counters, bars.keys, bars.order)
    if not keys:
        return ""
    chart = Chart(1, 1, WIDE, HEIGHT)
    panel = chart.panel
    width = 0.8 if bars.stacked else 0.8 / len(bars.series)
    bottom = [0.0] * len(keys)
    for index, series in enumerate(bars.series):
        values = [counters.get(series.group, {}).get(name, 0) for name in keys]
        offset = 0.0 if bars.stacked else (index - (len(bars.series) - 1) / 2) * width
        panel.bar([position + offset for position in range(len(keys))], values, width=width,
                  colour=COLOURS[series.colour], label=series.label, bottom=bottom if bars.stacked else None)
        if bars.stacked:
            bottom = [base + value for base, value in zip(bottom, values, strict=True)]
    panel.xticks(range(len(keys)), keys, rotation=90 if len(keys) > 15 else bars.rotation)  # many: upright
    panel.ylabel, panel.legend = bars.ylabel, True
    return _svg(chart, bars.caption)


def _histogram_plot(key: str, histogram: Json) -> str:
    """A histogram without declared figures. Bins that grow geometrically (cluster sizes of
    1, 2, 3, 5 ... 1M, say) are drawn one bar per bin, as far as the last one used: on a
    linear x axis every bar would be a sliver beside 0."""
    edges, counts = histogram["edges"], histogram["counts"]
    chart = Chart(1, 1, WIDE, HEIGHT)
    panel = chart.panel
    widths = [high - low for low, high in zip(edges, edges[1:], strict=False)]
    if min(widths) > 0 and max(widths) > GEOMETRIC_BINS * min(widths):
        used = max([index for index, count in enumerate(counts) if count] or [0]) + 1
        panel.bar(list(range(used)), counts[:used], colour=KEPT)
        panel.xticks(range(used), _bin_names(edges, used), rotation=30)
    else:
        panel.histogram(edges, counts, KEPT)
    panel.xlabel, panel.ylabel = key, "documents"
    return _svg(chart, f"Histogram {key}.")
