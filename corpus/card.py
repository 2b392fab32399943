"""The dataset card: a README.md in every version that says what the dataset is and how it was made."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import yaml

from corpus.escape import markdown_code, markdown_text
from corpus.figures import Figures, recorded
from corpus.funnel import funnel_rows

# The Hub's `size_categories` buckets, by the number of kept documents.
SIZE_CATEGORIES = ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"),
                   (1_000_000, "100K<n<1M"), (10_000_000, "1M<n<10M"), (100_000_000, "10M<n<100M"),
                   (1_000_000_000, "100M<n<1B"), (10_000_000_000, "1B<n<10B"),
                   (100_000_000_000, "10B<n<100B"), (1_000_000_000_000, "100B<n<1T"))
# The shard kinds `datasets.load_dataset(version)` loads, as configs: the kept data by default.
HUB_CONFIGS = (("default", "data"), ("rejects", "rejects"))
# What the Hub accepts as a language code (ISO 639-1/3, optionally with a BCP-47 subtag).
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def render_card(manifest: dict[str, Any], stats: dict[str, Any], folder: Path | None = None) -> str:
    """YAML front matter for the Hub and `datasets` (`hub_metadata`), then Markdown: identity,
    sources, counts, the filters' own tables (languages, ...), filters with parameters and
    effect, gates.

    Every value that comes from the config, the inputs or a filter (not the engine's own version
    names, dates and digests) goes through `markdown_text` or `markdown_code`: a file name or a
    gate error must not become a link, an image or HTML. The front matter is dumped by
    `yaml.safe_dump`, which quotes and escapes what would otherwise be YAML."""
    counts = manifest["counts"]
    sections = [
        front_matter(hub_metadata(manifest, stats, folder)),
        f"# {markdown_text(manifest['dataset'])} {manifest['version']}",
        f"Text dataset produced by corpus-engine {manifest['engine']['version']} on "
        f"{manifest['created_at']} (parent version: {manifest.get('parent') or 'none'}; status: "
        f"{manifest.get('status', 'published')}). Kept documents are in `data/`, removed ones with "
        "the filter and reason in `rejects/`, unreadable input records in `quarantine/`; "
        "`stats.json` holds the statistics and `report.html` the audit report.",
        _terms(manifest),
        _redaction(manifest),
        "## Counts\n\n| read | kept | rejected | quarantined | kept fraction |\n|---:|---:|---:|---:|---:|\n"
        f"| {counts['read']:,} | {counts['kept']:,} | {counts['rejected']:,} | {counts['quarantined']:,} "
        f"| {stats['total']['kept_fraction']:.1%} |",
        _tokens(manifest, stats),
        _sources(manifest),
        _per_source(manifest),
        _declared(manifest, stats),
        _filters(manifest, stats),
        _gates(manifest),
        _fingerprints(manifest),
        "## Loading\n\nFrom this folder (or its Hub repository), the kept documents and, as the "
        "`rejects` configuration, the removed ones:\n\n```python\nimport datasets\n\n"
        "kept = datasets.load_dataset(\"path/to/version\", split=\"train\")\n"
        "rejects = datasets.load_dataset(\"path/to/version\", \"rejects\", split=\"train\")\n```\n\n"
        "```python\nimport pyarrow.dataset as ds\n\n"
        "table = ds.dataset(\"data/\", format=\"parquet\").to_table()\n```",
    ]
    return "\n\n".join(section for section in sections if section) + "\n"


def front_matter(metadata: dict[str, Any]) -> str:
    """The metadata as a README's YAML block; one line per scalar, so no value can end the block."""
    text = yaml.safe_dump(metadata, sort_keys=False, allow_unicode=True, width=1 << 30)
    return f"---\n{text}---"


def hub_metadata(manifest: dict[str, Any], stats: dict[str, Any], folder: Path | None = None
                 ) -> dict[str, Any]:
    """The card's Hugging Face metadata: configs (kept data, rejects), languages, licence, source,
    size category, name and tags. With the version's `folder`, a config whose shards do not all
    have the same columns loads the columns they share (`datasets` needs one schema)."""
    card = manifest["config"].get("card", {})
    metadata: dict[str, Any] = {"configs": _hub_configs(manifest, folder)}
    languages = _languages(manifest, stats)
    if languages:
        metadata["language"] = languages
        metadata["multilinguality"] = "monolingual" if len(languages) == 1 else "multilingual"
    if card.get("license"):
        metadata["license"] = card["license"]
    if card.get("source"):
        metadata["source_datasets"] = list(card["source"])
    kept = manifest["counts"]["kept"]
    metadata["size_categories"] = [next((name for bound, name in SIZE_CATEGORIES if kept < bound), "n>1T")]
    metadata["pretty_name"] = card.get("pretty_name") or manifest["dataset"]
    if card.get("tags"):
        metadata["tags"] = list(card["tags"])
    return metadata


def _hub_configs(manifest: dict[str, Any], folder: Path | None) -> list[dict[str, Any]]:
    configs = []
    for name, kind in HUB_CONFIGS:
        shards = manifest["shards"].get(kind)
        if not shards and name != "default":  # no kept data: load_dataset says so, never loads rejects
            continue
        config: dict[str, Any] = {"config_name": name,
                                  "data_files": [{"split": "train", "path": f"{kind}/part-*.parquet"}]}
        if name == "default":
            config["default"] = True
        columns = _shared_columns(folder, shards) if folder is not None and shards else None
        if columns is not None:
            config["columns"] = columns
        configs.append(config)
    return configs


def _shared_columns(folder: Path, shards: list[dict[str, Any]]) -> list[str] | None:
    """The columns every shard has, in the first shard's order; None when all have the same.

    Each filter's rejects carry the columns of the filters up to it, so rejects of two filters
    differ."""
    names = [pq.read_schema(folder / shard["path"]).names for shard in shards]
    if all(set(other) == set(names[0]) for other in names[1:]):
        return None
    return [column for column in names[0] if all(column in other for other in names[1:])]


def _languages(manifest: dict[str, Any], stats: dict[str, Any]) -> list[str]:
    """The keys with a value of every card table that declares `metadata: language`, sorted."""
    figures = recorded(manifest)
    found: set[str] = set()
    for entry in stats["filters"]:
        for table in figures.get(entry["name"], Figures()).card:
            if table.metadata == "language":
                values = entry["counters"].get(table.group, {})
                found.update(key for key, value in values.items() if value and _LANGUAGE.match(key))
    return sorted(found)


def _terms(manifest: dict[str, Any]) -> str:
    """Licence and source, as the config states them."""
    card = manifest["config"].get("card", {})
    lines = []
    if card.get("license"):
        lines.append(f"Licence: {markdown_code(card['license'])}.")
    if card.get("source"):
        lines.append("Source: " + ", ".join(markdown_text(item) for item in card["source"]) + ".")
    return " ".join(lines)


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


# The card's per-source table shows this many inputs, most kept first.
SOURCE_ROWS = 20


def _per_source(manifest: dict[str, Any]) -> str:
    """Documents (and kept tokens, when counted) per input, by the name the `source_file` column
    gives it, most kept first; at most SOURCE_ROWS rows (the manifest has every input)."""
    inputs = [item for item in manifest["inputs"] if "documents" in item]
    if not inputs:
        return ""
    tokens = any("tokens_kept" in item for item in inputs)
    lines = ["## Documents per source\n",
             "| source_file | read | kept | rejected | quarantined |" + (" tokens kept |" if tokens else ""),
             "|---|---:|---:|---:|---:|" + ("---:|" if tokens else "")]
    for item in sorted(inputs, key=lambda item: -item["documents"]["kept"])[:SOURCE_ROWS]:
        counts = item["documents"]
        lines.append(f"| {markdown_text(item['name'])} | {counts['read']:,} | {counts['kept']:,} | "
                     f"{counts['rejected']:,} | {counts['quarantined']:,} |"
                     + (f" {item.get('tokens_kept', 0):,} |" if tokens else ""))
    if len(inputs) > SOURCE_ROWS:
        lines.append(f"\n{len(inputs) - SOURCE_ROWS:,} more sources; `manifest.json` lists every input "
                     "with its counts.")
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


def _tokens(manifest: dict[str, Any], stats: dict[str, Any]) -> str:
    """Tokens read and kept, kept by language, and the tokenizer; or that none was configured."""
    total, tokenizer = stats["total"], manifest.get("tokenizer")
    if total.get("tokens_in") is None or not tokenizer:
        return "## Tokens\n\nNot counted: no tokenizer was configured."
    lines = ["## Tokens\n", f"Counted with the tokenizer {markdown_text(Path(tokenizer['path']).name)} "
             f"(vocabulary {tokenizer['vocab_size']:,}, sha256 {markdown_code(tokenizer['sha256'])}, "
             f"tokenizers {markdown_code(tokenizer['tokenizers'])}), no special tokens added: "
             f"{total['tokens_in']:,} tokens read, {total['tokens_out']:,} kept.\n"]
    by_lang = sorted((total.get("tokens_by_lang") or {}).items(), key=lambda item: -item[1])
    if by_lang:
        lines += ["| language | kept tokens | share |", "|---|---:|---:|"]
        lines += [f"| {markdown_text(code)} | {count:,} | {count / (total['tokens_out'] or 1):.1%} |"
                  for code, count in by_lang]
    return "\n".join(lines)


def _filters(manifest: dict[str, Any], stats: dict[str, Any]) -> str:
    params = [next(iter(entry.items())) for entry in manifest["config"]["filters"]]
    lines = ["## Filters, in order\n"]
    for (name, settings), row, entry in zip(params, funnel_rows(stats), stats["filters"], strict=True):
        reasons = entry["counters"].get("removed_by_reason", {})
        why = ", ".join(f"{markdown_text(reason)}: {count:,}"
                        for reason, count in sorted(reasons.items())) or "nothing"
        lines.append(f"- **{markdown_text(row['filter'])}** ({markdown_code(name)}, mode "
                     f"{markdown_text(row['mode'])}): removed {row['removed']:,} of "
                     f"{row['in']:,} documents ({row['removed_pct']:.1f} %)"
                     + (f", tokens {row['tokens_in']:,} in and {row['tokens_out']:,} out"
                        if row["tokens_in"] is not None else "") + f"; reasons: {why}. "
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
