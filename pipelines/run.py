"""One pipeline run: discover inputs, execute the segments, check the accounting, publish a version."""

from __future__ import annotations

import hashlib
import json
import platform
import shutil
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import xxhash

import corpus
from corpus.gates import GateResult, evaluate
from corpus.readers import ReaderOptions
from corpus.sources import InputFile, Split, discover, open_binary, plan_splits
from corpus.stats import FilterStats, Histogram, length_histogram, merge_all
from corpus.store import DatasetStore, Staging
from pipelines.audit import write_audit
from pipelines.config import PipelineConfig
from pipelines.local import LocalPool, Task, TaskResult, WriteOptions
from pipelines.plan import Segment, label_steps, plan_segments
from pipelines.progress import RunProgress

FINGERPRINT_SAMPLE = 1 << 20


class AccountingError(RuntimeError):
    """read != kept + rejected + quarantined: a document was lost or doubled."""


@dataclass
class RunSummary:
    version: str
    path: Path
    counts: dict[str, int]
    stats: dict[str, Any] = field(repr=False)
    gates: list[GateResult] = field(default_factory=list)

    @property
    def failed_gates(self) -> list[GateResult]:
        return [gate for gate in self.gates if not gate.passed]


def run_pipeline(config: PipelineConfig, progress: RunProgress | None = None,
                 allow_failed_gates: bool = False) -> RunSummary:
    """Run `config` end to end and publish the result as a new version of its dataset.

    The quality gates (`expectations`) are checked on the final statistics: a version that
    fails one is still written (status `failed_gates`) but LATEST does not move to it,
    unless `allow_failed_gates`.
    """
    progress = progress or RunProgress(enabled=False)
    started = time.perf_counter()
    files = discover(config.input.paths, config.input.format)
    splits = plan_splits(files, config.input.split_bytes)
    steps = label_steps(config.filters)
    segments = plan_segments(steps)
    store = DatasetStore(config.output.root, config.dataset)
    staging = store.start_run()
    try:
        results, merged = _execute(config, segments, splits, staging, progress)
        counts = _counts(results)
        if counts["read"] != counts["kept"] + counts["rejected"] + counts["quarantined"]:
            raise AccountingError(f"accounting broken: {counts}")
        _remove_work(staging)
        elapsed = time.perf_counter() - started
        stats = _stats_document(steps, merged, counts, elapsed)
        stats["total"]["length_histograms"] = _lengths(results)
        manifest = _manifest(config, files, steps, counts, results)
        gates = evaluate({name: bounds.model_dump() for name, bounds in config.expectations.items()},
                         stats)
        failed = any(not gate.passed for gate in gates)
        manifest["gates"] = [gate.to_dict() for gate in gates]
        manifest["status"] = "failed_gates" if failed else "published"
        version = store.publish(staging, manifest, stats, move_latest=allow_failed_gates or not failed,
                                finish=write_audit)
    except BaseException:
        store.discard(staging)
        raise
    return RunSummary(version, store.path / version, counts, stats, gates)


def _execute(config: PipelineConfig, segments: list[Segment], splits: list[Split],
             staging: Staging, progress: RunProgress
             ) -> tuple[list[list[TaskResult]], dict[str, FilterStats]]:
    write = WriteOptions(config.output.shard_rows, config.output.keep_rejects,
                         config.output.compression)
    reader = ReaderOptions(config.input.text_field, config.input.id_field,
                           config.input.batch_rows)
    results: list[list[TaskResult]] = []
    merged: dict[str, FilterStats] = {}
    with LocalPool(config.workers) as pool:
        for segment in segments:
            _run_segment(segment, len(segments), splits, staging, write, reader, pool, progress,
                         results, merged)
    return results, merged


def _run_segment(segment: Segment, count: int, splits: list[Split], staging: Staging,
                 write: WriteOptions, reader: ReaderOptions, pool: LocalPool,
                 progress: RunProgress, results: list[list[TaskResult]],
                 merged: dict[str, FilterStats]) -> None:
    if segment.index == 0:
        tasks = [Task(i, staging.run_id, segment, staging.path, write, reader, split=split)
                 for i, split in enumerate(splits)]
        total = sum(split.size for split in splits)
        unit = "bytes"
    else:
        previous = results[-1]
        tasks = [Task(r.index, staging.run_id, segment, staging.path, write, reader,
                      spill=r.spill) for r in previous if r.spill]
        total = sum(pq.ParquetFile(p).metadata.num_rows for r in previous for p in r.spill)
        unit = "docs"
    with progress.segment(_describe(segment, count), total, unit) as advance:
        segment_results = pool.run(tasks, advance)
    results.append(segment_results)
    _merge(merged, segment_results)
    if segment.tail is not None:
        _resolve(segment, segment_results, merged, staging)


def _resolve(segment: Segment, results: list[TaskResult], merged: dict[str, FilterStats],
             staging: Staging) -> None:
    """The global step: the tail filter reads every key once, decides what to drop, and writes
    the index later versions deduplicate against into the version's `index/`."""
    label = segment.tail.label
    stats = merged.setdefault(label, FilterStats(label))
    started = time.perf_counter()
    paths = [path for result in results for path in result.keys]
    segment.tail.filter.setup()
    segment.tail.filter.resolve(
        lambda: (batch for path in paths for batch in pq.ParquetFile(path).iter_batches()), stats,
        staging.path / "work" / "resolve" / label,
    )
    segment.tail.filter.write_index(staging.path / "index")
    stats.wall_seconds += time.perf_counter() - started


def _merge(merged: dict[str, FilterStats], results: list[TaskResult]) -> None:
    by_label: dict[str, list[FilterStats]] = {}
    for result in results:
        for label, data in result.stats.items():
            by_label.setdefault(label, []).append(FilterStats.from_dict(data))
    for label, items in by_label.items():
        total = merge_all(items)
        merged[label] = merged[label] + total if label in merged else total


def _counts(results: list[list[TaskResult]]) -> dict[str, int]:
    first, last = results[0], results[-1]
    return {
        "read": sum(r.records for r in first),
        "kept": sum(r.kept for r in last),
        "rejected": sum(r.rejected for segment in results for r in segment),
        "quarantined": sum(r.quarantined for r in first),
    }


def _describe(segment: Segment, total: int) -> str:
    names = [step.label for step in segment.applied()]
    if segment.index == 0:
        names.insert(0, "read")
    if segment.tail is not None:
        names.append(f"sign {segment.tail.label}")
    else:
        names.append("write")
    return f"segment {segment.index + 1}/{total}: " + " > ".join(names)


def _lengths(results: list[list[TaskResult]]) -> dict[str, Any]:
    """Document-length histograms of what was read (first segment) and what was kept (last)."""
    merged = {}
    for name, segment in (("read", results[0]), ("kept", results[-1])):
        total = length_histogram()
        for result in segment:
            if name in result.lengths:
                total = total + Histogram(**result.lengths[name])
        merged[name] = total.to_dict()
    return merged


def _remove_work(staging: Staging) -> None:
    shutil.rmtree(staging.path / "work", ignore_errors=True)


def _stats_document(steps, merged: dict[str, FilterStats], counts: dict[str, int],
                    elapsed: float) -> dict[str, Any]:
    filters = [merged.get(step.label, FilterStats(step.label)).to_dict() for step in steps]
    for entry, step in zip(filters, steps, strict=True):
        entry["filter"] = step.filter.name
        entry["mode"] = step.filter.params.mode
    chars_in = filters[0]["chars_in"] if filters else None
    return {
        "filters": filters,
        "total": {
            **counts,
            "kept_fraction": counts["kept"] / counts["read"] if counts["read"] else 0.0,
            "chars_in": chars_in,
            "chars_out": filters[-1]["chars_out"] if filters else None,
            "wall_seconds": round(elapsed, 3),
            "docs_per_second": round(counts["read"] / elapsed, 1) if elapsed else None,
        },
    }


def _manifest(config: PipelineConfig, files: list[InputFile], steps, counts: dict[str, int],
              results: list[list[TaskResult]]) -> dict[str, Any]:
    resolved = config.resolved()
    skipped: dict[str, int] = {}
    for result in results[0]:
        for key, value in result.skipped.items():
            skipped[key] = skipped.get(key, 0) + value
    return {
        "dataset": config.dataset,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": resolved,
        "config_sha256": hashlib.sha256(
            json.dumps(resolved, sort_keys=True).encode()).hexdigest(),
        "engine": {
            "name": "corpus-engine",
            "version": corpus.__version__,
            "python": platform.python_version(),
            "pyarrow": pa.__version__,
        },
        "filters": [{"label": s.label, "name": s.filter.name, "versions": s.filter.versions()}
                    for s in steps],
        "inputs": [_describe_input(item) for item in files],
        "counts": counts,
        "skipped_records": skipped,
    }


def _describe_input(item: InputFile) -> dict[str, Any]:
    return {
        "uri": item.uri,
        "format": item.format,
        "compression": item.compression,
        "size": item.size,
        "mtime": item.mtime,
        "fingerprint": fingerprint(item),
    }


def fingerprint(item: InputFile) -> str:
    """xxh3-128 of the size and the first and last MiB: cheap, and changes when content does."""
    digest = xxhash.xxh3_128()
    digest.update(str(item.size).encode())
    with open_binary(item.uri) as handle:
        digest.update(handle.read(FINGERPRINT_SAMPLE))
        if item.size > 2 * FINGERPRINT_SAMPLE:
            handle.seek(item.size - FINGERPRINT_SAMPLE)
            digest.update(handle.read(FINGERPRINT_SAMPLE))
    return digest.hexdigest()
