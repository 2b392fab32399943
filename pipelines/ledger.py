"""The ledger of finished work: every unit has a key made of its inputs and the config that shapes it.

A unit is a folder `units/<key>/` in the run's staging area; it counts as finished once its
`done.json` exists, which is written last, after every file of the unit is on disk. A rerun
computes the same keys and reuses every finished unit; a unit with a different key (another
input, another setting of a filter it ran) is never mistaken for one with the same key.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

import corpus
from corpus.readers import ReaderOptions
from corpus.sources import Split
from corpus.store import DONE, atomic_write, fsync_tree
from pipelines.plan import Segment, Step


def digest(*parts: Any) -> str:
    """A stable hex key of JSON-serialisable parts."""
    text = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def step_config(step: Step) -> dict[str, Any]:
    return {"label": step.label, "filter": step.filter.name,
            "params": step.filter.params.model_dump(mode="json"), "versions": step.filter.versions()}


def segment_key(segment: Segment, write: Any, reader: ReaderOptions, head_key: str | None) -> str:
    """The part of the config a segment's output depends on, with the resolve it applies."""
    steps = [step_config(step) for step in segment.applied()]
    tail = step_config(segment.tail) if segment.tail else None
    return digest(corpus.__version__, "segment", segment.index, steps, tail, asdict(write),
                  asdict(reader) if segment.index == 0 else None, head_key)


def split_key(segment_id: str, index: int, split: Split, fingerprint: str) -> str:
    """A first-segment task: one byte range of one input, identified by its content fingerprint."""
    return digest(segment_id, index, split.input_index, split.file.uri, split.file.size,
                  split.file.mtime, fingerprint, split.start, split.end)


def follow_key(segment_id: str, index: int, previous: str) -> str:
    """A later-segment task: the previous segment's unit for the same split, through this one."""
    return digest(segment_id, index, previous)


def resolve_key(step: Step, inputs: list[str]) -> str:
    """The global step: the filter's settings and every unit whose keys it reads."""
    return digest(corpus.__version__, "resolve", step_config(step), sorted(inputs))


def is_finished(folder: Path) -> bool:
    return (folder / DONE).exists()


def load_unit(folder: Path) -> dict[str, Any] | None:
    """The finished unit's record, or None (absent or unfinished)."""
    if not is_finished(folder):
        return None
    return json.loads((folder / DONE).read_text())


def begin_unit(folder: Path) -> Path:
    """An empty folder for the unit: whatever an interrupted attempt left there is removed."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return folder


def record_unit(folder: Path, record: dict[str, Any]) -> None:
    """Mark the unit finished: flush its files, then write `done.json` atomically."""
    fsync_tree(folder)
    atomic_write(folder / DONE, json.dumps(record))
