"""What a run's finished units report, segment by segment: the results accounting and assembly read.

A run streams every input split through the first segment, then each split's output through
the next segments, one unit folder per task. Reading happened in the first segment (records,
quarantine), publishing in the last (kept data), and every segment may reject; `RunResults`
names those three views so the counts, the length histograms and the version's assembly say
which one they read.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar


class UnitResult(Protocol):
    """A finished unit's report (the executor's task result), as far as `corpus` reads it."""

    folder: Path
    records: int
    quarantined: int
    kept: int
    rejected: int
    skipped: dict[str, int]
    lengths: dict[str, dict[str, Any]]
    origin: int | None  # the input index of the unit's documents
    tokens: dict[str, Any] | None  # tokens counted (`corpus.tokens`), None without a tokenizer


Unit = TypeVar("Unit", bound=UnitResult)


@dataclass
class RunResults(Generic[Unit]):
    """Every segment's unit results, in segment order and, within one, in task order."""

    segments: list[list[Unit]] = field(default_factory=list)

    def add(self, results: list[Unit]) -> None:
        """Append the next segment's results."""
        self.segments.append(results)

    @property
    def first(self) -> list[Unit]:
        """The first segment's results: what was read and quarantined."""
        return self.segments[0]

    @property
    def last(self) -> list[Unit]:
        """The last segment's results: what was kept, or the spills the next segment reads."""
        return self.segments[-1]

    def all(self) -> Iterator[Unit]:
        """Every result of every segment."""
        for segment in self.segments:
            yield from segment
