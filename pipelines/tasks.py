"""One unit of segment work: a split (or a split's spill) streamed through a segment into its unit folder.

Both executors call `run_task`; it writes every output under `task.out` and records the
unit as finished (`done.json`) only once all of it is on disk, so a crash never leaves a
half-written unit that looks finished.
"""

from __future__ import annotations

import contextlib
import copy
import gc
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from corpus.faults import checkpoint
from corpus.readers import ReaderOptions, read_split
from corpus.readers.parquet import bounded_batches
from corpus.schema import ID, ORDER, ORDER_SHIFT, QUARANTINE_SCHEMA, TEXT
from corpus.sources import Split
from corpus.stats import FilterStats, length_histogram
from corpus.tokens import TokenizerRef, counter
from corpus.writers import ONE_FILE, Budget, Layout, ShardWriter
from filters.base import text_lengths
from pipelines.ledger import begin_unit, record_unit
from pipelines.plan import Segment, Step
from pipelines.redaction import Policy

Progress = Callable[[int, int], None]

_worker_progress: Progress = lambda docs, raw: None  # noqa: E731 - replaced by report_to
_ready_filters: dict[tuple[str, str], Any] = {}


class StepFailed(RuntimeError):
    """A filter raised; the message names the filter, the input and the batch position."""


@dataclass(frozen=True)
class WriteOptions:
    layout: Layout
    keep_rejects: bool
    compression: str
    redaction: str | None = None  # the redaction policy's key (`Policy.key`), for the ledger
    provenance: bool = True
    tokenizer: TokenizerRef | None = None  # counts tokens into the statistics; part of the ledger key


@dataclass
class Task:
    """One split (segment 0) or one split's spilled output (later segments) through a segment.

    `out` is the unit folder the task owns; `key` identifies its inputs and config. A later
    segment's task carries the paths of its documents' decision files (`decisions`) from the
    global step before it, never the decision itself. `origin` is the input its documents come
    from: its index and the name the provenance columns give it.
    """

    index: int
    key: str
    out: Path
    segment: Segment
    segment_key: str
    write: WriteOptions
    reader: ReaderOptions
    split: Split | None = None
    spill: list[Path] = field(default_factory=list)
    decisions: list[Path] = field(default_factory=list)
    policy: Policy | None = None
    origin: tuple[int, str] | None = None
    mirror: Any = None  # the staging area on object storage (corpus.mirror): units go there too

    @property
    def source(self) -> str:
        return self.split.file.uri if self.split else f"spill of task {self.index}"


@dataclass
class TaskResult:
    """What a finished unit reports; saved as its `done.json` with paths relative to the unit."""

    index: int
    key: str = ""
    folder: Path = Path()
    records: int = 0
    quarantined: int = 0
    kept: int = 0
    rejected: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    stats: dict[str, dict[str, Any]] = field(default_factory=dict)
    spill: list[Path] = field(default_factory=list)
    keys: list[Path] = field(default_factory=list)
    lengths: dict[str, dict[str, Any]] = field(default_factory=dict)
    origin: int | None = None  # the input index of the task's documents
    tokens: dict[str, Any] | None = None  # tokens read, kept, kept by language (`corpus.tokens`)

    def to_record(self) -> dict[str, Any]:
        record = asdict(self)
        record["folder"] = ""
        for name in ("spill", "keys"):
            record[name] = [str(path.relative_to(self.folder)) for path in getattr(self, name)]
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any], folder: Path) -> TaskResult:
        result = cls(**{**record, "folder": folder})
        result.spill = [folder / path for path in record["spill"]]
        result.keys = [folder / path for path in record["keys"]]
        return result


def report_to(callback: Progress) -> None:
    """Where `run_task` reports progress in a worker process that has no callback of its own."""
    global _worker_progress
    _worker_progress = callback


def run_task(task: Task, progress: Progress | None = None) -> TaskResult:
    """Stream one task's documents through its segment, write what comes out, record the unit
    (and with a store on object storage, pull its inputs and upload the unit: corpus.mirror)."""
    if task.mirror is not None:
        return task.mirror.work(_run, task, progress)
    return _run(task, progress)


def _run(task: Task, progress: Progress | None) -> TaskResult:
    report = progress or _worker_progress
    begin_unit(task.out)
    segment = task.segment
    steps = [_ready(task, step) for step in segment.applied()]
    tail = _ready(task, segment.tail) if segment.tail else None
    stats = {step.label: FilterStats(step.label) for step in steps}
    result = TaskResult(task.index, task.key, task.out, origin=task.origin[0] if task.origin else None)
    prefix = f"s{segment.index}-t{task.index:06d}"
    write = task.write
    tokens = counter(write.tokenizer) if write.tokenizer else None
    if tokens is not None:
        tokens.start(stats)
    # Every writer of the task shares one budget for unwritten row groups (bounded memory).
    budget = Budget(write.layout.group_bytes)
    internal = Layout(write.layout.shard_rows, write.layout.shard_bytes, group_rows=None)
    sources = dict([task.origin]) if write.provenance and task.origin else None
    # On an error every writer lets go of its file without writing more (no open handles)
    # and the decision files are let go; the unit stays unfinished and is redone.
    with contextlib.ExitStack() as stack:
        def writer(*args: Any, **options: Any) -> ShardWriter:
            return stack.enter_context(ShardWriter(*args, budget=budget, **options))

        if segment.head is not None:
            stack.enter_context(steps[0].filter.reading(task.decisions))
        out = (
            writer(task.out / "spill", prefix, internal, public=False, compression="none")
            if segment.tail else
            writer(task.out / "data", prefix, write.layout, compression=write.compression,
                   sources=sources)
        )
        # lz4: keys are mostly random hashes; it saves 12 % of their bytes and reads them faster
        # (scripts/bench_spill.py, README "Performance")
        keys = (writer(task.out / "keys", prefix, ONE_FILE, public=False, compression="lz4")
                if segment.tail else None)
        rejects = {step.label: writer(task.out / "rejects", f"{prefix}-f{number:02d}",
                                      write.layout, compression=write.compression, sources=sources)
                   for number, step in enumerate(steps)}
        quarantine = writer(task.out / "quarantine", f"t{task.index:06d}", write.layout,
                            compression=write.compression)
        lengths = {"read": length_histogram(), "kept": length_histogram()}
        def redacted(batch: pa.RecordBatch, quarantined: bool = False) -> pa.RecordBatch:
            return _redacted(task, stats, batch, quarantined)

        for batch, chunk_records, raw_bytes, position in _source(task, result, quarantine, redacted):
            # The batch's text lengths (characters, bytes), measured once and carried from step
            # to step (`Outcome.lengths`) into the statistics and the histograms.
            known = None
            if task.split is not None and batch is not None:
                known = text_lengths(batch.column(TEXT))
                lengths["read"].add(_characters(batch, known))
                if tokens is not None:
                    batch = tokens.read(batch)
            for step in steps:
                if batch is None or batch.num_rows == 0:
                    break
                outcome = _run_step(step, batch, stats[step.label], task, position, known)
                known = outcome.lengths
                checkpoint("filter")
                if outcome.rejected is not None:
                    result.rejected += outcome.rejected.num_rows
                    if write.keep_rejects:
                        rejected = outcome.rejected
                        if task.policy is not None and step.label in task.policy.before:
                            rejected = redacted(rejected)
                        rejects[step.label].write(rejected)
                batch = outcome.kept if tokens is None else tokens.step(
                    TEXT in step.filter.column_writes(), batch, outcome.kept, outcome.rejected,
                    stats[step.label])
            if batch is not None and batch.num_rows:
                if keys is not None:
                    keys.write(_keys(tail, batch, stats, task, position))
                out.write(batch)
                result.kept += batch.num_rows
                if keys is None:
                    lengths["kept"].add(_characters(batch, known))
                    if tokens is not None:
                        tokens.kept(batch)
            report(chunk_records, raw_bytes)
        for closing in (*rejects.values(), quarantine):
            closing.close()
        if keys is not None:
            result.keys = keys.close()
            result.spill = out.close()
            result.kept = 0  # not published yet: the next segment decides
        else:
            out.close()
    result.stats = {label: s.to_dict() for label, s in stats.items()}
    result.lengths = {name: histogram.to_dict() for name, histogram in lengths.items()}
    result.tokens = tokens.tally if tokens is not None else None
    checkpoint("unit")
    record_unit(task.out, result.to_record())
    return result


def prepare(task: Task) -> None:
    """Set up the filters of `task`'s segment in this process before a pool forks its workers
    from it: the workers then start with them ready (models load once per machine, not once
    per worker). The set-up filters are copies: tasks keep pickling the filters as configured."""
    steps = [*task.segment.applied(), *([task.segment.tail] if task.segment.tail else [])]
    # Loading the models (presidio's recognizers, the classifiers) builds objects that live for
    # the whole run: the full collections their imports trigger find nothing to free and took
    # 0.2 s of a quickstart run here. The pool freezes them all before it forks.
    with collection_paused():
        for step in steps:
            _ready(task, Step(step.label, copy.copy(step.filter)))


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """No garbage collection inside (it is enabled again after, if it was before): for loading
    what lives as long as the process, where full collections only walk it and free nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _ready(task: Task, step: Step) -> Step:
    """The step with its filter set up once per worker process and segment (filters of an
    earlier segment are let go: segments run one after another)."""
    key = (task.segment_key, step.label)
    if key not in _ready_filters:
        for stale in [old for old in _ready_filters if old[0] != task.segment_key]:
            del _ready_filters[stale]
        step.filter.setup()
        _ready_filters[key] = step.filter
    return Step(step.label, _ready_filters[key])


def _redacted(task: Task, stats: dict[str, FilterStats], batch: pa.RecordBatch,
              quarantined: bool) -> pa.RecordBatch:
    """Rejects or quarantine rows through the version's redaction policy (`pipelines.redaction`);
    its filter is set up on first use, once per worker and segment."""
    if task.policy is None:
        return batch
    label = task.policy.step.label
    redactor = _ready(task, task.policy.step).filter.redactor()
    step_stats = stats.setdefault(label, FilterStats(label))
    return redactor.quarantine(batch, step_stats) if quarantined else redactor.rejects(batch, step_stats)


def _characters(batch: pa.RecordBatch, known: tuple[Any, Any] | None) -> Any:
    """Each text's characters for the length histograms: from `known` (the batch's
    `text_lengths`) unless a text is null, which the histograms leave out where the statistics
    count it as empty."""
    text = batch.column(TEXT)
    if known is not None and not text.null_count:
        return known[0]
    return pc.utf8_length(text).to_numpy(zero_copy_only=False)


def _run_step(step: Step, batch: pa.RecordBatch, stats: FilterStats, task: Task, position: int,
              lengths: tuple[Any, Any] | None = None):
    try:
        return step.filter.run(batch, stats, lengths)
    except Exception as exc:
        raise StepFailed(
            f"filter {step.label!r} failed on {task.source} (batch starting at record offset "
            f"{position}): {describe_failure(exc)}"
        ) from None


def describe_failure(exc: BaseException) -> str:
    """An exception as its type and where it was raised, without its message.

    A filter's message may quote the document it failed on (text, PII), and this description
    reaches stderr, run.json and `corpus runs`: only the code location is safe to show.
    """
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" raised at {Path(frames[-1].filename).name}:{frames[-1].lineno} in {frames[-1].name}" \
        if frames else ""
    return f"{type(exc).__name__}{where} (its message is not shown: it may quote document text)"


def _keys(tail: Step, batch: pa.RecordBatch, stats: dict[str, FilterStats], task: Task,
          position: int) -> pa.RecordBatch:
    """The tail filter's keys with each document's ORDER and ID."""
    tail_stats = stats.setdefault(tail.label, FilterStats(tail.label))
    started = time.perf_counter()
    try:
        columns = tail.filter.sign(batch)
    except Exception as exc:
        raise StepFailed(f"filter {tail.label!r} failed to sign {task.source} (batch starting at "
                         f"record offset {position}): {describe_failure(exc)}") from None
    tail_stats.wall_seconds += time.perf_counter() - started
    columns = {ORDER: batch.column(ORDER), ID: batch.column(ID), **columns}
    return pa.RecordBatch.from_arrays(list(columns.values()), names=list(columns))


def _source(task: Task, result: TaskResult, quarantine: ShardWriter,
            redacted: Callable[[pa.RecordBatch, bool], pa.RecordBatch]
            ) -> Iterator[tuple[pa.RecordBatch | None, int, int, int]]:
    """(batch, records consumed, raw bytes consumed, first record offset) for the task."""
    if task.split is None:
        for path in task.spill:
            for batch in bounded_batches(pq.ParquetFile(path), task.reader):
                yield batch, batch.num_rows, 0, 0
        return
    for chunk in read_split(task.split, task.reader):
        result.records += chunk.records
        for key, count in chunk.skipped.items():
            result.skipped[key] = result.skipped.get(key, 0) + count
        if chunk.quarantine:
            result.quarantined += len(chunk.quarantine)
            quarantine.write(redacted(pa.RecordBatch.from_pylist(chunk.quarantine,
                                                                 schema=QUARANTINE_SCHEMA), True))
        checkpoint("read")
        batch = chunk.batch
        first = batch.column(ORDER)[0].as_py() & ((1 << ORDER_SHIFT) - 1) if batch else 0
        yield batch, chunk.records, chunk.raw_bytes, first
