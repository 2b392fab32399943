"""The manifest and stats documents of a version, built from a run's inputs, chain and unit results."""

from __future__ import annotations

import platform
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

import pyarrow as pa

import corpus
from corpus.sources import InputFile
from corpus.stats import FilterStats, Histogram, length_histogram
from corpus.store import config_sha256
from corpus.units import RunResults


class ChainStep(Protocol):
    """A filter at its place in the chain (`pipelines.plan.Step`): its unique label and the filter,
    whose name, mode (`params.mode`), `info()`, `versions()` and `figures` the documents record."""

    label: str
    filter: Any


def count_documents(results: RunResults) -> dict[str, int]:
    """The accounting: read and quarantined in the first segment, kept in the last, rejected in any."""
    return {
        "read": sum(r.records for r in results.first),
        "kept": sum(r.kept for r in results.last),
        "rejected": sum(r.rejected for r in results.all()),
        "quarantined": sum(r.quarantined for r in results.first),
    }


def length_histograms(results: RunResults) -> dict[str, Any]:
    """Document-length histograms of what was read (first segment) and what was kept (last)."""
    merged = {}
    for name, segment in (("read", results.first), ("kept", results.last)):
        total = length_histogram()
        for result in segment:
            if name in result.lengths:
                total = total + Histogram(**result.lengths[name])
        merged[name] = total.to_dict()
    return merged


def token_totals(results: RunResults, counted: bool) -> dict[str, Any]:
    """Tokens read (first segment) and kept (last), kept by language, and the seconds spent
    tokenizing; every value None when no tokenizer was configured (`counted` false)."""
    if not counted:
        return {"tokens_in": None, "tokens_out": None, "tokens_by_lang": None, "tokenize_seconds": None}
    by_lang: dict[str, int] = {}
    for result in results.last:
        for code, count in result.tokens["kept_by_lang"].items():
            by_lang[code] = by_lang.get(code, 0) + count
    return {"tokens_in": sum(r.tokens["read"] for r in results.first),
            "tokens_out": sum(r.tokens["kept"] for r in results.last),
            "tokens_by_lang": dict(sorted(by_lang.items())),
            "tokenize_seconds": round(sum(r.tokens["seconds"] for r in results.all()), 3)}


def stats_document(steps: Sequence[ChainStep], merged: dict[str, FilterStats], counts: dict[str, int],
                   lengths: dict[str, Any], elapsed: float,
                   tokens: dict[str, Any]) -> dict[str, Any]:
    """stats.json: one entry per step in chain order (with the filter's run constants), then the totals
    (`tokens` from `token_totals`)."""
    filters = [merged.get(step.label, FilterStats(step.label)).to_dict() for step in steps]
    for entry, step in zip(filters, steps, strict=True):
        entry["filter"] = step.filter.name
        entry["mode"] = step.filter.params.mode
        entry["info"] = {**step.filter.info(), **entry["info"]}
        if tokens["tokens_in"] is not None and entry["tokens_in"] is None:  # no document reached it
            entry.update(tokens_in=0, tokens_out=0, tokens_in_by_lang={}, tokens_by_lang={})
    chars_in = filters[0]["chars_in"] if filters else None
    return {
        "filters": filters,
        "total": {
            **counts,
            "kept_fraction": counts["kept"] / counts["read"] if counts["read"] else 0.0,
            "chars_in": chars_in,
            "chars_out": filters[-1]["chars_out"] if filters else None,
            **tokens,
            "wall_seconds": round(elapsed, 3),
            "docs_per_second": round(counts["read"] / elapsed, 1) if elapsed else None,
            "length_histograms": lengths,
        },
    }


def manifest_document(dataset: str, config: dict[str, Any], files: list[InputFile],
                      fingerprints: dict[str, str], steps: Sequence[ChainStep], counts: dict[str, int],
                      results: RunResults) -> dict[str, Any]:
    """The manifest before publishing: the run's config (resolved) and its digest, the engine,
    every step's filter, versions and figures, the inputs, the counts and the skipped records.

    The run adds its own record, the redaction policy, the gates and the status; the store adds
    the version, its parent, the shards and the files when it publishes."""
    skipped: dict[str, int] = {}
    for result in results.first:
        for key, value in result.skipped.items():
            skipped[key] = skipped.get(key, 0) + value
    by_input = counts_by_input(results)
    return {
        "dataset": dataset,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": config,
        "config_sha256": config_sha256(config),
        "engine": {
            "name": "corpus-engine",
            "version": corpus.__version__,
            "python": platform.python_version(),
            "pyarrow": pa.__version__,
        },
        "filters": [{"label": s.label, "name": s.filter.name, "versions": s.filter.versions(),
                     "figures": s.filter.figures.to_json()} for s in steps],
        "inputs": [{**describe_input(item, fingerprints[item.uri]), **by_input.get(number, {})}
                   for number, item in enumerate(files)],
        "counts": counts,
        "skipped_records": skipped,
    }


def counts_by_input(results: RunResults) -> dict[int, dict[str, Any]]:
    """What became of each input's documents, by input index (each task reads one input):
    `documents` read, kept, rejected, quarantined, and the `tokens_kept` when tokens were counted."""
    found: dict[int, dict[str, Any]] = {}

    def entry(result: Any) -> dict[str, int]:
        return found.setdefault(result.origin, {"documents": dict.fromkeys(
            ("read", "kept", "rejected", "quarantined"), 0)})["documents"]

    for result in results.first:
        entry(result)["read"] += result.records
        entry(result)["quarantined"] += result.quarantined
    for result in results.all():
        entry(result)["rejected"] += result.rejected
    for result in results.last:
        entry(result)["kept"] += result.kept
        if result.tokens is not None:
            counted = found[result.origin]
            counted["tokens_kept"] = counted.get("tokens_kept", 0) + result.tokens["kept"]
    found.pop(None, None)  # units recorded before tasks knew their input
    return found


def describe_input(item: InputFile, fingerprint: str) -> dict[str, Any]:
    """One input as the manifest lists it; `name` is how the provenance column names it."""
    return {
        "uri": item.uri,
        "name": item.name,
        "format": item.format,
        "compression": item.compression,
        "size": item.size,
        "mtime": item.mtime,
        "fingerprint": fingerprint,
    }
