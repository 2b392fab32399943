"""The dataset card: a README.md in every version that says what the dataset is and how it was made."""

from __future__ import annotations

import json
from typing import Any

from corpus.escape import markdown_code, markdown_text
from corpus.figures import Figures, recorded
from corpus.funnel import funnel_rows


def render_card(manifest: dict[str, Any], stats: dict[str, Any]) -> str:
    """Markdown: identity, sources, counts, the filters' own tables (languages, ...), filters with
    parameters and effect, gates.

    Every value that comes from the config, the inputs or a filter (not the engine's own version
    names, dates and digests) goes through `markdown_text` or `markdown_code`: a file name or a
    gate error must not become a link, an image or HTML."""
    counts = manifest["counts"]
    sections = [
        f"# {markdown_text(manifest['dataset'])} {manifest['version']}",
        f"Text dataset produced by corpus-engine {manifest['engine']['version']} on "
        f"{manifest['created_at']} (parent version: {manifest.get('parent') or 'none'}; status: "
        f"{manifest.get('status', 'published')}). Kept documents are in `data/`, removed ones with "
        "the filter and reason in `rejects/`, unreadable input records in `quarantine/`; "
        "`stats.json` holds the statistics and `report.html` the audit report.",
        _redaction(manifest),
        "## Counts\n\n| read | kept | rejected | quarantined | kept fraction |\n|---:|---:|---:|---:|---:|\n"
        f"| {counts['read']:,} | {counts['kept']:,} | {counts['rejected']:,} | {counts['quarantined']:,} "
        f"| {stats['total']['kept_fraction']:.1%} |",
        _sources(manifest),
        _declared(manifest, stats),
        _filters(manifest, stats),
        _gates(manifest),
        _fingerprints(manifest),
        "## Loading\n\n```python\nimport pyarrow.dataset as ds\n\n"
        "table = ds.dataset(\"data/\", format=\"parquet\").to_table()\n```",
    ]
    return "\n\n".join(section for section in sections if section) + "\n"


def _redaction(manifest: dict[str, Any]) -> str:
    """The version's redaction policy (`manifest.redaction`), stated in one paragraph."""
    policy = manifest.get("redaction")
    if not policy:
        return ""
    step = markdown_text(policy["step"])
    if policy["scope"] == "everything":
        return (f"Personal information (scope `everything`, by step {step}): every file of this "
                "version is redacted: kept documents, the rejects of every filter and the raw "
                "prefixes in `quarantine/` (dropped where they are not UTF-8).")
    return (f"Personal information (scope `delivered`, by step {step}): only documents that passed "
            f"through {step} are redacted; the rejects of the filters before it and the raw prefixes "
            "in `quarantine/` may hold personal information.")


def _sources(manifest: dict[str, Any]) -> str:
    lines = ["## Sources\n", "| input | format | bytes | fingerprint |", "|---|---|---:|---|"]
    # No code span for a file name in a table cell: a pipe ends the cell even inside one.
    lines += [f"| {markdown_text(i['uri'])} | "
              f"{markdown_text(i['format'] + ('+' + i['compression'] if i['compression'] else ''))} "
              f"| {i['size']:,} | `{i['fingerprint']}` |" for i in manifest["inputs"]]
    return "\n".join(lines)


def _declared(manifest: dict[str, Any], stats: dict[str, Any]) -> str:
    """The tables each step's figures declare for the card: a counter group's largest values."""
    figures = recorded(manifest)
    sections = []
    for entry in stats["filters"]:
        for table in figures.get(entry["name"], Figures()).card:
            values = entry["counters"].get(table.group)
            if not values:
                continue
            total = sum(values.values()) or 1
            top = sorted(((key, value) for key, value in values.items() if value),
                         key=lambda item: -item[1])[:table.limit]
            lines = [f"## {markdown_text(table.title.replace('{label}', entry['name']))}\n",
                     f"| {markdown_text(table.key_header)} | {markdown_text(table.value_header)} | share |",
                     "|---|---:|---:|"]
            lines += [f"| {markdown_text(key)} | {value:,} | {value / total:.1%} |" for key, value in top]
            sections.append("\n".join(lines))
    return "\n\n".join(sections)


def _filters(manifest: dict[str, Any], stats: dict[str, Any]) -> str:
    params = [next(iter(entry.items())) for entry in manifest["config"]["filters"]]
    lines = ["## Filters, in order\n"]
    for (name, settings), row, entry in zip(params, funnel_rows(stats), stats["filters"], strict=True):
        reasons = entry["counters"].get("removed_by_reason", {})
        why = ", ".join(f"{markdown_text(reason)}: {count:,}"
                        for reason, count in sorted(reasons.items())) or "nothing"
        lines.append(f"- **{markdown_text(row['filter'])}** ({markdown_code(name)}, mode "
                     f"{markdown_text(row['mode'])}): removed {row['removed']:,} of "
                     f"{row['in']:,} documents ({row['removed_pct']:.1f} %); reasons: {why}. "
                     f"Parameters: {markdown_code(json.dumps(settings, ensure_ascii=False, sort_keys=True))}")
    return "\n".join(lines)


def _gates(manifest: dict[str, Any]) -> str:
    gates = manifest.get("gates") or []
    if not gates:
        return "## Quality gates\n\nNone were configured."
    lines = ["## Quality gates\n", "| expectation | value | min | max | result |", "|---|---:|---:|---:|---|"]
    for gate in gates:
        value = "-" if gate["value"] is None else f"{gate['value']:.4g}"
        error = f" ({markdown_text(gate['error'])})" if gate.get("error") else ""
        result = "pass" if gate["passed"] else f"FAIL{error}"
        lines.append(f"| {markdown_text(gate['name'])} | {value} "
                     f"| {gate['min'] if gate['min'] is not None else ''} "
                     f"| {gate['max'] if gate['max'] is not None else ''} | {result} |")
    return "\n".join(lines)


def _fingerprints(manifest: dict[str, Any]) -> str:
    shards = manifest["shards"]
    lines = ["## Fingerprints\n", f"- config sha256: {markdown_code(manifest['config_sha256'])}"]
    for step in manifest.get("filters", []):
        for key, value in sorted(step.get("versions", {}).items()):
            if isinstance(value, str) and key.endswith("sha256"):
                lines.append(f"- {markdown_text(step['label'])} {markdown_text(key)}: {markdown_code(value)}")
    for kind in ("data", "rejects", "quarantine"):
        for shard in shards.get(kind, []):
            lines.append(f"- {markdown_code(shard['path'])}: {shard['rows']:,} rows, "
                         f"sha256 {markdown_code(shard['sha256'])}")
    return "\n".join(lines)
