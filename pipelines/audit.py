"""The audit delivered with every version: PII-redacted samples of removed documents, report, card.

The samples' dataset reader and the redaction (presidio, through the pii filter) take time to
import: they are imported where they are used, and `warm_up` loads them on a thread while a
run's segments work, so a small run does not wait for them after its data is written. The
report's plots are SVG written by corpus.charts, which needs no warming.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import Any

import pyarrow as pa

from corpus.schema import TEXT
from corpus.stats import FilterStats
from corpus.store import read_json
from filters.registry import UnknownFilter, get_filter
from pipelines.config import PipelineConfig
from pipelines.tasks import collection_paused

SAMPLES_PER_FILTER = 5
_warming: threading.Thread | None = None


def warm_up(config: PipelineConfig) -> None:
    """Start loading what `write_audit` will need (the samples' dataset reader and, when rejects
    are kept, the PII analyzer) on a daemon thread of this process;
    `write_audit` waits for it. Only when the run's work happens in other processes (a worker
    pool, Ray): work in this process would just share its core with the thread. Call it after
    the pool has forked its workers."""
    global _warming
    if _warming is None and (config.executor == "ray" or config.workers > 1):
        _warming = threading.Thread(target=_load, args=(config.output.keep_rejects,),
                                    name="audit-warm-up", daemon=True)
        _warming.start()


def _load(redaction: bool) -> None:
    # A failure here (presidio missing, say) is raised again, with its message, where
    # write_audit imports the same module: a thread would only print a traceback.
    # Nor does it collect: presidio's import triggers full collections that walk every object of
    # the driver and free nothing (0.3-0.6 s beside the workers on a 40,000-document run).
    with collection_paused(), contextlib.suppress(Exception):
        import corpus.samples  # noqa: F401 - pyarrow.dataset

        if redaction:
            _detector(prefilter_only=False)


def warmed() -> None:
    """Wait for a running warm-up, so nothing is imported or built twice at once (and no fork
    copies a thread that is importing)."""
    if _warming is not None:
        _warming.join()


def write_audit(folder: Path, manifest: dict[str, Any], stats: dict[str, Any]) -> None:
    """Write report.html and README.md (the dataset card) into a version folder being published
    (the store checksums them afterwards, so they are part of the sealed version)."""
    warmed()
    from corpus.card import render_card
    from corpus.report import render_report

    samples = redacted_samples(folder, manifest, SAMPLES_PER_FILTER)
    (folder / "report.html").write_text(render_report(stats, manifest, samples), encoding="utf-8")
    (folder / "README.md").write_text(render_card(manifest, stats, folder), encoding="utf-8")


def version_report(folder: Path, other: Path | None = None) -> str:
    """A published version's report, optionally with every number set against `other`'s.

    Versions are immutable: the page is returned to be written elsewhere. Without `other` it
    is the report.html the run wrote, rendered again from the version's files."""
    from corpus.report import render_report

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
    from corpus.samples import preview, sample_rejects

    samples = sample_rejects(folder, n, seed, only, score_columns(manifest))
    flat = [row for rows in samples.values() for row in rows]
    if flat:
        redacted = redact([row["text"] for row in flat] + [row["id"] or "" for row in flat])
        for row, text, doc_id in zip(flat, redacted[:len(flat)], redacted[len(flat):], strict=True):
            row["text"], row["id"] = preview(text), doc_id
    return samples


def redact(texts: list[str]) -> list[str]:
    """The texts with PII replaced by tags, using the pii filter's default detection.

    The filter's prefilter picks the texts that can hold a value; presidio reads only those
    (and is loaded only when there are some)."""
    values = pa.array(texts, pa.large_string())
    rows = _detector(prefilter_only=True).candidates(values)
    if not len(rows):
        return list(texts)
    batch = pa.RecordBatch.from_pydict({"id": [str(i) for i in range(len(rows))],
                                        "text": values.take(pa.array(rows))})
    redacted = _detector(prefilter_only=False).run(batch, FilterStats("pii")).kept.column(TEXT)
    result = list(texts)
    for row, text in zip(rows.tolist(), redacted.to_pylist(), strict=True):
        result[row] = text
    return result


def _detector(prefilter_only: bool) -> Any:
    """The pii filter with its default detection, set up for the prefilter or for presidio."""
    from filters.pii import PII

    detector = PII(PII.Params(action="redact"))
    if prefilter_only:
        detector.setup_prefilter()
    else:
        detector.setup()  # the analyzer is built once per process
    return detector


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
