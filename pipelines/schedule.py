"""Planning a run's tasks: what every task shares, and each segment's tasks keyed by the ledger.

Separate from `pipelines.plan` because a task holds its segment (`pipelines.tasks` imports the
planner), and the tasks of a later segment follow the results of the one before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus.readers import ReaderOptions
from corpus.sources import Split
from corpus.units import RunResults
from corpus.writers import Layout
from pipelines.config import PipelineConfig, tokenizer_ref
from pipelines.ledger import follow_key, segment_key, split_key
from pipelines.plan import Segment
from pipelines.redaction import Policy, redaction_policy
from pipelines.tasks import Task, TaskResult, WriteOptions


@dataclass(frozen=True)
class Schedule:
    """A run's splits and the options its tasks share; `units` is the staging folder of their units."""

    units: Path
    splits: list[Split]
    fingerprints: dict[str, str]
    write: WriteOptions
    reader: ReaderOptions
    policy: Policy | None
    mirror: Any = None  # the staging area's copy on object storage (corpus.mirror), if any

    @classmethod
    def of(cls, config: PipelineConfig, segments: list[Segment], splits: list[Split],
           fingerprints: dict[str, str], units: Path, mirror: Any = None) -> Schedule:
        policy = redaction_policy(segments)[0]
        output = config.output
        layout = Layout(output.shard_rows, output.shard_bytes, output.row_group_rows,
                        output.row_group_bytes)
        write = WriteOptions(layout, output.keep_rejects, output.compression,
                             policy.key if policy else None, output.provenance, tokenizer_ref(config))
        reader = ReaderOptions(config.input.text_field, config.input.id_field,
                               config.input.batch_rows, config.input.batch_bytes,
                               config.input.max_record_bytes)
        return cls(units, splits, fingerprints, write, reader, policy, mirror)

    def tasks(self, segment: Segment, head_key: str | None, results: RunResults[TaskResult],
              decisions: dict[int, list[Path]]) -> list[Task]:
        """The segment's tasks. The first segment reads: one task per split, keyed by its input's
        fingerprint. A later one has one task per task of the segment before that spilled
        documents, with their decision files from the global step between the two (`decisions`
        by task index; `head_key` is that step's unit)."""
        segment_id = segment_key(segment, self.write, self.reader, head_key)
        if segment.index == 0:
            return [Task(i, key, self.units / key, segment, segment_id, self.write, self.reader,
                         split=split, policy=self.policy, origin=self.origin(i), mirror=self.mirror)
                    for i, split in enumerate(self.splits)
                    for key in [split_key(segment_id, i, split, self.fingerprints[split.file.uri])]]
        return [Task(r.index, key, self.units / key, segment, segment_id, self.write, self.reader,
                     spill=r.spill, decisions=decisions[r.index], policy=self.policy,
                     origin=self.origin(r.index), mirror=self.mirror)
                for r in results.last if r.spill
                for key in [follow_key(segment_id, r.index, r.key)]]

    def origin(self, index: int) -> tuple[int, str]:
        """The input of task `index`'s documents in every segment (a later segment's task `i`
        carries the output of the first segment's task `i`, which read split `i`)."""
        split = self.splits[index]
        return split.input_index, split.file.name
