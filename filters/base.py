"""The Filter API: a filter decides per batch; the base class does the bookkeeping."""

from __future__ import annotations

import os
import stat
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict, Field

from corpus.figures import Figures
from corpus.schema import ORDER, REJECT_FILTER, REJECT_REASON, TEXT, set_column
from corpus.stats import FilterStats
from filters.decisions import REASON, DecisionReader


class ResourceProblem(ValueError):
    """A file or package a filter's parameters name is missing or unusable; the message is one sentence."""


def regular_file(path: str) -> os.stat_result:
    """The stat of `path` (symlinks followed) if it is an existing regular file, else ResourceProblem."""
    try:
        found = os.stat(path)
    except FileNotFoundError:
        raise ResourceProblem(f"{path} does not exist") from None
    except OSError as exc:
        raise ResourceProblem(f"cannot read {path}: {exc.strerror}") from None
    if stat.S_ISDIR(found.st_mode):
        raise ResourceProblem(f"{path} is a directory, not a file")
    if not stat.S_ISREG(found.st_mode):
        raise ResourceProblem(f"{path} is not a regular file")
    return found


class FilterParams(BaseModel):
    """Parameters every filter accepts; a filter's own `Params` subclasses this."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: Literal["filter", "annotate"] = Field(
        "filter", description="filter: remove rejected documents; annotate: only add columns and stats"
    )


@dataclass
class Verdict:
    """A filter's decision on one batch."""

    keep: pa.BooleanArray
    columns: dict[str, pa.Array] = field(default_factory=dict)
    reason: pa.StringArray | None = None


@dataclass
class Outcome:
    """A batch after one filter: the documents kept and those removed (with filter, reason),
    and the kept documents' text lengths (characters, bytes), which the next step's counts
    take instead of measuring the same texts again."""

    kept: pa.RecordBatch
    rejected: pa.RecordBatch | None
    lengths: tuple[np.ndarray, np.ndarray] | None = None


# The redaction scope under which the engine also redacts what a filter never sees (below).
EVERYTHING = "everything"


class Redactor(ABC):
    """Redaction a filter asks the engine to apply to rows written outside it (`Filter.redactor`).

    With `scope` EVERYTHING the engine passes every reject of the steps before the filter and
    every quarantine batch through it before writing; otherwise it only records the scope.
    `policy()` is what the manifest records and the card states."""

    scope: str

    @abstractmethod
    def policy(self) -> dict[str, Any]:
        """The scope and settings, for the manifest (no document content)."""

    @abstractmethod
    def rejects(self, batch: pa.RecordBatch, stats: FilterStats) -> pa.RecordBatch:
        """Removed documents of another step, redacted, with the redacting filter's columns."""

    @abstractmethod
    def quarantine(self, batch: pa.RecordBatch, stats: FilterStats) -> pa.RecordBatch:
        """Quarantine rows (file, offset, error, raw) with what may hold document text redacted."""


@dataclass(frozen=True)
class Read:
    """A column a filter reads besides the text, and where it comes from.

    `source` is `chain` (an earlier filter of the chain writes it; the planner checks the
    order) or `input` (the input carries it: the user said so, and the filter checks its
    values). `fallback` says what the filter does when no filter of the chain writes the
    column (None: it cannot do without; the chain is then a config error). `key` is the
    parameter that makes the filter read it and `instead` what else the user may set; both
    are named in errors.
    """

    column: str
    source: Literal["chain", "input"] = "chain"
    fallback: str | None = None
    key: str = ""
    instead: str = ""


class Filter(ABC):
    """A per-batch document filter.

    Subclasses set `name`, `Params`, and implement `apply`; `setup` loads models once per
    worker. `run` (not to be overridden) counts, times, honours `mode` and splits the
    batch, so a filter holds only its own rule.
    """

    name: ClassVar[str]
    Params: ClassVar[type[FilterParams]] = FilterParams
    # Columns read besides the text (names or `Read`s) and annotation columns written;
    # `column_reads` / `column_writes` give them for the parameters. The planner and
    # `corpus validate` check them along the chain before any data is read.
    reads: ClassVar[tuple[str | Read, ...]] = ()
    writes: ClassVar[tuple[str, ...]] = ()
    # Written columns other filters may write too, with one meaning (each dedup filter's
    # `duplicate_of` names the kept copy); a later writer's values replace an earlier one's.
    shared: ClassVar[tuple[str, ...]] = ()
    # The columns earlier filters of the planned chain write (`bind`); None outside a chain,
    # where a filter reads the columns a batch happens to carry.
    upstream: frozenset[str] | None = None
    # The column holding the per-document score behind the decision, shown in review samples.
    score_column: ClassVar[str | None] = None
    # How the report, the gates and the dataset card present this filter's statistics
    # (`corpus.figures`); recorded in each version's manifest, so they outlive the package.
    figures: ClassVar[Figures] = Figures()

    def __init__(self, params: FilterParams | None = None, **values: Any) -> None:
        """`LangID(LangID.Params(min_score=0.5))` or, from Python, `LangID(min_score=0.5)`."""
        if params is not None and values:
            raise TypeError(f"{type(self).__name__}: give params or keyword values, not both")
        self.params = params if params is not None else self.Params(**values)

    def setup(self) -> None:  # noqa: B027 - an optional hook, not abstract
        """Load models and compile patterns; called once per worker before the first batch."""

    @abstractmethod
    def apply(self, batch: pa.RecordBatch, stats: FilterStats) -> Verdict:
        """Decide which rows of `batch` to keep and which columns to add."""

    def check_resources(self) -> list[str]:
        """Problems with the models, lists and packages this filter will load; default none.

        Called by `corpus validate` and by `corpus run` before any data is read, so a
        missing or damaged resource is a config error, not a crash mid-run. Each problem is
        one sentence starting with the parameter it concerns (`model_path: m.bin does not
        exist`); the engine prefixes the config file and the filter's position. A check
        must be cheap and must never load an untrusted file in this process
        (`filters.fasttext_model.check_model` loads one in a bounded child process).
        """
        return []

    def column_reads(self) -> tuple[Read, ...]:
        """The columns this filter reads with its parameters (default: the class's `reads`)."""
        return tuple(Read(item) if isinstance(item, str) else item for item in self.reads)

    def column_writes(self) -> tuple[str, ...]:
        """The columns this filter writes with its parameters (default: the class's `writes`)."""
        return self.writes

    def bind(self, upstream: frozenset[str]) -> None:
        """Told by the planner which columns earlier filters write, before the chain runs."""
        self.upstream = upstream

    def info(self) -> dict[str, Any]:
        """Settings that hold for the whole run (a definition, a model), recorded once in stats.json."""
        return {}

    def versions(self) -> dict[str, Any]:
        """Versions of the models or data the filter depends on, for the manifest."""
        return {}

    def redactor(self) -> Redactor | None:
        """The redaction the engine applies for this filter outside it; default none. Cheap to
        call; its `rejects`/`quarantine` need this filter set up."""
        return None

    def run(self, batch: pa.RecordBatch, stats: FilterStats,
            lengths: tuple[np.ndarray, np.ndarray] | None = None) -> Outcome:
        """`lengths`: the batch's `text_lengths` when the caller has them (the step before's
        `Outcome.lengths`)."""
        started, cpu_started = time.perf_counter(), time.process_time()
        verdict = self.apply(batch, stats)
        original = batch.column(TEXT)
        for name, values in verdict.columns.items():
            batch = set_column(batch, name, values)
        keep, rejected = verdict.keep, None
        if keep.false_count:
            removed = pc.invert(keep)
            reasons = (
                verdict.reason.filter(removed).fill_null(self.name)
                if verdict.reason is not None
                else pa.array([self.name] * keep.false_count, pa.string())
            )
            if self.params.mode == "annotate":
                _count_reasons(stats, "would_remove_by_reason", reasons)
                keep = pa.array(np.ones(batch.num_rows, dtype=bool))
            else:
                _count_reasons(stats, "removed_by_reason", reasons)
                rejected = batch.filter(removed)
                # The step's label (`special_chars#2`, `module:Class`), as stats, samples and the
                # report name the step; the class name would merge repeats and miss plugins.
                rejected = set_column(rejected, REJECT_FILTER,
                                      pa.array([stats.name] * rejected.num_rows, pa.string()))
                rejected = set_column(rejected, REJECT_REASON, reasons)
        kept = batch.filter(keep) if rejected is not None else batch
        # The text changed only if the filter wrote it (`batch.column` returns a new object on
        # every call: identity cannot tell).
        rewritten = batch.column(TEXT) if TEXT in verdict.columns else None
        kept_lengths = _count_documents(stats, original, rewritten, keep, lengths)
        stats.wall_seconds += time.perf_counter() - started
        stats.cpu_seconds += time.process_time() - cpu_started
        return Outcome(kept, rejected, kept_lengths)


def serial_map(function: Callable[[Any], Any], items: list[Any]) -> list[Any]:
    return [function(item) for item in items]


@dataclass
class Keys:
    """The keys a global filter resolves: one Parquet file per finished task.

    Calling it streams every key batch in input order (one pass); `map(function, items)`
    runs a picklable function over items on the executor's workers (processes locally,
    actors on Ray) and returns the results in order, for resolves that work per file or
    per partition instead of in one stream. `decisions[i]` is where `resolve` writes the
    decision file of the documents in `files[i]` (see `filters.decisions`).
    """

    files: list[Path]
    map: Callable[[Callable[[Any], Any], list[Any]], list[Any]] = serial_map
    decisions: list[Path] = field(default_factory=list)

    def __call__(self) -> Iterator[pa.RecordBatch]:
        for path in self.files:
            yield from pq.ParquetFile(path).iter_batches()


class GlobalFilter(Filter):
    """A filter that must see every document before it decides (e.g. deduplication).

    `sign` maps a batch to compact keys (one row per document, any columns); the executor
    adds the documents' ORDER and ID and stores the keys. `resolve` gets the `Keys` (call
    them to stream all keys, once per pass, or map work over their files on the executor's
    workers) and a work folder every worker sees, and writes its decision as data: one
    decision file per key file (`filters.decisions`). The filter object keeps no decision:
    the executor opens the task's decision files with `reading`, and `apply` merge-joins
    them with the batches, removing the rows that have a reason and adding the columns.
    """

    _decisions: DecisionReader | None = None

    @abstractmethod
    def sign(self, batch: pa.RecordBatch) -> dict[str, pa.Array]:
        """Compact keys of each document of the batch."""

    @abstractmethod
    def resolve(self, keys: Keys, stats: FilterStats, workdir: Path) -> None:
        """Read every document's keys (in one or more passes) and write `keys.decisions`."""

    def write_index(self, keys: Keys, folder: Path) -> None:
        """Write what later versions need to deduplicate against this one (default: nothing);
        called after `resolve`, with its decision files written."""

    @contextmanager
    def reading(self, paths: list[Path]) -> Iterator[None]:
        """Apply the decisions in `paths` (one task's files, in ORDER order) while in the block."""
        self._decisions = DecisionReader(paths)
        try:
            yield
        finally:
            self._decisions.close()
            self._decisions = None

    def apply(self, batch: pa.RecordBatch, stats: FilterStats) -> Verdict:
        if self._decisions is None:
            raise RuntimeError(f"{self.name}: apply called without its decision files (see reading)")
        decided = self._decisions.take(batch.column(ORDER))
        reason = decided.column(REASON).combine_chunks()
        columns = {name: decided.column(name).combine_chunks() for name in decided.column_names
                   if name not in (ORDER, REASON)}
        return Verdict(keep=pc.is_null(reason), columns=columns, reason=reason)


def _count_documents(stats: FilterStats, before: pa.Array, after: pa.Array | None,
                     keep: pa.BooleanArray, lengths: tuple[np.ndarray, np.ndarray] | None = None
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Documents, characters and bytes in (before the filter: `lengths` when given) and out
    (kept, as rewritten: `after`, None when the filter left the text); the kept documents'
    lengths.

    Lengths are computed once per batch unless the filter rewrote the text.
    """
    kept = keep.to_numpy(zero_copy_only=False)
    chars, size = text_lengths(before) if lengths is None else lengths
    stats.docs_in += len(before)
    stats.docs_out += int(kept.sum())
    stats.chars_in += int(chars.sum())
    stats.bytes_in += int(size.sum())
    if after is not None:
        chars, size = text_lengths(after)
    chars, size = chars[kept], size[kept]
    stats.chars_out += int(chars.sum())
    stats.bytes_out += int(size.sum())
    return chars, size


def text_lengths(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Each text's characters and UTF-8 bytes; a null text (a plugin's rewrite) counts as empty
    rather than breaking the sums."""
    return (pc.utf8_length(text).fill_null(0).to_numpy(zero_copy_only=False),
            pc.binary_length(text).fill_null(0).to_numpy(zero_copy_only=False))


def _count_reasons(stats: FilterStats, group: str, reasons: pa.Array) -> None:
    counts = pc.value_counts(reasons)
    stats.count_many(group, counts.field("values").to_pylist(),
                     counts.field("counts").to_pylist())

