"""The audit delivered with every version: PII-redacted samples of removed documents, report, card."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa

from corpus.card import render_card
from corpus.report import render_report
from corpus.samples import preview, sample_rejects
from corpus.schema import TEXT
from corpus.stats import FilterStats
from corpus.store import read_json
from filters.registry import UnknownFilter, get_filter

SAMPLES_PER_FILTER = 5


def write_audit(folder: Path, manifest: dict[str, Any], stats: dict[str, Any]) -> None:
    """Write report.html and README.md (the dataset card) into a version folder being published
    (the store checksums them afterwards, so they are part of the sealed version)."""
    samples = redacted_samples(folder, manifest, SAMPLES_PER_FILTER)
    (folder / "report.html").write_text(render_report(stats, manifest, samples), encoding="utf-8")
    (folder / "README.md").write_text(render_card(manifest, stats), encoding="utf-8")


def version_report(folder: Path, other: Path | None = None) -> str:
    """A published version's report, optionally with every number set against `other`'s.

    Versions are immutable: the page is returned to be written elsewhere. Without `other` it
    is the report.html the run wrote, rendered again from the version's files."""
    manifest, stats = _published_manifest(folder), read_json(folder / "stats.json")
    samples = redacted_samples(folder, manifest, SAMPLES_PER_FILTER)
    compare = (read_json(other / "stats.json"), _published_manifest(other)) if other else None
    return render_report(stats, manifest, samples, compare=compare)


def _published_manifest(folder: Path) -> dict[str, Any]:
    """The manifest as the report saw it at publish: without the `files` of the seal.

    A version published before steps recorded their figures gets those of the filters
    installed now, where they still are."""
    manifest = read_json(folder / "manifest.json")
    manifest.pop("files", None)
    for step in manifest.get("filters", []):
        if "figures" not in step:
            try:
                step["figures"] = get_filter(step["name"]).figures.to_json()
            except UnknownFilter:
                continue  # a plugin that is no longer installed: its statistics show generically
    return manifest


def redacted_samples(folder: Path, manifest: dict[str, Any], n: int, seed: int = 0,
                     only: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """Removed documents per filter with every PII span replaced, whatever filter removed them.

    Ids are redacted too (exported user data often keys documents by email or phone), and a
    text is cut to its preview only after redaction, so no value is shown in part."""
    samples = sample_rejects(folder, n, seed, only, score_columns(manifest))
    flat = [row for rows in samples.values() for row in rows]
    if flat:
        redacted = redact([row["text"] for row in flat] + [row["id"] or "" for row in flat])
        for row, text, doc_id in zip(flat, redacted[:len(flat)], redacted[len(flat):], strict=True):
            row["text"], row["id"] = preview(text), doc_id
    return samples


def redact(texts: list[str]) -> list[str]:
    """The texts with PII replaced by tags, using the pii filter's default detection."""
    from filters.pii import PII  # presidio loads only when there is something to show

    detector = PII(PII.Params(action="redact"))
    detector.setup()
    batch = pa.RecordBatch.from_pydict({"id": [str(i) for i in range(len(texts))],
                                        "text": pa.array(texts, pa.large_string())})
    return detector.run(batch, FilterStats("pii")).kept.column(TEXT).to_pylist()


def score_columns(manifest: dict[str, Any]) -> dict[str, str]:
    """The score column each filter of the version writes (langid -> lang_score, ...)."""
    columns = {}
    for step in manifest.get("filters", []):
        try:
            column = get_filter(step["name"]).score_column
        except UnknownFilter:
            continue  # a plugin that is no longer installed: samples show no score
        if column:
            columns[step["label"]] = column
    return columns
