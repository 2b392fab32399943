"""One pipeline run, orchestrated: discover inputs, plan, run segments and global steps, account, publish."""

from __future__ import annotations

import contextlib
import errno
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow.parquet as pq

import corpus
from corpus.faults import checkpoint
from corpus.figures import recorded
from corpus.gates import GateResult, evaluate
from corpus.manifest import (
    count_documents,
    length_histograms,
    manifest_document,
    stats_document,
    token_totals,
)
from corpus.sources import check_store_root, discover, fingerprint, plan_splits
from corpus.stats import FilterStats, merge_all
from corpus.store import PUBLISH, DatasetStore, Staging, config_sha256, open_store, read_json
from corpus.units import RunResults
from filters.base import Keys
from filters.decisions import decision_files
from pipelines.audit import warm_up, warmed, write_audit
from pipelines.config import PipelineConfig, check_resources
from pipelines.ledger import begin_unit, digest, is_finished, load_unit, record_unit, resolve_key
from pipelines.local import START_METHOD, LocalPool
from pipelines.plan import Segment, check_chain, label_steps, plan_segments
from pipelines.progress import RunProgress
from pipelines.redaction import redaction_policy
from pipelines.resume import open_staging
from pipelines.schedule import Schedule
from pipelines.tasks import Task, TaskResult, prepare

if TYPE_CHECKING:
    from pipelines.ray_pool import RayPool


class AccountingError(RuntimeError):
    """read != kept + rejected + quarantined: a document was lost or doubled."""


class DiskFull(RuntimeError):
    """The device filled up; the finished units are kept for the rerun."""


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
                 allow_failed_gates: bool = False, fresh: bool = False,
                 keep_work: bool = False, signing_key: bytes | None = None) -> RunSummary:
    """Run `config` end to end and publish the result as a new version of its dataset.

    Work goes into a staging area as units keyed by input and config (see `pipelines.ledger`);
    a rerun after a crash adopts the stopped run's area and reuses every finished unit,
    unless `fresh`. The area is removed after the version is published, unless `keep_work`
    (then a later run with, say, a changed last filter reuses the earlier segments).

    The quality gates (`expectations`) are checked on the final statistics: a version that
    fails one is still written (status `failed_gates`) but LATEST does not move to it,
    unless `allow_failed_gates`.

    With `signing_key` the version's manifest digest is HMAC-signed (manifest.sig).
    """
    check_chain(config)
    check_resources(config)
    progress = progress or RunProgress(enabled=False)
    started = time.perf_counter()
    files = discover(config.input.paths, config.input.format)
    check_store_root(config.output.root, config.input.paths, files)
    fingerprints = {item.uri: fingerprint(item) for item in files}
    splits = plan_splits(files, config.input.split_bytes)
    steps = label_steps(config.filters)
    segments = plan_segments(steps)
    store = open_store(config.output.root, config.dataset)
    resolved = config.resolved()
    signature = {"engine": corpus.__version__, "dataset": config.dataset,
                 "inputs": digest(sorted(fingerprints.items())), "config": resolved,
                 "config_sha": config_sha256(resolved)}
    staging, resumed = open_staging(store, signature, fresh, progress.note)
    try:
        finished = _already_published(store, staging, signature) if resumed else None
        if finished is not None:
            progress.note(f"run {staging.run_id} had already published {finished.version}; "
                          f"finished it")
            store.discard(staging)
            return finished
        schedule = Schedule.of(config, segments, splits, fingerprints, staging.path / "units", staging.mirror)
        results, merged, indexes = _execute(config, segments, schedule, progress)
        counts = count_documents(results)
        if counts["read"] != counts["kept"] + counts["rejected"] + counts["quarantined"]:
            raise AccountingError(f"accounting broken: {counts}")
        elapsed = time.perf_counter() - started
        tokenizer = schedule.write.tokenizer
        stats = stats_document(steps, merged, counts, length_histograms(results), elapsed,
                               token_totals(results, tokenizer is not None))
        manifest = manifest_document(config.dataset, resolved, files, fingerprints, steps, counts, results)
        manifest["run"] = {"id": staging.run_id, "resumed": staging.state.get("resumed", 0)}
        manifest["redaction"] = redaction_policy(segments)[1]
        manifest["tokenizer"] = tokenizer.describe() if tokenizer is not None else None
        gates = evaluate({name: bounds.model_dump() for name, bounds in config.expectations.items()},
                         stats, recorded(manifest))
        failed = any(not gate.passed for gate in gates)
        manifest["gates"] = [gate.to_dict() for gate in gates]
        manifest["status"] = "failed_gates" if failed else "published"
        folder = staging.assemble(results, indexes)
        version = store.publish(folder, manifest, stats, move_latest=allow_failed_gates or not failed,
                                finish=write_audit, key=signing_key)
    except BaseException as exc:
        _stop(staging, exc)
        if _disk_full(exc):
            raise DiskFull(f"no space left on the device while writing {staging.path}: free some "
                           f"space and run the same command again; finished work is kept and "
                           f"will be reused") from exc
        raise
    if keep_work:
        staging.update(status="kept", version=version)
        staging.release()
    else:
        store.discard(staging)
    return RunSummary(version, store.path / version, counts, stats, gates)


def _already_published(store: DatasetStore, staging: Staging, signature: dict[str, Any]
                       ) -> RunSummary | None:
    """The version an interrupted run published before it could clean up, finished off."""
    if staging.state.get("status") == "kept":
        return None
    version = store.run_version(staging.run_id)
    if version is None:
        return None
    path = store.path / version
    manifest = read_json(path / "manifest.json")
    if manifest.get("config_sha256") != signature["config_sha"]:
        return None
    if manifest["status"] == "published" and store.latest() == manifest.get("parent"):
        store.move_latest(version)
    gates = [GateResult(**gate) for gate in manifest.get("gates", [])]
    return RunSummary(version, path, manifest["counts"], read_json(path / "stats.json"), gates)


def _stop(staging: Staging, exc: BaseException) -> None:
    """Record why the run stopped and let go of the area so a rerun can resume it.

    Unfinished units go first: a rerun redoes them anyway, and on a full disk that frees
    the room to record the failure."""
    units = staging.path / "units"
    for unit in units.iterdir() if units.is_dir() else ():
        if not is_finished(unit):
            shutil.rmtree(unit, ignore_errors=True)
    shutil.rmtree(staging.path / PUBLISH, ignore_errors=True)
    with contextlib.suppress(OSError):
        staging.update(status="failed", error=f"{type(exc).__name__}: {exc}"[:2000])
    staging.release()


def _disk_full(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and (exc.errno == errno.ENOSPC or "No space left" in str(exc))


def _execute(config: PipelineConfig, segments: list[Segment], schedule: Schedule, progress: RunProgress
             ) -> tuple[RunResults[TaskResult], dict[str, FilterStats], list[Path]]:
    """Every segment's results in task order, the merged filter stats, the resolved indexes."""
    results: RunResults[TaskResult] = RunResults()
    merged: dict[str, FilterStats] = {}
    indexes: list[Path] = []
    head_key = None
    decisions: dict[int, list[Path]] = {}
    first = [task for task in schedule.tasks(segments[0], None, results, decisions)
             if load_unit(task.out) is None]
    with _pool(config, first[0] if first else None) as pool:
        warm_up(config)  # after the pool forked its workers: no thread may run at a fork
        for segment in segments:
            tasks = schedule.tasks(segment, head_key, results, decisions)
            segment_results = _run_segment(segment, len(segments), tasks, pool, progress)
            results.add(segment_results)
            _merge(merged, segment_results)
            if segment.tail is not None:
                head_key, decisions = _resolve(segment, segment_results, merged, schedule.units, pool,
                                               progress, schedule.mirror)
                indexes.append(schedule.units / head_key / "index")
    return results, merged, indexes


def _pool(config: PipelineConfig, ahead: Task | None) -> LocalPool | RayPool:
    """The executor's pool; both run a list of tasks and return their results in order. A local
    pool's workers are forked with the filters of `ahead` (a first task still to run) set up."""
    if config.executor == "ray":
        from pipelines.ray_pool import RayPool  # Ray is imported only when asked for

        return RayPool(config.ray)
    warmed()  # an earlier run's warm-up in this process: a fork must not copy a thread mid-import
    if ahead is not None and config.workers > 1 and START_METHOD == "fork":
        prepare(ahead)
    return LocalPool(config.workers)


def _run_segment(segment: Segment, count: int, tasks: list[Task], pool: LocalPool | RayPool,
                 progress: RunProgress) -> list[TaskResult]:
    """Reuse the tasks whose units are finished; run the rest; results in task order."""
    finished = {}
    for task in tasks:
        record = load_unit(task.out)
        if record is not None:
            finished[task.index] = TaskResult.from_record(record, task.out)
    todo = [task for task in tasks if task.index not in finished]
    label = segment.describe(count)
    if finished:
        progress.note(f"{label}: reusing {len(finished)} of {len(tasks)} finished tasks")
    if segment.index == 0:
        total, unit = sum(task.split.size for task in todo), "bytes"
    else:
        total, unit = sum(_rows(path, task.mirror) for task in todo for path in task.spill), "docs"
    if todo:
        with progress.segment(label, total, unit) as advance:
            for result in pool.run(todo, advance):
                finished[result.index] = result
    return [finished[task.index] for task in tasks]


def _rows(path: Path, mirror: Any) -> int:
    """A spill file's rows (from the store when a Ray worker wrote it on another node)."""
    return mirror.parquet_rows(path) if mirror is not None else pq.ParquetFile(path).metadata.num_rows


def _resolve(segment: Segment, results: list[TaskResult], merged: dict[str, FilterStats],
             units: Path, pool: LocalPool | RayPool, progress: RunProgress, mirror: Any = None
             ) -> tuple[str, dict[int, list[Path]]]:
    """The global step, as a unit: the tail filter reads every key once, writes its decision
    files into the unit (a rerun reuses them) and the index later versions deduplicate
    against. Returns the unit's key and each task's decision files, by task index.

    With a store on object storage (`mirror`) local workers get the key files downloaded
    where missing; Ray workers sync what each call reads and writes (corpus.mirror)."""
    step = segment.tail
    key = resolve_key(step, [result.key for result in results])
    folder = units / key
    decisions = {result.index: decision_files(folder, result.index, len(result.keys))
                 for result in results}
    files = [path for result in results for path in result.keys]
    local = isinstance(pool, LocalPool)
    map_ = mirror.mapper(pool.map) if mirror is not None and not local else pool.map
    keys = Keys(files, map_, [path for result in results for path in decisions[result.index]])
    record = load_unit(folder)
    if record is not None:
        progress.note(f"resolve {step.label}: reusing the finished step")
    else:
        begin_unit(folder)
        if mirror is not None:
            mirror.begin(folder)
        if mirror is not None and local:
            mirror.fetch(files)
        stats = FilterStats(step.label)
        started = time.perf_counter()
        step.filter.setup()
        step.filter.resolve(keys, stats, folder / "work")
        missing = [path for path in keys.decisions if not path.is_file() and not (
            mirror is not None and mirror.exists(path))]
        if missing:  # a plugin's bug: its documents would pass unjudged
            raise RuntimeError(f"filter {step.label!r} resolved without writing {len(missing)} of its "
                               f"decision files (first: {missing[0].name})")
        checkpoint("resolve")
        step.filter.write_index(keys, folder / "index")
        shutil.rmtree(folder / "work", ignore_errors=True)
        stats.wall_seconds += time.perf_counter() - started
        record = {"stats": stats.to_dict()}
        record_unit(folder, record)
        if mirror is not None:
            mirror.push_unit(folder)
    resolved = FilterStats.from_dict(record["stats"])
    merged[step.label] = merged[step.label] + resolved if step.label in merged else resolved
    return key, decisions


def _merge(merged: dict[str, FilterStats], results: list[TaskResult]) -> None:
    by_label: dict[str, list[FilterStats]] = {}
    for result in results:
        for label, data in result.stats.items():
            by_label.setdefault(label, []).append(FilterStats.from_dict(data))
    for label, items in by_label.items():
        total = merge_all(items)
        merged[label] = merged[label] + total if label in merged else total
